"""The `mock-server` command: serve the sandbox under gunicorn, (re)load its fixtures, or record a stage and compare
the sandbox with it (mock_server/fidelity)."""

from __future__ import annotations

import argparse
import ipaddress
import json
import logging
import os
import re
import socket
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from . import limits
from .app import create_app
from .settings import API_NAMES, Settings, config_from_arguments


def is_loopback(host: str) -> bool:
    """True when every address `host` names is a loopback one (127.0.0.0/8, ::1)."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses)


class JsonRequestLine(logging.Formatter):
    """`--log-format json`: the request line of mock_server.pipeline as one JSON object, built from the
    values that line is formatted from (masked there already: the same masking as the text line)."""

    FIELDS = ("client", "method", "path", "query", "status", "latency_ms", "who")  # traffic._log_line's arguments
    WHO = re.compile(r" (company|client|fault)=(.*?)(?= (?:company|client|fault)=|$)")

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"), "pid": record.process}
        args = record.args if isinstance(record.args, tuple) else ()
        if len(args) != len(self.FIELDS):  # not a request line: the message as it is
            return json.dumps({**line, "message": record.getMessage()}, ensure_ascii=False)
        values = dict(zip(self.FIELDS, args, strict=True))
        line.update(client=values["client"], method=values["method"], path=values["path"],
                    query=str(values["query"]).removeprefix("?"))
        dropped = values["status"] == "dropped"
        line["status"] = 0 if dropped else int(values["status"])  # 0: dropped, as the journal writes it
        if dropped:
            line["dropped"] = True
        line["latency_ms"] = round(float(values["latency_ms"]), 1)
        for key, value in self.WHO.findall(str(values["who"])):
            line[{"company": "company_id", "client": "client_id"}.get(key, key)] = \
                int(value) if key == "company" and value.isdigit() else value
        return json.dumps(line, ensure_ascii=False)


def _log_requests_to_stdout(log_format: str = "text") -> None:
    """One line per request (mock_server.access), secrets masked, on stdout; errors stay on stderr."""
    handler = logging.StreamHandler(sys.stdout)
    if log_format == "json":
        handler.setFormatter(JsonRequestLine())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(message)s", "%Y-%m-%dT%H:%M:%S"))
    access = logging.getLogger("mock_server.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    access.propagate = False


def _mask_every_log(app):
    """Every known credential masked in every log line (masking.LogFilter): the request log on stdout, and on
    stderr the app's errors (a root handler: there was none, Python's last resort printed them unfiltered) and,
    through the returned function, gunicorn's own log. Returns that function (handlers -> None)."""
    from .sandbox.masking import LogFilter

    log_filter = LogFilter(app.extensions["sandbox"].control.backend.secrets)
    errors = logging.StreamHandler(sys.stderr)
    errors.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s",
                                          "%Y-%m-%dT%H:%M:%S"))
    errors.setLevel(logging.WARNING)
    logging.getLogger().addHandler(errors)

    def mask(handlers) -> None:
        for handler in handlers:
            if log_filter not in handler.filters:
                handler.addFilter(log_filter)

    mask([errors, *logging.getLogger("mock_server.access").handlers])
    return mask


