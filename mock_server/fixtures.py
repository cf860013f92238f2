"""(Re)loads the sandbox state from fixtures/: wipes the tables and lets each API load its own data."""

from __future__ import annotations

import importlib
from pathlib import Path

from .clock import Clock
from .spec import Spec, load_yaml
from .store import Store, metadata, settings


def load_fixtures(store: Store, clock: Clock, fixture_dir: Path, spec_dir: Path,
                  apis: tuple[str, ...] = ("leasey", "travtus")) -> None:
    """Replace every table's content (but the clock) with the fixtures, dated relative to the clock."""
    now = clock.now()
    with store.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            if table is settings:
                connection.execute(table.delete().where(table.c.key != "clock"))
            else:
                connection.execute(table.delete())
        for name in apis:
            path = fixture_dir / f"{name}.yaml"
            if not path.exists():
                continue
            loader = importlib.import_module(f"mock_server.{name}.fixtures")
            loader.load(connection, now, load_yaml(path.read_text()), Spec(spec_dir / f"{name}.yaml"))
