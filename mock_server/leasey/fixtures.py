"""Loads fixtures/leasey.yaml and generates each company's portfolio from one seeded random source.

Dates are placed relative to the sandbox clock: two years back, this year, and the coming months, so
the reports' default window (Jan 1 of the current year onwards) always has rows.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta

from sqlalchemy import insert

from .. import digests
from .. import store as tables
from ..spec import Spec
from .catalog import Catalog
from .dated import load_dated
from .ids import application_of, block


def load(connection, now: datetime, data: dict, spec: Spec) -> None:
    catalog = Catalog(spec)
    connection.execute(insert(tables.settings), [{"key": "leasey_api_token",
                                                  "value": digests.api_token_setting(data["api_token"])}])
    connection.execute(insert(tables.roles), [{"id": k, "name": v} for k, v in data["roles"].items()])
    for company in data["companies"]:
        load_company(connection, now, data, catalog, company)


def load_company(connection, now: datetime, data: dict, catalog: Catalog, company: dict) -> None:
    """Insert one company and its generated portfolio. Ids come from the company's own id blocks
    (mock_server/leasey/ids.py), so a company can be reloaded alone without touching the others."""
    cid = company["id"]
    connection.execute(insert(tables.companies).values(
        id=cid, name=company["name"], api_password=company["password"], country="Canada",
        daily_rate=company["daily_rate"], market_rent_enabled=company["market_rent_enabled"],
        use_custom_application_link=False, rental_application_url=None))
    person_ids = iter(block(cid, "user_persons"))
    for user in company["users"]:
        connection.execute(insert(tables.users).values(
            id=user["id"], company_id=cid, person_id=next(person_ids), first_name=user["first_name"],
            last_name=user["last_name"], email=user["email"], phone=user.get("phone"),
            is_admin=user.get("is_admin", False), is_primary_admin=user.get("is_primary_admin", False)))
    user_ids = iter(block(cid, "users"))
    for member in company["team_members"]:
        user_id = member.get("user_id")
        if user_id is None:  # a team member is always backed by a platform user
            user_id = next(user_ids)
            connection.execute(insert(tables.users).values(
                id=user_id, company_id=cid, person_id=next(person_ids), first_name=member["first_name"],
                last_name=member["last_name"], email=member["email"], is_admin=member.get("is_admin", False),
                is_primary_admin=False))
        connection.execute(insert(tables.team_members).values(
            id=member["id"], company_id=cid, user_id=user_id, person_id=next(person_ids),
            email=member["email"], first_name=member["first_name"], last_name=member["last_name"],
            role_id=member.get("role_id"), is_admin=member.get("is_admin", False),
            timezone=member.get("timezone")))
    for building in company["buildings"]:
        connection.execute(insert(tables.buildings).values(
            id=building["id"], company_id=cid, name=building["name"],
            number_of_units=building["number_of_units"]))
        amenities = building.get("amenities", {})
        if amenities:
            connection.execute(insert(tables.building_amenities), [
                {"building_id": building["id"], "amenity_id": int(k), "value": v} for k, v in amenities.items()])
    _generate_portfolio(connection, now, data, catalog, company)
    load_dated(connection, company)  # rows at the document's example dates (mock_server/leasey/dated.py)


def random_place(rng: random.Random, data: dict, highest_number: int = 999) -> dict:
    """A street address in one of the fixtures' cities, a few hundred metres around its centre."""
    city = rng.choice(data["cities"])
    return {"address": f"{rng.randint(10, highest_number)} {rng.choice(data['streets'])}", "city": city["city"],
            "province_state": city["province_state"],
            "postal_code": f"{city['postal_prefix']} {rng.randint(1, 9)}A{rng.randint(1, 9)}",
            "latitude": round(city["latitude"] + rng.uniform(-0.05, 0.05), 6),
            "longitude": round(city["longitude"] + rng.uniform(-0.05, 0.05), 6)}


