"""Leasey state and rules: authentication, and the reports computed from the normalized tables (no Flask)."""

from __future__ import annotations

import hmac
from collections import defaultdict
from datetime import date, datetime
from functools import cached_property, lru_cache

from sqlalchemy import case, exists, func, or_, select

from .. import store as t
from ..clock import Clock
from ..spec import Spec
from ..store import Store
from . import errors
from .catalog import Catalog
from .listings import ListingWriter

LISTING_URL = "https://app.leasey.ai/listing/{slug}"
_IN_LIST_MAX = 2_000  # longer id lists are replaced by the company's own properties (a superset)


class LeaseyBackend:
    def __init__(self, store: Store, clock: Clock, spec: Spec):
        self.store = store
        self.clock = clock
        self.spec = spec
        self.catalog = Catalog(spec)
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
        expected = self.store.get_setting("leasey_api_token") or ""
        if len(token) != len(expected):
            raise errors.unauthorized(errors.TOKEN_LENGTH_MISMATCH, debug={
                "token_received_length": len(token), "token_expected_length": len(expected)})
        if not hmac.compare_digest(token.encode(), expected.encode()):
            raise errors.unauthorized(errors.TOKEN_INVALID)

    def authenticate_company(self, company_id: int, password: str):
        """Level 2, after company_id and the password's presence were checked: exists, password, admin."""
        with self.store.connect() as connection:
            company = None
            if -(2**31) <= company_id < 2**31:  # ids are 32-bit: a larger one cannot name a company
                company = connection.execute(select(t.companies).where(t.companies.c.id == company_id)).first()
            if company is None:
                raise errors.unauthorized(errors.COMPANY_NOT_FOUND.format(id=company_id))
            if not hmac.compare_digest(password.encode(), company.api_password.encode()):
                raise errors.unauthorized(errors.PASSWORD_INVALID)
            has_admin = connection.execute(select(exists().where(
                t.users.c.company_id == company_id, t.users.c.is_admin.is_(True)))).scalar()
        if not has_admin:
            raise errors.bad_request(errors.NO_ADMIN.format(id=company_id))
        return company

    # -- reports (section 4) ------------------------------------------------------------------

    def get_showings_report(self, company, start: datetime | None, end: datetime | None) -> list[dict]:
        s, lead, person, app, member = t.showings, t.leads, t.persons, t.applications, t.team_members
        query = (
            select(s, member.c.first_name.label("tm_first"), member.c.last_name.label("tm_last"),
                   t.roles.c.name.label("role"), lead.c.source, lead.c.note, lead.c.person_id,
                   person.c.first_name, person.c.last_name, person.c.email, person.c.phone,
                   app.c.id.label("application_id"), app.c.status.label("application_status"), app.c.rating,
                   app.c.tenancy_application_status, app.c.approval_status)
            .join(member, member.c.id == s.c.team_member_id)
            .outerjoin(t.roles, t.roles.c.id == member.c.role_id)
            .outerjoin(lead, lead.c.id == s.c.lead_id)
            .outerjoin(person, person.c.id == lead.c.person_id)
            .outerjoin(app, app.c.lead_id == lead.c.id)
            .where(s.c.company_id == company.id)
            .order_by(s.c.starts_at, s.c.id)
        )
        rows, facts = self._rows_with_facts(_within(query, s.c.starts_at, start, end), company)
        report = []
        for row in rows:
            f = facts[row.property_id]
            has_lead = row.person_id is not None
            report.append({
                "Property_Name": f["Property_Name"], "Unit_Name": f["Unit_Name"], "Unit_Address": f["Unit_Address"],
                "Unit_ID": f["Unit_ID"], "Property_ID": f["Property_ID"], "Unit_Type": f["Unit_Type"],
                "Unit_status": f["Unit_Status"], "Unit_publish_status": f["Unit_Publish_Status"],
                "Vacancy_Status": f["Vacancy_Status"], "Rental_Space": f["Rental_Space"],
                "Lease_Term": f["Lease_Term"], "Suite_Number": f["Suite_Number"], "Rent_Amount": f["Rent_Amount"],
                "Parking_Stalls": f["Parking_Stalls"], "Bedrooms": f["Bedrooms"], "Bathrooms": f["Bathrooms"],
                "Square_Footage": f["Square_Footage"], "Max_Occupancy": f["Max_Occupancy"],
                "Furnishing": f["Furnishing"], "Country": f["Country"], "Days_listed": f["Days_Listed"],
                "Storage": f["Storage"], "Date_start": _timestamp(row.starts_at), "Date_end": _timestamp(row.ends_at),
                "Showing_Status": row.status, "TeamMember": f"{row.tm_first} {row.tm_last}",
                "TeamMemberRol": row.role or "Team Member", "Lead_source": row.source or "Unknown",
                "Showing_Feedback": row.feedback,
                "Person_ID": row.person_id, "Application_ID": row.application_id,
                "Lead_Name": f"{row.first_name} {row.last_name}" if has_lead else None,
                "Lead_First_Name": row.first_name, "Lead_Last_Name": row.last_name,
                "Lead_Email": row.email, "Lead_Phone": row.phone,
                "Application_Status": row.application_status, "Applicant_Rating": row.rating,
                "Tenancy_Application_Status": row.tenancy_application_status,
                "Lead_Approval_Status": row.approval_status, "Lead_Note": row.note,
            })
        return report

    def _leads_query(self, company_id: int, start: datetime | None, end: datetime | None):
        lead, person, app = t.leads, t.persons, t.applications
        query = (
            select(lead, person.c.first_name, person.c.last_name, person.c.email, person.c.phone,
                   app.c.id.label("application_id"), app.c.applicant_id, app.c.status.label("application_status"),
                   app.c.rating, app.c.tenancy_application_status, app.c.approval_status, app.c.sent_at,
                   app.c.received_at)
            .join(person, person.c.id == lead.c.person_id)
            .join(app, app.c.lead_id == lead.c.id)
            .where(lead.c.company_id == company_id)
        )
        return _within(query, lead.c.created_at, start, end)

    def get_leads_report(self, company, start: datetime | None, end: datetime | None) -> list[dict]:
        query = self._leads_query(company.id, start, end).order_by(t.leads.c.created_at, t.leads.c.id)
        rows, facts = self._rows_with_facts(query, company)
        report = []
        for row in rows:
            f = facts[row.property_id]
            report.append({
                "Application_ID": row.application_id, "Applicant_ID": row.applicant_id, "Person_ID": row.person_id,
                "Lead_Name": f"{row.first_name} {row.last_name}", "Lead_First_Name": row.first_name,
                "Lead_Last_Name": row.last_name, "Lead_Email": row.email or "", "Lead_Phone": row.phone or "",
                "Application_Status": row.application_status, "Applicant_Rating": row.rating or 0,
                "Tenancy_Application_Status": row.tenancy_application_status or "Not Started",
                "Lead_Approval_Status": row.approval_status or "Pending",
                "Unit_Name": f["Unit_Name"], "Property_Name": f["Property_Name"], "Unit_Address": f["Unit_Address"],
                "Full_Address": f["Full_Address"], "Unit_City": f["City"], "Unit_Province": f["Province_State"],
                "Unit_Publish_Status": f["Unit_Publish_Status"], "Vacancy_Status": f["Vacancy_Status"],
                "Rent_Amount": f["Rent_Amount"], "Rent_Payment_Frequency": f["Rent_Payment_Frequency"],
                "Lease_Type": f["Lease_Term"], "Bedrooms": f["Bedrooms"], "Bathrooms": f["Bathrooms"],
                "Furnishing": f["Furnishing"], "Lead_Source": row.source, "Lead_Note": row.note,
                "Lead_Date_Created": _timestamp(row.created_at),
                "Application_Sent_Date": _timestamp(row.sent_at), "Application_Received_Date": _timestamp(row.received_at),
            })
        return report

    def list_property_leads(self, company, start, end, property_uuid: str | None, limit: int) -> list[dict]:
        query = (self._leads_query(company.id, start, end)
                 .add_columns(t.properties.c.uuid, t.properties.c.name.label("unit_name"),
                              t.buildings.c.name.label("building_name"))
                 .join(t.properties, t.properties.c.id == t.leads.c.property_id)
                 .outerjoin(t.buildings, t.buildings.c.id == t.properties.c.building_id)
                 .order_by(t.leads.c.created_at.desc(), t.leads.c.id.desc())
                 .limit(limit))
        if property_uuid is not None:
            query = query.where(t.properties.c.uuid == property_uuid)
        with self.store.connect() as connection:
            rows = connection.execute(query).all()
        return [{
            "Person_ID": row.person_id, "Application_ID": row.application_id,
            "Lead_Name": f"{row.first_name} {row.last_name}", "Lead_First_Name": row.first_name,
            "Lead_Last_Name": row.last_name, "Lead_Email": row.email or "", "Lead_Phone": row.phone,
            "Application_Status": row.application_status, "Lead_Source": row.source,
            "Lead_Date_Created": _timestamp(row.created_at), "Property_ID": row.uuid,
            "Property_Name": row.building_name or row.unit_name, "Unit_Name": row.unit_name,
        } for row in rows]

    def get_properties_report(self, company) -> list[dict]:
        fields = self._property_row_fields
        with self.store.connect() as connection:
            facts = self._property_facts(connection, company, None, detail=True)
        return [{name: f[name] for name in fields} for f in facts.values()]

    @cached_property
    def _property_row_fields(self) -> list[str]:
        return list(self.spec.component("PropertyReportRow")["properties"])

    # -- derived property facts, shared by the three reports ------------------------------------

    def _rows_with_facts(self, query, company) -> tuple[list, dict[int, dict]]:
        """The report's rows and the facts the showings and leads rows carry of every property they reference,
        in one connection."""
        with self.store.connect() as connection:
            rows = connection.execute(query).all()
            return rows, self._property_facts(connection, company, {row.property_id for row in rows}, detail=False)

    def _property_facts(self, connection, company, property_ids: set[int] | None, detail: bool) -> dict[int, dict]:
        """Every report field of each property, derived by query. `None`: all of the company's properties.
        Without `detail`, only what the showings and leads reports carry (no counts of leads, applications and
        showings, no amenities, photos or contact)."""
        if property_ids is not None and not property_ids:
            return {}
        p, b = t.properties, t.buildings
        today = self.clock.now().date()
        columns = [p, b.c.name.label("building_name")]
        if detail:
            columns += [t.users.c.first_name.label("owner_first"), t.users.c.last_name.label("owner_last"),
                        t.users.c.email.label("owner_email"), t.users.c.phone.label("owner_phone")]
        query = select(*columns).outerjoin(b, b.c.id == p.c.building_id)
        if detail:
            query = query.outerjoin(t.users, t.users.c.id == p.c.owner_user_id)
        query = query.where(p.c.company_id == company.id).order_by(p.c.id)
        if property_ids is not None and len(property_ids) <= _IN_LIST_MAX:
            query = query.where(p.c.id.in_(sorted(property_ids)))
        rows = [row for row in connection.execute(query) if property_ids is None or row.id in property_ids]
        # The properties as a condition: the id list when it is short, else the company's (a superset; SQLite
        # bounds the number of bound values, and a long IN list costs more than the company's index).
        ids = [row.id for row in rows]
        company_ids = select(p.c.id).where(p.c.company_id == company.id).scalar_subquery()

        def among(column):
            return column.in_(ids) if len(ids) <= _IN_LIST_MAX else column.in_(company_ids)

        published = set(connection.execute(select(t.property_marketplaces.c.property_id).where(
            among(t.property_marketplaces.c.property_id), t.property_marketplaces.c.enabled.is_(True))).scalars())
        active_leases = self._active_leases(connection, among, today)
        facts = {}
        for row in rows:
            active = row.status == "Active"
            suite = row.suite_unit or ""
            full_address = ", ".join(x for x in (
                f"{suite}-{row.address}" if suite else row.address, row.city, row.province_state,
                row.postal_code, row.country) if x)
            facts[row.id] = {
                "Property_ID": row.id, "Unit_ID": row.unit_id, "Property_URL_Slug": row.slug,
                "Property_Name": row.building_name or row.name, "Unit_Name": row.name,
                "Unit_Address": row.address, "Full_Address": full_address,
                "Unit_Type": self.catalog.label(row.unit_type),
                "Unit_Status": row.status,
                "Unit_Publish_Status": "Published" if active and row.id in published else "Unpublished",
                "Rental_Space": self.catalog.label(row.rental_space),
                "Lease_Term": self.catalog.label(row.renewal_frequency),
                "Rent_Payment_Frequency": self.catalog.label(row.rent_payment_frequency),
                "Suite_Number": suite, "City": row.city, "Province_State": row.province_state,
                "Postal_Code": row.postal_code or "", "Country": row.country,
                "Days_Listed": _days_listed(row.marketing_start, row.marketing_end, today),
                "Marketing_Start": _date(row.marketing_start), "Marketing_End": _date(row.marketing_end),
                "Date_Available": _date(row.date_available),
                "Rent_Amount": row.rent_amount,
                "Rent_Market": row.rent_market if company.market_rent_enabled else None,
                "Parking_Stalls": row.parking_stalls or 0, "Bedrooms": row.bedrooms, "Bathrooms": row.bathrooms,
                "Square_Footage": row.size_sqft, "Max_Occupancy": row.max_occupancy,
                "Furnishing": self.catalog.furnishing_labels[row.furnishing],
                "Storage": self.catalog.storage_labels[row.storage_available],
                "Vacancy_Status": "Occupied" if active_leases.get(row.id) else "Vacant",
                "Description": row.description, "Latitude": row.latitude, "Longitude": row.longitude,
                "Listing_URL": LISTING_URL.format(slug=row.slug) if active else None,
            }
        if detail:
            self._add_detail(connection, company, rows, among, active_leases, facts)
        return facts

    def _add_detail(self, connection, company, rows, among, active_leases: dict, facts: dict) -> None:
        """The properties report's own fields: counts and their buckets, amenities, photos and contact."""
        counts = self._counts(connection, company.id, among)
        features = defaultdict(list)
        for row in connection.execute(select(t.property_features).where(
                among(t.property_features.c.property_id), t.property_features.c.value == 1)
                .order_by(t.property_features.c.feature_id)):
            features[row.property_id].append(self.catalog.features[row.feature_id])
        photos = defaultdict(list)
        for row in connection.execute(select(t.property_photos).where(among(t.property_photos.c.property_id))
                                      .order_by(t.property_photos.c.position)):
            photos[row.property_id].append(row.url)
        amenities = defaultdict(list)
        building_ids = {row.building_id for row in rows if row.building_id}
        for row in connection.execute(select(t.building_amenities).where(
                t.building_amenities.c.building_id.in_(building_ids), t.building_amenities.c.value == 1)
                .order_by(t.building_amenities.c.amenity_id)):
            amenities[row.building_id].append(self.catalog.building_amenities[row.amenity_id])
        bucket = self._bucket
        for row in rows:
            c = counts[row.id]
            leases = active_leases.get(row.id, 0)
            building_amenities = amenities.get(row.building_id, []) if row.building_id else []
            contact_name = " ".join(x for x in (row.contact_first_name, row.contact_last_name) if x) or None
            owner_name = " ".join(x for x in (row.owner_first, row.owner_last) if x) or None
            phone = (f"{row.contact_dial_code or ''}{row.contact_phone}" if row.contact_phone
                     else row.owner_phone)
            facts[row.id].update({
                "Lead_Status": bucket("LeadStatus", c["leads"]), "Lead_Count": c["leads"],
                "Applicant_Status": bucket("ApplicantStatus", c["applicants"]),
                "Applicant_Count": c["applicants"],
                "Lease_Status": bucket("LeaseStatus", leases),
                "Lease_Count": leases, "Total_Applications": c["applications"],
                "Showings_Disqualified": c["Disqualified"], "Showings_Scheduled": c["Scheduled"],
                "Showings_Confirmed": c["Confirmed"], "Showings_Cancelled": c["Cancelled"],
                "Showings_Total": c["showings"],
                "Contact_Name": contact_name or owner_name,
                "Contact_Email": row.contact_email or row.owner_email or _routed_inbox(row.slug),
                "Contact_Phone": phone,
                "Images": photos.get(row.id, [])[:10],
                "Unit_Amenities": features.get(row.id, []), "Unit_Amenities_Count": len(features.get(row.id, [])),
                "Building_Amenities": building_amenities, "Building_Amenities_Count": len(building_amenities),
            })

    @cached_property
    def _bucket(self):
        """Catalog.bucket, memoised: it reads the spec's schema on every call."""
        return lru_cache(maxsize=4096)(self.catalog.bucket)

    def _active_leases(self, connection, among, today: date) -> dict[int, int]:
        le = t.leases
        return dict(connection.execute(
            select(le.c.property_id, func.count(le.c.id))
            .where(among(le.c.property_id), le.c.start_date <= today,
                   or_(le.c.end_date.is_(None), le.c.end_date >= today))
            .group_by(le.c.property_id)).all())

    def _counts(self, connection, company_id: int, among) -> dict[int, dict]:
        statuses = self.catalog.enum("ShowingStatus")
        counts = defaultdict(lambda: dict.fromkeys(
            ["leads", "applications", "applicants", "showings", *statuses], 0))
        lead, app = t.leads, t.applications
        first_status = self.catalog.enum("ApplicationStatus")[0]
        for row in connection.execute(
                select(lead.c.property_id, func.count(lead.c.id).label("leads"),
                       func.sum(case((app.c.status != first_status, 1), else_=0)).label("applications"),
                       func.sum(case((app.c.received_at.is_not(None), 1), else_=0)).label("applicants"))
                .join(app, app.c.lead_id == lead.c.id)
                .where(lead.c.company_id == company_id, among(lead.c.property_id))
                .group_by(lead.c.property_id)):
            counts[row.property_id].update(leads=row.leads, applications=int(row.applications or 0),
                                           applicants=int(row.applicants or 0))
        s = t.showings
        for row in connection.execute(
                select(s.c.property_id, s.c.status, func.count(s.c.id).label("n"))
                .where(s.c.company_id == company_id, among(s.c.property_id))
                .group_by(s.c.property_id, s.c.status)):
            counts[row.property_id][row.status] = row.n
            counts[row.property_id]["showings"] += row.n
        return counts


def _within(query, column, start: datetime | None, end: datetime | None):
    """Inclusive bounds ("on or after", "on or before"); a missing bound is open."""
    if start is not None:
        query = query.where(column >= start)
    if end is not None:
        query = query.where(column <= end)
    return query


def _timestamp(value: datetime | None) -> str | None:
    return value.replace(microsecond=0).isoformat() if value is not None else None


def _date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _days_listed(start: date | None, end: date | None, today: date) -> int:
    if start is None:
        return 0
    return max(0, ((min(end, today) if end else today) - start).days)


def _routed_inbox(slug: str) -> str:
    return f"{slug}@inbox.leasey.ai"
