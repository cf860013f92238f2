"""Loads fixtures/leasey.yaml: each company as the file gives it, then its portfolio from the one seeded
generator (mock_server/leasey/portfolio.py) and its rows at the document's dates (mock_server/leasey/dated.py).
"""

from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy import insert

from .. import digests
from .. import store as tables
from ..spec import Spec
from .catalog import Catalog
from .dated import load_dated
from .ids import block
from .portfolio import Ids, Portfolio


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
    _insert_portfolio(connection, now, data, catalog, company)
    load_dated(connection, company)  # rows at the document's example dates (mock_server/leasey/dated.py)


def _insert_portfolio(connection, now: datetime, data: dict, catalog: Catalog, company: dict) -> None:
    """The company's generated portfolio (mock_server/leasey/portfolio.py), one executemany per table."""
    portfolio = Portfolio(company, data, catalog, now, random.Random(company["portfolio"]["seed"]),
                          Ids.of_company(company["id"]))
    rows: dict = {}
    for table, row in portfolio.rows():
        rows.setdefault(table, []).append(row)
    for table in tables.metadata.sorted_tables:  # parents first
        if rows.get(table):
            connection.execute(insert(table), rows[table])
