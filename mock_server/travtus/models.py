"""Travtus state and rules: client-credentials tokens, bearer authentication and Find Leases (no Flask).

Pagination is keyset on trv_leases.seq, the insertion order: a cursor is a position in that order, so a
cursor page costs the same at any depth and leases added during a walk appear at its end.
"""

from __future__ import annotations

import base64
import calendar
import functools
import re
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import date, datetime

import jwt
from sqlalchemy import exists, func, select

from .. import digests
from .. import store as tables
from ..clock import Clock
from ..spec import Spec
from ..store import Store
from . import errors

TOKEN_LIFETIME = 3600  # seconds, as documented
MAX_PAGE = 100  # "The API returns a maximum of 100 records per call."
ADDRESS_FIELDS = ("building_name", "address_line_1", "address_line_2", "city", "country", "state", "postal_code",
                  "latitude", "longitude")
NUMERIC_ADDRESS_FIELDS = ("latitude", "longitude")
# Issued tokens are JWTs shaped like the production Cognito access tokens (PyJWT, HS256), verified by their signature
# and never stored. The key is a random secret made once per sandbox database and kept in settings (a full reset
# or a restore replaces the settings, and with them the key: every issued token stops working then, as it did when
# tokens were rows). A client's tokens are revoked by its not-before (real time, ns: the sandbox clock may move
# back), kept in settings too; the static sandbox tokens are rows of trv_tokens, looked up.
JWT_SCOPE = "travtus-api/knowledge-graph"
JWT_ISSUER = "https://sandbox.travtus.invalid"
SIGNING_KEY_SETTING = "travtus_signing_key"
NOT_BEFORE_SETTING = "travtus_tokens_not_before"  # {client_id: ns}: tokens that client got before then are revoked
ISSUED_CLAIM = "sandbox_issued_ns"  # when the token was issued, real time (what a not-before is compared with)
_CLAIMS = ["exp", "iat", "client_id", "groups", ISSUED_CLAIM]


# -- cursors --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cursor:
    """A position in seq order: "after" continues forwards from it, "before" goes backwards (previous page)."""

    direction: str  # "after" | "before"
    seq: int

    END = 2**63 - 1  # past every lease: "before END" is the last page

    def encode(self) -> str:
        return base64.urlsafe_b64encode(f"{self.direction}:{self.seq}".encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, value: str) -> Cursor:
        """The inverse of encode; anything else is 400 invalid_parameter naming after_id."""
        try:
            text = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("ascii")
        except ValueError:
            raise errors.invalid_cursor() from None
        match = re.fullmatch(r"(after|before):(0|[1-9]\d{0,18})", text)
        if match is None or int(match[2]) > cls.END or value != cls(match[1], int(match[2])).encode():
            raise errors.invalid_cursor()
        return cls(match[1], int(match[2]))


# -- requests ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Principal:
    """Who is calling: the bearer token and the groups it may read."""

    token: str
    group_ids: frozenset[str]
    client_id: str | None = None  # None for the static sandbox tokens


@dataclass(frozen=True)
class LeaseSearch:
    """The search parameters of GET /leases (the spec's x-search-parameter ones); None = not given."""

    identifier: str | None = None
    start_date: date | None = None
    end_date: date | None = None
    move_in_date: date | None = None
    group_ids: tuple[str, ...] | None = None
    group_external_refs: tuple[str, ...] | None = None
    unit_external_ref: str | None = None
    unit_identifier: str | None = None
    address: dict | None = None


@dataclass(frozen=True)
class PageRequest:
    cursor: Cursor | None = None
    offset: int = 0
    limit: int = MAX_PAGE

    @property
    def size(self) -> int:
        return min(self.limit, MAX_PAGE)


@dataclass
class Page:
    rows: list  # trv_leases rows joined with their unit, in seq order
    next_cursor: Cursor | None
    previous_cursor: Cursor | None


# -- the backend ------------------------------------------------------------------------------------

