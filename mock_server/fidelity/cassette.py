"""The cassette: recorded exchanges as a YAML stream, credentials scrubbed, sizes bounded.

One header document, then one document per exchange, appended as each exchange ends (a cassette cut short
by a crash keeps every exchange written before it):

    format: partner-sandbox-cassette/1
    recorded_at: '2026-12-02T00:40:00Z'
    upstreams: {leasey: 'https://stage.example.com/leasey'}     # the stage's host is kept
    placeholders: [LEASEY_API_TOKEN, LEASEY_COMPANY_ID, ...]    # the credentials the recorder was given
    limits: {max_items: 20, max_text: 65536}                   # what was kept of each body (FIDELITY.md)
    ---
    index: 1
    api: leasey
    operation: get_showings_report
    request:
      method: GET
      path: /reports/showings                                   # relative to the API's base URL
      query: [[company_id, '${LEASEY_COMPANY_ID}'], [start_date, '2026-01-01']]
      headers: {Authorization: 'Bearer ${LEASEY_API_TOKEN}', X-Company-Password: x1xxxxxxxxxxxx}
      json: ...          # or form: [[name, value], ...], text: '...', base64: '...'
    response:
      status: 200
      headers: {Content-Type: application/json, Access-Control-Allow-Origin: '*'}
      json: [...]
      truncated: {'': 643}                                      # JSON pointer of a cut array: its length sent
    elapsed_ms: 12.5

Scrubbing (FIDELITY.md, Fidelity measurement): a credential the recorder was given becomes `${NAME}` wherever it
appears (the company id, a short number, only where a company id goes, as `!number` where it was a JSON number);
any other value in a credential position (masking.SECRET_HEADERS, masking.SECRET_FIELDS) and any JWT becomes a
stand-in of the same length, the same stand-in for the same value throughout the cassette.
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode

import yaml

from ..sandbox import masking

FORMAT = "partner-sandbox-cassette/1"
# The credentials the recorder takes from the environment (as the contract tests do): each one a named placeholder.
CREDENTIALS = ("LEASEY_API_TOKEN", "LEASEY_COMPANY_ID", "LEASEY_COMPANY_PASSWORD",
               "TRAVTUS_CLIENT_ID", "TRAVTUS_CLIENT_SECRET", "TRAVTUS_TOKEN",
               # optional ones the contract suite may use too
               "TRAVTUS_LIMITED_TOKEN", "TRAVTUS_EXPIRED_TOKEN", "LEASEY_OTHER_COMPANY_ID",
               "LEASEY_OTHER_COMPANY_PASSWORD", "LEASEY_NO_ADMIN_COMPANY_ID", "LEASEY_NO_ADMIN_COMPANY_PASSWORD")
# Short numbers: replaced where a company id goes, and as words in error messages ("Company 123 not found").
COMPANY_IDS = ("LEASEY_COMPANY_ID", "LEASEY_OTHER_COMPANY_ID", "LEASEY_NO_ADMIN_COMPANY_ID")
COMPANY_ID_FIELD = "company_id"
PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")
CREDENTIAL_HEADERS = masking.SECRET_HEADERS | {"set-cookie"}
HOP_HEADERS = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding",
                         "host", "proxy-connection", "te", "trailer", "upgrade"})
MAX_ITEMS = 20  # items kept of any JSON array (the rest counted in `truncated`)
MAX_TEXT = 65_536  # characters kept of a body that is not JSON
OWN_IDS = ("property_id", "url_slug")  # what a write answers with and later reads show: the recording's own rows
_JWT = re.compile(masking.JWT)


class Number(str):
    """A placeholder that stood for a JSON number (`!number ${LEASEY_COMPANY_ID}`): a number again on replay."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # libyaml's emitter where PyYAML has it: 10x faster
    pass


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


_Dumper.add_representer(Number, lambda dumper, value: dumper.represent_scalar("!number", str(value)))
_Dumper.add_representer(str, lambda dumper, value: dumper.represent_scalar(
    "tag:yaml.org,2002:str", value, style="|" if "\n" in value and len(value) > 80 else None))
