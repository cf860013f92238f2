"""What every part of a request reaches the sandbox through: the Sandbox of the current app (its settings, store,
clock and mounted APIs), made once by create_app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app

from .clock import Clock
from .store import Store

if TYPE_CHECKING:
    from .api import Api
    from .settings import Settings


@dataclass
class Sandbox:
    settings: Settings
    store: Store
    clock: Clock
    apis: dict[str, Api]  # the partner APIs
    control: Api  # the control API, /_sandbox


def sandbox() -> Sandbox:
    return current_app.extensions["sandbox"]