class TravtusBackend:
    def __init__(self, store: Store, clock: Clock, spec: Spec):
        check_search_parameters(spec)
        self.rate_limits = None  # the Travtus rate limits per kind (create_backend sets them); None: off
        self.store = store
        self.clock = clock
        self.spec = spec

    # -- tokens -----------------------------------------------------------------------------------

    def issue_token(self, client_id: str, client_secret: str, sent_authorization: bool = False) -> dict:
        """Client-credentials grant: a signed bearer token for every group the client owns, valid TOKEN_LIFETIME s
        of the sandbox clock. Nothing is written (but the signing key, the first time)."""
        now = self.clock.now()
        if "\x00" in client_id:  # no client is called that (no engine's text can hold it): an unknown client
            raise errors.oauth_invalid_client(sent_authorization)
        client = self._client(client_id)
        if client is None or not digests.matches(client_secret, client[0], digests.CLIENT_SECRET):
            raise errors.oauth_invalid_client(sent_authorization)
        token = _jwt(client_id, client[1], now, self._signing_key(create=True))
        return {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME}

    def _client(self, client_id: str) -> tuple[str, tuple[str, ...]] | None:
        """A client's secret and groups, held per process until clients or groups change."""
        def load():
            with self.store.connect() as connection:
                secret = connection.execute(select(tables.trv_clients.c.client_secret)
                                            .where(tables.trv_clients.c.client_id == client_id)).scalar()
                if secret is None:
                    return None
                return secret, tuple(connection.execute(
                    select(tables.trv_groups.c.id).where(tables.trv_groups.c.client_id == client_id)
                    .order_by(tables.trv_groups.c.id)).scalars())
        return self.store.snapshot().memo(("trv_client", client_id), load)

    def _signing_key(self, create: bool = False) -> str | None:
        key = self.store.cached_setting(SIGNING_KEY_SETTING)
        if key or not create:
            return key
        return ensure_signing_key(self.store)

    def _claims(self, token: str) -> dict | None:
        """The claims of a token this sandbox signed and has not revoked (its client exists, it was issued after
        the client's not-before); None for any other token. The expiry is checked against the sandbox clock by
        the caller."""
        key = self._signing_key()
        claims = _verified(key, token) if key else None
        if claims is None:
            return None
        not_before = (self.store.cached_setting(NOT_BEFORE_SETTING) or {}).get(claims["client_id"], 0)
        if claims[ISSUED_CLAIM] < not_before or self._client(claims["client_id"]) is None:
            return None
        return claims

    def _token(self, token: str):
        """A static bearer token's row, held per process until tokens change (an unknown token is looked up
        again each time: it may have been added since). The column holds digests: a digest sent is no token."""
        if digests.is_digest(token):
            return None

        def load():
            with self.store.connect() as connection:
                return connection.execute(select(tables.trv_tokens).where(tables.trv_tokens.c.token == token)).first()
        return self.store.snapshot().memo(("trv_token", token), load)

    def client_of(self, token: str) -> str | None:
        """The client a bearer token was issued to (None for the static sandbox tokens and unknown tokens)."""
        if _looks_like_jwt(token):
            claims = self._claims(token)
            return None if claims is None else claims["client_id"]
        row = self._token(token)
        return None if row is None else row.client_id

    def _groups(self) -> dict[str, str]:
        """Every group id and its external ref, held per process until groups change."""
        def load():
            with self.store.connect() as connection:
                return dict(connection.execute(select(tables.trv_groups.c.id, tables.trv_groups.c.external_ref)).all())
        return self.store.snapshot().memo("trv_groups", load)

    def authenticate(self, authorization: str | None) -> Principal:
        """`Authorization: Bearer <token>`, the scheme matched case-insensitively (the docs write `bearer`)."""
        if authorization is None or not authorization.strip():
            raise errors.missing_authorization()
        parts = authorization.split()
        if len(parts) != 2 or parts[0].lower() != "bearer":
            raise errors.invalid_authorization()
        token = parts[1]
        if _looks_like_jwt(token):  # issued: its signature, its client's not-before, its expiry
            claims = self._claims(token)
            if claims is None:
                raise errors.invalid_authorization()
            if claims["exp"] <= calendar.timegm(self.clock.now().timetuple()):
                raise errors.expired_token()
            return Principal(token=token, group_ids=frozenset(claims["groups"]), client_id=claims["client_id"])
        row = self._token(token)  # a static sandbox token
        if row is None:
            raise errors.invalid_authorization()
        if row.always_expired or (row.expires_at is not None and row.expires_at <= self.clock.now()):
            raise errors.expired_token()
        return Principal(token=row.token, group_ids=frozenset(row.group_ids), client_id=row.client_id)

    # -- Find Leases ------------------------------------------------------------------------------

    def find_leases(self, principal: Principal, search: LeaseSearch, page: PageRequest) -> dict:
        leases, units = tables.trv_leases, tables.trv_units
        groups = self._scope(principal, search)
        if not groups:  # a group outside the token's scope looks exactly like a group without leases
            raise errors.no_leases()
        conditions = _conditions(search)
        if not groups >= set(self._groups()):  # a filter on every group there is would only slow the count
            conditions.insert(0, leases.c.group_id.in_(sorted(groups)))
        source = leases.join(units, units.c.id == leases.c.unit_id) if _needs_units(search) else leases
        with self.store.read() as connection:
            result, count = _paginate(connection, source, conditions, page)
            if count == 0:
                raise errors.no_leases()
            data = _serialise(connection, result.rows)
        return {"data": data, "pagination": {
            "count": count,
            "next_cursor": result.next_cursor.encode() if result.next_cursor else None,
            "previous_cursor": result.previous_cursor.encode() if result.previous_cursor else None,
        }}

    def _scope(self, principal: Principal, search: LeaseSearch) -> set[str]:
        """The groups to search: the token's, narrowed by group_ids or group_external_refs when given."""
        groups = set(principal.group_ids)
        if search.group_ids is not None:
            groups &= set(search.group_ids)
        if search.group_external_refs is not None:
            wanted = set(search.group_external_refs)
            groups &= {group for group, ref in self._groups().items() if ref in wanted}
        return groups


