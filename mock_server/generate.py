"""`mock-server fixtures generate`: adds large seeded companies and Travtus clients to a sandbox, bulk-inserted.

The generated data comes from the fixtures' generators (mock_server/leasey/portfolio.py, mock_server/travtus/
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
from datetime import datetime
from itertools import count
from pathlib import Path

import yaml
from sqlalchemy import func, insert, select

from . import store as tables
from .leasey.catalog import Catalog
from .leasey.portfolio import Ids, Portfolio
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
    from .settings import config_from_arguments

    app = create_app({**config_from_arguments(args), "LOAD_FIXTURES": "if-empty", "SELF_CHECK": "off"})
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
    """One company shaped like the fixture portfolios, at any size: its team and buildings of about forty units
    made here, its portfolio by the fixtures' generator in its bulk shape (mock_server/leasey/portfolio.py)."""

    def __init__(self, writer: Writer, catalog: Catalog, data: dict, now: datetime, rng: random.Random):
        self.w, self.catalog, self.data, self.now, self.rng = writer, catalog, data, now, rng

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
        company = {"id": cid, "market_rent_enabled": market_rent,
                   "users": [{"id": self.primary_admin, "is_primary_admin": True}],
                   "team_members": [{"id": member_id} for member_id in self.members], "buildings": buildings,
                   "portfolio": {"properties": n_properties, "leads": n_leads, "showings": n_showings,
                                 "country": "Canada"}}
        ids = Ids(properties=count(w.next_id(tables.properties.c.id)),
                  units=count(w.next_id(tables.properties.c.unit_id)), persons=self.person_ids,
                  leads=count(w.next_id(tables.leads.c.id)),
                  applications=count(w.next_id(tables.applications.c.id)),
                  showings=count(w.next_id(tables.showings.c.id)))
        portfolio = Portfolio(company, self.data, self.catalog, self.now, rng, ids, bulk=True)
        for label, total, counted, rows in (
                ("properties", n_properties, tables.properties, portfolio.listings()),
                ("leads", n_leads, tables.leads, portfolio.lead_rows()),
                ("showings", n_showings, tables.showings, portfolio.showing_rows())):
            w.progress(f"company {cid}: {label}", total)
            for table, row in rows:
                w.add(table, row)
                if table is counted:
                    w.tick()
            w.flush()
        return {"company_id": cid, "password": password, "properties": n_properties, "buildings": len(buildings),
                "leads": len(portfolio.leads), "showings": n_showings if portfolio.leads and self.members else 0}

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
