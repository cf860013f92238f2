"""`mock-server fixtures generate`: adds large seeded companies and Travtus clients to a sandbox, bulk-inserted.

The generated data is shaped like the fixture generators' (mock_server/leasey/fixtures.py, mock_server/travtus/
fixtures.py: the same word lists, value domains read from the specs, dates placed around the sandbox clock) but
written in batches of executemany inserts with a progress bar, so a million-row company takes minutes. It is
added to the sandbox: the fixtures are loaded first when the database is empty, and every fixture company,
token and client keeps working. Ids start above FLOOR (and above any id already in the table), far from the
fixtures' per-company id blocks, and the API keeps handing out max(id) + 1 after them.
"""

from __future__ import annotations

import json
import random
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import func, insert, select

from . import store as tables
from .leasey import fixtures as leasey_fixtures
from .leasey.catalog import Catalog
from .spec import Spec
from .travtus import fixtures as travtus_fixtures
from .travtus.fixtures import Plan

FLOOR = 1_000_000_000  # generated Leasey ids start here: above every fixture id block, inside 32 bits
COMPANY_FLOOR = 9_000  # generated company ids start above this
BATCH = 20_000  # rows per executemany
PROPERTIES_PER_BUILDING = 40
PROPERTIES_PER_TEAM_MEMBER = 2_000
LEASES_PER_TRAVTUS_GROUP = 100_000
# Names for generated Travtus buildings (the fixture file curates its six by hand).
BUILDING_WORDS = ("Harbor", "Park", "River", "Cedar", "Union", "Summit", "Maple", "Lake", "Station", "Garden",
                  "Willow", "Granite", "Beacon", "Meridian", "Foundry", "Orchard")
BUILDING_KINDS = ("Apartments", "Lofts", "Residences", "Tower", "Commons", "Flats", "Place", "Court")


def register(fixture_commands, common) -> None:
    """Add the `generate` sub-command to `mock-server fixtures`; `common` adds --db/--now/--api."""
    sub = fixture_commands.add_parser(
        "generate", help="add large seeded companies and Travtus clients (bulk inserts)",
        description="Add generated data to the sandbox (fixtures are loaded first if the database is empty). "
                    "--properties, --showings and --leads are PER Leasey company; --leases is PER Travtus "
                    "client. Prints the new credentials as JSON on stdout; progress goes to stderr.")
    common(sub)
    sub.add_argument("--companies", type=int, default=1, help="Leasey companies to add (default 1)")
    sub.add_argument("--properties", type=int, default=1_000, help="properties per company (default 1,000)")
    sub.add_argument("--showings", type=int, default=10_000, help="showings per company (default 10,000)")
    sub.add_argument("--leads", type=int, default=10_000,
                     help="leads per company, each with its person and application (default 10,000)")
    sub.add_argument("--clients", type=int, default=1, help="Travtus clients to add (default 1; 0: none)")
    sub.add_argument("--leases", type=int, default=10_000, help="Travtus leases per client (default 10,000)")
    sub.add_argument("--seed", type=int, default=7, help="random seed: the same seed and sizes give the same data")
    sub.add_argument("--output", help="also write the credentials JSON to this file")
    sub.add_argument("--quiet", action="store_true", help="no progress bars")
    sub.set_defaults(func=generate)