def _address(value: dict) -> list:
    conditions = []
    for name, part in value.items():
        if name in NUMERIC_ADDRESS_FIELDS:
            conditions.append(tables.trv_units.c[name] == part)
        else:  # case-insensitive exact match (SQLite's lower() folds ASCII letters only)
            conditions.append(func.lower(tables.trv_units.c[name]) == func.lower(part))
    return conditions


def _on_lease(column: str) -> Callable[[object], list]:
    return lambda value: [tables.trv_leases.c[column] == value]


# How each search parameter filters: its conditions, and whether they are on the lease's unit (a join). The group
# parameters narrow the token's scope instead (TravtusBackend._scope). The spec's x-search-parameter names,
# LeaseSearch's fields and these are one list, checked at start-up (check_search_parameters).
_FILTERS: dict[str, tuple[Callable[[object], list], bool]] = {
    "identifier": (_on_lease("identifier"), False),
    "start_date": (_on_lease("start_date"), False),
    "end_date": (_on_lease("end_date"), False),
    "move_in_date": (_on_lease("move_in_date"), False),
    "unit_identifier": (_on_lease("unit_id"), False),
    "unit_external_ref": (lambda value: [tables.trv_units.c.external_ref == value], True),
    "address": (_address, True),
}
_SCOPING = frozenset({"group_ids", "group_external_refs"})


def check_search_parameters(spec: Spec) -> None:
    """A search parameter the spec adds without a LeaseSearch field would answer 500 when sent; one without a filter
    would be ignored. Either is a start-up error."""
    in_spec = {p.name for p in spec.operation("find_leases").parameters if p.extensions.get("x-search-parameter")}
    in_search = {field.name for field in fields(LeaseSearch)}
    filtered = set(_FILTERS) | _SCOPING
    if not in_spec == in_search == filtered:
        raise RuntimeError(f"travtus: the spec's x-search-parameter names {sorted(in_spec)}, LeaseSearch's fields "
                           f"{sorted(in_search)} and the filters {sorted(filtered)} differ")


