"""Contract-test session: one target (a served mock by default, or --base-url), clients that record and
check every response against the spec, and markers for scenarios that need sandbox data."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import requests

from .support import compare_with
from .support.conformance import ConformanceRecorder
from .support.credentials import SECRET_VARIABLES, VARIABLES, credentials, missing_required, variable
from .support.report import DriftReport, Outcome
from .support.served import FIXED_NOW, ServedMock
from .support.session import PoliteSession


def pytest_addoption(parser):
    group = parser.getgroup("contract", "contract-test target")
    group.addoption("--base-url", help="test this server instead of a freshly served mock")
    group.addoption("--api", choices=["leasey", "travtus"], help="which API --base-url serves")
    group.addoption("--allow-writes", action="store_true", help="let scenarios create and change data")
    group.addoption("--strictly-read-only", action="store_true",
                    help="send no write at all: not even the writes the documents say the target must refuse")
    group.addoption("--sandbox-data", action="store_true",
                    help="the --base-url target is a sandbox (this mock, already running): use its fixture data")
    group.addoption("--rps", type=float, default=None,
                    help="requests per second cap (default: none against the sandbox, 5 against other targets)")
    group.addoption("--timeout", type=float, default=60,
                    help="seconds to wait for an answer (default 60, Leasey section 15); a timeout is reported, not retried")
    group.addoption("--request-budget", type=int, default=None,
                    help="most requests a run may send (default: unlimited for the sandbox, 2000 otherwise)")
    group.addoption("--examples", type=int, default=None,
                    help="schemathesis examples per operation (default 40 for the sandbox, 15 otherwise)")
    group.addoption("--operation", help='limit the schemathesis layer to one operation, e.g. "GET /reports/showings"')
    group.addoption("--report-dir", default="reports", help="where the drift report and JUnit XML go")
    group.addoption("--seed", type=int, default=20261122, help="schemathesis/hypothesis seed (reproducible runs)")
    compare_with.add_options(group)


def pytest_configure(config):
    from .support import options

    options.BASE_URL = config.getoption("--base-url")
    options.API = (config.getoption("--api") or "leasey") if options.BASE_URL else None
    options.SANDBOX_DATA = config.getoption("--sandbox-data")
    options.OPERATION = config.getoption("--operation")
    options.SEED = config.getoption("--seed")
    options.EXAMPLES = config.getoption("--examples")
    report_dir = Path(config.getoption("--report-dir"))
    if not getattr(config.option, "xmlpath", None) and not config.getoption("collectonly"):
        config.option.xmlpath = str(report_dir / "junit.xml")
    base = config.getoption("--base-url")
    if base and not options.SANDBOX_DATA and not config.getoption("collectonly"):
        missing = missing_required(options.API)
        if missing:
            raise pytest.UsageError(f"--api {options.API} against {base} needs its credentials in the environment: "
                                    f"{' '.join(missing)} (README, Against a stage)")
    if base and not options.SANDBOX_DATA:
        # Against a stage a failing example is reported as found, not shrunk: each shrink step is another request
        # to a shared server (FIDELITY.md, Contract suite against a stage).
        from hypothesis import Phase, settings

        settings.register_profile("stage", phases=[phase for phase in Phase if phase is not Phase.shrink])
        settings.load_profile("stage")
    config._drift = DriftReport(target=base or "the served sandbox (mock-server serve, fresh database)",
                                seed=config.getoption("--seed"), secrets=_known_secrets(),
                                variables={name: what for name, (what, _) in VARIABLES.items()})
    config.addinivalue_line("markers", "sandbox: needs the sandbox's own data (fixture companies, tokens)")
    config.addinivalue_line("markers", "writes: creates or changes data on the target")
    config.addinivalue_line("markers", "refused_write: sends a write the documents say the target refuses (it changes "
                                       "nothing on a conformant target): runs unless --strictly-read-only")
    config.addinivalue_line("markers", "needs(*names): waits for these optional variables (credentials.VARIABLES)")
    config.addinivalue_line("markers", "leasey: exercises the Leasey API")
    config.addinivalue_line("markers", "travtus: exercises the Travtus API")
    compare_with.configure(config)


class Target:
    """Where the tests point: base URLs per API, credentials, and (for the mock) its database."""

    def __init__(self, config, tmp_path_factory):
        self.base_url = config.getoption("--base-url")
        self.allow_writes = config.getoption("--allow-writes")
        self.strictly_read_only = config.getoption("--strictly-read-only")
        self.mock = None
        if self.base_url:
            api = config.getoption("--api") or "leasey"
            self.base_urls = {api: self.base_url.rstrip("/")}
            self.is_sandbox = config.getoption("--sandbox-data")
        else:
            self.mock = ServedMock(tmp_path_factory.mktemp("served-mock"))
            self.base_urls = {"leasey": self.mock.root + "/leasey", "travtus": self.mock.root + "/travtus"}
            self.is_sandbox = True
            self.allow_writes = True
        self.control_url = (self.mock.root + "/_sandbox" if self.mock else
                            self._sandbox_control() if self.is_sandbox else None)
        self.now = FIXED_NOW if self.mock else (self._clock() if self.control_url else None)
        sandbox_defaults = self.is_sandbox
        self.rps = config.getoption("--rps") if config.getoption("--rps") is not None else (0 if sandbox_defaults else 5)
        budget = config.getoption("--request-budget")
        self.budget = budget if budget is not None else (10**9 if sandbox_defaults else 2000)
        self.seed = config.getoption("--seed")
        self.timeout = config.getoption("--timeout")

    def _sandbox_control(self) -> str | None:
        """A served sandbox has its control API at /_sandbox, beside the API's prefix or beside the API at the root."""
        base = self.base_url.rstrip("/")
        roots = [base.rsplit("/", 1)[0]] if base.rsplit("/", 1)[-1] in ("leasey", "travtus") else []
        for root in [*roots, base]:
            try:
                response = requests.get(f"{root}/_sandbox/health", timeout=10)
            except requests.RequestException:
                continue
            if response.status_code == 200:
                return f"{root}/_sandbox"
        return None

    def control_headers(self) -> dict:
        token = os.environ.get("SANDBOX_ADMIN_TOKEN")
        return {"Authorization": f"Bearer {token}"} if token else {}

    def _clock(self) -> str | None:
        response = requests.get(f"{self.control_url}/clock", headers=self.control_headers(), timeout=10)
        return response.json()["now"] if response.status_code == 200 else None

    def credentials(self, api: str) -> dict:
        return credentials(api, self.is_sandbox)

    def variable(self, name: str) -> str | None:
        return variable(name, self.is_sandbox)


