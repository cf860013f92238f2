"""`mock-server record` and `mock-server compare`: their options and what each runs."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from ..settings import API_NAMES
from . import apis, report
from .cassette import CREDENTIALS, MAX_ITEMS, MAX_TEXT, given_credentials, load


def register(commands) -> None:
    record = commands.add_parser("record", help="a recording proxy: forward to a stage, write every exchange to a "
                                                "cassette (credentials scrubbed)")
    record.add_argument("--upstream", action="append", required=True, metavar="[API=]URL",
                        help="the stage: a root serving every API under /<api>, or API=URL for one API (repeatable)")
    record.add_argument("--cassette", required=True, type=Path, help="the YAML file written (replaced)")
    record.add_argument("--host", default="127.0.0.1")
    record.add_argument("--port", type=int, default=8081)
    record.add_argument("--api", choices=[*API_NAMES, "all"], default="all",
                        help="proxy one API at the root, or all under /<name> (default), like serve")
    record.add_argument("--credential", action="append", default=[], metavar="NAME",
                        help="another environment variable whose value becomes the placeholder ${NAME}")
    record.add_argument("--max-items", type=int, default=MAX_ITEMS, help=f"items kept per array (default {MAX_ITEMS})")
    record.add_argument("--max-text", type=int, default=MAX_TEXT,
                        help=f"characters kept of a body that is not JSON (default {MAX_TEXT})")
    record.set_defaults(func=run_record)

    compare = commands.add_parser("compare", help="replay a cassette against a sandbox and report every difference")
    compare.add_argument("cassette", type=Path)
    compare.add_argument("--base-url", action="append", metavar="[API=]URL",
                         help="the target: a root serving every API under /<api>, or API=URL (repeatable); "
                              "default: a sandbox started here on a fresh database")
    compare.add_argument("--credentials", choices=["sandbox", "env"], default="sandbox",
                         help="the target's credentials: the sandbox's own (default) or the environment's")
    compare.add_argument("--reset", action="store_true",
                         help="with --base-url: POST /_sandbox/reset on the target before replaying")
    compare.add_argument("--now", help="the clock of the sandbox started here (e.g. the stage's time when recorded)")
    compare.add_argument("--same-data", action="store_true",
                         help="the target holds the stage's data (e.g. both are sandboxes): compare what depends on "
                              "it too (types the schema allows, optional fields, values of what the recording made)")
    compare.add_argument("--allow", type=Path, help="YAML allow-list of known differences, each with a reason")
    compare.add_argument("--report-dir", type=Path, default=Path("reports"),
                         help="where fidelity-report.md, .html and fidelity-junit.xml go (default reports)")
    compare.set_defaults(func=run_compare)


def run_record(args) -> int:
    from .record import Recorder, RecordingProxy

    upstreams = apis.parse_bases(args.upstream)
    given = given_credentials(tuple(args.credential))
    recorder = Recorder(upstreams, args.cassette, given, args.api, args.max_items, args.max_text)
    proxy = RecordingProxy(recorder, args.host, args.port)
    names = ", ".join(f"{api}: {url}" for api, url in recorder.writer.upstreams.items())
    print(f"Recording on {proxy.root}/ to {args.cassette} ({names}); "
          f"placeholders for {', '.join(sorted(given)) or 'no credentials (none set)'}", flush=True)
    def stop(_signal, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # stopped like Ctrl-C: the count printed, the cassette complete
    try:
        proxy.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        proxy.server.server_close()
    print(f"{recorder.writer.count} exchanges recorded in {args.cassette}", flush=True)
    return 0


def target_values(kind: str, names: set[str]) -> dict[str, str]:
    """The target's value for each placeholder: the sandbox's own credentials, or the environment's."""
    if kind == "sandbox":
        values = dict(apis.sandbox_credentials())
        values.update({n: os.environ[n] for n in names - set(values) if n in os.environ})
        return values
    return {n: os.environ[n] for n in names | set(CREDENTIALS) if n in os.environ}


def run_compare(args) -> int:
    from .compare import apply_allow_list, load_allow_list, placeholder_names
    from .replay import OwnSandbox, replay

    try:
        header, exchanges = load(args.cassette)
        allowed = load_allow_list(args.allow.read_text()) if args.allow else []
    except (OSError, ValueError) as wrong:
        print(f"mock-server compare: {wrong}", file=sys.stderr, flush=True)
        return 2
    values = target_values(args.credentials, placeholder_names(exchanges))
    limits = header.get("limits") or {}
    options = {"max_items": limits.get("max_items", MAX_ITEMS), "max_text": limits.get("max_text", MAX_TEXT),
               "same_data": args.same_data, "placeholders": header.get("placeholders")}
    if args.base_url:
        bases = apis.parse_bases(args.base_url)
        target = ", ".join(bases.values())
        if args.reset:
            root = bases.get(None) or next(iter(bases.values()))
            answer = apis.send("POST", f"{root}/_sandbox/reset", [("Content-Type", "application/json")], b"{}")
            if answer.status >= 300:
                print(f"mock-server compare: POST {root}/_sandbox/reset answered {answer.status}", file=sys.stderr)
                return 2
        results = replay(exchanges, bases, values, **options)
    else:
        with OwnSandbox(args.now) as sandbox:
            target = f"a fresh sandbox ({sandbox.root})"
            results = replay(exchanges, {None: sandbox.root}, values, **options)
    apply_allow_list(results, allowed)
    print(report.table(results), flush=True)
    paths = report.write(results, args.report_dir, str(args.cassette), target)
    print(f"fidelity report: {paths[0]}, {paths[1]}, {paths[2]}", flush=True)
    return 1 if report.summarise(results).differing else 0
