"""Application factory: the settings, the state, each API mounted from its spec, the pipeline and the site."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from . import migrate, pipeline
from .api import CONTROL_NAME, CONTROL_PREFIX, after_request, mount, register_error_handling
from .clock import Clock
from .context import Sandbox
from .settings import ROOT, Settings
from .spec import Spec
from .store import Store


def create_app(config: dict | None = None) -> Flask:
    """The sandbox: `config` over the environment over the defaults (mock_server/settings.py), checked first."""
    app = Flask(__name__)
    app.json.sort_keys = False
    app.config.update(Settings.layered(config))
    settings = Settings.of(app.config)

    url = settings.database_url
    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    store = Store(url)
    clock = Clock(store)

    from .fixtures import load_fixtures

    def set_clock_and_load() -> None:
        if settings.now:
            clock.set(settings.now, frozen=settings.freeze_clock)
        load_fixtures(store, clock, settings.fixture_dir, settings.spec_dir, settings.apis)

    def needs_fixtures() -> bool:
        return settings.load_fixtures == "always" or (settings.load_fixtures == "if-empty" and store.is_empty())

    # The schema by migrations, and the fixtures into an empty database: once, whoever starts first.
    migrate.prepare(store, auto=settings.auto_migrate, load_if=needs_fixtures, load=set_clock_and_load)
    if settings.now:  # (again when the fixtures were there already: the clock is this start's)
        clock.set(settings.now, frozen=settings.freeze_clock)

    apis = {}
    for name in settings.apis:
        prefix = "" if settings.mount_at_root and len(settings.apis) == 1 else f"/{name}"
        apis[name] = mount(app, name, prefix, _spec(settings, name), store, clock, settings)
    control = mount(app, CONTROL_NAME, CONTROL_PREFIX, _spec(settings, CONTROL_NAME), store, clock, settings)
    app.extensions["sandbox"] = Sandbox(settings=settings, store=store, clock=clock, apis=apis, control=control)
    pipeline.install(app)

    from .site import register_site

    register_site(app, apis)
    register_error_handling(app)
    app.after_request(after_request)
    return app


def _spec(settings: Settings, name: str) -> Spec:
    path = settings.spec_dir / f"{name}.yaml"
    if name == CONTROL_NAME and not path.exists():  # a SPEC_DIR of partner specs only: ours is built in
        path = ROOT / "openapi" / path.name
    return Spec(path)
