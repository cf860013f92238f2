"""The request journal: the last N partner-API requests, masked, shared by every server process.

Off the request path: a request hands its facts to this process's writer thread (a bounded queue) and is
answered; the writer masks them and inserts whatever has queued up in one transaction, at once when idle and
batched under load, so no partner request waits for (or takes) the database's write lock for its journal
entry. Reads and clears first wait for this process's queue and give the other processes' writers the
settle time, so a request answered before a read is in it. Tenant use is recorded the same way.
"""

from __future__ import annotations

import atexit
import fnmatch
import logging
import os
import queue
import re
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

import orjson
from sqlalchemy import delete, func, insert, select, update

from .. import jsonbody
from ..store import Store
from . import masking
from .tables import journal
from .tables import tenants as tenant_table

BODY_LIMIT = 65_536
QUEUE_LIMIT = 10_000  # entries waiting for the writer; beyond it new ones are dropped (and counted)
BATCH_LIMIT = 500
FLUSH_SECONDS = 0.1  # a batch is written at most this long after its first entry was queued
CHECKPOINT_IDLE_SECONDS = 1.0  # a writer this long without entries checkpoints and truncates the SQLite WAL
CHECKPOINT_EVERY_SECONDS = 5.0  # and under load at least this often
CHECKPOINT_BUSY_SECONDS = 0.1  # what a checkpoint waits for readers and writers before it gives up until next time
SETTLE_SECONDS = 0.15  # what a read waits for other processes' writers (a batch interval and its write)
log = logging.getLogger("mock_server.journal")
# A member named like a secret, in JSON text as orjson writes it (where none is, a body needs no masking walk).
_SECRET_KEY = re.compile(r'"(?:{})"\s*:'.format("|".join(sorted(masking.SECRET_FIELDS))).encode(), re.IGNORECASE)
_SECRET_IN_TEXT = re.compile(
    r'("(?:{})"\s*:\s*)"(?:[^"\\]|\\.)*"?'.format("|".join(sorted(masking.SECRET_FIELDS))), re.IGNORECASE)


@dataclass(slots=True)
class Pending:
    """A request's facts as the request thread captured them; masked and shaped by the writer."""

    at: str
    sandbox_time: str
    api: str
    method: str
    path: str
    query: dict
    status: int
    latency_ms: float
    company_id: int | None
    client_id: str | None
    request_headers: list
    request_body: bytes
    request_mimetype: str | None
    response_body: Any  # the JSON value sent, or the raw bytes, or None (dropped)
    response_mimetype: str | None
    response_size: int
    fault: str | None
    finished_ns: int = 0
    response_raw: bytes | None = None  # the JSON value's bytes as sent: a scan for secret names, not a walk

    def entry(self, patterns: tuple[re.Pattern, re.Pattern] = masking.BY_SHAPE) -> dict:
        """The entry as stored: secrets masked by name (fields, headers) and, wherever they appear, by value
        (`patterns`: masking.KnownSecrets)."""
        text, raw = patterns
        request_body, request_cut = body(self.request_body, self.request_mimetype, text)
        if isinstance(self.response_body, bytes) or self.response_body is None:
            response_body, response_cut = body(self.response_body or b"", self.response_mimetype, text)
        elif self.response_size > BODY_LIMIT:  # as body() would: the text, cut, with secrets masked in place
            response_body, response_cut = body(orjson.dumps(self.response_body), self.response_mimetype, text)
        elif self.response_raw is not None and not _SECRET_KEY.search(self.response_raw) \
                and not raw.search(self.response_raw):
            response_body, response_cut = self.response_body, False  # no secret in it by name or value: as sent
        else:
            response_body, response_cut = masking.values(masking.fields(self.response_body), text), False
        return {
            "at": self.at, "sandbox_time": self.sandbox_time, "api": self.api, "method": self.method,
            "path": text.sub(masking.MASK, self.path), "query": masking.values(masking.fields(self.query), text),
            "status": self.status, "latency_ms": self.latency_ms, "company_id": self.company_id,
            "client_id": self.client_id,
            "request_headers": masking.values(masking.headers(self.request_headers), text),
            "request_body": request_body, "response_body": response_body, "truncated": request_cut or response_cut,
            "fault": self.fault,
        }