@pytest.fixture(scope="session")
def target(request, tmp_path_factory):
    target = Target(request.config, tmp_path_factory)
    yield target
    if target.mock:
        target.mock.stop()


def _known_secrets() -> set[str]:
    return ({os.environ.get(n, "") for n in SECRET_VARIABLES} | {VARIABLES[n][1] for n in SECRET_VARIABLES}
            | {"sandbox-pass-789"})


_RECORDERS: list[ConformanceRecorder] = []


@pytest.fixture(scope="session")
def recorder(target):
    recorder = ConformanceRecorder(target.base_urls)
    _RECORDERS.append(recorder)
    return recorder


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    drift = getattr(item.config, "_drift", None)
    if drift is None or not (report.when == "call" or (report.when == "setup" and not report.passed)
                             or (report.when == "teardown" and report.failed)):
        return
    module_doc = (item.module.__doc__ or "").strip().splitlines()
    section = module_doc[0] if module_doc else ""
    if report.when == "teardown" and drift.outcomes and drift.outcomes[-1].nodeid == item.nodeid:
        drift.outcomes.pop()  # a failed teardown (the spec check) overrides the call's result
    exchange = None
    if report.failed and _RECORDERS:
        mine = [o for o in _RECORDERS[0].observations if o.test == item.nodeid]
        exchange = mine[-1].exchange if mine else None
    detail = report.longreprtext if report.failed else (
        str(report.longrepr[2]) if report.skipped and isinstance(report.longrepr, tuple) else "")
    name = item.nodeid if item.name in item.nodeid else f"{item.nodeid}[{item.name.split('[', 1)[-1].rstrip(']')}]"
    waits = WAITS_FOR.search(detail) if report.skipped else None
    drift.add(Outcome(name, report.outcome, section, detail, exchange,
                      tuple(waits.group(1).split(", ")) if waits else ()))


