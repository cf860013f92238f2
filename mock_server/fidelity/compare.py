"""Compare answers to the same requests: a recorded one (the stage) with a replayed one (the sandbox).

What is compared, and why (FIDELITY.md, Fidelity measurement):
- the status; an error body whole: its type, message and details exactly, ids and credentials compared as named
  placeholders (`Company {LEASEY_COMPANY_ID} not found`);
- the headers a client acts on: Content-Type, Allow, Retry-After, the CORS ones, WWW-Authenticate (presence);
- a success body's shape through the operation's schema: the field set at every level (always present, ever
  present), each field's JSON types (null is a type: null where the stage sends "" differs), enum membership,
  documented constants, array item shapes (aggregated over the items, so the data may differ);
- values only where they are not data-dependent: constants, and every value of an object the cassette made
  itself (one holding an id the stage issued during the recording, e.g. a created property's report row),
  except dates and times;
- across the sequence: each id the stage issued (ISSUED) is mapped to the sandbox's and substituted in later
  requests; an id that maps two ways is a difference; a cursor walk must repeat items on both or neither side;
  a filter that narrows (or not) on the stage must narrow (or not) on the sandbox.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from . import apis
from .cassette import OWN_IDS, PLACEHOLDER, Exchange, Message, Scrubber, body_bytes, fill

ISSUED = ("property_id", "url_slug", "building_id", "floorplan_id", "next_cursor", "previous_cursor", "access_token")
PAGING = frozenset({"after_id", "offset", "limit"})
CURSOR_PARAMETER, NEXT_CURSOR = "after_id", "next_cursor"
CORS = ("access-control-allow-origin", "access-control-allow-methods", "access-control-allow-headers",
        "access-control-expose-headers", "access-control-max-age", "access-control-allow-credentials")
LIST_HEADERS = frozenset({"allow", "access-control-allow-methods", "access-control-allow-headers",
                          "access-control-expose-headers"})
HEADERS = ("content-type", "allow", "retry-after", *CORS, "www-authenticate")
PRESENCE_ONLY = frozenset({"www-authenticate"})  # its realm may name the host
IDENTIFIER = re.compile(r"(?i)(^|_)id$")  # an id the server assigned (an own row's Property_ID): not compared
TIME_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?")
# Sequence checks that compare counts between exchanges look at this many exchanges per group at most.
MAX_GROUP = 200


@dataclass
class Difference:
    index: int  # the exchange's index in the cassette
    operation: str
    kind: str  # status header error fields type enum value change body ids pagination filter transport
    where: str  # a header name, a JSON pointer, or what the sequence check looked at
    expected: Any  # the stage's (recorded)
    observed: Any  # the sandbox's (replayed)
    allowed: str | None = None  # the allow-list's reason, when this difference is a known one
    compared: tuple[str, str] | None = None  # what was compared, when not the values themselves (templates)

    def text(self, sides: tuple[str, str] = ("stage", "sandbox")) -> str:
        expected, observed = self.shown()
        return f"{self.kind} {self.where}: {sides[0]} {expected}, {sides[1]} {observed}"

    def shown(self, limit: int = 300) -> tuple[str, str]:
        """The two sides as a report shows them, never two equal strings: the values; where they read alike, the
        forms compared (`company {LEASEY_COMPANY_ID}` for `company 123`), else each with its JSON type; cut to
        `limit` around the first character that differs."""
        forms = [(_plain(self.expected), _plain(self.observed))]
        if self.compared is not None:
            forms.append(self.compared)
        forms.append(tuple(f"{json_type(value)} {_plain(value)}" for value in (self.expected, self.observed)))
        expected, observed = next(((a, b) for a, b in forms if a != b), forms[0])
        return _window(expected, observed, limit)


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)


def _short(value: Any, limit: int = 300) -> str:
    text = _plain(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _window(a: str, b: str, limit: int) -> tuple[str, str]:
    """Two texts cut to `limit` characters each, both from a little before the first character where they differ
    (a cut that kept only an equal beginning would show two equal strings)."""
    if len(a) <= limit and len(b) <= limit:
        return a, b
    start = max(0, len(os.path.commonprefix([a, b])) - limit // 4)

    def cut(text: str) -> str:
        return ("…" if start else "") + text[start:start + limit] + ("…" if len(text) > start + limit else "")
    return cut(a), cut(b)


@dataclass
class Result:
    exchange: Exchange
    replayed: Message | None
    differences: list[Difference] = field(default_factory=list)


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


# -- schemas ------------------------------------------------------------------------------------------------------

def _branches(schema: Any) -> list[dict]:
    """A schema with its allOf/anyOf/oneOf branches, flattened."""
    if not isinstance(schema, dict):
        return []
    found = [schema]
    for key in ("allOf", "anyOf", "oneOf"):
        for branch in schema.get(key) or []:
            found += _branches(branch)
    return found


def _child(schema: Any, key: str | None) -> dict:
    """The schema of member `key` (None: of an array's items)."""
    for branch in _branches(schema):
        if key is None and isinstance(branch.get("items"), dict):
            return branch["items"]
        if key is not None:
            if key in (branch.get("properties") or {}):
                return branch["properties"][key]
            if isinstance(branch.get("additionalProperties"), dict):
                return branch["additionalProperties"]
    return {}


def _enum(schema: Any) -> list | None:
    for branch in _branches(schema):
        if "enum" in branch:
            return branch["enum"]
        if "const" in branch:
            return [branch["const"]]
    return None


def _types(schema: Any) -> set | None:
    """The JSON types the schema allows (None: it does not say)."""
    found: set = set()
    for branch in _branches(schema):
        kind = branch.get("type")
        if kind is not None:
            found.update(json_type_name(name) for name in ([kind] if isinstance(kind, str) else kind))
        elif "const" in branch or "enum" in branch:
            found.update(json_type(value) for value in branch.get("enum", [branch.get("const")]))
    return found or None


def json_type_name(schema_type: str) -> str:
    return "number" if schema_type == "integer" else schema_type


def _optional(schema: Any) -> set:
    """The documented members an object may leave out."""
    documented, required = set(), set()
    for branch in _branches(schema):
        documented.update(branch.get("properties") or {})
        required.update(branch.get("required") or [])
    return documented - required


@dataclass
class Facts:
    """What a body holds at one JSON pointer (array items folded into `/[]`), and what its schema allows there."""

    types: set = field(default_factory=set)
    key_sets: list = field(default_factory=list)
    outside_enum: set = field(default_factory=set)
    allowed: set | None = None  # the schema's types
    optional: set = field(default_factory=set)  # the schema's documented, not required members


def profile(value: Any, schema: Any, pointer: str = "", out: dict | None = None) -> dict[str, Facts]:
    out = {} if out is None else out
    facts = out.setdefault(pointer, Facts())
    facts.types.add(json_type(value))
    facts.allowed = _types(schema)
    if isinstance(value, dict):
        facts.key_sets.append(frozenset(value))
        facts.optional = _optional(schema)
        for key, item in value.items():
            profile(item, _child(schema, key), f"{pointer}/{key}", out)
    elif isinstance(value, list):
        for item in value:
            profile(item, _child(schema, None), f"{pointer}/[]", out)
    else:
        enum = _enum(schema)
        if enum is not None:
            if value not in enum:
                facts.outside_enum.add(json.dumps(value))
    return out


# -- the comparison -----------------------------------------------------------------------------------------------

class Comparison:
    """One replay's state: the ids mapped so far, the pages and list sizes seen on each side; compares each answer
    as it comes (`compare`) and the sequence at the end (`finish`)."""

    def __init__(self, target_values: dict[str, str], same_data: bool = False,
                 placeholders: Collection[str] | None = None):
        self.values = target_values  # the target's credential values by placeholder name
        # The target's answers templated as the recorder scrubbed the stage's: with the credentials it was given
        # (`placeholders`, the cassette's; None: every one), in the same order (FIDELITY.md, Fidelity measurement).
        self.named = Scrubber({name: value for name, value in target_values.items()
                               if placeholders is None or name in placeholders}, jwts=False)
        # The target holds the stage's data (a sandbox against a sandbox): types the schema allows, optional
        # fields and the values of what the recording created are compared too, not only what no data changes.
        self.same_data = same_data
        self.own_seen: dict[tuple, tuple[int, dict, dict]] = {}  # (operation, own id) -> its last sighting
        self.ids: dict[Any, Any] = {}  # recorded -> replayed
        self.back: dict[Any, Any] = {}  # replayed -> recorded
        self.id_names: dict[Any, str] = {}  # recorded id -> the field it came from
        self.walks: dict[int, list[int]] = {}  # walk id (its first exchange) -> exchanges in the walk
        self._walk_of: dict[int, int] = {}
        self._cursor_from: dict[str, int] = {}  # recorded next_cursor -> the exchange that gave it
        self.pages: dict[int, tuple[list[str], list[str]]] = {}  # exchange -> (recorded items, replayed items)
        self.sizes: dict[tuple, list[tuple[int, frozenset, int, int]]] = defaultdict(list)
        self.own: set = set()  # recorded ids the cassette's own requests created (property_id, url_slug...)

    def own_replayed(self) -> frozenset:
        """The target's ids of what the replayed writes created (their rows are kept past the cassette's max_items)."""
        return frozenset(self.ids[value] for value in self.own if value in self.ids)

    # requests --------------------------------------------------------------------------------------------------

    def prepare(self, exchange: Exchange) -> tuple[str, str, list[tuple[str, str]], list[tuple[str, str]], bytes]:
        """(method, path, query, headers, body) of the recorded request for the target: placeholders filled with
        its credentials, ids the stage issued replaced by the ones the target issued."""
        request = exchange.request
        path = "/".join(self._mapped(fill(segment, self.values)) for segment in request.path.split("/"))
        query = [(fill(k, self.values), self._mapped(fill(v, self.values))) for k, v in request.query]
        headers = []
        for name, value in request.headers.items():
            value = fill(value, self.values)
            scheme, space, credential = value.partition(" ")
            if name.lower() == "authorization" and space:
                value = f"{scheme} {self._mapped(credential)}"
            headers.append((name, self._mapped(value)))
        body = dict(request.body)
        if "json" in body:
            body["json"] = self._mapped_json(fill(body["json"], self.values))
        elif "form" in body:
            body["form"] = [[fill(k, self.values), self._mapped(fill(v, self.values))] for k, v in body["form"]]
        elif "text" in body:
            body["text"] = fill(body["text"], self.values)
        return request.method, path, query, headers, body_bytes(body)

    def _mapped(self, value: Any) -> Any:
        return self.ids.get(value, value) if isinstance(value, str) else value

    def _mapped_json(self, value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            return {k: self._mapped_json(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self._mapped_json(item) for item in value]
        if isinstance(value, int) and not isinstance(value, bool) and key in ISSUED:
            mapped = self.ids.get((key, value))
            return mapped[1] if mapped else value
        return self._mapped(value)

    # answers ---------------------------------------------------------------------------------------------------

    def compare(self, exchange: Exchange, replayed: Message) -> list[Difference]:
        recorded = exchange.response
        differences: list[Difference] = []

        def differ(kind, where, expected, observed, compared=None):
            differences.append(Difference(exchange.index, exchange.operation or exchange.request.path, kind, where,
                                          expected, observed, compared=compared))

        if recorded.status != replayed.status:
            differ("status", "status", _status_line(recorded), _status_line(replayed))
            if recorded.status < 300 and replayed.status < 300 and recorded.is_json and replayed.is_json:
                self._map_ids(recorded.json, replayed.json, "", differ, exchange)  # a 200 for a 201 still creates
        self._headers(recorded, replayed, differ)
        if recorded.status == replayed.status:
            if set(recorded.body) != set(replayed.body):
                differ("body", "body", _body_kind(recorded), _body_kind(replayed))
            elif recorded.is_json:
                self._map_ids(recorded.json, replayed.json, "", differ, exchange)
                if recorded.status >= 400:
                    self._exactly(recorded.json, replayed.json, "", differ)
                else:
                    self._shape(exchange, recorded, replayed, differ)
            elif "text" in recorded.body and recorded.status >= 400:
                self._as_templates("error", "body", recorded.body["text"], replayed.body["text"], differ, words=False)
        self._observe_sequence(exchange, replayed)
        return differences

    def _headers(self, recorded: Message, replayed: Message, differ) -> None:
        for name in HEADERS:
            expected, observed = recorded.header(name), replayed.header(name)
            if name in PRESENCE_ONLY:
                expected, observed = expected is not None, observed is not None
            elif name == "retry-after":  # the wait itself depends on timing: its presence and kind
                expected, observed = _retry_kind(expected), _retry_kind(observed)
            else:
                expected, observed = _header_value(name, expected), _header_value(name, observed)
            if expected != observed:
                differ("header", _header_title(name), expected, observed)

    def _map_ids(self, recorded: Any, replayed: Any, pointer: str, differ, exchange: Exchange) -> None:
        """Ids the stage issued in this answer mapped to the ones the target issued at the same place."""
        if isinstance(recorded, dict) and isinstance(replayed, dict):
            for key, value in recorded.items():
                if key not in replayed:
                    continue
                if key in ISSUED and not isinstance(value, dict | list) and value is not None \
                        and replayed[key] is not None:
                    self._pair(key, value, replayed[key], f"{pointer}/{key}", differ, exchange)
                else:
                    self._map_ids(value, replayed[key], f"{pointer}/{key}", differ, exchange)
        elif isinstance(recorded, list) and isinstance(replayed, list):
            for i, (a, b) in enumerate(zip(recorded, replayed, strict=False)):
                self._map_ids(a, b, f"{pointer}/{i}", differ, exchange)

    def _pair(self, key: str, recorded: Any, replayed: Any, where: str, differ, exchange: Exchange) -> None:
        a, b = ((key, recorded), (key, replayed)) if isinstance(recorded, int) else (recorded, replayed)
        known, known_back = self.ids.get(a), self.back.get(b)
        if known is None and known_back is None:
            self.ids[a], self.back[b], self.id_names[a] = b, a, key
            if exchange.request.method in ("POST", "PUT") and key in OWN_IDS:
                self.own.add(recorded)
        elif known is not None and known != b:
            differ("ids", where, f"{key} {_short(recorded, 40)} again (as in an earlier answer)",
                   f"a different {key} from the one it answered before")
        elif known_back is not None and known_back != a:
            differ("ids", where, f"a new {key}", f"the {key} it answered before for another one of the stage's")

    def _template(self, text: str, recorded: bool, words: bool) -> str:
        """A string with the credentials and ids it names replaced by their names: `Company ${LEASEY_COMPANY_ID}
        not found`, `… {property_id} …`. The recorded side's credentials are placeholders already (the recorder's
        Scrubber); the target's are replaced here by the same Scrubber, given the target's values of the same
        names, at the same places (`words`: the company ids standing as words too, as in an error body)."""
        if not recorded:
            text = self.named.words(text) if words else self.named.text(text)
        names: dict[str, str] = {}
        for stage_id, target_id in self.ids.items():
            if isinstance(stage_id, str):
                value = stage_id if recorded else target_id
                names[value] = "{" + self.id_names.get(stage_id, "id") + "}"
        for value in sorted((v for v in names if len(v) >= 3), key=len, reverse=True):
            text = text.replace(value, names[value])
        return text

    def _as_templates(self, kind: str, where: str, recorded: str, replayed: str, differ, words: bool) -> None:
        expected, observed = self._template(recorded, True, words), self._template(replayed, False, words)
        if expected != observed:
            differ(kind, where, recorded, replayed, (expected, observed))

    def _exactly(self, recorded: Any, replayed: Any, pointer: str, differ) -> None:
        """An error body: every member and every value (ids and credentials as named placeholders)."""
        if json_type(recorded) != json_type(replayed):
            differ("type", pointer or "/", _typed(recorded), _typed(replayed))
        elif isinstance(recorded, dict):
            if set(recorded) != set(replayed):
                differ("fields", pointer or "/", sorted(recorded), sorted(replayed))
            for key in recorded:
                if key in replayed:
                    self._exactly(recorded[key], replayed[key], f"{pointer}/{key}", differ)
        elif isinstance(recorded, list):
            if len(recorded) != len(replayed):
                differ("error", pointer or "/", recorded, replayed)
            else:
                for i, (a, b) in enumerate(zip(recorded, replayed, strict=True)):
                    self._exactly(a, b, f"{pointer}/{i}", differ)
        elif isinstance(recorded, str):
            self._as_templates("error", pointer, recorded, replayed, differ, words=True)
        elif recorded != replayed:
            differ("error", pointer, recorded, replayed)

    def _shape(self, exchange: Exchange, recorded: Message, replayed: Message, differ) -> None:
        operation = apis.operation(exchange.api, exchange.request.method, exchange.request.path)
        schema = {}
        if operation is not None:
            spec = apis.spec(exchange.api)
            schema = spec.deref(operation.response_schema(recorded.status) or {})
        mine, theirs = profile(recorded.json, schema), profile(replayed.json, schema)
        for pointer in sorted(set(mine) & set(theirs)):
            a, b = mine[pointer], theirs[pointer]
            where = pointer or "/"
            # the data decides between the types the schema allows (a nullable field null in some rows only)
            if a.types != b.types and (self.same_data or not a.allowed or not a.types ^ b.types <= a.allowed):
                differ("type", where, sorted(a.types), sorted(b.types))
            if a.key_sets and b.key_sets:
                self._field_sets(a, b, where, differ)
            if bool(a.outside_enum) != bool(b.outside_enum):
                differ("enum", where, sorted(a.outside_enum) or "every value in the spec's enum",
                       sorted(b.outside_enum) or "every value in the spec's enum")
        if exchange.request.method in ("POST", "PUT") and isinstance(recorded.json, dict) \
                and isinstance(replayed.json, dict):
            self._values(recorded.json, replayed.json, "", differ, nested=self.same_data)
        self._own_rows(exchange, recorded.json, replayed.json, "", differ)

    def _field_sets(self, a: Facts, b: Facts, where: str, differ) -> None:
        """The members ever and always present; a documented optional one is the data's choice on another stage."""
        free = frozenset() if self.same_data else frozenset(a.optional)
        ever_a, ever_b = frozenset().union(*a.key_sets) - free, frozenset().union(*b.key_sets) - free
        always_a, always_b = frozenset.intersection(*a.key_sets) - free, frozenset.intersection(*b.key_sets) - free
        if ever_a != ever_b:
            differ("fields", where, _fields(ever_a - ever_b, "only on the stage"),
                   _fields(ever_b - ever_a, "only on the sandbox"))
        elif always_a != always_b:
            differ("fields", where, _fields(always_a - always_b, "always on the stage, not always here"),
                   _fields(always_b - always_a, "always on the sandbox, not always there"))

    def _own_rows(self, exchange: Exchange, recorded: Any, replayed: Any, pointer: str, differ) -> None:
        """Objects the recording created (holding an id issued to its own writes), seen again: the fields that
        changed since the last sighting must be the same on both sides (with the same data, every value too)."""
        if isinstance(recorded, list) and isinstance(replayed, list):
            for i, item in enumerate(recorded):
                mine = self._own_id(item)
                if mine is None:
                    self._own_rows(exchange, item, replayed[i] if i < len(replayed) else None, f"{pointer}/{i}", differ)
                    continue
                match = next((other for other in replayed if self._holds(other, self.ids.get(mine))), None)
                if match is not None:
                    self._sighting(exchange, mine, item, match, f"{pointer}/{i}", differ)
        elif isinstance(recorded, dict) and isinstance(replayed, dict):
            for key, item in recorded.items():
                if isinstance(item, dict | list) and key in replayed:
                    self._own_rows(exchange, item, replayed[key], f"{pointer}/{key}", differ)

    def _sighting(self, exchange: Exchange, own: str, recorded: dict, replayed: dict, pointer: str, differ) -> None:
        if self.same_data:
            self._values(recorded, replayed, pointer, differ)
        key = (exchange.api, exchange.operation, own)
        last = self.own_seen.get(key)
        self.own_seen[key] = (exchange.index, recorded, replayed)
        if last is None:
            return
        index, before_a, before_b = last
        changed_a = sorted(k for k in recorded.keys() & before_a.keys() if recorded[k] != before_a[k])
        changed_b = sorted(k for k in replayed.keys() & before_b.keys() if replayed[k] != before_b[k])
        if changed_a != changed_b:
            differ("change", f"{pointer} (the row of {own}, since #{index})", changed_a or "nothing changed",
                   changed_b or "nothing changed")

    def _own_id(self, value: Any) -> Any:
        if isinstance(value, dict):
            return next((v for v in value.values() if isinstance(v, str) and v in self.own), None)
        return None

    @staticmethod
    def _holds(value: Any, wanted: Any) -> bool:
        return isinstance(value, dict) and wanted is not None and wanted in value.values()

    def _values(self, recorded: Any, replayed: Any, pointer: str, differ, key: str = "", nested: bool = True) -> None:
        """Values compared: strings as templates; ids (mapped), server-assigned numbers, dates and times not."""
        if isinstance(recorded, dict) and isinstance(replayed, dict):
            for name in recorded.keys() & replayed.keys():
                if nested or not isinstance(recorded[name], dict | list):
                    self._values(recorded[name], replayed[name], f"{pointer}/{name}", differ, name)
        elif isinstance(recorded, list) and isinstance(replayed, list):
            if len(recorded) != len(replayed):
                differ("value", pointer, recorded, replayed)
            for i, (a, b) in enumerate(zip(recorded, replayed, strict=False)):
                self._values(a, b, f"{pointer}/{i}", differ)
        elif key in ISSUED or IDENTIFIER.search(key) or json_type(recorded) != json_type(replayed):
            return  # ids are compared through the map; a type difference is the shape's
        elif isinstance(recorded, str) and TIME_LIKE.match(recorded):
            return
        elif isinstance(recorded, str):  # a URL holding the slug
            self._as_templates("value", pointer, recorded, replayed, differ, words=False)
        elif recorded != replayed:
            differ("value", pointer, recorded, replayed)

    # the sequence ----------------------------------------------------------------------------------------------

    def _observe_sequence(self, exchange: Exchange, replayed: Message) -> None:
        recorded = exchange.response
        if recorded.status != 200 or replayed.status != 200 or not recorded.is_json or not replayed.is_json:
            return
        items_a, count_a = _items(recorded)
        items_b, count_b = _items(replayed)
        if items_a is None or items_b is None:
            return
        query = exchange.request.query
        cursor = next((v for k, v in query if k == CURSOR_PARAMETER), None)
        walk = self._walk_of.get(self._cursor_from.get(cursor, -1), exchange.index) if cursor else exchange.index
        self._walk_of[exchange.index] = walk
        self.walks.setdefault(walk, []).append(exchange.index)
        self.pages[exchange.index] = ([_fingerprint(i) for i in items_a], [_fingerprint(i) for i in items_b])
        next_cursor = (recorded.json.get("pagination") or {}).get(NEXT_CURSOR) if isinstance(recorded.json, dict) \
            else None
        if isinstance(next_cursor, str):
            self._cursor_from[next_cursor] = exchange.index
        headers = exchange.request.headers
        who = tuple(sorted((k.lower(), v) for k, v in headers.items() if k.lower() in ("authorization",
                                                                                      "x-company-password")))
        group = (exchange.api, exchange.operation, exchange.request.method, who)
        filters = frozenset((k, v) for k, v in query if k not in PAGING and k != "company_id")
        paging = tuple(sorted((k, v) for k, v in query if k in PAGING))
        if len(self.sizes[group + (paging,)]) < MAX_GROUP:
            self.sizes[group + (paging,)].append((exchange.index, filters, count_a, count_b))

    def _effect(self, before: int, after: int) -> str:
        """What adding filters did to a list; on other data only whether it changed anything (a parameter that
        replaces a default window may narrow on one stage and widen on another)."""
        if after == before:
            return "changes nothing"
        if not self.same_data:
            return "changes the answer"
        return "narrows" if after < before else "widens"

    def finish(self, operations: dict[int, str]) -> list[Difference]:
        differences = []
        for members in self.walks.values():
            if len(members) < 2:
                continue
            repeated = [_repeats([self.pages[i][side] for i in members]) for side in (0, 1)]
            if bool(repeated[0]) != bool(repeated[1]):
                differences.append(Difference(
                    members[-1], operations[members[-1]], "pagination",
                    f"cursor walk of exchanges {', '.join(f'#{i}' for i in members)}",
                    f"{repeated[0]} items seen twice", f"{repeated[1]} items seen twice"))
        for observations in self.sizes.values():
            for i, (index_a, filters_a, a_stage, a_sandbox) in enumerate(observations):
                for index_b, filters_b, b_stage, b_sandbox in observations[i + 1:]:
                    if filters_a == filters_b:
                        continue
                    if filters_a < filters_b:
                        narrow, wide = (index_b, filters_b - filters_a, b_stage, b_sandbox), (index_a, a_stage, a_sandbox)
                    elif filters_b < filters_a:
                        narrow, wide = (index_a, filters_a - filters_b, a_stage, a_sandbox), (index_b, b_stage, b_sandbox)
                    else:
                        continue
                    stage, sandbox = self._effect(wide[1], narrow[2]), self._effect(wide[2], narrow[3])
                    if stage != sandbox:
                        added = "&".join(f"{k}={v}" for k, v in sorted(narrow[1]))
                        differences.append(Difference(
                            narrow[0], operations[narrow[0]], "filter",
                            f"adding {added} to the request of #{wide[0]}",
                            f"{stage} ({wide[1]} -> {narrow[2]})", f"{sandbox} ({wide[2]} -> {narrow[3]})"))
        return differences




def _items(message: Message) -> tuple[list | None, int]:
    """A list answer's items and how many the stage said match (pagination.count, else the items sent)."""
    body = message.json
    total = message.truncated
    if isinstance(body, list):
        return body, total.get("", len(body))
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        count = (body.get("pagination") or {}).get("count")
        return body["data"], count if isinstance(count, int) else total.get("/data", len(body["data"]))
    return None, 0


def _fingerprint(item: Any) -> str:
    return json.dumps(item, sort_keys=True, default=str)


def _repeats(pages: list[list[str]]) -> int:
    seen, repeats = set(), 0
    for page in pages:
        for item in page:
            repeats += item in seen
            seen.add(item)
    return repeats


def _fields(names, label: str) -> str:
    return f"{', '.join(sorted(names))} ({label})" if names else "none"


def _typed(value: Any) -> str:
    return f"{json_type(value)} {_short(value, 80)}"


def _status_line(message: Message) -> str:
    body = message.json
    detail = ""
    if isinstance(body, dict):
        error = body.get("error")
        detail = body.get("message") or (error.get("message") if isinstance(error, dict) else None) \
            or body.get("error_description") or (error if isinstance(error, str) else "")
    return f"{message.status} {detail}".strip()


def _body_kind(message: Message) -> str:
    return next(iter(message.body), "no body")


def _header_title(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


def _header_value(name: str, value: str | None) -> Any:
    if value is None:
        return None
    if name in LIST_HEADERS:
        return ", ".join(sorted({part.strip().lower() for part in value.split(",") if part.strip()}))
    if name == "content-type":
        return value.replace(" ", "").lower()
    return value.strip()


def _retry_kind(value: str | None) -> str | None:
    if value is None:
        return None
    return "seconds" if value.strip().isdigit() else "HTTP-date"


# -- the allow-list ---------------------------------------------------------------------------------------------

@dataclass
class Allowed:
    reason: str
    operation: str | None = None
    index: int | None = None
    kind: str | None = None
    where: str | None = None  # a glob over Difference.where

    def matches(self, difference: Difference) -> bool:
        return ((self.operation is None or self.operation == difference.operation)
                and (self.index is None or self.index == difference.index)
                and (self.kind is None or self.kind == difference.kind)
                and (self.where is None or fnmatch.fnmatchcase(difference.where, self.where)))


def load_allow_list(text: str) -> list[Allowed]:
    """A YAML list of known differences, each with a reason: `- {operation: …, kind: …, where: …, reason: …}`."""
    from ..spec import load_yaml

    entries = load_yaml(text) or []
    if not isinstance(entries, list):
        raise ValueError("the allow-list is a YAML list of entries")
    allowed = []
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not str(entry.get("reason") or "").strip():
            raise ValueError(f"allow-list entry {number}: every entry needs a reason")
        unknown = set(entry) - {"reason", "operation", "index", "kind", "where"}
        if unknown:
            raise ValueError(f"allow-list entry {number}: unknown keys {sorted(unknown)}")
        allowed.append(Allowed(**entry))
    return allowed


def apply_allow_list(results: list[Result], allowed: list[Allowed]) -> None:
    for result in results:
        for difference in result.differences:
            entry = next((a for a in allowed if a.matches(difference)), None)
            difference.allowed = entry.reason if entry else None


def placeholder_names(exchanges: list[Exchange]) -> set[str]:
    """The placeholders a cassette holds (in its requests or answers)."""
    names = set()
    for exchange in exchanges:
        names.update(PLACEHOLDER.findall(json.dumps(exchange.to_dict(), default=str)))
    return names
