"""Rows at fixed dates from a Leasey fixture company's `dated` section: leads (each with its person and
application) and showings that stay where the document's example queries look, whatever the sandbox clock says
(the generated portfolio moves with the clock; see mock_server/leasey/fixtures.py). Their ids are the last of the
company's id blocks (mock_server/leasey/ids.py), so they meet neither another company's rows nor a portfolio of up
to 9,900 rows.

Called for each company by the Leasey fixture loader once its portfolio is generated; `property` in a row is the
index of a generated property of that company, `lead` the index of a lead of the same section.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, select

from .. import store as tables
from .ids import DATED, application_of, block

SHOWING_MINUTES = 30


def dated_ids(company_id: int, kind: str) -> range:
    """The ids of the dated rows of one kind ("persons", "leads", "applications", "showings")."""
    return block(company_id, kind, DATED)


def _at(value) -> datetime | None:
    return value if isinstance(value, datetime) or value is None else datetime.fromisoformat(str(value))


def load_dated(connection, company: dict) -> None:
    dated = company.get("dated") or {}
    if not dated:
        return
    cid = company["id"]
    properties = tables.properties.c
    property_ids = connection.execute(
        select(properties.id).where(properties.company_id == cid).order_by(properties.id)).scalars().all()
    person_ids, lead_ids, showing_ids = (iter(dated_ids(cid, kind)) for kind in ("persons", "leads", "showings"))
    people, leads, applications = [], [], []
    for row in dated.get("leads", []):
        person_id, lead_id = next(person_ids), next(lead_ids)
        people.append({"id": person_id, "company_id": cid, "first_name": row["first_name"],
                       "last_name": row["last_name"], "email": row.get("email"), "phone": row.get("phone")})
        leads.append({"id": lead_id, "company_id": cid, "property_id": property_ids[row["property"]],
                      "person_id": person_id, "source": row["source"], "note": row.get("note"),
                      "created_at": _at(row["created_at"])})
        application = row.get("application") or {"status": "Lead"}
        applications.append({
            "id": application_of(lead_id), "lead_id": lead_id, "applicant_id": person_id,
            "status": application["status"], "rating": application.get("rating"),
            "tenancy_application_status": application.get("tenancy_application_status"),
            "approval_status": application.get("approval_status"), "sent_at": _at(application.get("sent_at")),
            "received_at": _at(application.get("received_at"))})
    showings = []
    for row in dated.get("showings", []):
        lead = leads[row["lead"]]
        starts = _at(row["starts_at"])
        showings.append({"id": next(showing_ids), "company_id": cid, "property_id": lead["property_id"],
                         "lead_id": lead["id"], "team_member_id": row["team_member_id"], "starts_at": starts,
                         "ends_at": _at(row.get("ends_at")) or starts + timedelta(minutes=SHOWING_MINUTES),
                         "status": row["status"], "feedback": row.get("feedback")})
    for table, rows in ((tables.persons, people), (tables.leads, leads), (tables.applications, applications),
                        (tables.showings, showings)):
        if rows:
            connection.execute(insert(table), rows)