class Journal:
    def __init__(self, store: Store, capacity: int, secrets: masking.KnownSecrets | None = None):
        self.store = store
        self.secrets = secrets or masking.KnownSecrets(store)
        self.capacity = capacity
        self.dropped = 0  # entries refused because the queue was full
        self._queue: queue.Queue = queue.Queue(maxsize=QUEUE_LIMIT)
        self._unwritten = 0  # queued or being written
        self._idle = threading.Condition()
        self._writer_pid: int | None = None
        self._start_lock = threading.Lock()
        self._hurry = threading.Event()  # write the batch now: a reader or shutdown is waiting for it
        self._checkpoints = WalCheckpoints(store)
        atexit.register(self.flush)

    # -- writing ----------------------------------------------------------------------------------

    def record(self, pending: Pending) -> None:
        """Queue one request's entry for this process's writer (never blocks the request)."""
        if self.capacity > 0:
            self._put(("entry", pending))

    def touch(self, tenant_id: str, at: datetime) -> None:
        """A tenant was used: its last use is written with the next batch."""
        self._put(("touch", (tenant_id, at)))

    def _put(self, item) -> None:
        self._ensure_writer()
        with self._idle:
            self._unwritten += 1
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self.dropped += 1
            self._written(1)

    def _ensure_writer(self) -> None:
        if self._writer_pid == os.getpid():
            return
        with self._start_lock:  # a forked worker starts its own (threads do not survive a fork)
            if self._writer_pid != os.getpid():
                if self._writer_pid is not None:  # inherited counters belong to the parent's queue
                    self._queue, self._unwritten = queue.Queue(maxsize=QUEUE_LIMIT), 0
                threading.Thread(target=self._run, name="journal-writer", daemon=True).start()
                self._writer_pid = os.getpid()

    def _run(self) -> None:
        while True:
            try:
                batch = [self._queue.get(timeout=CHECKPOINT_IDLE_SECONDS)]
            except queue.Empty:  # idle: the shared WAL back to nothing (whichever process wrote it)
                self._checkpoints.run()
                continue
            # Gather for up to FLUSH_SECONDS (unless a read or shutdown asks now): one wake-up and one transaction
            # per batch, not per request (a writer woken per request took the GIL from the requests each time).
            self._hurry.wait(FLUSH_SECONDS)
            self._hurry.clear()
            while len(batch) < BATCH_LIMIT:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._write(batch)
            except Exception:  # the journal must never take the server down; the batch is lost, and said so
                log.exception("journal: %d entries could not be written", len(batch))
            finally:
                self._written(len(batch))
            if self._checkpoints.due():  # under steady load too, when the readers let it
                self._checkpoints.run()

    def _written(self, count: int) -> None:
        with self._idle:
            self._unwritten -= count
            if self._unwritten <= 0:
                self._idle.notify_all()

    def _write(self, batch: list) -> None:
        patterns = self.secrets.patterns() if any(kind == "entry" for kind, _ in batch) else None
        entries = [(item.entry(patterns), item.finished_ns) for kind, item in batch if kind == "entry"]
        touches: dict[str, datetime] = {}
        for kind, item in batch:
            if kind == "touch":
                touches[item[0]] = item[1]
        with self.store.begin() as connection:
            if entries:
                connection.execute(insert(journal), [{
                    "api": e["api"], "method": e["method"], "path": _text(e["path"]), "status": e["status"],
                    "company_id": e["company_id"], "client_id": _text(e["client_id"]), "entry": e,
                    "finished_ns": finished} for e, finished in entries])
                newest = connection.execute(select(func.max(journal.c.id))).scalar()  # (of the writes)
                # trim now and then: entries() reads only the newest `capacity` anyway
                if newest % 50 < len(entries) or len(entries) >= 50:
                    connection.execute(delete(journal).where(journal.c.id <= newest - self.capacity))
            for tenant_id, at in touches.items():
                connection.execute(update(tenant_table).where(tenant_table.c.id == tenant_id)
                                   .values(last_used_at=at))

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything this process queued is written (graceful shutdown, reads)."""
        deadline = time.monotonic() + timeout
        self._hurry.set()
        with self._idle:
            while self._unwritten > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def settle(self) -> None:
        """Before a read or a clear: this process's entries written, the other processes' given their time."""
        self.flush()
        time.sleep(SETTLE_SECONDS)

    def entries(self, api=None, path=None, method=None, status=None, company_id=None, client_id=None,
                limit=100) -> list[dict]:
        query = select(journal.c.id, journal.c.path, journal.c.entry).order_by(
            journal.c.finished_ns.desc().nulls_last(), journal.c.id.desc())
        newest = select(func.max(journal.c.id)).scalar_subquery()
        query = query.where(journal.c.id > newest - self.capacity)
        for column, value in ((journal.c.api, api), (journal.c.method, method), (journal.c.status, status),
                              (journal.c.company_id, company_id), (journal.c.client_id, client_id)):
            if value is not None:
                query = query.where(column == value)
        glob = path is not None and any(ch in path for ch in "*?[")
        if path is not None and not glob:
            query = query.where(journal.c.path == path)
        found = []
        self.settle()
        with self.store.connect() as connection:
            for row in connection.execute(query):
                if glob and not fnmatch.fnmatchcase(row.path, path):
                    continue
                found.append({"id": row.id, **row.entry})
                if len(found) == limit:
                    break
        return found

    def clear(self) -> None:
        self.settle()
        with self.store.begin() as connection:
            connection.execute(delete(journal))


class WalCheckpoints:
    """Keeps a SQLite database's WAL small: SQLite's own checkpoints copy it into the database but cannot start it
    over while readers come and go, so under load it only grew (304 MB in a 3-minute soak) and never shrank. The
    journal writer of each process runs `wal_checkpoint(TRUNCATE)` when it has been idle for a second and at least
    every CHECKPOINT_EVERY_SECONDS under load, on a connection of its own that waits at most CHECKPOINT_BUSY_SECONDS
    for the readers and writers (a checkpoint they keep from finishing is simply tried again later)."""

    def __init__(self, store: Store):
        url = store.engine.url
        self.path = url.database if url.get_backend_name() == "sqlite" and not store.in_memory else None
        self._connection: sqlite3.Connection | None = None
        self._last = time.monotonic()

    def due(self) -> bool:
        return self.path is not None and time.monotonic() - self._last >= CHECKPOINT_EVERY_SECONDS

    def run(self) -> None:
        if self.path is None:
            return
        self._last = time.monotonic()
        try:
            if os.path.getsize(f"{self.path}-wal") == 0:
                return
            if self._connection is None:
                self._connection = sqlite3.connect(self.path, timeout=CHECKPOINT_BUSY_SECONDS, isolation_level=None,
                                                   check_same_thread=False)
            self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except (OSError, sqlite3.Error) as error:  # no WAL (yet), or busy: the next run tries again
            log.debug("journal: WAL checkpoint skipped: %s", error)


def _text(value: str | None) -> str | None:
    """A value for a text column: U+0000 (which PostgreSQL text cannot hold) shown as U+FFFD. The entry itself
    is JSON, where it is escaped."""
    return value.replace("\x00", "\ufffd") if value and "\x00" in value else value


def body(raw: bytes, mimetype: str | None, secrets: re.Pattern = masking.BY_SHAPE[0]) -> tuple[Any, bool]:
    """A request or response body as recorded: parsed and masked when JSON or a form, text otherwise; every known
    secret (`secrets`) masked wherever it is."""
    if not raw:
        return None, False
    truncated = len(raw) > BODY_LIMIT
    # A body nested deeper than jsonbody.MAX_DEPTH is malformed: recorded as text (parsed, it would recurse).
    if mimetype == "application/json" and not truncated and not jsonbody.too_deep(raw):
        try:
            return masking.values(masking.fields(orjson.loads(raw)), secrets), False
        except ValueError:
            pass
    if mimetype == "application/x-www-form-urlencoded" and not truncated:
        form: dict[str, Any] = {}
        for key, value in parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True):
            value = masking.MASK if key.lower() in masking.SECRET_FIELDS else value
            form[key] = [*form[key], value] if isinstance(form.get(key), list) else (
                [form[key], value] if key in form else value)
        return masking.values(form, secrets), False
    # Text (or JSON cut short, multipart): secret-named JSON members and form fields are masked in place, known
    # secrets wherever they are (before the cut, so that none is cut in half and kept).
    text = secrets.sub(masking.MASK, raw[:BODY_LIMIT + 1024].decode("utf-8", "replace"))[:BODY_LIMIT]
    text = _SECRET_IN_TEXT.sub(r'\1"***"', text)
    if mimetype == "application/x-www-form-urlencoded" or "=" in text:
        text = re.sub(r"(?i)(^|&)({})=[^&]*".format("|".join(sorted(masking.SECRET_FIELDS))), r"\1\2=***", text)
    return text, truncated
