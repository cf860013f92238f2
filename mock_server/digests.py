"""Credentials at rest: the database holds a digest of each one, never the value.

Company passwords, Travtus client secrets, static Travtus tokens and the Leasey API token are only ever compared
with what a request sends, so a one-way digest is all the sandbox needs to keep: the database file (a bug report's
attachment, a snapshot, a shared PostgreSQL) gives none of them away. The digest is SHA-256 over a per-purpose
label and the value, as for API keys (GitHub's, Stripe's): the values the sandbox makes are random (tenants) and the
ones it ships are public (the documents' sandbox credentials), so a slow password hash would only cost every
request its time. FIDELITY.md "Credentials at rest" has the choice.

`Digest` is the column type: whatever is written through SQLAlchemy (fixtures, tenants, `fixtures generate`,
snapshots, a WHERE on the column) is digested on the way in, and a digest is written as it is.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

PREFIX = "sha256:"
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


def digest(value: str, purpose: str) -> str:
    """The stored form of a credential (a digest stays itself)."""
    if is_digest(value):
        return value
    return PREFIX + hashlib.sha256(f"partner-sandbox/{purpose}\x00{value}".encode("utf-8", "surrogatepass")).hexdigest()


def is_digest(value: object) -> bool:
    return isinstance(value, str) and _DIGEST.fullmatch(value) is not None


def matches(sent: str, stored: str, purpose: str) -> bool:
    """Whether a credential sent in a request is the one stored (in constant time). A sent value that is itself
    a digest never matches: knowing the database is not knowing the credential."""
    if is_digest(sent):
        return False
    return hmac.compare_digest(digest(sent, purpose), stored)


class Digest(TypeDecorator):
    """A TEXT column that stores the digest of what is written to it (and of what it is compared with)."""

    impl = Text
    cache_ok = True

    def __init__(self, purpose: str):
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value, dialect):
        return None if value is None else digest(value, self.purpose)

    def process_result_value(self, value, dialect):
        return value


COMPANY_PASSWORD = "leasey-company-password"
LEASEY_API_TOKEN = "leasey-api-token"
CLIENT_SECRET = "travtus-client-secret"
STATIC_TOKEN = "travtus-static-token"
RATE_BUCKET = "travtus-rate-bucket"  # a bearer token as the key of its rate-limit bucket


def api_token_setting(token: str) -> dict:
    """The stored form of the Leasey API token: its digest and its length (the documented length-mismatch 401
    tells the caller how long the expected token is, §2)."""
    return {"digest": digest(token, LEASEY_API_TOKEN), "length": len(token)}
