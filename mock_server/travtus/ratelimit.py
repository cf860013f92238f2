"""Token-bucket rate limiting as the Travtus docs describe it (429 on exceeding), off unless configured.

The docs: "Limits are applied per API key at the API Gateway level"; the token endpoint allows 100 requests/s
sustained with a burst of 200, every other endpoint 10,000/s sustained with a burst of 5,000. Buckets live in
the database (SharedRateLimiter), so every gunicorn worker spends from the same buckets.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import case, delete, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from ..store import Store, rate_buckets


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


class SharedRateLimiter:
    """One token bucket per (kind, key), kept in the database so that every server process spends from them;
    `take` spends one token or says how long to wait.

    One atomic UPDATE refills and spends a token (the database serializes concurrent writers), so two
    workers can never both spend a bucket's last token.
    """

    SWEEP_EVERY = 1000  # takes between removals of buckets that have refilled (a full bucket = no bucket)

    def __init__(self, store: Store, limits: dict[str, Limit], clock: Callable[[], float] = time.time):
        self.store = store
        self.limits = limits
        self.clock = clock
        self._takes = 0

    def take(self, kind: str, key: str) -> int | None:
        limit = self.limits[kind]
        now = self.clock()
        b = rate_buckets.c
        refilled = b.tokens + (literal(now) - b.updated) * limit.rate
        refilled = case((refilled > limit.burst, float(limit.burst)), else_=refilled)
        where = (b.kind == kind) & (b.key == key)
        for _ in range(2):  # a second round when another process created the bucket at the same moment
            with self.store.begin() as connection:
                spent = connection.execute(update(rate_buckets).where(where, refilled >= 1)
                                           .values(tokens=refilled - 1, updated=now)).rowcount
                if spent:
                    self._sweep(connection, now)
                    return None
                row = connection.execute(select(b.tokens, b.updated).where(where)).first()
                if row is not None:
                    tokens = min(float(limit.burst), row.tokens + (now - row.updated) * limit.rate)
                    return max(1, math.ceil((1 - tokens) / limit.rate))
                try:
                    with connection.begin_nested():
                        connection.execute(insert(rate_buckets).values(kind=kind, key=key,
                                                                       tokens=float(limit.burst) - 1, updated=now))
                    return None
                except IntegrityError:
                    continue
        return 1

    def _sweep(self, connection, now: float) -> None:
        self._takes += 1
        if self._takes % self.SWEEP_EVERY:
            return
        for kind, limit in self.limits.items():
            b = rate_buckets.c
            connection.execute(delete(rate_buckets).where(
                b.kind == kind, b.tokens + (literal(now) - b.updated) * limit.rate >= limit.burst))


_shared: dict[tuple[int, str], SharedRateLimiter | None] = {}


def shared_limiter(store: Store, limits: dict[str, Limit] | None) -> SharedRateLimiter | None:
    """The database-backed limiter for parsed limits (None: off), built once per store and limits."""
    cache_key = (id(store), repr(limits))
    if cache_key not in _shared:
        _shared[cache_key] = SharedRateLimiter(store, limits) if limits else None
    return _shared[cache_key]