_Loader.add_constructor("!number", lambda loader, node: Number(loader.construct_scalar(node)))


@dataclass
class Message:
    """A request (method, path, query) or a response (status); headers and a body, as recorded."""

    headers: dict[str, str] = field(default_factory=dict)
    body: dict = field(default_factory=dict)  # {} or one of {"json": v} {"form": pairs} {"text": s} {"base64": s}
    truncated: dict[str, int] = field(default_factory=dict)
    method: str = ""
    path: str = ""
    query: list[list[str]] = field(default_factory=list)
    status: int = 0

    @property
    def json(self) -> Any:
        return self.body.get("json")

    @property
    def is_json(self) -> bool:
        return "json" in self.body

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers.items() if key.lower() == name.lower()), None)

    def to_dict(self, kind: str) -> dict:
        out: dict[str, Any] = {"method": self.method, "path": self.path, "query": self.query} if kind == "request" \
            else {"status": self.status}
        out["headers"] = self.headers
        out.update(self.body)
        if self.truncated:
            out["truncated"] = self.truncated
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Message:
        body = {key: data[key] for key in ("json", "form", "text", "base64") if key in data}
        return cls(headers=dict(data.get("headers") or {}), body=body, truncated=dict(data.get("truncated") or {}),
                   method=data.get("method", ""), path=data.get("path", ""),
                   query=[list(pair) for pair in data.get("query") or []], status=int(data.get("status", 0)))


@dataclass
class Exchange:
    index: int
    api: str
    operation: str | None
    request: Message
    response: Message
    elapsed_ms: float = 0.0

    def to_dict(self) -> dict:
        return {"index": self.index, "api": self.api, "operation": self.operation,
                "request": self.request.to_dict("request"), "response": self.response.to_dict("response"),
                "elapsed_ms": round(self.elapsed_ms, 1)}

    @classmethod
    def from_dict(cls, data: dict) -> Exchange:
        return cls(int(data["index"]), data["api"], data.get("operation"), Message.from_dict(data["request"]),
                   Message.from_dict(data["response"]), float(data.get("elapsed_ms") or 0))

    @property
    def label(self) -> str:
        return f"#{self.index} {self.request.method} {self.request.path}"


def joined(pairs) -> dict[str, str]:
    """Header pairs as one mapping (a repeated header's values joined by ", ")."""
    out: dict[str, str] = {}
    for key, value in pairs:
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


def dump(document: dict) -> str:
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120,
                     default_flow_style=None)


class Writer:
    """Appends exchanges to a cassette file, one YAML document each, under a lock (the proxy is threaded)."""

    def __init__(self, path: Path, upstreams: dict[str, str], placeholders: list[str], limits: dict[str, int]):
        self.path = Path(path)
        self.upstreams = upstreams
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self.count = 0
        header = {"format": FORMAT, "recorded_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "upstreams": upstreams, "placeholders": placeholders, "limits": limits}
        self.path.write_text(dump(header))

    def next_index(self) -> int:
        with self._lock:
            self.count += 1
            return self.count

    def write(self, exchange: Exchange) -> None:
        text = "---\n" + dump(exchange.to_dict())
        with self._lock, self.path.open("a") as out:
            out.write(text)


def load(path: Path) -> tuple[dict, list[Exchange]]:
    """(header, exchanges in the order they were recorded)."""
    documents = [doc for doc in yaml.load_all(Path(path).read_text(), Loader=_Loader) if doc]  # noqa: S506 - safe
    if not documents or documents[0].get("format") != FORMAT:
        raise ValueError(f"{path}: not a cassette (the first document must say format: {FORMAT})")
    exchanges = sorted((Exchange.from_dict(doc) for doc in documents[1:]), key=lambda x: x.index)
    return documents[0], exchanges


# -- bodies -------------------------------------------------------------------------------------------------------

def read_body(raw: bytes, content_type: str | None) -> dict:
    """A body as the cassette keeps it: parsed JSON, form pairs, text or base64 (whichever replays it unchanged)."""
    if not raw:
        return {}
    media = (content_type or "").split(";")[0].strip().lower()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(raw).decode()}
    if media == "application/json" or media.endswith("+json"):
        try:
            value = json.loads(text, object_pairs_hook=_no_repeats)
            json.dumps(value, ensure_ascii=False).encode()  # a lone surrogate ("\\udbd4") has no YAML form: text
            return {"json": value}
        except (ValueError, RecursionError, UnicodeEncodeError):
            pass
    if media == "application/x-www-form-urlencoded":
        pairs = parse_qsl(text, keep_blank_values=True)
        if urlencode(pairs) == text:
            return {"form": [list(pair) for pair in pairs]}
    return {"text": text}


