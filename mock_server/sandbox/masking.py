"""Secrets out of everything the sandbox records: the journal and the request log."""

from __future__ import annotations

import base64
import collections
import logging
import re
import threading
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode

MASK = "***"
SECRET_HEADERS = frozenset({"authorization", "x-company-password", "x-sandbox-admin-token", "cookie"})
SECRET_FIELDS = frozenset({"password", "token", "client_secret", "access_token", "refresh_token", "api_token"})
_CONTAINERS = (dict, list)  # what fields() copies (a tuple: faster in isinstance than dict | list)


def header(name: str, value: str) -> str:
    """A header value as it may be recorded: the scheme word of Authorization is kept, the credential is not."""
    if name.lower() not in SECRET_HEADERS:
        return value
    scheme, _, credential = value.strip().partition(" ")
    if name.lower() == "authorization" and credential:
        return f"{scheme} {MASK}"
    return MASK


def headers(items) -> dict[str, str]:
    return {name: header(name, value) for name, value in items}


def fields(value: Any) -> Any:
    """A JSON-like value with every secret-named field (at any depth) replaced."""
    if not isinstance(value, _CONTAINERS):
        return value

    def member(key, item):
        if isinstance(key, str) and key.lower() in SECRET_FIELDS:
            return MASK
        return _DESCEND if isinstance(item, _CONTAINERS) else item
    return _copy(value, lambda key: key, member)


_DESCEND = object()  # from a member function: copy this container too


def _copy(value: Any, key_of, member) -> Any:
    """A JSON-like container copied from a work list, not by recursion (no nesting depth can exhaust the stack):
    each dict key through key_of(key), each member through member(key or index, item), which gives its copy, or
    _DESCEND to copy a container member the same way."""
    result = [None]
    work = [(value, result, 0)]  # (a container to copy, where its copy goes, under which key or index)
    while work:
        source, parent, slot = work.pop()
        if isinstance(source, dict):
            copy: Any = {}
            pairs = ((key_of(key), key, item) for key, item in source.items())
        else:
            copy = [None] * len(source)
            pairs = ((index, index, item) for index, item in enumerate(source))
        for place, key, item in pairs:
            outcome = member(key, item)
            if outcome is _DESCEND:
                copy[place] = None
                work.append((item, copy, place))
            else:
                copy[place] = outcome
        parent[slot] = copy
    return result[0]


def query_string(raw: str) -> str:
    """A URL query string with secret-named parameters replaced (order and repeats kept)."""
    if not raw:
        return ""
    pairs = parse_qsl(raw, keep_blank_values=True)
    return urlencode([(key, MASK if key.lower() in SECRET_FIELDS else value) for key, value in pairs], safe="*/:,")


# -- by value: every credential the sandbox knows, wherever it appears --------------------------------------------

MIN_SECRET_LENGTH = 6  # shorter values are masked by name only (masking "123" by value would mask company ids)
ISSUED_KEPT = 10_000  # values this process made (tenant passwords, client secrets) remembered for masking
# A JSON Web Token (the issued Travtus tokens, whichever process issued them): header and claims are JSON objects.
JWT = r"eyJ[A-Za-z0-9_-]{2,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]+"
# The credentials the sandbox makes, by their shape: the database keeps only their digests (digests.py), so a
# process that did not make one cannot know its value (tenants.py and generate.py make them in these shapes).
MADE = (r"tenant-pass-[A-Za-z0-9_-]{24}", r"tenant-secret-[A-Za-z0-9_-]{32}", r"generated-(?:secret-)?[0-9a-f]{16}")
SHAPES = "|".join((*MADE, JWT))


