"""Leasey state and rules: authentication, and the reports computed from the normalized tables (no Flask)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import cached_property

from sqlalchemy import bindparam, exists, select

from .. import digests
from .. import store as tables
from ..clock import Clock
from ..spec import Spec
from ..store import Store
from . import errors
from .catalog import Catalog
from .listings import ListingWriter
from .reports import Reports, timestamp


class LeaseyBackend:
    def __init__(self, store: Store, clock: Clock, spec: Spec):
        self.store = store
        self.clock = clock
        self.spec = spec
        self.catalog = Catalog(spec)
        self.reports = Reports(spec, self.catalog, store.engine.dialect.name)
        self.listings = ListingWriter(self)

    # -- authentication (section 2) -----------------------------------------------------------

    def check_token(self, authorization: str | None, query_token: str | None) -> None:
        """Level 1. The Bearer prefix is required; `?token=` is the documented debugging fallback."""
        token = None
        if authorization and authorization.startswith("Bearer "):
            token = authorization[len("Bearer "):].strip()
        if not token and query_token:
            token = query_token
        if not token:
            raise errors.unauthorized(errors.TOKEN_MISSING)
        expected = self.store.cached_setting("leasey_api_token") or {"digest": "", "length": 0}  # digests.py
        if len(token) != expected["length"]:
            raise errors.unauthorized(errors.TOKEN_LENGTH_MISMATCH, debug={
                "token_received_length": len(token), "token_expected_length": expected["length"]})
        if not digests.matches(token, expected["digest"], digests.LEASEY_API_TOKEN):
            raise errors.unauthorized(errors.TOKEN_INVALID)

    def authenticate_company(self, company_id: int, password: str):
        """Level 2, after company_id and the password's presence were checked: exists, password, admin."""
        company, has_admin = self._company(company_id) or (None, False)
        if company is None:
            raise errors.unauthorized(errors.COMPANY_NOT_FOUND.format(id=company_id))
        if not digests.matches(password, company.api_password, digests.COMPANY_PASSWORD):
            raise errors.unauthorized(errors.PASSWORD_INVALID)
        if not has_admin:
            raise errors.bad_request(errors.NO_ADMIN.format(id=company_id))
        return company

    def _company(self, company_id: int) -> tuple | None:
        """The company row and whether it has an admin, held per process until companies or users change."""
        if not -(2**31) <= company_id < 2**31:  # ids are 32-bit: a larger one cannot name a company
            return None

        def load():
            with self.store.connect() as connection:
                company = connection.execute(select(tables.companies).where(tables.companies.c.id == company_id)).first()
                if company is None:
                    return None
                return company, connection.execute(select(exists().where(
                    tables.users.c.company_id == company_id, tables.users.c.is_admin.is_(True)))).scalar()
        return self.store.snapshot().memo(("leasey_company", company_id), load)

    # -- reports (section 4): one statement each (reports.py) ---------------------------------------

    def report_rows(self, report: str, company, start: datetime | None = None, end: datetime | None = None):
        """The report's rows as the database yields them (a generator: the connection stays open until it ends)."""
        today = self.clock.now().date()
        with self.store.read() as connection:
            yield from self.reports.rows(connection, report, company, today, start, end)

    def get_showings_report(self, company, start: datetime | None, end: datetime | None) -> Iterator[dict]:
        return self.report_rows("showings", company, start, end)

    def get_leads_report(self, company, start: datetime | None, end: datetime | None) -> Iterator[dict]:
        return self.report_rows("leads", company, start, end)

    def get_properties_report(self, company) -> Iterator[dict]:
        return self.report_rows("properties", company)

    @cached_property
    def _property_leads_statements(self) -> dict:
        return {}

    def list_property_leads(self, company, start, end, property_uuid: str | None, limit: int) -> list[dict]:
        key = (start is not None, end is not None, property_uuid is not None)
        query = self._property_leads_statements.get(key)
        if query is None:
            lead, person, app = tables.leads, tables.persons, tables.applications
            query = (select(lead.c.person_id, lead.c.source, lead.c.created_at, person.c.first_name,
                            person.c.last_name, person.c.email, person.c.phone, app.c.id.label("application_id"),
                            app.c.status.label("application_status"), tables.properties.c.uuid,
                            tables.properties.c.name.label("unit_name"), tables.buildings.c.name.label("building_name"))
                     .select_from(lead)
                     .join(person, person.c.id == lead.c.person_id)
                     .join(app, app.c.lead_id == lead.c.id)
                     .join(tables.properties, tables.properties.c.id == lead.c.property_id)
                     .outerjoin(tables.buildings, tables.buildings.c.id == tables.properties.c.building_id)
                     .where(lead.c.company_id == bindparam("company_id"))
                     .order_by(lead.c.created_at.desc(), lead.c.id.desc())
                     .limit(bindparam("limit")))
            if key[0]:
                query = query.where(lead.c.created_at >= bindparam("start"))
            if key[1]:
                query = query.where(lead.c.created_at <= bindparam("end"))
            if key[2]:
                query = query.where(tables.properties.c.uuid == bindparam("uuid"))
            self._property_leads_statements[key] = query
        params = {"company_id": company.id, "limit": limit, "start": start, "end": end, "uuid": property_uuid}
        with self.store.read() as connection:
            rows = connection.execute(query, {k: v for k, v in params.items() if v is not None or k == "limit"}).all()
        return [{
            "Person_ID": row.person_id, "Application_ID": row.application_id,
            "Lead_Name": f"{row.first_name} {row.last_name}", "Lead_First_Name": row.first_name,
            "Lead_Last_Name": row.last_name, "Lead_Email": row.email or "", "Lead_Phone": row.phone,
            "Application_Status": row.application_status, "Lead_Source": row.source,
            "Lead_Date_Created": timestamp(row.created_at), "Property_ID": row.uuid,
            "Property_Name": row.building_name or row.unit_name, "Unit_Name": row.unit_name,
        } for row in rows]