def _no_repeats(pairs):
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise ValueError("a repeated member: kept as text")
    return dict(pairs)


def body_bytes(body: dict) -> bytes:
    if "json" in body:
        return json.dumps(body["json"]).encode()
    if "form" in body:
        return urlencode([tuple(pair) for pair in body["form"]]).encode()
    if "text" in body:
        return body["text"].encode()
    if "base64" in body:
        return base64.b64decode(body["base64"])
    return b""


def bound(body: dict, max_items: int = MAX_ITEMS, max_text: int = MAX_TEXT,
          keep: frozenset = frozenset()) -> tuple[dict, dict[str, int]]:
    """The body with arrays cut to max_items (past them, the objects holding one of the `keep` values: the rows of
    what the recording created) and text to max_text; what was cut (JSON pointer -> length sent)."""
    cut: dict[str, int] = {}
    if "json" in body:
        def walk(value, pointer):
            if isinstance(value, list):
                kept = value
                if len(value) > max_items:
                    cut[pointer] = len(value)
                    kept = value[:max_items] + [item for item in value[max_items:] if isinstance(item, dict)
                                                and keep.intersection(v for v in item.values() if isinstance(v, str))]
                return [walk(item, f"{pointer}/{i}") for i, item in enumerate(kept)]
            if isinstance(value, dict):
                return {key: walk(item, f"{pointer}/{key}") for key, item in value.items()}
            return value
        return {"json": walk(body["json"], "")}, cut
    for key in ("text", "base64"):
        if key in body and len(body[key]) > max_text:
            cut[f"/{key}"] = len(body[key])
            return {key: body[key][:max_text]}, cut
    return body, cut


# -- scrubbing ----------------------------------------------------------------------------------------------------

def given_credentials(extra: tuple[str, ...] = ()) -> dict[str, str]:
    """The credentials in the environment, by name (the recorder's: they become named placeholders)."""
    return {name: os.environ[name] for name in (*CREDENTIALS, *extra) if os.environ.get(name)}


