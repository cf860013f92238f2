"""The three Leasey reports (section 4), each one SQL statement built once, its rows shaped by the spec.

Every report row is a property's facts (names, address, labels, vacancy, publish status, days listed) plus the
report's own values (a showing and its lead, a lead and its application, a property's counts and lists). The
database computes the joins, counts, buckets' inputs and lists (correlated subqueries, grouped joins and JSON
aggregates); Python only turns stored values into labels. Which values a row carries, and in which order, is
the spec's row schema (`ShowingReportRow`, `LeadReportRow`, `PropertyReportRow`); the few fields the document
spells differently from the facts they show are in ALIASES. A spec field no source produces stops start-up.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from functools import cached_property

import orjson
from sqlalchemy import Date, DateTime, Integer, Text, bindparam, case, cast, exists, func, literal_column, or_, select

from .. import store as tables
from .catalog import Catalog

LISTING_URL = "https://app.leasey.ai/listing/{slug}"
# Report field -> the fact it shows, where the document names it differently in one report.
ALIASES = {"Unit_status": "Unit_Status", "Unit_publish_status": "Unit_Publish_Status", "Days_listed": "Days_Listed",
           "Lease_Type": "Lease_Term", "Unit_City": "City", "Unit_Province": "Province_State"}
PROPERTY_FACTS = (
    "Property_ID", "Unit_ID", "Property_URL_Slug", "Property_Name", "Unit_Name", "Unit_Address", "Full_Address",
    "Unit_Type", "Unit_Status", "Unit_Publish_Status", "Rental_Space", "Lease_Term", "Rent_Payment_Frequency",
    "Suite_Number", "City", "Province_State", "Postal_Code", "Country", "Days_Listed", "Marketing_Start",
    "Marketing_End", "Date_Available", "Rent_Amount", "Rent_Market", "Parking_Stalls", "Bedrooms", "Bathrooms",
    "Square_Footage", "Max_Occupancy", "Furnishing", "Storage", "Vacancy_Status", "Description", "Latitude",
    "Longitude", "Listing_URL")
SHOWING_VALUES = (
    "Date_start", "Date_end", "Showing_Status", "TeamMember", "TeamMemberRol", "Lead_source", "Showing_Feedback",
    "Person_ID", "Application_ID", "Lead_Name", "Lead_First_Name", "Lead_Last_Name", "Lead_Email", "Lead_Phone",
    "Application_Status", "Applicant_Rating", "Tenancy_Application_Status", "Lead_Approval_Status", "Lead_Note")
LEAD_VALUES = (
    "Application_ID", "Applicant_ID", "Person_ID", "Lead_Name", "Lead_First_Name", "Lead_Last_Name", "Lead_Email",
    "Lead_Phone", "Application_Status", "Applicant_Rating", "Tenancy_Application_Status", "Lead_Approval_Status",
    "Lead_Source", "Lead_Note", "Lead_Date_Created", "Application_Sent_Date", "Application_Received_Date")
DETAIL_VALUES = (
    "Lead_Status", "Lead_Count", "Applicant_Status", "Applicant_Count", "Lease_Status", "Lease_Count",
    "Total_Applications", "Showings_Disqualified", "Showings_Scheduled", "Showings_Confirmed", "Showings_Cancelled",
    "Showings_Total", "Contact_Name", "Contact_Email", "Contact_Phone", "Images", "Unit_Amenities",
    "Unit_Amenities_Count", "Building_Amenities", "Building_Amenities_Count")
IMAGES_SHOWN = 10  # "Image URLs (up to 10, ordered)"
REPORT_OF = {"ShowingReportRow": "showings", "LeadReportRow": "leads", "PropertyReportRow": "properties"}


class Reports:
    def __init__(self, spec, catalog: Catalog, dialect: str):
        self.catalog = catalog
        self.dialect = dialect
        self.fields = {report: self._fields(spec, schema, own) for report, schema, own in (
            ("showings", "ShowingReportRow", SHOWING_VALUES), ("leads", "LeadReportRow", LEAD_VALUES),
            ("properties", "PropertyReportRow", DETAIL_VALUES))}
        self.showing_statuses = catalog.enum("ShowingStatus")
        self.first_application_status = catalog.enum("ApplicationStatus")[0]
        self._statements: dict = {}
        self._labels: dict[str, str] = {}
        self._sql: dict = {}
        self._buckets = {name: self._bucket_table(name) for name in ("LeadStatus", "ApplicantStatus", "LeaseStatus")}

    @staticmethod
    def _fields(spec, schema_name: str, own: tuple[str, ...]) -> list[tuple[str, str]]:
        """(wire name, source) for each field of the spec's row schema, in its order; checked at start-up."""
        known = (set(PROPERTY_FACTS) | set(own)) & (set(VALUES) | set(REPORT_VALUES[REPORT_OF[schema_name]]))
        fields = []
        for name in spec.component(schema_name)["properties"]:
            source = ALIASES.get(name, name)
            if source not in known:
                raise RuntimeError(f"leasey: {schema_name}.{name} is in the spec but no report value produces it")
            fields.append((name, source))
        return fields

    def _bucket_table(self, schema_name: str):
        bucket = self.catalog.bucket
        cache: dict[int, str] = {}

        def label(count: int) -> str:
            found = cache.get(count)
            if found is None:
                found = cache[count] = bucket(schema_name, count)
            return found
        return label

    # -- statements, built once per shape ------------------------------------------------------------

    def statement(self, report: str, has_start: bool = False, has_end: bool = False):
        key = (report, has_start, has_end)
        built = self._statements.get(key)
        if built is None:
            built = self._statements[key] = getattr(self, f"_{report}_statement")(has_start, has_end)
        return built

    def _property_columns(self, p, b) -> list:
        """A property's stored facts plus what is derived by query: published anywhere, active leases today."""
        marketplaces, leases = tables.property_marketplaces, tables.leases
        today = bindparam("today", type_=Date)
        published = exists().where(marketplaces.c.property_id == p.c.id, marketplaces.c.enabled.is_(True))
        active_leases = (select(func.count()).select_from(leases)
                         .where(leases.c.property_id == p.c.id, leases.c.start_date <= today,
                                or_(leases.c.end_date.is_(None), leases.c.end_date >= today))
                         .scalar_subquery())
        return [p.c.id.label("p_id"), p.c.unit_id.label("p_unit_id"), p.c.slug.label("p_slug"),
                p.c.name.label("p_name"), b.c.name.label("p_building_name"), p.c.address.label("p_address"),
                p.c.suite_unit.label("p_suite_unit"), p.c.city.label("p_city"),
                p.c.province_state.label("p_province_state"), p.c.postal_code.label("p_postal_code"),
                p.c.country.label("p_country"), p.c.unit_type.label("p_unit_type"), p.c.status.label("p_status"),
                p.c.rental_space.label("p_rental_space"), p.c.renewal_frequency.label("p_renewal_frequency"),
                p.c.rent_payment_frequency.label("p_rent_payment_frequency"),
                p.c.marketing_start.label("p_marketing_start"), p.c.marketing_end.label("p_marketing_end"),
                p.c.date_available.label("p_date_available"), p.c.rent_amount.label("p_rent_amount"),
                p.c.rent_market.label("p_rent_market"), p.c.parking_stalls.label("p_parking_stalls"),
                p.c.bedrooms.label("p_bedrooms"), p.c.bathrooms.label("p_bathrooms"),
                p.c.size_sqft.label("p_size_sqft"), p.c.max_occupancy.label("p_max_occupancy"),
                p.c.furnishing.label("p_furnishing"), p.c.storage_available.label("p_storage_available"),
                p.c.description.label("p_description"), p.c.latitude.label("p_latitude"),
                p.c.longitude.label("p_longitude"), published.label("p_published"),
                active_leases.label("p_active_leases")]

    @staticmethod
    def _window(query, column, has_start: bool, has_end: bool):
        """Inclusive bounds ("on or after", "on or before"); a missing bound is open."""
        if has_start:
            query = query.where(column >= bindparam("start", type_=DateTime))
        if has_end:
            query = query.where(column <= bindparam("end", type_=DateTime))
        return query

    def _showings_statement(self, has_start: bool, has_end: bool):
        s, lead, person, app, member = (tables.showings, tables.leads, tables.persons, tables.applications,
                                        tables.team_members)
        p, b = tables.properties, tables.buildings
        query = (
            select(*self._property_columns(p, b),
                   s.c.starts_at, s.c.ends_at, s.c.status, s.c.feedback,
                   member.c.first_name.label("tm_first"), member.c.last_name.label("tm_last"),
                   tables.roles.c.name.label("role"), lead.c.source, lead.c.note, lead.c.person_id,
                   person.c.first_name, person.c.last_name, person.c.email, person.c.phone,
                   app.c.id.label("application_id"), app.c.status.label("application_status"), app.c.rating,
                   app.c.tenancy_application_status, app.c.approval_status)
            .select_from(s)
            .join(p, p.c.id == s.c.property_id)
            .outerjoin(b, b.c.id == p.c.building_id)
            .join(member, member.c.id == s.c.team_member_id)
            .outerjoin(tables.roles, tables.roles.c.id == member.c.role_id)
            .outerjoin(lead, lead.c.id == s.c.lead_id)
            .outerjoin(person, person.c.id == lead.c.person_id)
            .outerjoin(app, app.c.lead_id == lead.c.id)
            .where(s.c.company_id == bindparam("company_id", type_=Integer))
            .order_by(s.c.starts_at, s.c.id)
        )
        return self._window(query, s.c.starts_at, has_start, has_end)

    def _leads_statement(self, has_start: bool, has_end: bool):
        lead, person, app = tables.leads, tables.persons, tables.applications
        p, b = tables.properties, tables.buildings
        query = (
            select(*self._property_columns(p, b),
                   lead.c.person_id, lead.c.source, lead.c.note, lead.c.created_at,
                   person.c.first_name, person.c.last_name, person.c.email, person.c.phone,
                   app.c.id.label("application_id"), app.c.applicant_id, app.c.status.label("application_status"),
                   app.c.rating, app.c.tenancy_application_status, app.c.approval_status, app.c.sent_at,
                   app.c.received_at)
            .select_from(lead)
            .join(person, person.c.id == lead.c.person_id)
            .join(app, app.c.lead_id == lead.c.id)
            .join(p, p.c.id == lead.c.property_id)
            .outerjoin(b, b.c.id == p.c.building_id)
            .where(lead.c.company_id == bindparam("company_id", type_=Integer))
            .order_by(lead.c.created_at, lead.c.id)
        )
        return self._window(query, lead.c.created_at, has_start, has_end)

    def _properties_statement(self, _has_start: bool, _has_end: bool):
        p, b, users = tables.properties, tables.buildings, tables.users
        lead, app, s = tables.leads, tables.applications, tables.showings
        company_id = bindparam("company_id", type_=Integer)
        lead_counts = (
            select(lead.c.property_id, func.count(lead.c.id).label("leads"),
                   func.sum(case((app.c.status != self.first_application_status, 1), else_=0)).label("applications"),
                   func.sum(case((app.c.received_at.is_not(None), 1), else_=0)).label("applicants"))
            .join(app, app.c.lead_id == lead.c.id)
            .where(lead.c.company_id == company_id)
            .group_by(lead.c.property_id)
        ).subquery("lead_counts")
        showing_counts = (
            select(s.c.property_id, func.count(s.c.id).label("showings"),
                   *[func.sum(case((s.c.status == status, 1), else_=0)).label(f"status_{index}")
                     for index, status in enumerate(self.showing_statuses)])
            .where(s.c.company_id == company_id)
            .group_by(s.c.property_id)
        ).subquery("showing_counts")
        features, photos, amenities = tables.property_features, tables.property_photos, tables.building_amenities
        return (
            select(*self._property_columns(p, b),
                   users.c.first_name.label("owner_first"), users.c.last_name.label("owner_last"),
                   users.c.email.label("owner_email"), users.c.phone.label("owner_phone"),
                   p.c.contact_first_name, p.c.contact_last_name, p.c.contact_email, p.c.contact_phone,
                   p.c.contact_dial_code, p.c.building_id,
                   lead_counts.c.leads, lead_counts.c.applications, lead_counts.c.applicants,
                   showing_counts.c.showings,
                   *[showing_counts.c[f"status_{index}"] for index in range(len(self.showing_statuses))],
                   self._json_list(features.c.feature_id, features.c.property_id == p.c.id,
                                   features.c.value == 1, order=features.c.feature_id).label("feature_ids"),
                   self._json_list(photos.c.url, photos.c.property_id == p.c.id,
                                   order=photos.c.position).label("photo_urls"),
                   self._json_list(amenities.c.amenity_id, amenities.c.building_id == p.c.building_id,
                                   amenities.c.value == 1, order=amenities.c.amenity_id).label("amenity_ids"))
            .select_from(p)
            .outerjoin(b, b.c.id == p.c.building_id)
            .outerjoin(users, users.c.id == p.c.owner_user_id)
            .outerjoin(lead_counts, lead_counts.c.property_id == p.c.id)
            .outerjoin(showing_counts, showing_counts.c.property_id == p.c.id)
            .where(p.c.company_id == company_id)
            .order_by(p.c.id)
        )

    def _json_list(self, column, *where, order):
        """The values of `column` in the rows `where` selects, in `order`, as one JSON array text."""
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import aggregate_order_by

            aggregate = func.coalesce(func.json_agg(aggregate_order_by(column, order)),
                                      literal_column("'[]'::json"))
            return select(cast(aggregate, Text)).where(*where).scalar_subquery()  # text, as SQLite gives it
        # SQLite (3.40 has no ORDER BY inside an aggregate): every list here is read along the primary key
        # (property_id or building_id, then the order column), which yields the rows in that order.
        ordered = select(column.label("value")).where(*where).order_by(order).correlate(
            tables.properties).subquery()
        return select(func.json_group_array(ordered.c.value)).scalar_subquery()

    # -- rows ----------------------------------------------------------------------------------------

    def rows(self, connection, report: str, company, today: date, start: datetime | None = None,
             end: datetime | None = None) -> Iterator[dict]:
        """The report's rows, in order, as the rows come from the database (nothing held but one batch)."""
        rows = self._execute(connection, report, company, today, start, end)
        make = self._makers[report]
        context = (today, bool(company.market_rent_enabled))
        return (make(row, context) for row in rows)

    def _execute(self, connection, report: str, company, today: date, start, end):
        """The statement's rows as the driver gives them (tuples in batches: no result objects, no type
        conversions; the row functions read dates as the driver returns them)."""
        values = {"company_id": company.id, "today": today, "start": start, "end": end}
        sql, binds = self._compiled(report, start is not None, end is not None, connection.dialect)
        params = {name: process(values[name] if name in values else default) if process else
                  (values[name] if name in values else default) for name, default, process in binds}
        if connection.dialect.positional:
            params = [params[name] for name, _, _ in binds]
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(1000):
                yield from batch
        finally:
            cursor.close()

    def _compiled(self, report: str, has_start: bool, has_end: bool, dialect) -> tuple[str, list]:
        """The statement's SQL for this dialect, and its bound values in order: (name, default, bind processor)."""
        key = (report, has_start, has_end, dialect.name)
        found = self._sql.get(key)
        if found is None:
            compiled = self.statement(report, has_start, has_end).compile(dialect=dialect)
            defaults = compiled.construct_params(_check=False)
            names = compiled.positiontup if dialect.positional else list(compiled.binds)
            binds = [(name, defaults.get(name), compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
                     for name in names]
            found = self._sql[key] = (compiled.string, binds)
        return found

    @cached_property
    def _makers(self) -> dict:
        """Per report, one function from a database row to the wire row: a dict literal in the spec's field
        order, each value the expression of its source in VALUES (generated once: no per-field dispatch)."""
        namespace = {
            "label": self._label, "furnishing": self.catalog.furnishing_labels, "storage": self.catalog.storage_labels,
            "features": self.catalog.features, "amenities": self.catalog.building_amenities,
            "bucket": self._buckets, "loads": orjson.loads, "iso": _iso, "timestamp": timestamp,
            "days_listed": days_listed, "listing_url": LISTING_URL,
            "shown": IMAGES_SHOWN, "statuses": self.showing_statuses,
        }
        makers = {}
        for report, fields in self.fields.items():
            # Columns by position: a Row's item access is C, its attribute access a Python call per field.
            index = {column.key: number for number, column in enumerate(self.statement(report).selected_columns)}

            def positional(expression: str, index=index) -> str:
                return re.sub(r"\br\.(\w+)", lambda found: f"r[{index[found[1]]}]", expression)

            used = {source for _, source in fields}
            values = {**VALUES, **REPORT_VALUES[report]}
            prelude = [f"    {positional(line)}" for names, lines in PRELUDES.items() if used & set(names)
                       for line in lines]
            body = ",\n".join(f"        {name!r}: {positional(values[source])}" for name, source in fields)
            code = (f"def make_{report}(r, context):\n    today, market_rent = context\n" + "\n".join(prelude)
                    + f"\n    return {{\n{body}\n    }}\n")
            scope = {**namespace, "status_columns": [(status, index[f"status_{number}"]) for number, status
                                                     in enumerate(self.showing_statuses) if f"status_{number}" in index],
                     "full_address": _full_address_at(index)}
            exec(compile(code, f"<leasey {report} row>", "exec"), scope)  # noqa: S102 - our own table
            makers[report] = scope[f"make_{report}"]
        return makers

    def _label(self, value: str) -> str:
        found = self._labels.get(value)
        if found is None:
            found = self._labels[value] = self.catalog.label(value)
        return found


# The expression of each report value over a row `r` of the report's statement (see the statements above).
VALUES = {
    # a property's facts: every report
    "Property_ID": "r.p_id", "Unit_ID": "r.p_unit_id", "Property_URL_Slug": "r.p_slug",
    "Property_Name": "r.p_building_name or r.p_name", "Unit_Name": "r.p_name", "Unit_Address": "r.p_address",
    "Full_Address": "full_address(r)", "Unit_Type": "label(r.p_unit_type)", "Unit_Status": "r.p_status",
    "Unit_Publish_Status": "'Published' if r.p_status == 'Active' and r.p_published else 'Unpublished'",
    "Rental_Space": "label(r.p_rental_space)", "Lease_Term": "label(r.p_renewal_frequency)",
    "Rent_Payment_Frequency": "label(r.p_rent_payment_frequency)", "Suite_Number": "r.p_suite_unit or ''",
    "City": "r.p_city", "Province_State": "r.p_province_state", "Postal_Code": "r.p_postal_code or ''",
    "Country": "r.p_country", "Days_Listed": "days_listed(r.p_marketing_start, r.p_marketing_end, today)",
    "Marketing_Start": "iso(r.p_marketing_start)", "Marketing_End": "iso(r.p_marketing_end)",
    "Date_Available": "iso(r.p_date_available)", "Rent_Amount": "r.p_rent_amount",
    "Rent_Market": "r.p_rent_market if market_rent else None", "Parking_Stalls": "r.p_parking_stalls or 0",
    "Bedrooms": "r.p_bedrooms", "Bathrooms": "r.p_bathrooms", "Square_Footage": "r.p_size_sqft",
    "Max_Occupancy": "r.p_max_occupancy", "Furnishing": "furnishing[r.p_furnishing]",
    "Storage": "storage[r.p_storage_available]", "Vacancy_Status": "'Occupied' if r.p_active_leases else 'Vacant'",
    "Description": "r.p_description", "Latitude": "r.p_latitude", "Longitude": "r.p_longitude",
    "Listing_URL": "listing_url.format(slug=r.p_slug) if r.p_status == 'Active' else None",
    # a showing and its lead
    "Date_start": "timestamp(r.starts_at)", "Date_end": "timestamp(r.ends_at)", "Showing_Status": "r.status",
    "TeamMember": "f'{r.tm_first} {r.tm_last}'", "TeamMemberRol": "r.role or 'Team Member'",
    "Lead_source": "r.source or 'Unknown'", "Showing_Feedback": "r.feedback",
    # a lead and its application (the showings report's lead columns are the same, null without a lead)
    "Person_ID": "r.person_id", "Application_ID": "r.application_id", "Applicant_ID": "r.applicant_id",
    "Lead_First_Name": "r.first_name", "Lead_Last_Name": "r.last_name",
    "Application_Status": "r.application_status", "Lead_Source": "r.source", "Lead_Note": "r.note",
    "Lead_Date_Created": "timestamp(r.created_at)", "Application_Sent_Date": "timestamp(r.sent_at)",
    "Application_Received_Date": "timestamp(r.received_at)",
    # a property's counts and lists: the properties report
    "Lead_Status": "bucket['LeadStatus'](leads)", "Lead_Count": "leads",
    "Applicant_Status": "bucket['ApplicantStatus'](applicants)", "Applicant_Count": "applicants",
    "Lease_Status": "bucket['LeaseStatus'](leases)", "Lease_Count": "leases",
    "Total_Applications": "int(r.applications or 0)", "Showings_Disqualified": "by_status.get('Disqualified', 0)",
    "Showings_Scheduled": "by_status.get('Scheduled', 0)", "Showings_Confirmed": "by_status.get('Confirmed', 0)",
    "Showings_Cancelled": "by_status.get('Cancelled', 0)", "Showings_Total": "r.showings or 0",
    "Contact_Name": "' '.join(x for x in (r.contact_first_name, r.contact_last_name) if x) "
                    "or ' '.join(x for x in (r.owner_first, r.owner_last) if x) or None",
    "Contact_Email": "r.contact_email or r.owner_email or f'{r.p_slug}@inbox.leasey.ai'",
    "Contact_Phone": "f\"{r.contact_dial_code or ''}{r.contact_phone}\" if r.contact_phone else r.owner_phone",
    "Images": "loads(r.photo_urls or '[]')[:shown]", "Unit_Amenities": "unit_amenities",
    "Unit_Amenities_Count": "len(unit_amenities)", "Building_Amenities": "building_amenities",
    "Building_Amenities_Count": "len(building_amenities)",
}
# Values that differ between the showings and the leads report though they share a name.
REPORT_VALUES = {
    "showings": {"Lead_Name": "f'{r.first_name} {r.last_name}' if r.person_id is not None else None",
                 "Lead_Email": "r.email", "Lead_Phone": "r.phone", "Applicant_Rating": "r.rating",
                 "Tenancy_Application_Status": "r.tenancy_application_status",
                 "Lead_Approval_Status": "r.approval_status"},
    "leads": {"Lead_Name": "f'{r.first_name} {r.last_name}'", "Lead_Email": "r.email or ''",
              "Lead_Phone": "r.phone or ''", "Applicant_Rating": "r.rating or 0",
              "Tenancy_Application_Status": "r.tenancy_application_status or 'Not Started'",
              "Lead_Approval_Status": "r.approval_status or 'Pending'"},
    "properties": {},
}
# Locals a report's row function computes first, when it carries a value that needs them.
PRELUDES = {
    ("Lead_Status", "Lead_Count", "Applicant_Status", "Applicant_Count", "Lease_Status", "Lease_Count",
     "Showings_Disqualified", "Showings_Scheduled", "Showings_Confirmed", "Showings_Cancelled"): [
        "leads = r.leads or 0", "applicants = int(r.applicants or 0)", "leases = r.p_active_leases or 0",
        "by_status = {status: int(r[i] or 0) for status, i in status_columns}"],
    ("Unit_Amenities", "Unit_Amenities_Count", "Building_Amenities", "Building_Amenities_Count"): [
        "unit_amenities = [features[i] for i in loads(r.feature_ids or '[]')]",
                       "building_amenities = ([amenities[i] for i in loads(r.amenity_ids or '[]')] "
                       "if r.building_id else [])"],
}


def _full_address_at(index: dict):
    """The full address of a row whose columns are at `index`: [suite-]address, city, province, postal code,
    country, the empty ones left out."""
    suite_at, address_at = index["p_suite_unit"], index["p_address"]
    rest = [index[name] for name in ("p_city", "p_province_state", "p_postal_code", "p_country")]

    def full_address(r) -> str:
        suite = r[suite_at] or ""
        first = f"{suite}-{r[address_at]}" if suite else r[address_at]
        return ", ".join(x for x in (first, *(r[i] for i in rest)) if x)
    return full_address


# Dates and times as the driver returns them: objects (psycopg), or the text SQLAlchemy stored them as in
# SQLite ('2026-05-01', '2026-05-01 10:00:00.000000').

def timestamp(value: datetime | str | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return f"{value[:10]}T{value[11:19]}"
    return value.replace(microsecond=0).isoformat()


def _iso(value: date | str | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def _day(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def days_listed(start: date | str | None, end: date | str | None, today: date) -> int:
    if start is None:
        return 0
    start = _day(start)
    return max(0, ((min(_day(end), today) if end else today) - start).days)
