"""Token-bucket rate limiting as the Travtus docs describe it (429 on exceeding), off unless configured.

The docs: "Limits are applied per API key at the API Gateway level"; the token endpoint allows 100 requests/s
sustained with a burst of 200, every other endpoint 10,000/s sustained with a burst of 5,000. Buckets live in
the server process: with several gunicorn workers each worker counts on its own (FIDELITY-travtus.md).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    rate: float  # tokens added per second (the sustained rate)
    burst: int  # bucket capacity


DOCUMENTED = {"token": Limit(100, 200), "api": Limit(10_000, 5_000)}
KINDS = tuple(DOCUMENTED)


def parse_setting(setting) -> dict[str, Limit] | None:
    """The TRAVTUS_RATE_LIMIT setting → limits per kind, or None when rate limiting is off.

    None, False, "" or "off": off. True, "on" or "documented": the documented limits. A string like
    "token=5/10,api=2/4" (rate/burst per kind) or a mapping {"token": (5, 10)}: those kinds overridden, the
    others documented.
    """
    if setting in (None, False, "", "off"):
        return None
    if setting in (True, "on", "documented"):
        return dict(DOCUMENTED)
    limits = dict(DOCUMENTED)
    items = setting.items() if isinstance(setting, dict) else (_split(part) for part in str(setting).split(","))
    for kind, value in items:
        if kind not in KINDS:
            raise ValueError(f"rate limit kind {kind!r}: expected one of {', '.join(KINDS)}")
        rate, burst = value.split("/") if isinstance(value, str) else value
        limits[kind] = Limit(float(rate), int(burst))
        if limits[kind].rate <= 0 or limits[kind].burst < 1:
            raise ValueError(f"rate limit {kind}: rate must be > 0 and burst >= 1")
    return limits


def _split(part: str) -> tuple[str, str]:
    kind, sep, value = part.strip().partition("=")
    if not sep:
        raise ValueError(f"rate limit {part!r}: expected kind=rate/burst, e.g. token=100/200")
    return kind.strip(), value.strip()


class RateLimiter:
    """One token bucket per (kind, key); `take` spends one token or says how long to wait."""

    MAX_BUCKETS = 10_000

    def __init__(self, limits: dict[str, Limit], clock: Callable[[], float] = time.monotonic):
        self.limits = limits
        self.clock = clock
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}  # -> (tokens, updated at)
        self._lock = threading.Lock()

    def take(self, kind: str, key: str) -> int | None:
        """Spend one token from the bucket; None when allowed, else the whole seconds to wait (Retry-After)."""
        limit = self.limits[kind]
        now = self.clock()
        with self._lock:
            tokens, updated = self._buckets.get((kind, key), (float(limit.burst), now))
            tokens = min(float(limit.burst), tokens + (now - updated) * limit.rate)
            if tokens >= 1:
                self._buckets[(kind, key)] = (tokens - 1, now)
                self._forget_full_buckets(now)
                return None
            self._buckets[(kind, key)] = (tokens, now)
            return max(1, math.ceil((1 - tokens) / limit.rate))

    def _forget_full_buckets(self, now: float) -> None:
        """Keep memory bounded: a bucket that has refilled is the same as no bucket."""
        if len(self._buckets) <= self.MAX_BUCKETS:
            return
        for (kind, key), (tokens, updated) in list(self._buckets.items()):
            limit = self.limits[kind]
            if tokens + (now - updated) * limit.rate >= limit.burst:
                del self._buckets[(kind, key)]
