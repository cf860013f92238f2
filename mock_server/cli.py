"""The `mock-server` command: serve the sandbox under gunicorn, or (re)load its fixtures."""

from __future__ import annotations

import argparse
import sys

from .app import API_NAMES, create_app


def _app_config(args) -> dict:
    config = {}
    if args.db:
        config["DATABASE_URL"] = args.db
    if args.now:
        config["NOW"] = args.now
        config["FREEZE_CLOCK"] = args.freeze_clock
    if getattr(args, "travtus_rate_limit", None):
        config["TRAVTUS_RATE_LIMIT"] = args.travtus_rate_limit
    if getattr(args, "api", "all") != "all":
        config["APIS"] = (args.api,)
        config["MOUNT_AT_ROOT"] = True
    return config


def serve(args) -> int:
    from gunicorn.app.base import BaseApplication

    config = _app_config(args)
    if args.reload_fixtures:
        config["LOAD_FIXTURES"] = "always"
    app = create_app(config)  # loads fixtures once, in the master, before workers fork
    app.extensions["sandbox"].store.engine.dispose()
    options = {
        "bind": f"{args.host}:{args.port}",
        "workers": args.workers,
        "worker_class": "gthread",
        "threads": args.threads,
        "accesslog": "-",
        "errorlog": "-",
        "loglevel": "info",
        "graceful_timeout": 10,
        "timeout": 60,
        "reload": args.reload,
        "post_fork": lambda server, worker: app.extensions["sandbox"].store.engine.dispose(),
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


def load_fixtures(args) -> int:
    config = _app_config(args)
    config["LOAD_FIXTURES"] = "always"
    create_app(config)
    print("fixtures loaded", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mock-server", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def common(sub):
        sub.add_argument("--db", help="SQLAlchemy URL (default: sqlite file under ./var/; env DATABASE_URL)")
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
    run.add_argument("--reload", action="store_true", help="development: restart on code changes")
    run.add_argument("--reload-fixtures", action="store_true", help="replace the state with the fixtures first")
    run.add_argument("--travtus-rate-limit", metavar="LIMITS",
                     help='Travtus rate limiting (off by default): "documented", or e.g. "token=100/200,api=10000/5000"')
    run.set_defaults(func=serve)

    fixtures = commands.add_parser("fixtures", help="manage sandbox data")
    fixture_commands = fixtures.add_subparsers(dest="fixture_command", required=True)
    load = fixture_commands.add_parser("load", help="replace the whole state with the fixtures")
    common(load)
    load.set_defaults(func=load_fixtures)
    from . import generate

    generate.register(fixture_commands, common)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