def pytest_sessionfinish(session):
    drift = getattr(session.config, "_drift", None)
    if drift is None or not drift.outcomes:
        return
    seen = _RECORDERS[0].seen if _RECORDERS else {}
    md, page = drift.write(Path(session.config.getoption("--report-dir")), seen)
    session.config._drift_paths = (md, page)


def pytest_terminal_summary(terminalreporter, config):
    paths = getattr(config, "_drift_paths", None)
    if paths:
        terminalreporter.write_line(f"drift report: {paths[0]} and {paths[1]}")


@pytest.fixture(autouse=True)
def _responses_conform(request, recorder):
    """Every response any test receives must validate against its API's spec."""
    before = len(recorder.observations)
    recorder.current_test = request.node.nodeid
    yield
    bad = [o for o in recorder.observations[before:] if o.problem]
    assert not bad, "responses that break the spec:\n" + "\n".join(
        f"{o.method} {o.url} -> {o.status}: {o.problem}" for o in bad[:5])


@pytest.fixture(autouse=True)
def _skip_by_target(request, target):
    node = request.node
    if node.get_closest_marker("sandbox") and not target.is_sandbox:
        pytest.skip("needs the sandbox's fixture data; the target is not the sandbox")
    if node.get_closest_marker("refused_write"):
        if target.strictly_read_only:
            pytest.skip("sends a write the documents say is refused: --strictly-read-only sends none")
    elif node.get_closest_marker("writes") and not target.allow_writes:
        pytest.skip("creates or changes data: pass --allow-writes to run it against this target")
    for api in ("leasey", "travtus"):
        if node.get_closest_marker(api) and api not in target.base_urls:
            pytest.skip(f"the target does not serve the {api} API")
    needed = [name for marker in node.iter_markers("needs") for name in marker.args]
    wait_for(target, needed)


WAITS_FOR = re.compile(r"waits for ([A-Z_]+(?:, [A-Z_]+)*)")


def wait_for(target, names, why: str = "") -> None:
    """Skip, naming the variables, unless each of `names` has a value (the report groups skips by variable)."""
    missing = [name for name in names if not target.variable(name)]
    if missing:
        what = "; ".join(f"{name}: {VARIABLES[name][0]}" for name in missing)
        pytest.skip(f"waits for {', '.join(missing)} ({why or what})")


@pytest.fixture(autouse=True)
def _refused_writes_change_nothing(request, recorder):
    """A refused write the target accepted is the drift; the report says what it may have created or changed."""
    if not request.node.get_closest_marker("refused_write"):
        yield
        return
    before = len(recorder.observations)
    yield
    for o in recorder.observations[before:]:
        if o.method in ("POST", "PUT", "PATCH", "DELETE") and 200 <= o.status < 300:
            request.config._drift.accepted_write(request.node.nodeid, o)


@pytest.fixture(scope="session")
def variables(target):
    """The optional variables' values (the sandbox's own against the sandbox); see `needs`."""
    return target.variable


@pytest.fixture(scope="session")
def sandbox_control(target):
    """The sandbox's control API (/_sandbox): its clock, its billing items. Absent on a stage."""
    from .support.control import SandboxControl

    if not target.control_url:
        pytest.skip("needs the sandbox's control API (/_sandbox); the target has none")
    return SandboxControl(target.control_url, target.control_headers())


@pytest.fixture(scope="session")
def http(recorder, target):
    """The polite session (rate cap, budget, backoff, timeout); every response is checked against the spec."""
    session = PoliteSession(target.rps, target.budget, target.timeout)
    session.hooks["response"].append(recorder)
    yield session
    session.close()


@pytest.fixture(scope="session")
def leasey_url(target):
    return target.base_urls.get("leasey")


@pytest.fixture(scope="session")
def travtus_url(target):
    return target.base_urls.get("travtus")


@pytest.fixture(scope="session")
def leasey_creds(target):
    return target.credentials("leasey")


@pytest.fixture(scope="session")
def sandbox_db(target):
    """The served mock's database URL (sandbox-only tests that arrange state directly)."""
    if not target.mock:
        pytest.skip("needs the served mock's database")
    return target.mock.database_url


@pytest.fixture(scope="session")
def leasey(http, leasey_url, leasey_creds):
    from .support.leasey import LeaseyClient

    if leasey_url is None:
        pytest.skip("the target does not serve the leasey API")
    return LeaseyClient(http, leasey_url, leasey_creds)
