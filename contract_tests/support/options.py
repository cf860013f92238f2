"""Command-line choices known before collection (schemathesis builds its cases at import time)."""

BASE_URL: str | None = None  # None: the served sandbox
API: str | None = None  # the one API --base-url serves (None: the served sandbox, both)
SANDBOX_DATA: bool = False  # the --base-url target carries the sandbox's fixture data and credentials
OPERATION: str | None = None  # "METHOD /path": run the schemathesis layer on this operation only
SEED: int = 20261122  # hypothesis/schemathesis seed: a failure's report names it, rerun with --seed
EXAMPLES: int | None = None  # examples per operation (None: 40 on the sandbox, 15 elsewhere)


def serves(api: str) -> bool:
    """Whether the run's target serves `api`: an API not chosen is never contacted."""
    return BASE_URL is None or API == api
