"""Application factory: the settings, the state, each API mounted from its spec, the pipeline and the site."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from flask import Flask

from . import limits, migrate, pipeline
from .api import CONTROL_NAME, CONTROL_PREFIX, Sandbox, after_request, mount, register_error_handling
from .clock import Clock
from .spec import Spec
from .store import Store

# The folder holding openapi/ and fixtures/: the checkout, or in an installed copy mock_server/data (setup.py ships
# both folders there as the packages mock_server.data.openapi and mock_server.data.fixtures).
ROOT = next((folder for folder in (Path(__file__).resolve().parent / "data", Path(__file__).resolve().parent.parent)
             if (folder / "openapi").is_dir()), Path(__file__).resolve().parent.parent)
API_NAMES = ("leasey", "travtus")
DEFAULTS = {
    "DATABASE_URL": f"sqlite:///{Path.cwd() / 'var' / 'sandbox.db'}",  # ./var/sandbox.db where the server starts
    "APIS": API_NAMES,
    "MOUNT_AT_ROOT": False,  # True: serve the single API in APIS at "/" instead of "/<name>"
    "SPEC_DIR": str(ROOT / "openapi"),
    "FIXTURE_DIR": str(ROOT / "fixtures"),
    "NOW": None,  # ISO timestamp: the sandbox clock starts there (and keeps running)
    "FREEZE_CLOCK": False,
    "LOAD_FIXTURES": "if-empty",  # "if-empty" | "always" | "never"
    # Validate every response against the spec and flag violations: "full" checks every item (compiled, it costs
    # less than walking a body for a sample did); True checks arrays longer than SELF_CHECK_SAMPLE items on
    # their first and last SELF_CHECK_SAMPLE / 2.
    "SELF_CHECK": "full",
    "SELF_CHECK_SAMPLE": 10,
    "TRAVTUS_RATE_LIMIT": None,  # None: off; "documented", or "token=100/200,api=10000/5000" (rate/burst per kind)
    "ADMIN_TOKEN": None,  # the control API (/_sandbox) needs `Authorization: Bearer <it>` when set
    "JOURNAL_SIZE": 1000,  # requests the journal keeps (0: no journal)
    "TENANT_IDLE_SECONDS": 86_400,  # a tenant unused this long (real time) is removed
    "AUTO_MIGRATE": True,  # upgrade the schema at start-up (False: refuse to start on an older schema)
    # Request bodies (Flask/Werkzeug): a larger one is refused with 413 before it is read (Content-Length) or as
    # soon as it passes the limit (chunked); a form field or file may be as large as the body (FIDELITY, Hardening).
    "MAX_CONTENT_LENGTH": limits.BODY_LIMIT,
    "MAX_FORM_MEMORY_SIZE": limits.BODY_LIMIT,
}
def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.json.sort_keys = False
    app.config.update(DEFAULTS)
    app.config.update(_from_environment())
    app.config.update(config or {})

    if app.config["DATABASE_URL"].startswith("sqlite:///") and ":memory:" not in app.config["DATABASE_URL"]:
        Path(app.config["DATABASE_URL"][len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    store = Store(app.config["DATABASE_URL"])
    clock = Clock(store)
    names = tuple(app.config["APIS"])

    from .fixtures import load_fixtures

    def set_clock_and_load() -> None:
        if app.config["NOW"]:
            clock.set(datetime.fromisoformat(app.config["NOW"]), frozen=app.config["FREEZE_CLOCK"])
        load_fixtures(store, clock, Path(app.config["FIXTURE_DIR"]), Path(app.config["SPEC_DIR"]), names)

    def needs_fixtures() -> bool:
        return app.config["LOAD_FIXTURES"] == "always" or (app.config["LOAD_FIXTURES"] == "if-empty"
                                                            and store.is_empty())

    # The schema by migrations, and the fixtures into an empty database: once, whoever starts first.
    migrate.prepare(store, auto=app.config["AUTO_MIGRATE"], load_if=needs_fixtures, load=set_clock_and_load)
    if app.config["NOW"]:  # (again when the fixtures were there already: the clock is this start's)
        clock.set(datetime.fromisoformat(app.config["NOW"]), frozen=app.config["FREEZE_CLOCK"])

    apis = {}
    for name in names:
        prefix = "" if app.config["MOUNT_AT_ROOT"] and len(names) == 1 else f"/{name}"
        apis[name] = mount(app, name, prefix, _spec(app, name), store, clock)
    control = mount(app, CONTROL_NAME, CONTROL_PREFIX, _spec(app, CONTROL_NAME), store, clock)
    app.extensions["sandbox"] = Sandbox(store=store, clock=clock, apis=apis, control=control)
    pipeline.install(app)

    from .site import register_site

    register_site(app, apis)
    register_error_handling(app)
    app.after_request(after_request)
    return app


def _spec(app: Flask, name: str) -> Spec:
    path = Path(app.config["SPEC_DIR"]) / f"{name}.yaml"
    if name == CONTROL_NAME and not path.exists():  # a SPEC_DIR of partner specs only: ours is built in
        path = ROOT / "openapi" / path.name
    return Spec(path)


def _from_environment() -> dict:
    values = {}
    if os.environ.get("DATABASE_URL"):
        values["DATABASE_URL"] = os.environ["DATABASE_URL"]
    if os.environ.get("SANDBOX_NOW"):
        values["NOW"] = os.environ["SANDBOX_NOW"]
    if os.environ.get("SANDBOX_ADMIN_TOKEN"):
        values["ADMIN_TOKEN"] = os.environ["SANDBOX_ADMIN_TOKEN"]
    if os.environ.get("SANDBOX_SPEC_DIR"):
        values["SPEC_DIR"] = os.environ["SANDBOX_SPEC_DIR"]
    return values
