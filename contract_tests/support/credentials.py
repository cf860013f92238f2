"""Credentials per API: the sandbox's own, or the environment's for another target (never printed)."""

from __future__ import annotations

import os

LEASEY_TOKEN = "lsy_sandbox_5f3c9a2e7b1d4c8f9a0e6b2d7c4f1a3e8b5d"


def credentials(api: str, sandbox: bool) -> dict:
    if api == "leasey":
        if sandbox:
            return {"token": LEASEY_TOKEN, "company_id": 123, "password": "sandbox-pass-123"}
        return {"token": os.environ.get("LEASEY_API_TOKEN", ""),
                "company_id": int(os.environ.get("LEASEY_COMPANY_ID", "0")),
                "password": os.environ.get("LEASEY_COMPANY_PASSWORD", "")}
    if sandbox:
        return {"client_id": "sandbox-client", "client_secret": "sandbox-secret", "token": "trv_sandbox_full"}
    return {"client_id": os.environ.get("TRAVTUS_CLIENT_ID"), "client_secret": os.environ.get("TRAVTUS_CLIENT_SECRET"),
            "token": os.environ.get("TRAVTUS_TOKEN")}