def _generate_portfolio(connection, now: datetime, data: dict, catalog: Catalog, company: dict) -> None:
    plan = company["portfolio"]
    cid = company["id"]
    rng = random.Random(plan["seed"])
    today = now.date()
    member_ids = [m["id"] for m in company["team_members"]]
    buildings = company["buildings"]
    property_rows, feature_rows, photo_rows, restriction_rows, market_rows, lease_rows = [], [], [], [], [], []
    team_rows = []
    slugs: set[str] = set()
    property_ids = iter(block(cid, "properties"))
    unit_ids = iter(block(cid, "units"))
    primary_admin = next((u["id"] for u in company["users"] if u.get("is_primary_admin")), None)

    for index in range(plan["properties"]):
        pid = next(property_ids)
        building = buildings[index % (len(buildings) + 1)] if buildings and index % (len(buildings) + 1) < len(
            buildings) else None
        if building:
            place = {"address": building["address"], "city": building["city"],
                     "province_state": building["province_state"], "postal_code": building["postal_code"],
                     "latitude": building["latitude"], "longitude": building["longitude"]}
            suite = str(100 * (1 + index % 9) + index)
            name = f"Unit {suite}"
        else:
            place = random_place(rng, data)
            suite = None
            name = place["address"]
        slug = catalog.slug(name, suite, slugs)
        slugs.add(slug)
        archived = index % 7 == 6
        bedrooms = rng.choice([0.5, 1, 1, 2, 2, 3, 4])
        rent = float(rng.randrange(1200, 4200, 25))
        listed = today - timedelta(days=rng.randint(3, 700))
        created = datetime.combine(listed, datetime.min.time()) + timedelta(hours=9)
        property_rows.append({
            "id": pid, "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "unit_id": next(unit_ids),
            "company_id": cid, "building_id": building["id"] if building else None, "floorplan_id": None,
            "owner_user_id": primary_admin, "slug": slug, "name": name, "suite_unit": suite, **place,
            "country": plan["country"], "description": rng.choice(data["descriptions"]) if index % 5 else None,
            "date_available": today + timedelta(days=rng.randint(-30, 120)) if not archived else None,
            "rent_amount": rent,
            "rent_market": round(rent * rng.uniform(0.95, 1.1), -1) if company["market_rent_enabled"] else None,
            "security_deposit": rent, "rent_payment_frequency": "monthly",
            "renewal_frequency": rng.choice(catalog.enum("RenewalFrequency")),
            "unit_type": "apartment" if building else rng.choice(catalog.enum("UnitType")),
            "rental_space": "partial place" if index % 11 == 5 else "entire place",
            "bedrooms": bedrooms, "bathrooms": rng.choice([1, 1, 1.5, 2, 2.5]),
            "size_sqft": rng.randrange(400, 2400, 10), "max_occupancy": catalog.max_occupancy(bedrooms),
            "parking_stalls": rng.choice([0, 0, 1, 1, 2, None]),
            "furnishing": rng.choice(catalog.enum("Furnishing")),
            "storage_available": rng.choice(catalog.enum("StorageAvailable")),
            "rental_application_url": None,
            "contact_first_name": None, "contact_last_name": None, "contact_email": None, "contact_phone": None,
            "contact_dial_code": None, "contact_notify_email": None, "contact_notify_sms": None,
            "status": "Archived" if archived else "Active",
            "marketing_start": listed,
            "marketing_end": listed + timedelta(days=rng.randint(10, 90)) if archived else None,
            "created_at": created, "updated_at": created,
        })
        for feature_id in rng.sample(catalog.enum("FeatureId"), rng.randint(2, 9)):
            feature_rows.append({"property_id": pid, "feature_id": feature_id, "value": rng.choice([1, 1, 2])})
        for position in range(rng.randint(0 if index % 6 == 0 else 1, 12)):
            photo_rows.append({"property_id": pid, "position": position,
                               "url": f"https://cdn.sandbox.leasey.example/{cid}/{slug}/{position + 1}.jpg"})
        for restriction in rng.sample(catalog.enum("RestrictionId"), rng.randint(0, 3)):
            restriction_rows.append({"property_id": pid, "restriction_id": restriction})
        if not archived:
            free = [m for m, paid in catalog.marketplaces.items() if not paid]
            for marketplace in rng.sample(free, rng.randint(0 if index % 4 == 3 else 1, 4)):
                market_rows.append({"property_id": pid, "marketplace": marketplace, "enabled": True})
        for member_id in rng.sample(member_ids, min(len(member_ids), rng.randint(1, 2))) if member_ids else []:
            team_rows.append({"property_id": pid, "team_member_id": member_id})
        # Leases: some finished, about half of the units occupied now, a few signed for the future.
        if index % 2 == 0 and not archived:
            start = today - timedelta(days=rng.randint(30, 500))
            lease_rows.append({"property_id": pid, "start_date": start, "end_date": start + timedelta(days=730)})
        if index % 3 == 0:
            start = today - timedelta(days=rng.randint(800, 1200))
            lease_rows.append({"property_id": pid, "start_date": start, "end_date": start + timedelta(days=365)})
        if index % 10 == 1:
            start = today + timedelta(days=rng.randint(20, 90))
            lease_rows.append({"property_id": pid, "start_date": start, "end_date": start + timedelta(days=365)})

    if not property_rows:  # a company with no portfolio (a tenant may ask for none)
        return
    connection.execute(insert(tables.properties), property_rows)
    for table, rows in ((tables.property_features, feature_rows), (tables.property_photos, photo_rows),
                        (tables.property_restrictions, restriction_rows), (tables.property_marketplaces, market_rows),
                        (tables.property_team_members, team_rows), (tables.leases, lease_rows)):
        if rows:
            connection.execute(insert(table), rows)
    _generate_leads_and_showings(connection, now, data, catalog, company, property_rows, rng)


