"""The one Leasey portfolio generator: a company's listings (features, photos, restrictions, marketplaces, team,
leases), leads with their persons and applications, and showings, as (table, row) pairs from one seeded source.

The fixtures and the tenants insert a company's rows at once (mock_server/leasey/fixtures.py); `fixtures generate`
streams them in batches (mock_server/generate.py). Dates are placed around the sandbox clock: two years back,
this year and the coming months, so the reports' default window (Jan 1 of the current year onwards) has rows.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Table

from .. import store as tables
from .catalog import Catalog
from .ids import block

Row = tuple[Table, dict]


@dataclass
class Ids:
    """Where the generated rows' ids come from."""

    properties: Iterator[int]
    units: Iterator[int]
    persons: Iterator[int]
    leads: Iterator[int]
    applications: Iterator[int]
    showings: Iterator[int]

    @classmethod
    def of_company(cls, company_id: int) -> Ids:
        """The company's own id blocks (mock_server/leasey/ids.py): a fixture or tenant company."""
        return cls(*(iter(block(company_id, kind)) for kind in
                     ("properties", "units", "persons", "leads", "applications", "showings")))


def random_place(rng: random.Random, data: dict, highest_number: int = 999) -> dict:
    """A street address in one of the fixtures' cities, a few hundred metres around its centre."""
    city = rng.choice(data["cities"])
    return {"address": f"{rng.randint(10, highest_number)} {rng.choice(data['streets'])}", "city": city["city"],
            "province_state": city["province_state"],
            "postal_code": f"{city['postal_prefix']} {rng.randint(1, 9)}A{rng.randint(1, 9)}",
            "latitude": round(city["latitude"] + rng.uniform(-0.05, 0.05), 6),
            "longitude": round(city["longitude"] + rng.uniform(-0.05, 0.05), 6)}


