"""The sandbox's settings: one typed value each, layered defaults → environment → the mapping given (the keys
create_app has always taken, e.g. {"DATABASE_URL": ..., "SELF_CHECK": "full"}), checked when the app is made:
a bad value stops create_app, it is not a 500 on the first request that reads it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from . import limits
from .travtus.ratelimit import Limit, parse_setting

# The folder holding openapi/ and fixtures/: the checkout, or in an installed copy mock_server/data (setup.py ships
# both folders there as the packages mock_server.data.openapi and mock_server.data.fixtures).
ROOT = next((folder for folder in (Path(__file__).resolve().parent / "data", Path(__file__).resolve().parent.parent)
             if (folder / "openapi").is_dir()), Path(__file__).resolve().parent.parent)
API_NAMES = ("leasey", "travtus")
SelfCheck = Literal["sample", "full", "off"]
DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": f"sqlite:///{Path.cwd() / 'var' / 'sandbox.db'}",  # ./var/sandbox.db where the server starts
    "APIS": API_NAMES,
    "MOUNT_AT_ROOT": False,  # True: serve the single API in APIS at "/" instead of "/<name>"
    "SPEC_DIR": str(ROOT / "openapi"),
    "FIXTURE_DIR": str(ROOT / "fixtures"),
    "NOW": None,  # ISO timestamp: the sandbox clock starts there (and keeps running)
    "FREEZE_CLOCK": False,
    "LOAD_FIXTURES": "if-empty",  # "if-empty" | "always" | "never"
    # Validate every response against the spec and flag violations: "full" checks every item (compiled, it costs
    # less than walking a body for a sample did); "sample" (or True) checks arrays longer than SELF_CHECK_SAMPLE
    # items on their first and last SELF_CHECK_SAMPLE / 2; "off" (or False) nothing.
    "SELF_CHECK": "full",
    "SELF_CHECK_SAMPLE": 10,
    "TRAVTUS_RATE_LIMIT": None,  # None: off; "documented", or "token=100/200,api=10000/5000" (rate/burst per kind)
    "ADMIN_TOKEN": None,  # the control API (/_sandbox) needs `Authorization: Bearer <it>` when set
    "JOURNAL_SIZE": 1000,  # requests the journal keeps (0: no journal)
    "TENANT_IDLE_SECONDS": 86_400,  # a tenant unused this long (real time) is removed
    "AUTO_MIGRATE": True,  # upgrade the schema at start-up (False: refuse to start on an older schema)
    # Which Host headers the control API answers (mock_server/sandbox/origin.py): the address and port serve binds
    # (None: loopback names on any port) and the public names, comma-separated, it is also reached by.
    "BIND_HOST": None,
    "BIND_PORT": None,
    "PUBLIC_HOST": None,
    # Request bodies (Flask/Werkzeug): a larger one is refused with 413 before it is read (Content-Length) or as
    # soon as it passes the limit (chunked); a form field or file may be as large as the body (FIDELITY, Hardening).
    "MAX_CONTENT_LENGTH": limits.BODY_LIMIT,
    "MAX_FORM_MEMORY_SIZE": limits.BODY_LIMIT,
}
# setting <- environment variable (when it is set and not empty)
ENVIRONMENT = {"DATABASE_URL": "DATABASE_URL", "NOW": "SANDBOX_NOW", "ADMIN_TOKEN": "SANDBOX_ADMIN_TOKEN",
               "SPEC_DIR": "SANDBOX_SPEC_DIR", "PUBLIC_HOST": "SANDBOX_PUBLIC_HOST"}
_SELF_CHECK = {True: "sample", "sample": "sample", "full": "full", False: "off", "off": "off", None: "off"}
_LOAD_FIXTURES = ("if-empty", "always", "never")


@dataclass(frozen=True)
class Settings:
    database_url: str
    apis: tuple[str, ...]
    mount_at_root: bool
    spec_dir: Path
    fixture_dir: Path
    now: datetime | None
    freeze_clock: bool
    load_fixtures: Literal["if-empty", "always", "never"]
    self_check: SelfCheck
    self_check_sample: int
    travtus_rate_limit: dict[str, Limit] | None  # the limits per kind; None: off
    admin_token: str | None
    journal_size: int
    tenant_idle_seconds: int
    auto_migrate: bool
    bind_host: str | None
    bind_port: int | None
    public_host: str | None

    @classmethod
    def layered(cls, config: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The raw mapping: defaults, then the environment, then `config` (what app.config holds)."""
        values = dict(DEFAULTS)
        values.update({key: os.environ[name] for key, name in ENVIRONMENT.items() if os.environ.get(name)})
        values.update(config or {})
        return values

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> Settings:
        """The typed settings of a layered mapping; ValueError naming the setting when one is not valid."""
        def one_of(key: str, table) -> Any:
            value = values[key]
            if value not in table:
                raise ValueError(f"{key}: {value!r} is not one of {', '.join(map(repr, table))}")
            return table[value] if isinstance(table, dict) else value

        try:
            rate_limit = parse_setting(values["TRAVTUS_RATE_LIMIT"])
        except ValueError as wrong:
            raise ValueError(f"TRAVTUS_RATE_LIMIT: {wrong}") from None
        apis = tuple(values["APIS"])
        unknown = [name for name in apis if name not in API_NAMES]
        if unknown:
            raise ValueError(f"APIS: {', '.join(unknown)} is not one of {', '.join(API_NAMES)}")
        return cls(
            database_url=str(values["DATABASE_URL"]), apis=apis, mount_at_root=bool(values["MOUNT_AT_ROOT"]),
            spec_dir=Path(values["SPEC_DIR"]), fixture_dir=Path(values["FIXTURE_DIR"]),
            now=datetime.fromisoformat(values["NOW"]) if values["NOW"] else None,
            freeze_clock=bool(values["FREEZE_CLOCK"]), load_fixtures=one_of("LOAD_FIXTURES", _LOAD_FIXTURES),
            self_check=one_of("SELF_CHECK", _SELF_CHECK), self_check_sample=int(values["SELF_CHECK_SAMPLE"]),
            travtus_rate_limit=rate_limit, admin_token=values["ADMIN_TOKEN"] or None,
            journal_size=int(values["JOURNAL_SIZE"]), tenant_idle_seconds=int(values["TENANT_IDLE_SECONDS"]),
            auto_migrate=bool(values["AUTO_MIGRATE"]), bind_host=values["BIND_HOST"] or None,
            bind_port=None if values["BIND_PORT"] is None else int(values["BIND_PORT"]),
            public_host=values["PUBLIC_HOST"] or None)