def _generate_leads_and_showings(connection, now, data, catalog, company, property_rows, rng) -> None:
    plan = company["portfolio"]
    cid = company["id"]
    if not property_rows:
        return
    person_ids = iter(block(cid, "persons"))
    lead_ids = iter(block(cid, "leads"))
    statuses = catalog.enum("ApplicationStatus")
    window_start = now - timedelta(days=730)
    people, lead_rows, application_rows = [], [], []
    for _ in range(plan["leads"]):
        person_id, lead_id = next(person_ids), next(lead_ids)
        first, last = rng.choice(data["first_names"]), rng.choice(data["last_names"])
        has_email = rng.random() > 0.05
        people.append({"id": person_id, "company_id": cid, "first_name": first, "last_name": last,
                       "email": f"{first}.{last}.{person_id}@mail.example".lower() if has_email else None,
                       "phone": f"+1{rng.randint(2000000000, 9999999999)}" if rng.random() > 0.1 else None})
        prop = rng.choice(property_rows)
        created = window_start + timedelta(seconds=rng.randint(0, int((now - window_start).total_seconds())))
        lead_rows.append({"id": lead_id, "company_id": cid, "property_id": prop["id"], "person_id": person_id,
                          "source": rng.choice(data["lead_sources"]),
                          "note": rng.choice(data["lead_notes"]) if rng.random() < 0.3 else None,
                          "created_at": created})
        status = rng.choices(statuses, weights=[50, 12, 10, 8, 6, 14])[0]
        sent = created + timedelta(hours=rng.randint(1, 72)) if status != statuses[0] else None
        received = sent + timedelta(hours=rng.randint(2, 96)) if sent and status not in statuses[:2] else None
        application_rows.append({
            "id": application_of(lead_id), "lead_id": lead_id, "applicant_id": person_id, "status": status,
            "rating": rng.randint(0, 5) if received else None,
            "tenancy_application_status": rng.choice(data["tenancy_application_statuses"]) if received else None,
            "approval_status": rng.choice(data["approval_statuses"]) if received else None,
            "sent_at": min(sent, now) if sent else None, "received_at": min(received, now) if received else None,
        })
    if not lead_rows:  # showings are booked by leads: none without them
        return
    connection.execute(insert(tables.persons), people)
    connection.execute(insert(tables.leads), lead_rows)
    connection.execute(insert(tables.applications), application_rows)

    member_ids = [m["id"] for m in company["team_members"]]
    if not member_ids or not plan["showings"]:
        return
    showing_ids = iter(block(cid, "showings"))
    showing_statuses = catalog.enum("ShowingStatus")
    rows = []
    for index in range(plan["showings"]):
        lead = rng.choice(lead_rows)
        # Spread: two years back to four months ahead; a share always falls in the current year.
        if index % 3 == 0:
            start = datetime(now.year, 1, 1, 9) + timedelta(days=rng.randint(0, max(0, (now - datetime(
                now.year, 1, 1)).days)))
        else:
            start = now + timedelta(days=rng.randint(-730, 120))
        start = start.replace(hour=rng.randint(9, 19), minute=rng.choice([0, 15, 30, 45]), second=0)
        start = max(start, lead["created_at"] + timedelta(hours=2)) if start < now else start
        upcoming = start > now
        status = showing_statuses[index % len(showing_statuses)]
        if upcoming and status == "Disqualified":
            status = "Scheduled"
        rows.append({
            "id": next(showing_ids), "company_id": cid, "property_id": lead["property_id"], "lead_id": lead["id"],
            "team_member_id": rng.choice(member_ids), "starts_at": start, "ends_at": start + timedelta(minutes=30),
            "status": status,
            "feedback": rng.choice(data["showing_feedback"]) if not upcoming and status == "Confirmed" else None,
        })
    connection.execute(insert(tables.showings), rows)

