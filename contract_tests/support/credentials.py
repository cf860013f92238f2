"""Credentials and optional settings per API: the sandbox's own, or the environment's for another target (never
printed). A scenario that needs an optional variable says so (`@pytest.mark.needs("NAME")`); without it, it is
skipped with "waits for NAME", and the report lists what each missing variable left unchecked."""

from __future__ import annotations

import os

LEASEY_TOKEN = "lsy_sandbox_5f3c9a2e7b1d4c8f9a0e6b2d7c4f1a3e8b5d"

# name -> (what it holds, the sandbox's own value)
VARIABLES: dict[str, tuple[str, str]] = {
    "LEASEY_API_TOKEN": ("the Leasey bearer token", LEASEY_TOKEN),
    "LEASEY_COMPANY_ID": ("the Leasey company the token reads", "123"),
    "LEASEY_COMPANY_PASSWORD": ("that company's password", "sandbox-pass-123"),
    "LEASEY_OTHER_COMPANY_ID": ("a second Leasey company the same token reaches", "456"),
    "LEASEY_OTHER_COMPANY_PASSWORD": ("the second company's password", "sandbox-pass-456"),
    "TRAVTUS_TOKEN": ("a Travtus bearer token (or TRAVTUS_CLIENT_ID and TRAVTUS_CLIENT_SECRET)", "trv_sandbox_full"),
    "TRAVTUS_CLIENT_ID": ("the Travtus OAuth2 client id", "sandbox-client"),
    "TRAVTUS_CLIENT_SECRET": ("the Travtus OAuth2 client secret", "sandbox-secret"),
    "TRAVTUS_LIMITED_TOKEN": ("a Travtus token that reads some of TRAVTUS_TOKEN's groups, not all",
                              "trv_sandbox_group_a"),
    "TRAVTUS_OUT_OF_SCOPE_GROUP": ("a group id TRAVTUS_TOKEN reads and TRAVTUS_LIMITED_TOKEN may not", "group-2"),
    "TRAVTUS_EXPIRED_TOKEN": ("a Travtus bearer token that has expired", "trv_sandbox_expired"),
    "TRAVTUS_SEARCH": ("a lease search, as a query string, that matches at least two leases "
                       "(default: the document's example, start_date=2023-01-17)", "group_ids=group-1,group-2,group-3"),
}
REQUIRED = {"leasey": [["LEASEY_API_TOKEN", "LEASEY_COMPANY_ID", "LEASEY_COMPANY_PASSWORD"]],
            "travtus": [["TRAVTUS_TOKEN"], ["TRAVTUS_CLIENT_ID", "TRAVTUS_CLIENT_SECRET"]]}  # any one list
SECRET_VARIABLES = ("LEASEY_API_TOKEN", "LEASEY_COMPANY_PASSWORD", "LEASEY_OTHER_COMPANY_PASSWORD", "TRAVTUS_TOKEN",
                    "TRAVTUS_CLIENT_SECRET", "TRAVTUS_LIMITED_TOKEN", "TRAVTUS_EXPIRED_TOKEN")


def variable(name: str, sandbox: bool) -> str | None:
    """The value a scenario uses for `name`: the sandbox's own, or the environment's (None when unset)."""
    if sandbox:
        return VARIABLES[name][1]
    return os.environ.get(name) or None


def missing_required(api: str) -> list[str] | None:
    """None when the environment holds one complete set of `api`'s credentials, else the first set's names."""
    sets = REQUIRED[api]
    if any(all(os.environ.get(name) for name in names) for names in sets):
        return None
    return sets[0] + ([f"(or {' and '.join(sets[1])})"] if len(sets) > 1 else [])


def credentials(api: str, sandbox: bool) -> dict:
    def value(name):
        return variable(name, sandbox)

    if api == "leasey":
        return {"token": value("LEASEY_API_TOKEN") or "", "company_id": int(value("LEASEY_COMPANY_ID") or "0"),
                "password": value("LEASEY_COMPANY_PASSWORD") or ""}
    return {"client_id": value("TRAVTUS_CLIENT_ID"), "client_secret": value("TRAVTUS_CLIENT_SECRET"),
            "token": value("TRAVTUS_TOKEN")}