class Scrubber:
    """Credential values out of an exchange, with what replay needs kept: named placeholders for the given
    credentials, same-length stand-ins (one per distinct value) for any other value in a credential position."""

    def __init__(self, given: dict[str, str], jwts: bool = True):
        """jwts=False: the named placeholders only (a target's answer templated as the recorder scrubbed the
        stage's: compare.Comparison), no stand-ins."""
        self.given = {name: value for name, value in given.items() if value}
        forms: dict[str, str] = {}
        for name, value in self.given.items():
            if name not in COMPANY_IDS:
                for form in (value, quote(value, safe=""), quote_plus(value)):
                    forms.setdefault(form, name)
        self._forms = forms
        alternatives = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
        found = [alternatives] * bool(alternatives) + [masking.JWT] * jwts
        self._pattern = re.compile("|".join(found)) if found else None
        self._stand_ins: dict[str, str] = {}
        self._lock = threading.Lock()

    def text(self, value: str) -> str:
        """Given credentials as placeholders and JWTs as stand-ins, wherever they appear in a string."""
        def replace(match):
            found = match.group(0)
            return "${" + self._forms[found] + "}" if found in self._forms else self.stand_in(found)
        return self._pattern.sub(replace, value) if value and self._pattern else value

    def words(self, value: str) -> str:
        """text(), and the given company ids where they stand as words ("Company 123 not found"): in error bodies."""
        value = self.text(value)
        for name in COMPANY_IDS:
            if name in self.given:
                value = number_word(self.given[name]).sub("${" + name + "}", value)
        return value

    def credential(self, value: str) -> str:
        """A value in a credential position: placeholders where it holds a given credential, else a stand-in."""
        scrubbed = self.text(value)
        return scrubbed if scrubbed != value or not value else self.stand_in(value)

    def stand_in(self, value: str) -> str:
        with self._lock:
            known = self._stand_ins.get(value)
            if known is None:
                mark = f"x{len(self._stand_ins) + 1}"
                known = (mark + "x" * len(value))[:len(value)] if len(value) >= len(mark) else "x" * len(value)
                self._stand_ins[value] = known
            return known

    def company_id(self, value: Any) -> Any:
        """A value where a company id goes: the placeholder of the given company it names, else itself."""
        for name in COMPANY_IDS:
            if name in self.given and str(value) == self.given[name] and not isinstance(value, bool):
                return Number("${" + name + "}") if isinstance(value, int) else "${" + name + "}"
        return value

    def header(self, name: str, value: str) -> str:
        if name.lower() not in CREDENTIAL_HEADERS:
            return self.text(value)
        scheme, space, credential = value.partition(" ")
        if name.lower() == "authorization" and space:
            return f"{scheme} {self.credential(credential)}"
        return self.credential(value)

    def pair(self, key: str, value: str) -> str:
        if key.lower() in masking.SECRET_FIELDS:
            return self.credential(value)
        if key == COMPANY_ID_FIELD:
            return self.company_id(value)
        return self.text(value)

    def json(self, value: Any, key: str | None = None, error: bool = False) -> Any:
        if isinstance(value, dict):
            return {self.text(k) if isinstance(k, str) else k: self.json(v, k, error) for k, v in value.items()}
        if isinstance(value, list):
            return [self.json(item, None, error) for item in value]
        if key == COMPANY_ID_FIELD:
            replaced = self.company_id(value)
            if replaced is not value:
                return replaced
        if isinstance(value, str):
            if (key or "").lower() in masking.SECRET_FIELDS:
                return self.credential(value)
            return self.words(value) if error else self.text(value)
        return value

    def message(self, message: Message) -> Message:
        body = dict(message.body)
        if "json" in body:
            body["json"] = self.json(body["json"], error=message.status >= 400)
        elif "form" in body:
            body["form"] = [[self.text(k), self.pair(k, v)] for k, v in body["form"]]
        elif "text" in body:
            body["text"] = self.text(body["text"])
        return Message(headers={k: self.header(k, v) for k, v in message.headers.items()}, body=body,
                       truncated=message.truncated, method=message.method, path=self.text(message.path),
                       query=[[self.text(k), self.pair(k, v)] for k, v in message.query], status=message.status)


def number_word(number: str) -> re.Pattern:
    """A number where it stands alone: not inside a longer number or word (the 456 of '4562-b3fc' is not one)."""
    return re.compile(rf"(?<![0-9A-Za-z]){re.escape(number)}(?![0-9A-Za-z])")


def fill(value: Any, values: dict[str, str]) -> Any:
    """Placeholders replaced by the values of the target (a `!number` one as a number)."""
    if isinstance(value, Number):
        text = fill(str(value), values)
        return int(text) if re.fullmatch(r"-?[0-9]+", text) else text
    if isinstance(value, str):
        def replace(match):
            name = match.group(1)
            if name not in values:
                raise KeyError(f"the cassette holds ${{{name}}}: give its value (environment variable {name})")
            return values[name]
        return PLACEHOLDER.sub(replace, value)
    if isinstance(value, dict):
        return {fill(k, values): fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(item, values) for item in value]
    return value