def _conditions(search: LeaseSearch) -> list:
    """Exact match on every search parameter given (group scoping is applied separately)."""
    conditions = []
    for name, (condition, _) in _FILTERS.items():
        value = getattr(search, name)
        if value is not None:
            conditions.extend(condition(value))
    return conditions


def _needs_units(search: LeaseSearch) -> bool:
    return any(on_unit and getattr(search, name) is not None for name, (_, on_unit) in _FILTERS.items())


def _page_query(conditions):
    leases, units = tables.trv_leases, tables.trv_units
    return (select(leases, units.c.external_ref.label("unit_external_ref"),
                   *[units.c[name] for name in ADDRESS_FIELDS])
            .select_from(leases.join(units, units.c.id == leases.c.unit_id)).where(*conditions))


def _paginate(connection, source, conditions, page: PageRequest) -> tuple[Page, int]:
    """One page in seq order and the count of every match, in one statement. With a cursor: a keyset seek
    (WHERE seq > / < position), never an OFFSET scan from the start; `offset` then skips records after the
    position. Without a cursor: offset/limit. Whether records lie on the other side of the cursor (the
    previous page going forwards, the next one going backwards) is an EXISTS in the same statement."""
    seq = tables.trv_leases.c.seq
    size = page.size
    cursor = page.cursor
    backwards = cursor is not None and cursor.direction == "before"
    where = list(conditions)
    if cursor is not None:
        where.append(seq < cursor.seq if backwards else seq > cursor.seq)

    def matching(*more):
        return select(tables.trv_leases.c.seq).select_from(source).where(*conditions, *more).correlate(None)

    total = select(func.count()).select_from(source).where(*conditions).correlate(None).scalar_subquery()
    extra = [total.label("total_count")]
    if cursor is not None:
        extra.append(exists(matching(seq >= cursor.seq if backwards else seq <= cursor.seq)).label("beyond"))
    query = _page_query(where).add_columns(*extra).order_by(seq.desc() if backwards else seq).limit(size + 1)
    if page.offset:  # past SQLite's integer range there is nothing to skip to anyway
        query = query.offset(min(page.offset, Cursor.END))
    rows = connection.execute(query).all()
    if not rows:
        # Only when offset or a cursor points past the records (or nothing matches): "previous" is then the
        # last page.
        count = connection.execute(select(func.count()).select_from(source).where(*conditions)).scalar_one()
        if backwards:
            return Page([], Cursor("after", 0), None), count
        return Page([], None, Cursor("before", Cursor.END)), count
    count = rows[0].total_count
    # Records skipped by offset lie between the cursor and the page: the other side is not empty.
    beyond = bool(page.offset) or (cursor is not None and bool(rows[0].beyond))
    more = len(rows) > size  # one more record beyond the page, in the direction of travel
    rows = rows[:size]
    if backwards:
        rows.reverse()
    first, last = rows[0].seq, rows[-1].seq
    if backwards:
        has_next, has_previous = beyond, more
    else:
        has_next = more
        has_previous = (page.offset > 0) if cursor is None else beyond
    return Page(rows, Cursor("after", last) if has_next else None,
                Cursor("before", first) if has_previous else None), count


