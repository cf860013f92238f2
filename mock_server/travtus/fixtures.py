"""Loads fixtures/travtus.yaml and generates each building's units, tenants and leases from one seeded source.

Generated dates are relative to the sandbox clock: each unit has a chain of consecutive leases whose latest one
ends between two months ago and a year ahead (past, current and future leases), some units a signed future
lease. Leases are inserted curated first, then generated ones by start date: trv_leases.seq is that order.
"""

from __future__ import annotations

import calendar
import itertools
import random
from datetime import date, datetime, timedelta

from sqlalchemy import insert

from .. import store as tables
from ..spec import Spec


def load(connection, now: datetime, data: dict, spec: Spec) -> None:
    today = now.date()
    group_ids = [group["id"] for group in data["groups"]]
    connection.execute(insert(tables.trv_clients), data["clients"])
    connection.execute(insert(tables.trv_groups), data["groups"])
    connection.execute(insert(tables.trv_tokens), [{
        "token": token["token"], "client_id": None, "expires_at": None,
        "group_ids": group_ids if token["group_ids"] == "all" else list(token["group_ids"]),
        "always_expired": token.get("always_expired", False)} for token in data["tokens"]])
    connection.execute(insert(tables.trv_persons), [{
        "id": p["id"], "group_id": p["group_id"], "external_ref": p.get("external_ref"),
        "first_name": p.get("first_name"), "last_name": p.get("last_name"),
        "email_address": p.get("email_address"), "phone_number": p.get("phone_number"),
        "is_landlord": True} for p in data["landlords"]])

    plan = Plan(data, today)
    for unit in data["units"]:
        plan.add_unit(unit, data["buildings"][unit["building"]])
    for tenant in data["tenants"]:
        plan.add_tenant(tenant)
    for lease in data["leases"]:
        plan.add_lease(lease, tenant_ids=lease["tenants"])
    plan.generate(data["buildings"], data["generated"])
    plan.insert(connection)


