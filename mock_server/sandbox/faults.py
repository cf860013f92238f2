"""Fault rules: make matching partner-API requests answer an error status, wait, or drop the connection.

Rules live in the database, so every server process applies the same ones, and "the next N" is counted
once across all of them (an atomic decrement).
"""

from __future__ import annotations

import fnmatch
import random
import re
import socket
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, insert, or_, select, update

from ..store import Store
from .tables import faults

HEADER = "X-Sandbox-Fault"
_HEADER_PART = re.compile(r"^(?:(?:status=)?(?P<status>\d{3})|latency=(?P<latency>\d{1,5})|(?P<drop>drop))$")


@dataclass(frozen=True)
class Action:
    status: int | None = None
    latency_ms: int = 0
    drop: bool = False
    source: str = "header"  # the rule id, or "header"


class HeaderError(ValueError):
    pass


def parse_header(value: str, allowed_statuses: list[int]) -> Action:
    """`503`, `status=503`, `latency=200`, `drop`, joined by `;`."""
    status, latency, drop = None, 0, False
    for part in (p.strip() for p in value.split(";")):
        found = _HEADER_PART.match(part)
        if not found:
            raise HeaderError(f"{HEADER}: '{part}' is not status=<code>, latency=<ms>, drop or a status code")
        if found["status"]:
            status = int(found["status"])
            if status not in allowed_statuses:
                raise HeaderError(f"{HEADER}: status must be one of {', '.join(map(str, allowed_statuses))}")
        elif found["latency"]:
            latency = int(found["latency"])
            if latency > 60_000:
                raise HeaderError(f"{HEADER}: latency must be at most 60000 ms")
        else:
            drop = True
    if drop and status:
        raise HeaderError(f"{HEADER}: drop and a status exclude each other")
    return Action(status=status, latency_ms=latency, drop=drop)


class Faults:
    def __init__(self, store: Store):
        self.store = store
        self.random = random.Random()

    # -- rules ------------------------------------------------------------------------------------

    def add(self, match: dict, action: dict, times: int | None, probability: float) -> dict:
        with self.store.begin() as connection:
            fault_id = connection.execute(insert(faults).values(
                match=match, action=action, times=times, remaining=times, probability=probability, fired=0,
                created_at=datetime.now(UTC).replace(tzinfo=None, microsecond=0))).inserted_primary_key[0]
        return self.get(fault_id)

    def all(self) -> list[dict]:
        with self.store.connect() as connection:
            return [_public(row) for row in connection.execute(select(faults).order_by(faults.c.id))]

    def get(self, fault_id: int) -> dict | None:
        with self.store.connect() as connection:
            row = connection.execute(select(faults).where(faults.c.id == fault_id)).first()
        return None if row is None else _public(row)

    def remove(self, fault_id: int | None = None) -> bool:
        with self.store.begin() as connection:
            query = delete(faults) if fault_id is None else delete(faults).where(faults.c.id == fault_id)
            return connection.execute(query).rowcount > 0

    # -- applying ---------------------------------------------------------------------------------

    def _live_rules(self) -> tuple:
        """The rules that may still fire, as of the shared state version (no query while it is unchanged)."""
        def load():
            with self.store.connect() as connection:
                return tuple(connection.execute(
                    select(faults).where(or_(faults.c.remaining.is_(None), faults.c.remaining > 0))
                    .order_by(faults.c.id)).all())
        return self.store.snapshot().memo("fault_rules", load)

    def action_for(self, request_facts) -> Action | None:
        """The first live rule that matches and wins its draw, counted as fired; None if none does."""
        for rule in self._live_rules():
            if not _matches(rule.match, request_facts):
                continue
            if rule.probability < 1 and self.random.random() >= rule.probability:
                continue
            with self.store.begin() as connection:
                taken = connection.execute(
                    update(faults).where(faults.c.id == rule.id,
                                         or_(faults.c.remaining.is_(None), faults.c.remaining > 0))
                    .values(fired=faults.c.fired + 1,
                            remaining=faults.c.remaining - 1)  # NULL - 1 stays NULL: "always"
                    .returning(faults.c.remaining)).first()
                if taken is None or taken.remaining == 0:
                    self.store.bump(connection)  # spent (here or elsewhere): every process drops it
            if taken is not None:
                return Action(status=rule.action.get("status"), latency_ms=rule.action.get("latency_ms", 0),
                              drop=rule.action.get("drop", False), source=str(rule.id))
        return None


def _matches(match: dict, facts) -> bool:
    for key, wanted in match.items():
        if key == "path":
            if not fnmatch.fnmatchcase(facts.path, wanted):
                return False
        elif facts.get(key) != wanted:
            return False
    return True


def _public(row) -> dict:
    return {"id": row.id, "match": row.match, "action": row.action, "times": row.times, "remaining": row.remaining,
            "probability": row.probability, "fired": row.fired, "created_at": row.created_at.isoformat() + "Z"}


def drop_connection(environ: dict) -> bool:
    """Close the client's socket under the server's feet: the client sees the connection end with no answer."""
    sock = environ.get("gunicorn.socket") or environ.get("werkzeug.socket")
    if sock is None:
        return False
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    return True