def _serialise(connection, rows) -> list[dict]:
    """The spec's Lease objects, tenants in their recorded order (one query for the whole page)."""
    tenants: dict[int, list[dict]] = {row.seq: [] for row in rows}
    if rows:
        link, person = tables.trv_lease_tenants, tables.trv_persons
        query = (select(link.c.lease_seq, person.c.id, person.c.external_ref)
                 .join(person, person.c.id == link.c.person_id)
                 .where(link.c.lease_seq.in_(list(tenants)))
                 .order_by(link.c.lease_seq, link.c.position))
        for lease_seq, person_id, external_ref in connection.execute(query):
            tenants[lease_seq].append({"tenant_id": person_id, "tenant_external_ref": external_ref})
    return [{
        "identifier": row.identifier,
        "start_date": row.start_date.isoformat(),
        "end_date": _iso(row.end_date),
        "move_in_date": _iso(row.move_in_date),
        "landlord_id": row.landlord_id,
        "tenants": tenants[row.seq],
        "unit_id": row.unit_id,
        "unit_external_ref": row.unit_external_ref,  # the reference says unit_external_reference: FIDELITY
        "address": {name: getattr(row, name) for name in ADDRESS_FIELDS},
        "is_furnished": bool(row.is_furnished),
        "minimum_days_notice": row.minimum_days_notice,
        "deposit": float(row.deposit),
        "rent": float(row.rent),
    } for row in rows]


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _jwt(client_id: str, group_ids: tuple[str, ...], now: datetime, key: str) -> str:
    """A Cognito-shaped access token signed with the sandbox's key; exp/iat on the sandbox clock, read as UTC. The
    groups it may read travel in it (as they were when it was issued), with the real time it was issued at."""
    issued = calendar.timegm(now.timetuple())
    claims = {"sub": client_id, "token_use": "access", "scope": JWT_SCOPE, "auth_time": issued, "iss": JWT_ISSUER,
              "exp": issued + TOKEN_LIFETIME, "iat": issued, "version": 2, "jti": str(uuid.uuid4()),
              "client_id": client_id, "groups": list(group_ids), ISSUED_CLAIM: time.time_ns()}
    return jwt.encode(claims, key, algorithm="HS256", headers={"kid": "travtus-sandbox"})


def _looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


@functools.lru_cache(maxsize=4096)
def _verified(key: str, token: str) -> dict | None:
    """The claims of a token signed with `key` (HS256 only, the claims authorization needs present); None for any
    other. The expiry is the sandbox clock's, not the time PyJWT would read: checked by the caller."""
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"], issuer=JWT_ISSUER,
                            options={"require": _CLAIMS, "verify_exp": False, "verify_iat": False,
                                     "verify_nbf": False})
    except jwt.InvalidTokenError:
        return None
    if not (isinstance(claims["client_id"], str) and isinstance(claims["groups"], list)
            and isinstance(claims[ISSUED_CLAIM], int) and isinstance(claims["exp"], int)):
        return None
    return claims


def ensure_signing_key(store: Store) -> str:
    """The sandbox's token signing key: made once (a random secret, never logged) and kept in settings."""
    with store.begin() as connection:  # (BEGIN IMMEDIATE: two processes asking at once make one key)
        key = connection.execute(select(tables.settings.c.value)
                                 .where(tables.settings.c.key == SIGNING_KEY_SETTING)).scalar()
        if not key:
            key = secrets.token_urlsafe(48)
            connection.execute(tables.settings.insert().values(key=SIGNING_KEY_SETTING, value=key))
            # Tokens issued before tokens were signed were rows, kept for ever: none of them works any more.
            connection.execute(tables.trv_tokens.delete().where(tables.trv_tokens.c.client_id.is_not(None)))
    return key


def revoke_tokens(connection, client_ids) -> None:
    """Every token issued to these clients until now stops working (401 invalid_authorization): their not-before
    moves to now. In the caller's transaction (a reset of those clients)."""
    revoked = _not_before(connection)
    now = time.time_ns()
    revoked.update({client_id: now for client_id in client_ids})
    _set_not_before(connection, revoked)


def forget_clients(connection, client_ids) -> None:
    """Clients that are gone need no not-before (their tokens fail anyway: no such client)."""
    revoked = _not_before(connection)
    if any(client_id in revoked for client_id in client_ids):
        _set_not_before(connection, {c: ns for c, ns in revoked.items() if c not in set(client_ids)})


def _not_before(connection) -> dict:
    value = connection.execute(select(tables.settings.c.value).where(tables.settings.c.key == NOT_BEFORE_SETTING)).scalar()
    return dict(value or {})


def _set_not_before(connection, revoked: dict) -> None:
    connection.execute(tables.settings.delete().where(tables.settings.c.key == NOT_BEFORE_SETTING))
    connection.execute(tables.settings.insert().values(key=NOT_BEFORE_SETTING, value=revoked))
