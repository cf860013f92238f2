"""The request journal: the last N partner-API requests, masked, shared by every server process."""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy import delete, func, insert, select

from ..store import Store
from . import masking
from .tables import journal

BODY_LIMIT = 65_536
_SECRET_IN_TEXT = re.compile(
    r'("(?:{})"\s*:\s*)"(?:[^"\\]|\\.)*"?'.format("|".join(sorted(masking.SECRET_FIELDS))), re.IGNORECASE)


class Journal:
    def __init__(self, store: Store, capacity: int):
        self.store = store
        self.capacity = capacity

    def record(self, entry: dict) -> None:
        """Store one entry (already masked) and forget the ones beyond capacity."""
        if self.capacity <= 0:
            return
        with self.store.begin() as connection:
            new_id = connection.execute(insert(journal).values(
                api=entry["api"], method=entry["method"], path=entry["path"], status=entry["status"],
                company_id=entry["company_id"], client_id=entry["client_id"], entry=entry)).inserted_primary_key[0]
            if new_id % 50 == 0:  # trim now and then: entries() reads only the newest `capacity` anyway
                connection.execute(delete(journal).where(journal.c.id <= new_id - self.capacity))

    def entries(self, api=None, path=None, method=None, status=None, company_id=None, client_id=None,
                limit=100) -> list[dict]:
        query = select(journal.c.id, journal.c.path, journal.c.entry).order_by(journal.c.id.desc())
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
        with self.store.connect() as connection:
            for row in connection.execute(query):
                if glob and not fnmatch.fnmatchcase(row.path, path):
                    continue
                found.append({"id": row.id, **row.entry})
                if len(found) == limit:
                    break
        return found

    def clear(self) -> None:
        with self.store.begin() as connection:
            connection.execute(delete(journal))


def body(raw: bytes, mimetype: str | None) -> tuple[Any, bool]:
    """A request or response body as recorded: parsed and masked when JSON or a form, text otherwise."""
    if not raw:
        return None, False
    truncated = len(raw) > BODY_LIMIT
    if mimetype == "application/json" and not truncated:
        try:
            return masking.fields(json.loads(raw)), False
        except ValueError:
            pass
    if mimetype == "application/x-www-form-urlencoded" and not truncated:
        form: dict[str, Any] = {}
        for key, value in parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True):
            value = masking.MASK if key.lower() in masking.SECRET_FIELDS else value
            form[key] = [*form[key], value] if isinstance(form.get(key), list) else (
                [form[key], value] if key in form else value)
        return form, False
    # Text (or JSON cut short): secret-named JSON members and form fields are masked in place.
    text = _SECRET_IN_TEXT.sub(r'\1"***"', raw[:BODY_LIMIT].decode("utf-8", "replace"))
    if mimetype == "application/x-www-form-urlencoded" or "=" in text:
        text = re.sub(r"(?i)(^|&)({})=[^&]*".format("|".join(sorted(masking.SECRET_FIELDS))), r"\1\2=***", text)
    return text, truncated