class KnownSecrets:
    """Every credential value the sandbox knows, as one compiled pattern per state version (Store.snapshot().memo):
    the documented ones in the fixture files (the Leasey API token, company passwords, Travtus client secrets and
    their Basic-auth form, static tokens), the token signing key, the admin token, the values this process made,
    and by shape any credential a sandbox makes and any JWT.

    A value is masked wherever it appears: in a path, under any query or header name, in any body (multipart,
    text), in a log line or an exception's text."""

    def __init__(self, store, extra=(), fixtures=None):
        self.store = store
        self.extra = tuple(value for value in extra if value)
        self.fixtures = fixtures  # api name -> the parsed fixture file (State.fixtures)
        self._issued: collections.deque[str] = collections.deque(maxlen=ISSUED_KEPT)
        self._issued_count = 0
        self._last: tuple[re.Pattern, re.Pattern] | None = None

    def remember(self, value: str) -> None:
        """A credential this process just made, before any database holds it (it may fail to be stored and be
        logged with the error)."""
        if value:
            self._issued.append(value)
            self._issued_count += 1

    def patterns(self) -> tuple[re.Pattern, re.Pattern]:
        """(str pattern, bytes pattern); the last ones known when the store cannot be read (a log line about a
        database that is down must still be masked)."""
        try:
            found = self.store.snapshot().memo(("secret_patterns", self._issued_count), self._compile)
        except Exception:  # noqa: BLE001 - whatever the database says, masking goes on with what it had
            return self._last or BY_SHAPE
        self._last = found
        return found

    def text(self, value: str) -> str:
        return self.patterns()[0].sub(MASK, value) if value else value

    def _compile(self) -> tuple[re.Pattern, re.Pattern]:
        values = set()
        for value in (*self._stored(), *self.extra, *self._issued):
            if isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH:
                values.update({value, quote(value, safe=""), quote_plus(value)})
        alternation = _alternation(sorted(values))
        text = f"{alternation}|{SHAPES}" if alternation else SHAPES
        return re.compile(text), re.compile(text.encode())

    def _stored(self) -> list:
        """The signing key (the one secret the database must hold: every process signs with it) and the
        documented credentials."""
        from sqlalchemy import select

        from .. import store as tables

        with self.store.connect() as connection:
            values = list(connection.execute(select(tables.settings.c.value).where(
                tables.settings.c.key.in_(SECRET_SETTINGS))).scalars())
        return values + (documented(self.fixtures) if self.fixtures else [])


def documented(fixtures) -> list[str]:
    """The credentials the fixture files ship (the documents' sandbox credentials)."""
    leasey, travtus = fixtures("leasey"), fixtures("travtus")
    values = [leasey.get("api_token")] + [company.get("password") for company in leasey.get("companies", ())]
    for client in travtus.get("clients", ()):
        values += [client["client_secret"],
                   base64.b64encode(f"{client['client_id']}:{client['client_secret']}".encode()).decode()]
    return [value for value in values + [token["token"] for token in travtus.get("tokens", ())] if value]


SECRET_SETTINGS = ("travtus_signing_key",)
BY_SHAPE = (re.compile(SHAPES), re.compile(SHAPES.encode()))


def _alternation(words: list[str]) -> str:
    """One regex matching any of the words, longest first, as a trie (a plain a|b|c|... of thousands of passwords
    would try each one at every position)."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(char) + build(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie) if words else ""


def values(value: Any, pattern: re.Pattern) -> Any:
    """A JSON-like value with every occurrence of a known secret in its strings (keys too) masked."""
    if isinstance(value, str):
        return pattern.sub(MASK, value)
    if not isinstance(value, _CONTAINERS):
        return value

    def member(_key, item):
        if isinstance(item, _CONTAINERS):
            return _DESCEND
        return pattern.sub(MASK, item) if isinstance(item, str) else item
    return _copy(value, lambda key: pattern.sub(MASK, key) if isinstance(key, str) else key, member)


class LogFilter(logging.Filter):
    """Masks every known secret in a log record: its message, its arguments and its exception's text. Installed on
    the handlers of the request log (stdout) and of every error log (stderr) by `mock-server serve`."""

    KEEP_ARGUMENTS = ("mock_server.access",)  # formatters read these records' arguments (cli.JsonRequestLine)

    def __init__(self, secrets: KnownSecrets):
        super().__init__()
        self.secrets = secrets
        self._inside = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(self._inside, "active", False):  # a record logged while the secrets load: as it is
            return True
        self._inside.active = True
        try:
            pattern = self.secrets.patterns()[0]
            if record.name in self.KEEP_ARGUMENTS and isinstance(record.args, tuple):
                record.msg = pattern.sub(MASK, str(record.msg))
                record.args = tuple(pattern.sub(MASK, a) if isinstance(a, str) else a for a in record.args)
            else:
                try:
                    message = record.getMessage()
                except Exception:  # noqa: BLE001 - arguments that do not fit: logging reports that itself
                    message = str(record.msg)
                record.msg, record.args = pattern.sub(MASK, message), None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = pattern.sub(MASK, record.exc_text)
            if record.stack_info:
                record.stack_info = pattern.sub(MASK, record.stack_info)
        finally:
            self._inside.active = False
        return True