def generate(args) -> int:
    from .app import create_app

    config = {"LOAD_FIXTURES": "if-empty", "SELF_CHECK": False}
    if args.db:
        config["DATABASE_URL"] = args.db
    if args.now:
        config["NOW"] = args.now
        config["FREEZE_CLOCK"] = args.freeze_clock
    if args.api != "all":
        config["APIS"] = (args.api,)
    app = create_app(config)
    sandbox = app.extensions["sandbox"]
    started = time.perf_counter()
    writer = Writer(sandbox.store, quiet=args.quiet)
    now = sandbox.clock.now()
    spec_dir, fixture_dir = Path(app.config["SPEC_DIR"]), Path(app.config["FIXTURE_DIR"])
    rng = random.Random(args.seed)
    result: dict = {"database": app.config["DATABASE_URL"], "now": now.isoformat(), "seed": args.seed}
    try:
        if "leasey" in sandbox.apis and args.companies > 0:
            data = yaml.safe_load((fixture_dir / "leasey.yaml").read_text())
            catalog = Catalog(Spec(spec_dir / "leasey.yaml"))
            result["leasey"] = {"api_token": data["api_token"], "companies": [
                LeaseyCompany(writer, catalog, data, now, random.Random(rng.getrandbits(64))).generate(
                    args.properties, args.leads, args.showings) for _ in range(args.companies)]}
        if "travtus" in sandbox.apis and args.clients > 0 and args.leases > 0:
            data = yaml.safe_load((fixture_dir / "travtus.yaml").read_text())
            result["travtus"] = {"clients": [
                TravtusClient(writer, data, now, random.Random(rng.getrandbits(64))).generate(args.leases)
                for _ in range(args.clients)]}
        writer.finish()
    finally:
        writer.close()
    sandbox.store.engine.dispose()
    result["seconds"] = round(time.perf_counter() - started, 1)
    text_out = json.dumps(result, indent=2)
    if args.output:
        Path(args.output).write_text(text_out + "\n")
    print(text_out, flush=True)
    return 0


# -- writing ----------------------------------------------------------------------------------------

