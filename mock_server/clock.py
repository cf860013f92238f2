"""The sandbox clock: real time, shifted or frozen, shared by every server process through the store.

Token expiry, Days_Listed, default date windows and fixture dates all read it, so tests can pin time.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from .store import Store

_KEY = "clock"
_LAZY = datetime.min  # pinned, not read yet
_request_now: ContextVar[datetime | None] = ContextVar("sandbox_now", default=None)


class Clock:
    def __init__(self, store: Store):
        self.store = store

    def _state(self) -> dict:
        return self.store.cached_setting(_KEY) or {}

    def now(self) -> datetime:
        """Naive local-less timestamp, second precision (the APIs' wire format has no zone). Inside a request,
        the moment it started: every part of one answer sees the same time."""
        pinned = _request_now.get()
        if pinned is _LAZY:
            pinned = self._read()
            _request_now.set(pinned)
        return pinned or self._read()

    def _read(self) -> datetime:
        state = self._state()
        if state.get("frozen_at"):
            return datetime.fromisoformat(state["frozen_at"])
        return (datetime.now() + timedelta(seconds=state.get("offset_seconds", 0))).replace(microsecond=0)

    @contextmanager
    def pinned(self):
        """Inside: now() is read once (a request's moment)."""
        token = _request_now.set(_LAZY)
        try:
            yield
        finally:
            _request_now.reset(token)

    def _changed(self) -> None:
        self.store.repin()
        if _request_now.get() is not None:
            _request_now.set(_LAZY)

    def set(self, moment: datetime, frozen: bool = False) -> None:
        """Make `now()` read `moment`; then time runs on from there unless frozen."""
        moment = moment.replace(microsecond=0)
        if frozen:
            self.store.set_setting(_KEY, {"frozen_at": moment.isoformat()})
        else:
            # Kept to the microsecond: rounded, a clock set to 00:00:00 could read 23:59:59 just after.
            self.store.set_setting(_KEY, {"offset_seconds": (moment - datetime.now()).total_seconds()})
        self._changed()

    def advance(self, seconds: float) -> datetime:
        state = self.store.get_setting(_KEY) or {}  # the stored state, not this process's copy of it
        if state.get("frozen_at"):
            moment = datetime.fromisoformat(state["frozen_at"]) + timedelta(seconds=seconds)
            self.store.set_setting(_KEY, {"frozen_at": moment.isoformat()})
        else:
            self.store.set_setting(_KEY, {"offset_seconds": state.get("offset_seconds", 0) + seconds})
        self._changed()
        return self.now()

    def follow_real_time(self) -> None:
        self.store.set_setting(_KEY, {})
        self._changed()

    def describe(self) -> dict:
        state = self._state()
        return {"now": self.now().isoformat(), "frozen": bool(state.get("frozen_at")),
                "offset_seconds": round(state.get("offset_seconds", 0))}