class Plan:
    """The rows to insert, built in memory so that ids and seq order are decided before anything is written."""

    def __init__(self, data: dict, today: date, id_prefix: str = "", first_seq: int = 1):
        """`id_prefix` keeps a tenant's generated ids apart from the fixtures'; `first_seq` puts its leases
        after every existing one."""
        self.today = today
        self.id_prefix = id_prefix
        self.first_seq = first_seq
        self.units: list[dict] = []
        self.persons: list[dict] = []
        self.leases: list[dict] = []  # each with "tenants": [person ids]
        self.curated_start_dates = {_day(lease["start_date"]) for lease in data["leases"]}
        self.unit_numbers: dict[str, set[str]] = {}
        self.person_ids: set[str] = set()
        self._tenant_numbers = itertools.count(1)

    def add_unit(self, unit: dict, building: dict) -> None:
        address_line_1 = building.get("address_line_1")
        address_line_2 = f"Apt {unit['unit_number']}"
        if building.get("street"):  # a row of houses: one street number per unit
            address_line_1, address_line_2 = f"{unit['unit_number']} {building['street']}", None
        self.units.append({
            "id": unit["id"], "group_id": unit["group_id"], "external_ref": unit["external_ref"],
            "unit_number": unit["unit_number"], "building_name": building.get("building_name"),
            "address_line_1": address_line_1, "address_line_2": address_line_2, "city": building["city"],
            "state": building["state"], "country": building["country"], "postal_code": building["postal_code"],
            "latitude": unit.get("latitude", building["latitude"]),
            "longitude": unit.get("longitude", building["longitude"])})
        self.unit_numbers.setdefault(unit.get("building", ""), set()).add(unit["unit_number"])

    def add_tenant(self, tenant: dict) -> None:
        self.person_ids.add(tenant["id"])
        self.persons.append({
            "id": tenant["id"], "group_id": tenant["group_id"], "external_ref": tenant.get("external_ref"),
            "first_name": tenant.get("first_name"), "last_name": tenant.get("last_name"),
            "email_address": tenant.get("email_address"), "phone_number": tenant.get("phone_number"),
            "is_landlord": False})

    def add_lease(self, lease: dict, tenant_ids: list[str]) -> None:
        self.leases.append({
            "identifier": lease.get("identifier"), "group_id": lease["group_id"], "unit_id": lease["unit_id"],
            "landlord_id": lease.get("landlord_id"), "start_date": _day(lease["start_date"]),
            "end_date": _day(lease.get("end_date")), "move_in_date": _day(lease.get("move_in_date")),
            "is_furnished": lease.get("is_furnished", False),
            "minimum_days_notice": lease.get("minimum_days_notice", 30),
            "deposit": float(lease.get("deposit", 0)), "rent": float(lease.get("rent", 0)),
            "tenants": list(tenant_ids)})

    # -- generation ---------------------------------------------------------------------------------

    def generate(self, buildings: dict, plan: dict) -> None:
        rng = random.Random(plan["seed"])
        curated = len(self.leases)
        generated = []
        for key, building in buildings.items():
            for number in self._unit_numbers(key, building):
                unit_id = f"{self.id_prefix}unit-id-{len(self.units) + 1}"
                external_ref = f"{building['code']}-{number}"
                self.add_unit({"id": unit_id, "group_id": building["group_id"], "external_ref": external_ref,
                               "unit_number": number, "building": key, **_house_position(building, number)},
                              building)
                generated.extend(self._unit_history(rng, plan, building, unit_id))
        # seq order = creation order: a lease is recorded around its start date (ties keep generation order).
        generated.sort(key=lambda lease: lease["start_date"])
        for number, lease in enumerate(generated, start=curated + 1):
            lease["identifier"] = f"{self.id_prefix}lease-{number}"
        self.leases.extend(generated)

    def _unit_numbers(self, key: str, building: dict):
        taken = self.unit_numbers.get(key, set())
        if building.get("street"):
            numbers = (str(building["first_number"] + 2 * i) for i in range(10_000))
        else:  # floors of eight apartments: 101..108, 201..208, ...
            numbers = (f"{floor}{door:02d}" for floor in range(1, 100) for door in range(1, 9))
        wanted = building["units"]
        for number in numbers:
            if wanted == 0:
                return
            if number not in taken:
                wanted -= 1
                yield number

    def _unit_history(self, rng: random.Random, plan: dict, building: dict, unit_id: str) -> list[dict]:
        """Consecutive leases back in time from one ending near today, and maybe a signed future one."""
        chain = []
        end = self.today + timedelta(days=rng.randint(-60, 360))
        for _ in range(rng.randint(*plan["leases_per_unit"])):
            start = _add_months(end + timedelta(days=1), -rng.choice(plan["terms_months"]))
            chain.append((start, end))
            end = start - timedelta(days=1 + rng.choice([0, 0, 0, 3, 10, 31]))  # sometimes a vacancy between
        chain.reverse()
        if rng.random() < plan["future_lease_share"]:
            start = max(chain[-1][1], self.today) + timedelta(days=rng.randint(1, 45))
            chain.append((start, _add_months(start, rng.choice(plan["terms_months"])) - timedelta(days=1)))
        leases, tenants = [], []
        for start, end in chain:
            if start in self.curated_start_dates:  # keep ?start_date=<curated date> answering the curated leases
                start += timedelta(days=1)
            if not tenants or rng.random() >= plan["renewal_share"]:
                tenants = [self._new_tenant(rng, plan, building["group_id"])
                           for _ in range(_weighted(rng, plan["tenants_per_lease"]))]
            rent = round(rng.uniform(*plan["rent"]) / 25) * 25
            leases.append({
                "group_id": building["group_id"], "unit_id": unit_id, "landlord_id": building["landlord_id"],
                "start_date": start,
                "end_date": None if rng.random() < 0.03 else end,  # a few month-to-month leases
                "move_in_date": _move_in(rng, start, self.today),
                "is_furnished": rng.random() < plan["furnished_share"],
                "minimum_days_notice": rng.choice([30, 30, 30, 60, 90]),
                "deposit": float(rng.choice([rent, rent, 2 * rent, round(rent * 1.5 / 25) * 25])),
                "rent": float(rent), "tenants": list(tenants)})
        return leases

    def _new_tenant(self, rng: random.Random, plan: dict, group_id: str) -> str:
        number = next(n for n in self._tenant_numbers if f"{self.id_prefix}tenant-id-{n}" not in self.person_ids)
        person_id = f"{self.id_prefix}tenant-id-{number}"
        self.person_ids.add(person_id)
        self.persons.append(tenant_person(rng, plan, group_id, person_id, f"{self.id_prefix}tenant-external-ref-{number}",
                                          str(number), number))
        return person_id

    # -- writing ------------------------------------------------------------------------------------

    def insert(self, connection) -> None:
        connection.execute(insert(tables.trv_units), self.units)
        connection.execute(insert(tables.trv_persons), self.persons)
        for seq, lease in enumerate(self.leases, start=self.first_seq):
            lease["seq"] = seq
        connection.execute(insert(tables.trv_leases), [{k: v for k, v in lease.items() if k != "tenants"}
                                                       for lease in self.leases])
        connection.execute(insert(tables.trv_lease_tenants), [
            {"lease_seq": lease["seq"], "person_id": person_id, "position": position}
            for lease in self.leases for position, person_id in enumerate(lease["tenants"])])


def tenant_person(rng: random.Random, plan: dict, group_id: str, person_id: str, external_ref: str, email_tag: str,
                  number: int) -> dict:
    """A generated tenant's person record; some have no external ref (`tenant_without_external_ref_share`)."""
    first, last = rng.choice(plan["first_names"]), rng.choice(plan["last_names"])
    return {"id": person_id, "group_id": group_id,
            "external_ref": None if rng.random() < plan["tenant_without_external_ref_share"] else external_ref,
            "first_name": first, "last_name": last, "email_address": f"{first}.{last}.{email_tag}@example.com".lower(),
            "phone_number": f"+1555{number % 10_000_000:07d}", "is_landlord": False}


def _house_position(building: dict, number: str) -> dict:
    """Houses on a street sit a few metres apart; apartments share their building's coordinates."""
    if not building.get("street"):
        return {}
    step = (int(number) - building["first_number"]) // 2
    return {"latitude": round(building["latitude"] + 0.0002 * step, 6), "longitude": building["longitude"]}


def _move_in(rng: random.Random, start: date, today: date) -> date | None:
    if start > today and rng.random() < 0.25:
        return None  # not scheduled yet
    return start + timedelta(days=rng.choice([0, 0, 0, 0, 1, 2, 5]))


def _weighted(rng: random.Random, weights: dict) -> int:
    return int(rng.choices(list(weights), weights=list(weights.values()))[0])


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _day(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