class Slugs:
    """Catalog.slug's rule (the first free -2, -3, ... suffix), with a counter per base so that a hundred thousand
    "Unit 101"-style names stay linear."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.taken: set[str] = set()
        self.next_suffix: dict[str, int] = {}

    def take(self, name: str, suite: str | None) -> str:
        base = self.catalog.slug_base(name, suite)
        slug, counter = base, self.next_suffix.get(base, 2)
        if slug in self.taken:
            slug = f"{base}-{counter}"
            while slug in self.taken:
                counter += 1
                slug = f"{base}-{counter}"
            self.next_suffix[base] = counter + 1
        self.taken.add(slug)
        return slug


_PLACE = ("address", "city", "province_state", "postal_code", "latitude", "longitude")


class Portfolio:
    """One company's generated rows. `company` is fixture-shaped (fixtures/leasey.yaml): its id,
    market_rent_enabled, users (the primary admin owns the listings), team_members, buildings (with their places)
    and `portfolio` (properties, leads, showings, country).

    bulk=False is the fixtures' shape: one unit in len(buildings) + 1 a house, a third of the showings in the
    current year (a small portfolio's default report window has rows). bulk=True is `fixtures generate`'s: four
    in five units in buildings, numbered by floor, and each showing one to three weeks after its lead (piling a
    third into this year would put ten times the average month into the last one)."""

    def __init__(self, company: dict, data: dict, catalog: Catalog, now: datetime, rng: random.Random, ids: Ids,
                 bulk: bool = False):
        self.company, self.data, self.catalog, self.now, self.rng, self.ids = company, data, catalog, now, rng, ids
        self.bulk = bulk
        self.plan = company["portfolio"]
        self.members = [member["id"] for member in company["team_members"]]
        self.properties: list[int] = []  # ids, for the leads
        self.leads: list[tuple[int, int, datetime]] = []  # (id, property id, created_at), for the showings

    def rows(self) -> Iterator[Row]:
        yield from self.listings()
        yield from self.lead_rows()
        yield from self.showing_rows()

    # -- listings -----------------------------------------------------------------------------------

    def _unit(self, index: int, suites: dict[int, int]) -> tuple[dict | None, str | None]:
        """The building a property is in (None: a house) and its suite."""
        buildings = self.company["buildings"]
        if self.bulk:
            if not buildings or index % 5 == 4:
                return None, None
            building = buildings[index % len(buildings)]
            suites[building["id"]] = suites.get(building["id"], 0) + 1
            floor, door = divmod(suites[building["id"]] - 1, 8)
            return building, f"{floor + 1}{door + 1:02d}"
        if not buildings or index % (len(buildings) + 1) >= len(buildings):
            return None, None
        return buildings[index % (len(buildings) + 1)], str(100 * (1 + index % 9) + index)

    def listings(self) -> Iterator[Row]:
        """4 in 5 (or all but one in len(buildings) + 1) units in buildings, the rest houses; 1 in 7 archived."""
        company, data, catalog, rng = self.company, self.data, self.catalog, self.rng
        cid, plan, today = company["id"], self.plan, self.now.date()
        primary_admin = next((user["id"] for user in company["users"] if user.get("is_primary_admin")), None)
        defaults = catalog.property_defaults
        free_marketplaces = [m for m, paid in catalog.marketplaces.items() if not paid]
        slugs, suites = Slugs(catalog), {}
        for index in range(plan["properties"]):
            pid = next(self.ids.properties)
            building, suite = self._unit(index, suites)
            if building:
                place = {key: building[key] for key in _PLACE}
                name = f"Unit {suite}"
            else:
                place = random_place(rng, data, highest_number=9999 if self.bulk else 999)
                name = place["address"]
            slug = slugs.take(name, suite)
            archived = index % 7 == 6
            bedrooms = rng.choice([0.5, 1, 1, 2, 2, 3, 4])
            rent = float(rng.randrange(1200, 4200, 25))
            listed = today - timedelta(days=rng.randint(3, 700))
            created = datetime.combine(listed, datetime.min.time()) + timedelta(hours=9)
            self.properties.append(pid)
            yield tables.properties, {
                "id": pid, "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "unit_id": next(self.ids.units), "company_id": cid,
                "building_id": building["id"] if building else None, "floorplan_id": None,
                "owner_user_id": primary_admin, "slug": slug, "name": name, "suite_unit": suite, **place,
                "country": plan["country"], "description": rng.choice(data["descriptions"]) if index % 5 else None,
                "date_available": today + timedelta(days=rng.randint(-30, 120)) if not archived else None,
                "rent_amount": rent,
                "rent_market": round(rent * rng.uniform(0.95, 1.1), -1) if company["market_rent_enabled"] else None,
                "security_deposit": rent, "rent_payment_frequency": defaults["rent_payment_frequency"],
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
            }
            for feature_id in rng.sample(catalog.enum("FeatureId"), rng.randint(2, 9)):
                yield tables.property_features, {"property_id": pid, "feature_id": feature_id,
                                                 "value": rng.choice([1, 1, 2])}
            for position in range(rng.randint(0 if index % 6 == 0 else 1, 12)):
                yield tables.property_photos, {
                    "property_id": pid, "position": position,
                    "url": f"https://cdn.sandbox.leasey.example/{cid}/{slug}/{position + 1}.jpg"}
            for restriction in rng.sample(catalog.enum("RestrictionId"), rng.randint(0, 3)):
                yield tables.property_restrictions, {"property_id": pid, "restriction_id": restriction}
            if not archived:
                for marketplace in rng.sample(free_marketplaces, rng.randint(0 if index % 4 == 3 else 1,
                                                                             min(4, len(free_marketplaces)))):
                    yield tables.property_marketplaces, {"property_id": pid, "marketplace": marketplace,
                                                         "enabled": True}
            members = self.members
            for member_id in rng.sample(members, min(len(members), rng.randint(1, 2))) if members else []:
                yield tables.property_team_members, {"property_id": pid, "team_member_id": member_id}
            for start, days in self._leases(index, archived, today):
                yield tables.leases, {"property_id": pid, "start_date": start,
                                      "end_date": start + timedelta(days=days)}

    def _leases(self, index: int, archived: bool, today: date) -> list[tuple[date, int]]:
        """About half of the units occupied now, some finished leases, a few signed for the future."""
        rng, leases = self.rng, []
        if index % 2 == 0 and not archived:
            leases.append((today - timedelta(days=rng.randint(30, 500)), 730))
        if index % 3 == 0:
            leases.append((today - timedelta(days=rng.randint(800, 1200)), 365))
        if index % 10 == 1:
            leases.append((today + timedelta(days=rng.randint(20, 90)), 365))
        return leases

    # -- leads and showings -----------------------------------------------------------------------------

    def lead_rows(self) -> Iterator[Row]:
        """Leads spread evenly over the last two years, each with its person and its application."""
        if not self.properties:
            return
        rng, data, now, cid = self.rng, self.data, self.now, self.company["id"]
        statuses = self.catalog.enum("ApplicationStatus")
        weights = [50, 12, 10, 8, 6, 14][:len(statuses)] + [10] * max(0, len(statuses) - 6)
        window_start = now - timedelta(days=730)
        window_seconds = int((now - window_start).total_seconds())
        for _ in range(self.plan["leads"]):
            person_id, lead_id = next(self.ids.persons), next(self.ids.leads)
            first, last = rng.choice(data["first_names"]), rng.choice(data["last_names"])
            yield tables.persons, {
                "id": person_id, "company_id": cid, "first_name": first, "last_name": last,
                "email": f"{first}.{last}.{person_id}@mail.example".lower() if rng.random() > 0.05 else None,
                "phone": f"+1{rng.randint(2000000000, 9999999999)}" if rng.random() > 0.1 else None}
            property_id = self.properties[rng.randrange(len(self.properties))]
            created = window_start + timedelta(seconds=rng.randint(0, window_seconds))
            yield tables.leads, {"id": lead_id, "company_id": cid, "property_id": property_id,
                                 "person_id": person_id, "source": rng.choice(data["lead_sources"]),
                                 "note": rng.choice(data["lead_notes"]) if rng.random() < 0.3 else None,
                                 "created_at": created}
            status = rng.choices(statuses, weights=weights)[0]
            sent = created + timedelta(hours=rng.randint(1, 72)) if status != statuses[0] else None
            received = sent + timedelta(hours=rng.randint(2, 96)) if sent and status not in statuses[:2] else None
            yield tables.applications, {
                "id": next(self.ids.applications), "lead_id": lead_id, "applicant_id": person_id, "status": status,
                "rating": rng.randint(0, 5) if received else None,
                "tenancy_application_status": rng.choice(data["tenancy_application_statuses"]) if received else None,
                "approval_status": rng.choice(data["approval_statuses"]) if received else None,
                "sent_at": min(sent, now) if sent else None, "received_at": min(received, now) if received else None}
            self.leads.append((lead_id, property_id, created))

    def showing_rows(self) -> Iterator[Row]:
        """Showings of the leads: statuses in turn, no Disqualified showing in the future, feedback on past
        confirmed ones."""
        if not self.leads or not self.members:
            return
        rng, data, now, cid = self.rng, self.data, self.now, self.company["id"]
        statuses = self.catalog.enum("ShowingStatus")
        for index in range(self.plan["showings"]):
            lead_id, property_id, lead_created = self.leads[rng.randrange(len(self.leads))]
            start = self._start(index, lead_created)
            upcoming = start > now
            status = statuses[index % len(statuses)]
            if upcoming and status == "Disqualified":
                status = "Scheduled"
            yield tables.showings, {
                "id": next(self.ids.showings), "company_id": cid, "property_id": property_id, "lead_id": lead_id,
                "team_member_id": rng.choice(self.members), "starts_at": start,
                "ends_at": start + timedelta(minutes=30), "status": status,
                "feedback": rng.choice(data["showing_feedback"]) if not upcoming and status == "Confirmed" else None}

    def _start(self, index: int, lead_created: datetime) -> datetime:
        rng, now = self.rng, self.now
        if self.bulk:  # one to three weeks after the lead
            day = lead_created + timedelta(days=rng.randint(1, 21))
            return day.replace(hour=rng.randint(9, 19), minute=rng.choice([0, 15, 30, 45]), second=0, microsecond=0)
        # Two years back to four months ahead; a third always falls in the current year.
        if index % 3 == 0:
            start = datetime(now.year, 1, 1, 9) + timedelta(days=rng.randint(0, max(0, (now - datetime(
                now.year, 1, 1)).days)))
        else:
            start = now + timedelta(days=rng.randint(-730, 120))
        start = start.replace(hour=rng.randint(9, 19), minute=rng.choice([0, 15, 30, 45]), second=0)
        return max(start, lead_created + timedelta(hours=2)) if start < now else start
