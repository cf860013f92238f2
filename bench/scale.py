"""The scale database of the benchmark: generated once by `mock-server fixtures generate`, cached under var/bench/.

The file name carries a hash of the sizes, the seed and the files that shape the data (generator, schema,
fixture data), so a cached database is reused only when it would be generated the same way today.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench"
BIN = Path(sys.executable).parent
SIZES = {"companies": 1, "properties": 100_000, "showings": 1_000_000, "leads": 1_000_000, "clients": 1,
         "leases": 1_000_000, "seed": 7}
NOW = "2026-11-22T12:00:00"  # the generated data is dated around this sandbox time
# What shapes the generated rows; other code (handlers, the fixture loaders' other details) does not.
SHAPING = ("mock_server/generate.py", "mock_server/store.py", "fixtures/leasey.yaml", "fixtures/travtus.yaml")


def key(sizes: dict) -> str:
    digest = hashlib.sha256(json.dumps(sizes, sort_keys=True).encode())
    for name in SHAPING:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()[:12]


def ensure(sizes: dict | None = None, quiet: bool = False) -> tuple[Path, dict, float | None]:
    """(database file, credentials JSON, seconds spent generating or None if cached)."""
    sizes = sizes or SIZES
    CACHE.mkdir(parents=True, exist_ok=True)
    stem = CACHE / f"scale-{key(sizes)}"
    db, credentials = stem.with_suffix(".db"), stem.with_suffix(".json")
    if db.exists() and credentials.exists():
        return db, json.loads(credentials.read_text()), None
    for stale in CACHE.glob("scale-*"):
        stale.unlink()
    partial = stem.with_suffix(".partial.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    command = [str(BIN / "mock-server"), "fixtures", "generate", "--db", f"sqlite:///{partial}", "--now", NOW,
               "--output", str(credentials)] + [f"--{name}={value}" for name, value in sizes.items()]
    if quiet:
        command.append("--quiet")
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    partial.rename(db)
    return db, json.loads(credentials.read_text()), time.perf_counter() - started


if __name__ == "__main__":
    path, _, seconds = ensure()
    print(path, "cached" if seconds is None else f"generated in {seconds:.0f} s")
