"""The sandbox clock: real time, shifted or frozen, shared by every server process through the store.

Token expiry, Days_Listed, default date windows and fixture dates all read it, so tests can pin time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .store import Store

_KEY = "clock"


class Clock:
    def __init__(self, store: Store):
        self.store = store

    def _state(self) -> dict:
        return self.store.get_setting(_KEY) or {}

    def now(self) -> datetime:
        """Naive local-less timestamp, second precision (the APIs' wire format has no zone)."""
        state = self._state()
        if state.get("frozen_at"):
            return datetime.fromisoformat(state["frozen_at"])
        return (datetime.now() + timedelta(seconds=state.get("offset_seconds", 0))).replace(microsecond=0)

    def set(self, moment: datetime, frozen: bool = False) -> None:
        """Make `now()` read `moment`; then time runs on from there unless frozen."""
        moment = moment.replace(microsecond=0)
        if frozen:
            self.store.set_setting(_KEY, {"frozen_at": moment.isoformat()})
        else:
            # Kept to the microsecond: rounded, a clock set to 00:00:00 could read 23:59:59 just after.
            self.store.set_setting(_KEY, {"offset_seconds": (moment - datetime.now()).total_seconds()})

    def advance(self, seconds: float) -> datetime:
        state = self._state()
        if state.get("frozen_at"):
            moment = datetime.fromisoformat(state["frozen_at"]) + timedelta(seconds=seconds)
            self.store.set_setting(_KEY, {"frozen_at": moment.isoformat()})
        else:
            self.store.set_setting(_KEY, {"offset_seconds": state.get("offset_seconds", 0) + seconds})
        return self.now()

    def follow_real_time(self) -> None:
        self.store.set_setting(_KEY, {})

    def describe(self) -> dict:
        state = self._state()
        return {"now": self.now().isoformat(), "frozen": bool(state.get("frozen_at")),
                "offset_seconds": round(state.get("offset_seconds", 0))}