def config_from_arguments(args) -> dict[str, Any]:
    """The settings `mock-server serve`, `fixtures load` and `fixtures generate` take from their arguments (only
    those given: the rest stay defaults or the environment's)."""
    config: dict[str, Any] = {}
    if getattr(args, "db", None):
        config["DATABASE_URL"] = args.db
    if getattr(args, "now", None):
        config["NOW"] = args.now
        config["FREEZE_CLOCK"] = args.freeze_clock
    if getattr(args, "travtus_rate_limit", None):
        config["TRAVTUS_RATE_LIMIT"] = args.travtus_rate_limit
    if getattr(args, "admin_token", None):
        config["ADMIN_TOKEN"] = args.admin_token
    if getattr(args, "self_check", None):
        config["SELF_CHECK"] = args.self_check
    if getattr(args, "journal_size", None) is not None:
        config["JOURNAL_SIZE"] = args.journal_size
    if getattr(args, "tenant_idle", None) is not None:
        config["TENANT_IDLE_SECONDS"] = args.tenant_idle
    if getattr(args, "no_migrate", False):
        config["AUTO_MIGRATE"] = False
    if getattr(args, "api", "all") != "all":
        config["APIS"] = (args.api,)
        config["MOUNT_AT_ROOT"] = True
    return config