class Writer:
    """Buffers rows per table and writes them with executemany, parents before children, in batches.

    SQLite: one connection without foreign-key checks and with synchronous=OFF while loading (the rows are
    consistent by construction); ANALYZE at the end so the query planner knows the new sizes.
    """

    def __init__(self, store, quiet: bool = False):
        self.store = store
        self.quiet = quiet
        self.sqlite = store.url.startswith("sqlite")
        self.connection = store.engine.connect()
        if self.sqlite:  # outside any transaction (SQLite ignores foreign_keys inside one)
            self._pragmas("foreign_keys=OFF", "synchronous=OFF", "cache_size=-262144", "temp_store=MEMORY")
        self.buffers: dict[tables.Table, list[dict]] = {}
        self.order = {table: index for index, table in enumerate(tables.metadata.sorted_tables)}
        self.bar = None

    def next_id(self, column, floor: int = FLOOR) -> int:
        """The first id of a new block: above `floor` and above every id the column holds."""
        highest = self.connection.execute(select(func.max(column))).scalar() or 0
        return max(floor, highest) + 1

    def scalars(self, query) -> list:
        return list(self.connection.execute(query).scalars())

    def progress(self, label: str, total: int):
        if self.bar is not None:
            self.bar.close()
        if self.quiet:
            self.bar = None
            return
        from tqdm import tqdm

        self.bar = tqdm(total=total, desc=label, unit=" rows", unit_scale=True, file=sys.stderr, mininterval=0.5)

    def tick(self, n: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(n)

    def add(self, table, row: dict) -> None:
        buffer = self.buffers.setdefault(table, [])
        buffer.append(row)
        if len(buffer) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Every buffered row, parents first, in one transaction."""
        for table in sorted(self.buffers, key=self.order.__getitem__):
            rows = self.buffers[table]
            if rows:
                self.connection.execute(insert(table), rows)
                rows.clear()
        self.connection.commit()

    def finish(self) -> None:
        self.flush()
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        if self.sqlite:
            print("analyzing ...", file=sys.stderr, flush=True)
            self.connection.exec_driver_sql("ANALYZE")
            self.connection.commit()
            self._pragmas("wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        if self.sqlite:
            self.connection.rollback()
            self._pragmas("foreign_keys=ON")
        self.connection.close()

    def _pragmas(self, *pragmas: str) -> None:
        """On the driver's connection, which runs them at once (the store's SQLite connections autocommit)."""
        raw = self.connection.connection.driver_connection
        for pragma in pragmas:
            raw.execute(f"PRAGMA {pragma}").fetchall()


# -- Leasey -----------------------------------------------------------------------------------------

class LeaseyCompany:
    """One company shaped like the fixture portfolios, at any size: buildings of about forty units plus
    houses, leads with a person and an application each, showings of those leads, leases, team members."""

    def __init__(self, writer: Writer, catalog: Catalog, data: dict, now: datetime, rng: random.Random):
        self.w, self.catalog, self.data, self.now, self.rng = writer, catalog, data, now, rng
        self.today = now.date()

    def generate(self, n_properties: int, n_leads: int, n_showings: int) -> dict:
        w, rng = self.w, self.rng
        cid = w.next_id(tables.companies.c.id, COMPANY_FLOOR)
        password = f"generated-{rng.getrandbits(64):016x}"
        market_rent = True
        w.add(tables.companies, {
            "id": cid, "name": f"Generated Property Group {cid}", "api_password": password, "country": "Canada",
            "daily_rate": 4.0, "market_rent_enabled": market_rent, "use_custom_application_link": False,
            "rental_application_url": None})
        self.person_ids = iter(range(self._next_person_id(), 2**31))
        self._people(cid, max(4, n_properties // PROPERTIES_PER_TEAM_MEMBER))
        buildings = self._buildings(cid, max(1, n_properties // PROPERTIES_PER_BUILDING) if n_properties else 0)
        w.flush()
        w.progress(f"company {cid}: properties", n_properties)
        properties = self._properties(cid, n_properties, buildings, market_rent)
        w.flush()
        w.progress(f"company {cid}: leads", n_leads)
        leads = self._leads(cid, n_leads, properties)
        w.flush()
        w.progress(f"company {cid}: showings", n_showings)
        self._showings(cid, n_showings, leads)
        w.flush()
        return {"company_id": cid, "password": password, "properties": n_properties, "buildings": len(buildings),
                "leads": len(leads[0]), "showings": n_showings if leads[0] and self.members else 0}

    def _next_person_id(self) -> int:
        """Users, team members and lead persons share one person-id space (as the API's _next_person_id reads)."""
        w = self.w
        return max(w.next_id(tables.users.c.person_id), w.next_id(tables.team_members.c.person_id),
                   w.next_id(tables.persons.c.id))

    def _people(self, cid: int, n_members: int) -> None:
        w, rng, data = self.w, self.rng, self.data
        roles = w.scalars(select(tables.roles.c.id).order_by(tables.roles.c.id)) or [None]
        zones = sorted({m["timezone"] for c in data["companies"] for m in c["team_members"] if m.get("timezone")})
        user_id = w.next_id(tables.users.c.id)
        member_id = w.next_id(tables.team_members.c.id)
        domain = f"generated{cid}.example"
        self.primary_admin = user_id
        self.members = []
        for index in range(n_members + 1):  # user 0 is the primary admin, without a team-member record
            first, last = rng.choice(data["first_names"]), rng.choice(data["last_names"])
            email = f"{first}.{last}.{index}@{domain}".lower()
            w.add(tables.users, {"id": user_id + index, "company_id": cid, "person_id": next(self.person_ids),
                                 "first_name": first, "last_name": last, "email": email,
                                 "phone": f"416555{index:04d}", "is_admin": index < 3, "is_primary_admin": index == 0})
            if index == 0:
                continue
            w.add(tables.team_members, {
                "id": member_id + index - 1, "company_id": cid, "user_id": user_id + index,
                "person_id": next(self.person_ids), "email": email, "first_name": first, "last_name": last,
                "role_id": roles[index % len(roles)], "is_admin": index < 3, "timezone": rng.choice(zones)})
            self.members.append(member_id + index - 1)

    def _buildings(self, cid: int, count: int) -> list[dict]:
        w, rng, data = self.w, self.rng, self.data
        amenity_ids = self.catalog.enum("BuildingAmenityId")
        first_id = w.next_id(tables.buildings.c.id)
        buildings = []
        for index in range(count):
            city = rng.choice(data["cities"])
            street = f"{rng.randint(10, 2999)} {rng.choice(data['streets'])}"
            building = {
                "id": first_id + index, "name": f"{street} Apartments", "address": street, "city": city["city"],
                "province_state": city["province_state"],
                "postal_code": f"{city['postal_prefix']} {rng.randint(1, 9)}A{rng.randint(1, 9)}",
                "latitude": round(city["latitude"] + rng.uniform(-0.05, 0.05), 6),
                "longitude": round(city["longitude"] + rng.uniform(-0.05, 0.05), 6), "suites": 0}
            buildings.append(building)
            w.add(tables.buildings, {"id": building["id"], "company_id": cid, "name": building["name"],
                                     "number_of_units": PROPERTIES_PER_BUILDING + rng.randint(0, 80)})
            for amenity in rng.sample(amenity_ids, rng.randint(1, 5)):
                w.add(tables.building_amenities, {"building_id": building["id"], "amenity_id": amenity,
                                                  "value": rng.choice([1, 1, 1, 2])})
        return buildings

    def _properties(self, cid: int, count: int, buildings: list[dict], market_rent: bool) -> list[tuple]:
        """Like the fixture portfolio: 4 in 5 units in buildings, the rest houses; 1 in 7 archived. Returns
        (id, created_at) per property for the leads."""
        w, rng, data, catalog, today = self.w, self.rng, self.data, self.catalog, self.today
        first_id, first_unit = w.next_id(tables.properties.c.id), w.next_id(tables.properties.c.unit_id)
        feature_ids, restriction_ids = catalog.enum("FeatureId"), catalog.enum("RestrictionId")
        unit_types, renewals = catalog.enum("UnitType"), catalog.enum("RenewalFrequency")
        furnishing, storage = catalog.enum("Furnishing"), catalog.enum("StorageAvailable")
        free_marketplaces = [m for m, paid in catalog.marketplaces.items() if not paid]
        slugs = Slugs(catalog)
        result = []
        for index in range(count):
            pid = first_id + index
            building = buildings[index % len(buildings)] if buildings and index % 5 != 4 else None
            if building:
                building["suites"] += 1
                floor, door = divmod(building["suites"] - 1, 8)
                suite = f"{floor + 1}{door + 1:02d}"
                name = f"Unit {suite}"
                place = {k: building[k] for k in ("address", "city", "province_state", "postal_code", "latitude",
                                                   "longitude")}
            else:
                place = leasey_fixtures.random_place(rng, data, highest_number=9999)
                suite, name = None, place["address"]
            slug = slugs.take(name, suite)
            archived = index % 7 == 6
            bedrooms = rng.choice([0.5, 1, 1, 2, 2, 3, 4])
            rent = float(rng.randrange(1200, 4200, 25))
            listed = today - timedelta(days=rng.randint(3, 700))
            created = datetime.combine(listed, datetime.min.time()) + timedelta(hours=9)
            result.append((pid, created))
            w.add(tables.properties, {
                "id": pid, "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "unit_id": first_unit + index,
                "company_id": cid, "building_id": building["id"] if building else None, "floorplan_id": None,
                "owner_user_id": self.primary_admin, "slug": slug, "name": name, "suite_unit": suite, **place,
                "country": "Canada", "description": rng.choice(data["descriptions"]) if index % 5 else None,
                "date_available": today + timedelta(days=rng.randint(-30, 120)) if not archived else None,
                "rent_amount": rent,
                "rent_market": round(rent * rng.uniform(0.95, 1.1), -1) if market_rent else None,
                "security_deposit": rent, "rent_payment_frequency": "monthly",
                "renewal_frequency": rng.choice(renewals),
                "unit_type": "apartment" if building else rng.choice(unit_types),
                "rental_space": "partial place" if index % 11 == 5 else "entire place",
                "bedrooms": bedrooms, "bathrooms": rng.choice([1, 1, 1.5, 2, 2.5]),
                "size_sqft": rng.randrange(400, 2400, 10), "max_occupancy": catalog.max_occupancy(bedrooms),
                "parking_stalls": rng.choice([0, 0, 1, 1, 2, None]),
                "furnishing": rng.choice(furnishing), "storage_available": rng.choice(storage),
                "rental_application_url": None,
                "contact_first_name": None, "contact_last_name": None, "contact_email": None, "contact_phone": None,
                "contact_dial_code": None, "contact_notify_email": None, "contact_notify_sms": None,
                "status": "Archived" if archived else "Active", "marketing_start": listed,
                "marketing_end": listed + timedelta(days=rng.randint(10, 90)) if archived else None,
                "created_at": created, "updated_at": created})
            for feature_id in rng.sample(feature_ids, rng.randint(2, 9)):
                w.add(tables.property_features, {"property_id": pid, "feature_id": feature_id,
                                                 "value": rng.choice([1, 1, 2])})
            for position in range(rng.randint(0 if index % 6 == 0 else 1, 12)):
                w.add(tables.property_photos, {"property_id": pid, "position": position,
                                               "url": f"https://cdn.sandbox.leasey.example/{cid}/{slug}/{position + 1}.jpg"})
            for restriction in rng.sample(restriction_ids, rng.randint(0, 3)):
                w.add(tables.property_restrictions, {"property_id": pid, "restriction_id": restriction})
            if not archived:
                for marketplace in rng.sample(free_marketplaces, rng.randint(0 if index % 4 == 3 else 1,
                                                                             min(4, len(free_marketplaces)))):
                    w.add(tables.property_marketplaces, {"property_id": pid, "marketplace": marketplace, "enabled": True})
            for member_id in rng.sample(self.members, min(len(self.members), rng.randint(1, 2))):
                w.add(tables.property_team_members, {"property_id": pid, "team_member_id": member_id})
            for start, days in self._leases(index, archived):
                w.add(tables.leases, {"property_id": pid, "start_date": start, "end_date": start + timedelta(days=days)})
            w.tick()
        return result

    def _leases(self, index: int, archived: bool) -> list[tuple[date, int]]:
        """About half of the units occupied now, some finished leases, a few signed for the future."""
        rng, today, leases = self.rng, self.today, []
        if index % 2 == 0 and not archived:
            leases.append((today - timedelta(days=rng.randint(30, 500)), 730))
        if index % 3 == 0:
            leases.append((today - timedelta(days=rng.randint(800, 1200)), 365))
        if index % 10 == 1:
            leases.append((today + timedelta(days=rng.randint(20, 90)), 365))
        return leases

    def _leads(self, cid: int, count: int, properties: list[tuple]) -> tuple[list, list, list]:
        """Leads spread evenly over the last two years, as in the fixtures, each with its person and its
        application. Returns (ids, property ids, created_at) for the showings."""
        w, rng, data, now = self.w, self.rng, self.data, self.now
        statuses = self.catalog.enum("ApplicationStatus")
        weights = [50, 12, 10, 8, 6, 14][:len(statuses)] + [10] * max(0, len(statuses) - 6)
        first_id, first_application = w.next_id(tables.leads.c.id), w.next_id(tables.applications.c.id)
        window_start = now - timedelta(days=730)
        window_seconds = int((now - window_start).total_seconds())
        ids, property_ids, created_ats = [], [], []
        if not properties:
            return ids, property_ids, created_ats
        for index in range(count):
            lead_id, person_id = first_id + index, next(self.person_ids)
            first, last = rng.choice(data["first_names"]), rng.choice(data["last_names"])
            w.add(tables.persons, {
                "id": person_id, "company_id": cid, "first_name": first, "last_name": last,
                "email": f"{first}.{last}.{person_id}@mail.example".lower() if rng.random() > 0.05 else None,
                "phone": f"+1{rng.randint(2000000000, 9999999999)}" if rng.random() > 0.1 else None})
            pid, _listed = properties[rng.randrange(len(properties))]
            created = window_start + timedelta(seconds=rng.randint(0, window_seconds))
            w.add(tables.leads, {"id": lead_id, "company_id": cid, "property_id": pid, "person_id": person_id,
                                 "source": rng.choice(data["lead_sources"]),
                                 "note": rng.choice(data["lead_notes"]) if rng.random() < 0.3 else None,
                                 "created_at": created})
            status = rng.choices(statuses, weights=weights)[0]
            sent = created + timedelta(hours=rng.randint(1, 72)) if status != statuses[0] else None
            received = sent + timedelta(hours=rng.randint(2, 96)) if sent and status not in statuses[:2] else None
            w.add(tables.applications, {
                "id": first_application + index, "lead_id": lead_id, "applicant_id": person_id, "status": status,
                "rating": rng.randint(0, 5) if received else None,
                "tenancy_application_status": rng.choice(data["tenancy_application_statuses"]) if received else None,
                "approval_status": rng.choice(data["approval_statuses"]) if received else None,
                "sent_at": min(sent, now) if sent else None, "received_at": min(received, now) if received else None})
            ids.append(lead_id)
            property_ids.append(pid)
            created_ats.append(created)
            w.tick()
        return ids, property_ids, created_ats

    def _showings(self, cid: int, count: int, leads: tuple[list, list, list]) -> None:
        """Each showing follows its lead by one to three weeks, so showings spread over the two years like the
        leads (the fixtures also pile a third into the current year, to fill a small portfolio's default report
        window; at this size that would put ten times the average month into the last one). Statuses in turn,
        no Disqualified showing in the future, feedback on past confirmed ones."""
        w, rng, data, now = self.w, self.rng, self.data, self.now
        lead_ids, property_ids, created_ats = leads
        if not lead_ids or not self.members:
            return
        statuses = self.catalog.enum("ShowingStatus")
        first_id = w.next_id(tables.showings.c.id)
        for index in range(count):
            k = rng.randrange(len(lead_ids))
            day = created_ats[k] + timedelta(days=rng.randint(1, 21))
            start = day.replace(hour=rng.randint(9, 19), minute=rng.choice([0, 15, 30, 45]), second=0,
                                microsecond=0)
            upcoming = start > now
            status = statuses[index % len(statuses)]
            if upcoming and status == "Disqualified":
                status = "Scheduled"
            w.add(tables.showings, {
                "id": first_id + index, "company_id": cid, "property_id": property_ids[k], "lead_id": lead_ids[k],
                "team_member_id": rng.choice(self.members), "starts_at": start,
                "ends_at": start + timedelta(minutes=30), "status": status,
                "feedback": rng.choice(data["showing_feedback"]) if not upcoming and status == "Confirmed" else None})
            w.tick()


class Slugs:
    """Catalog.slug's rule (first free -2, -3, ... suffix), with a counter per base so that a hundred thousand
    "Unit 101"-style names stay linear."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.taken: set[str] = set()
        self.next_suffix: dict[str, int] = {}

    def take(self, name: str, suite: str | None) -> str:
        base = self.catalog.slug(name, suite, set())
        slug, counter = base, self.next_suffix.get(base, 2)
        if slug in self.taken:
            slug = f"{base}-{counter}"
            while slug in self.taken:
                counter += 1
                slug = f"{base}-{counter}"
            self.next_suffix[base] = counter + 1
        self.taken.add(slug)
        return slug


# -- Travtus ----------------------------------------------------------------------------------------

class TravtusClient(Plan):
    """A client with its own groups (one per 100,000 leases), landlords, buildings, units, tenants and lease
    histories. Unit histories come from the fixture Plan's generator; ids carry the client's prefix, and seq
    continues after the highest one, in start-date order as in the fixtures."""

    def __init__(self, writer: Writer, data: dict, now: datetime, rng: random.Random):
        super().__init__(data, now.date())
        self.w, self.data, self.rng = writer, data, rng

    def generate(self, n_leases: int) -> dict:
        w, rng, data = self.w, self.rng, self.data
        taken = set(w.scalars(select(tables.trv_clients.c.client_id)))
        number = 1
        while f"generated-client-{number}" in taken:
            number += 1
        client_id = f"generated-client-{number}"
        self.prefix = prefix = f"gen{number}"
        secret = f"generated-secret-{rng.getrandbits(64):016x}"
        w.add(tables.trv_clients, {"client_id": client_id, "client_secret": secret,
                                   "name": f"Generated client {number} ({n_leases:,} leases)"})
        n_groups = max(1, -(-n_leases // LEASES_PER_TRAVTUS_GROUP))
        groups = [f"{prefix}-group-{g}" for g in range(1, n_groups + 1)]
        templates = list(data["buildings"].values())
        for g, group_id in enumerate(groups, start=1):
            w.add(tables.trv_groups, {"id": group_id, "external_ref": f"{prefix}-community-{g}",
                                      "name": f"Generated Communities {number}.{g}", "client_id": client_id})
            w.add(tables.trv_persons, {"id": f"{prefix}-landlord-{g}", "group_id": group_id,
                                       "external_ref": f"{prefix.upper()}-LL-{g}", "first_name": f"Landlord {number}.{g}",
                                       "last_name": "LLC", "email_address": f"leasing-{g}@{prefix}.example",
                                       "phone_number": None, "is_landlord": True})
        w.flush()
        w.progress(f"{client_id}: units and leases", n_leases)
        plan = data["generated"]
        leases: list[dict] = []
        self._tenant_number = 0
        building_number = 0
        unit_number = 0
        while len(leases) < n_leases:
            building_number += 1
            group = building_number % n_groups
            building = self._building(rng, templates, building_number, groups[group], f"{prefix}-landlord-{group + 1}")
            self.units, self.persons = [], []
            for number_in_building in self._unit_numbers(str(building_number), building):
                unit_number += 1
                unit_id = f"{prefix}-unit-{unit_number}"
                self.add_unit({"id": unit_id, "group_id": building["group_id"],
                               "external_ref": f"{building['code']}-{number_in_building}",
                               "unit_number": number_in_building, "building": str(building_number)}, building)
                history = self._unit_history(rng, plan, building, unit_id)[:n_leases - len(leases)]
                leases.extend(history)
                w.tick(len(history))
                if len(leases) >= n_leases:
                    break
            for unit in self.units:
                w.add(tables.trv_units, unit)
            for person in self.persons:
                w.add(tables.trv_persons, person)
        w.flush()
        leases.sort(key=lambda lease: lease["start_date"])  # seq order = creation order, as in the fixtures
        first_seq = w.next_id(tables.trv_leases.c.seq, 0)
        w.progress(f"{client_id}: writing leases", len(leases))
        for offset, lease in enumerate(leases):
            seq = first_seq + offset
            tenants = lease.pop("tenants")
            lease.update(seq=seq, identifier=f"{prefix}-lease-{offset + 1}")
            w.add(tables.trv_leases, lease)
            for position, person_id in enumerate(tenants):
                w.add(tables.trv_lease_tenants, {"lease_seq": seq, "person_id": person_id, "position": position})
            w.tick()
        w.flush()
        return {"client_id": client_id, "client_secret": secret, "groups": groups, "leases": len(leases),
                "units": unit_number, "first_seq": first_seq}

    def _building(self, rng: random.Random, templates: list[dict], number: int, group_id: str,
                  landlord_id: str) -> dict:
        """Apartment buildings of 24 to 400 units in the fixture buildings' cities; 1 in 6 a row of houses."""
        place = rng.choice(templates)
        building = {"group_id": group_id, "code": f"{self.prefix.upper()}B{number}", "city": place["city"],
                    "state": place["state"], "postal_code": place["postal_code"], "country": place["country"],
                    "latitude": round(place["latitude"] + rng.uniform(-0.03, 0.03), 6),
                    "longitude": round(place["longitude"] + rng.uniform(-0.03, 0.03), 6), "landlord_id": landlord_id}
        street = f"{rng.choice(BUILDING_WORDS)} {rng.choice(['Street', 'Avenue', 'Road', 'Boulevard'])}"
        if number % 6 == 0:
            building.update(building_name=None, street=street, first_number=rng.randrange(101, 9001, 2),
                            units=rng.randint(8, 30))
        else:
            building.update(building_name=f"{rng.choice(BUILDING_WORDS)} {rng.choice(BUILDING_KINDS)} {number}",
                            address_line_1=f"{rng.randint(1, 2999)} {street}", units=rng.randint(24, 400))
        return building

    def _new_tenant(self, rng: random.Random, plan: dict, group_id: str) -> str:
        self._tenant_number += 1
        number = self._tenant_number
        person_id = f"{self.prefix}-tenant-{number}"
        self.persons.append(travtus_fixtures.tenant_person(
            rng, plan, group_id, person_id, f"{self.prefix}-tenant-external-ref-{number}", f"{self.prefix}.{number}",
            number))
        return person_id