def serve(args) -> int:
    config = config_from_arguments(args)
    # The control API answers requests naming this address or the public name only (sandbox/origin.py).
    config.update(BIND_HOST=args.host, BIND_PORT=args.port)
    if args.public_host:  # (else SANDBOX_PUBLIC_HOST, read with the other settings)
        config["PUBLIC_HOST"] = args.public_host
    if args.reload_fixtures:
        config["LOAD_FIXTURES"] = "always"
    try:  # every setting checked before anything starts (create_app would refuse it too)
        settings = Settings.of(Settings.layered(config))
    except ValueError as wrong:
        print(f"mock-server serve: {wrong}", file=sys.stderr, flush=True)
        return 2
    if not settings.admin_token and not is_loopback(args.host):
        print(f"refusing to listen on {args.host}: the control API (/_sandbox) would be open to the network. "
              "Give an admin token (--admin-token or SANDBOX_ADMIN_TOKEN), or bind a loopback address.",
              file=sys.stderr, flush=True)
        return 2
    _log_requests_to_stdout(args.log_format)
    if args.reload:
        return _serve_for_development(args, config)
    app = create_app(config)  # loads fixtures once, in the master, before workers fork
    masked = _mask_every_log(app)
    store = app.extensions["sandbox"].store
    workers = args.workers
    if store.in_memory and workers != 1:  # each process would have a database of its own
        print("--db sqlite:// (in memory): serving with one worker, the only process that sees that database",
              file=sys.stderr, flush=True)
        workers = 1
    else:
        store.engine.dispose()
    if args.server == "granian":
        return _serve_with_granian(args, app, config, workers)
    from gunicorn.app.base import BaseApplication

    journal = app.extensions["sandbox"].control.backend.journal
    options = {
        "bind": f"{args.host}:{args.port}",
        "workers": workers,
        # gthread whose reads of a request are bounded in time (a slow client cannot hold a thread for ever)
        "worker_class": "sync" if args.server == "gunicorn-sync" else "mock_server.worker.SandboxWorker",
        "threads": args.threads,
        "accesslog": None,  # the app logs each request itself, with secrets masked
        "errorlog": "-",
        "loglevel": "info",
        "graceful_timeout": 10,
        "timeout": 30,  # a worker whose main loop stops answering the arbiter this long is replaced
        "keepalive": 5,  # seconds an idle kept-alive connection stays open (it holds no thread meanwhile)
        # gunicorn's own defaults, set here because the specs document them (its refusals answer JSON: worker.py)
        "limit_request_line": limits.REQUEST_LINE_LIMIT,
        "limit_request_fields": limits.HEADER_FIELDS_LIMIT,
        "limit_request_field_size": limits.HEADER_FIELD_LIMIT,
        "control_socket_disable": True,  # one per user by default ($HOME/.gunicorn): servers would share it
        "post_fork": lambda server, worker: None if store.in_memory else store.engine.dispose(),
        "when_ready": lambda server: masked(server.log.error_log.handlers),  # gunicorn's own log (stderr)
        "worker_exit": lambda server, worker: journal.flush(),  # queued journal entries written before exit
    }

    class Server(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            return app

    print(f"Sandbox on http://{args.host}:{args.port}/ "
          f"({', '.join(app.extensions['sandbox'].apis)}; database {app.config['DATABASE_URL']})", flush=True)
    Server().run()
    return 0


def _serve_with_granian(args, app, config: dict, workers: int) -> int:
    """The same app under granian (Rust HTTP, WSGI interface): a server `make bench` compares with gunicorn."""
    try:
        from granian import Granian
    except ImportError:
        print("--server granian: granian is not installed (it comes with the test extras: pip install "
              "'partner-sandbox[test]')", file=sys.stderr, flush=True)
        return 2
    from granian.constants import Interfaces

    print(f"Sandbox on http://{args.host}:{args.port}/ (granian; "
          f"{', '.join(app.extensions['sandbox'].apis)}; database {app.config['DATABASE_URL']})", flush=True)
    server = Granian("mock_server.app:create_app", address=args.host, port=args.port, interface=Interfaces.WSGI,
                     workers=workers, blocking_threads=args.threads, log_access=False)
    server.serve(target_loader=lambda _target: app)  # workers fork from this process: the app is theirs
    return 0


def _serve_for_development(args, config: dict) -> int:
    """One process that restarts itself when the code, a spec or a fixture changes (Werkzeug's reloader)."""
    from werkzeug.serving import run_simple

    app = create_app(config)
    _mask_every_log(app)
    watched = [str(path) for folder in (app.config["SPEC_DIR"], app.config["FIXTURE_DIR"])
               for path in sorted(Path(folder).glob("*.yaml"))]
    if os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        print(f"Development sandbox on http://{args.host}:{args.port}/ (reloads on changes to the code and "
              f"{len(watched)} spec and fixture files)", flush=True)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the app's own line per request is enough
    run_simple(args.host, args.port, app, use_reloader=True, extra_files=watched, threaded=True,
               reloader_type="stat")
    return 0


def load_fixtures(args) -> int:
    config = config_from_arguments(args)
    config["LOAD_FIXTURES"] = "always"
    create_app(config)
    print("fixtures loaded", flush=True)
    return 0


def _version() -> str:
    try:
        return version("partner-sandbox")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def db_upgrade(args) -> int:
    """`mock-server db upgrade`: the schema to the newest revision (what start-up does unless --no-migrate)."""
    from . import migrate
    from .settings import DEFAULTS
    from .store import Store

    url = args.db or os.environ.get("DATABASE_URL") or DEFAULTS["DATABASE_URL"]
    if url.startswith("sqlite:///") and ":memory:" not in url:
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    store = Store(url)
    with migrate.exclusive(store):
        revision = migrate.upgrade(store)
        store.ensure_version_row()
    print(f"schema at revision {revision} ({url.split('@')[-1]})", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mock-server", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True)

    def common(sub):
        sub.add_argument("--db", help="SQLAlchemy URL (default: ./var/sandbox.db, SQLite, in the directory the "
                                      "command runs in; env DATABASE_URL)")
        sub.add_argument("--now", help="start the sandbox clock at this ISO timestamp, e.g. 2026-06-01T12:00:00")
        sub.add_argument("--freeze-clock", action="store_true", help="with --now: keep the clock still")
        sub.add_argument("--api", choices=[*API_NAMES, "all"], default="all",
                         help="serve one API alone at the root, or all under /<name> (default)")

    run = commands.add_parser("serve", help="serve the sandbox")
    common(run)
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8080)
    run.add_argument("--workers", type=int, default=2)
    run.add_argument("--threads", type=int, default=4)
    run.add_argument("--server", choices=["gunicorn-gthread", "gunicorn-sync", "granian"], default="gunicorn-gthread",
                     help="the HTTP server (default gunicorn-gthread; the others are measured by `make bench`)")
    run.add_argument("--reload", action="store_true",
                     help="development: one process that restarts on code, spec and fixture changes")
    run.add_argument("--admin-token", help="require `Authorization: Bearer <it>` on /_sandbox (env SANDBOX_ADMIN_TOKEN);"
                                           " needed to listen on a non-loopback address")
    run.add_argument("--self-check", choices=["sample", "full", "off"],
                     help="check each response against the spec: every item (default), long arrays sampled, or not")
    run.add_argument("--journal-size", type=int, help="requests the journal keeps (default 1000; 0: off)")
    run.add_argument("--tenant-idle", type=int, metavar="SECONDS",
                     help="remove a tenant unused this long (default 86400)")
    run.add_argument("--public-host", metavar="NAME[:PORT],...",
                     help="the names the control API may be reached by besides loopback and the bound address "
                          "(env SANDBOX_PUBLIC_HOST), e.g. sandbox.example.com behind a proxy")
    run.add_argument("--reload-fixtures", action="store_true", help="replace the state with the fixtures first")
    run.add_argument("--log-format", choices=["text", "json"], default="text",
                     help="the line per request on stdout: text (default) or one JSON object, secrets masked alike")
    run.add_argument("--travtus-rate-limit", metavar="LIMITS",
                     help='Travtus rate limiting (off by default): "documented", or e.g. "token=100/200,api=10000/5000"')
    run.add_argument("--no-migrate", action="store_true",
                     help="do not upgrade the schema at start-up: refuse to start on an older one")
    run.set_defaults(func=serve)

    database = commands.add_parser("db", help="the database's schema")
    database_commands = database.add_subparsers(dest="db_command", required=True)
    upgrade = database_commands.add_parser("upgrade", help="upgrade the schema to this version's (migrations)")
    upgrade.add_argument("--db", help="SQLAlchemy URL (default: as serve; env DATABASE_URL)")
    upgrade.set_defaults(func=db_upgrade)

    fixtures = commands.add_parser("fixtures", help="manage sandbox data")
    fixture_commands = fixtures.add_subparsers(dest="fixture_command", required=True)
    load = fixture_commands.add_parser("load", help="replace the whole state with the fixtures")
    common(load)
    load.set_defaults(func=load_fixtures)
    from . import generate

    generate.register(fixture_commands, common)
    from .fidelity import commands as fidelity

    fidelity.register(commands)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
