"""Leasey write rules (sections 5, 6, 9): create and partially update a property listing, in one transaction.

Buildings, floorplans, features, amenities, restrictions, photos, team members, marketplaces and billing
items are written to their own tables; the reports derive everything from them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from zoneinfo import available_timezones

from sqlalchemy import delete, func, insert, select, update

from .. import store as tables
from . import errors
from .catalog import Catalog
from .validation import property_errors

_SCALARS = ("name", "suite_unit", "address", "city", "province_state", "country", "postal_code", "description",
            "security_deposit", "rent_payment_frequency", "renewal_frequency", "unit_type", "rental_space",
            "bedrooms", "bathrooms", "size_sqft", "max_occupancy", "parking_stalls", "furnishing",
            "storage_available", "rental_application_url")
_CONTACT = ("first_name", "last_name", "email", "phone", "dial_code", "notify_email", "notify_sms")


class ListingWriter:
    def __init__(self, backend):
        self.backend = backend
        self.spec = backend.spec
        self.catalog: Catalog = backend.catalog

    # -- create -----------------------------------------------------------------------------------

    def create(self, company, data: dict) -> dict:
        details = property_errors(self.spec, "PropertyCreate", data)
        if details:
            raise errors.ValidationFailed(details)
        now = self.backend.clock.now()
        with self.backend.store.begin() as connection:
            self._check_references(connection, company, data, existing=None)
            values = self._defaults(data)
            values.update(self._scalar_values(data))
            building_id, floorplan_id = self._building(connection, company, data, values, existing=None)
            taken = self._slugs_like(connection, company, self.catalog.slug_base(values["name"], values.get("suite_unit")))
            slug = self.catalog.slug(values["name"], values.get("suite_unit"), taken)
            property_id = connection.execute(insert(tables.properties).values(
                uuid=str(uuid.uuid4()), unit_id=self._next_unit_id(connection), company_id=company.id,
                building_id=building_id, floorplan_id=floorplan_id,
                owner_user_id=self._owner(connection, company, data.get("owner_user_id")),
                slug=slug, status="Active", marketing_start=now.date(), marketing_end=None,
                created_at=now, updated_at=now, **values)).inserted_primary_key[0]
            row = connection.execute(select(tables.properties).where(tables.properties.c.id == property_id)).one()
            result = {"success": True, "message": "Property created successfully.", "property_id": row.uuid,
                      "url_slug": row.slug}
            result.update(self._collections(connection, company, row, data, now))
        return result

    @staticmethod
    def _slugs_like(connection, company, base: str, except_id: int | None = None) -> set[str]:
        """The company's slugs a new slug from `base` could collide with: `base` and `base-…` (not the whole list)."""
        # By prefix with substr, not LIKE: LIKE would make a pattern of the name, and SQLite refuses a pattern
        # over 50,000 bytes (a long name answered 500). Not a range either: in a non-C collation (PostgreSQL)
        # '-' does not sort bytewise. Slugs are ASCII, so substr's characters are bytes; names are not capped.
        slugs, prefix = tables.properties.c.slug, f"{base}-"
        query = select(slugs).where(tables.properties.c.company_id == company.id,
                                    (slugs == base) | (func.substr(slugs, 1, len(prefix)) == prefix))
        if except_id is not None:
            query = query.where(tables.properties.c.id != except_id)
        return set(connection.execute(query).scalars())

    # -- update -----------------------------------------------------------------------------------

    def update(self, company, property_uuid: str, data: dict) -> dict:
        with self.backend.store.begin() as connection:
            row = connection.execute(select(tables.properties).where(
                tables.properties.c.uuid == property_uuid, tables.properties.c.company_id == company.id)).first()
            if row is None:
                raise errors.property_not_found()
            details = property_errors(self.spec, "PropertyInput", data)
            if details:
                raise errors.ValidationFailed(details)
            self._check_references(connection, company, data, existing=row)
            now = self.backend.clock.now()
            values = self._scalar_values(data)
            if "owner_user_id" in data:
                values["owner_user_id"] = self._owner(connection, company, data["owner_user_id"])
            building_id, floorplan_id = self._building(connection, company, data, {**row._mapping, **values}, row)
            values.update(building_id=building_id, floorplan_id=floorplan_id, updated_at=now)
            if "name" in data or "suite_unit" in data:
                name, suite = values.get("name", row.name), values.get("suite_unit", row.suite_unit)
                if self.catalog.slug_base(name, suite) != self.catalog.slug_base(row.name, row.suite_unit):
                    taken = self._slugs_like(connection, company, self.catalog.slug_base(name, suite), row.id)
                    values["slug"] = self.catalog.slug(name, suite, taken)
            connection.execute(update(tables.properties).where(tables.properties.c.id == row.id).values(**values))
            row = connection.execute(select(tables.properties).where(tables.properties.c.id == row.id)).one()
            result = {"success": True, "message": "Property updated successfully.", "property_id": row.uuid,
                      "url_slug": row.slug}
            result.update(self._collections(connection, company, row, data, now))
        return result

    # -- shared rules ------------------------------------------------------------------------------

    def _defaults(self, data: dict) -> dict:
        """Section 6 defaults (the spec's), max_occupancy from the bedrooms (Catalog.max_occupancy)."""
        defaults = self.catalog.property_defaults
        values = {name: defaults[name] for name in _SCALARS if name in defaults}
        values["rent_amount"] = float(defaults["rent_amount"])
        values["max_occupancy"] = self.catalog.max_occupancy(data.get("bedrooms", values.get("bedrooms", 0)))
        return values

    def _scalar_values(self, data: dict) -> dict:
        values = {name: data[name] for name in _SCALARS if name in data}
        if "rent_amount" in data:
            values["rent_amount"] = float(data["rent_amount"])
        if "date_available" in data:
            values["date_available"] = date.fromisoformat(data["date_available"])
        if "owner_contact" in data:
            contact = data["owner_contact"]
            values.update({f"contact_{name}": contact.get(name) for name in _CONTACT})
        return values

    def _check_references(self, connection, company, data: dict, existing) -> None:
        """Rules that need the database; reported in the 422 format like the schema's."""
        details = []
        if "building_id" in data and not connection.execute(select(tables.buildings.c.id).where(
                tables.buildings.c.id == data["building_id"], tables.buildings.c.company_id == company.id)).first():
            details.append(f'"building_id" invalid: {data["building_id"]}. No building with this id belongs '
                           f'to company {company.id}.')
        wants_building = any(k in data for k in ("building_id", "building_name", "number_of_units"))
        if "building_amenities" in data and not wants_building and (existing is None or not existing.building_id):
            details.append('"building_amenities" requires building_id, building_name or number_of_units.')
        if "building_name" in data and "building_id" not in data and "number_of_units" not in data:
            if not self._building_by_name(connection, company, data["building_name"]):
                details.append(f'"number_of_units" is required to create the building "{data["building_name"]}".')
        if data.get("use_custom_application_link") and not data.get("rental_application_url") \
                and not company.rental_application_url:
            details.append('"rental_application_url" is required when use_custom_application_link is true.')
        if details:
            raise errors.ValidationFailed(details)

    @staticmethod
    def _building_by_name(connection, company, name: str):
        return connection.execute(select(tables.buildings).where(
            tables.buildings.c.company_id == company.id, func.lower(tables.buildings.c.name) == name.lower())
            .order_by(tables.buildings.c.id)).first()

    def _building(self, connection, company, data: dict, values: dict, existing) -> tuple[int | None, int | None]:
        """building_id takes precedence over building_name; a new building needs number_of_units."""
        building_id = existing.building_id if existing is not None else None
        if "building_id" in data:
            building_id = data["building_id"]
        elif "building_name" in data:
            found = self._building_by_name(connection, company, data["building_name"])
            building_id = found.id if found else self._new_building(
                connection, company, data["building_name"], data["number_of_units"])
        elif "number_of_units" in data:
            if building_id is None:
                building_id = self._new_building(connection, company, values["address"], data["number_of_units"])
            else:
                connection.execute(update(tables.buildings).where(tables.buildings.c.id == building_id)
                                   .values(number_of_units=data["number_of_units"]))
        if building_id is None:
            return None, None
        floorplan = connection.execute(select(tables.floorplans.c.id).where(
            tables.floorplans.c.building_id == building_id, tables.floorplans.c.bedrooms == values["bedrooms"],
            tables.floorplans.c.bathrooms == values["bathrooms"])).scalar()
        if floorplan is None:
            floorplan = connection.execute(insert(tables.floorplans).values(
                building_id=building_id, bedrooms=values["bedrooms"],
                bathrooms=values["bathrooms"])).inserted_primary_key[0]
        return building_id, floorplan

    @staticmethod
    def _new_building(connection, company, name: str, units: int) -> int:
        return connection.execute(insert(tables.buildings).values(
            company_id=company.id, name=name, number_of_units=units)).inserted_primary_key[0]

    @staticmethod
    def _next_unit_id(connection) -> int:
        return (connection.execute(select(func.max(tables.properties.c.unit_id))).scalar() or 0) + 1

    @staticmethod
    def _owner(connection, company, user_id: int | None) -> int | None:
        """A user of the company, otherwise (silently) the primary admin."""
        if user_id is not None and connection.execute(select(tables.users.c.id).where(
                tables.users.c.id == user_id, tables.users.c.company_id == company.id)).first():
            return user_id
        return connection.execute(select(tables.users.c.id).where(tables.users.c.company_id == company.id,
                                                             tables.users.c.is_admin.is_(True))
                                  .order_by(tables.users.c.is_primary_admin.desc(), tables.users.c.id)).scalar()

    def _collections(self, connection, company, row, data: dict, now: datetime) -> dict:
        """Replace-on-send collections, additive team members, per-entry marketplaces; the optional response parts."""
        result = {}
        pid = row.id
        if row.building_id is not None:
            result["building_id"] = row.building_id
        if row.floorplan_id is not None:
            result["floorplan_id"] = row.floorplan_id
        if "features" in data:
            connection.execute(delete(tables.property_features).where(tables.property_features.c.property_id == pid))
            rows = {item["id"]: item["value"] for item in data["features"]}  # the last entry per id wins
            if rows:
                connection.execute(insert(tables.property_features), [
                    {"property_id": pid, "feature_id": k, "value": v} for k, v in rows.items()])
        if "restrictions" in data:
            connection.execute(delete(tables.property_restrictions).where(tables.property_restrictions.c.property_id == pid))
            if data["restrictions"]:
                connection.execute(insert(tables.property_restrictions), [
                    {"property_id": pid, "restriction_id": r} for r in data["restrictions"]])
        if "photos" in data:
            connection.execute(delete(tables.property_photos).where(tables.property_photos.c.property_id == pid))
            if data["photos"]:
                connection.execute(insert(tables.property_photos), [
                    {"property_id": pid, "position": i, "url": p["url"]} for i, p in enumerate(data["photos"])])
        if "building_amenities" in data:
            result["building_amenities"] = self._building_amenities(connection, row.building_id,
                                                                    data["building_amenities"])
        if "use_custom_application_link" in data:
            changes = {"use_custom_application_link": data["use_custom_application_link"]}
            if data.get("rental_application_url"):
                changes["rental_application_url"] = data["rental_application_url"]
            connection.execute(update(tables.companies).where(tables.companies.c.id == company.id).values(**changes))
        if "marketplaces" in data:
            self._marketplaces(connection, company, pid, data["marketplaces"], now)
        if "team_members" in data:
            result["team_members"] = self._team_members(connection, company, pid, data["team_members"])
        return result

    def _building_amenities(self, connection, building_id: int, items: list[dict]) -> dict:
        connection.execute(delete(tables.building_amenities).where(tables.building_amenities.c.building_id == building_id))
        rows = {item["id"]: item["value"] for item in items}
        if rows:
            connection.execute(insert(tables.building_amenities), [
                {"building_id": building_id, "amenity_id": k, "value": v} for k, v in rows.items()])
        skipped = [f"building amenity {k}: sent more than once; the last value was kept"
                   for k in rows if sum(1 for item in items if item["id"] == k) > 1]
        return {"building_id": building_id, "inserted": len(rows), "skipped": skipped}

    def _marketplaces(self, connection, company, pid: int, items: list[dict], now: datetime) -> None:
        """Only listed entries change. Enabling a paid one bills once per (property, marketplace)."""
        for item in items:
            name, enabled = item["name"], item["enabled"]
            connection.execute(delete(tables.property_marketplaces).where(
                tables.property_marketplaces.c.property_id == pid, tables.property_marketplaces.c.marketplace == name))
            connection.execute(insert(tables.property_marketplaces).values(property_id=pid, marketplace=name,
                                                                           enabled=enabled))
            billed = tables.billing_items.c
            if enabled and self.catalog.marketplaces[name] and not connection.execute(select(billed.id).where(
                    billed.property_id == pid, billed.marketplace == name)).first():
                connection.execute(insert(tables.billing_items).values(
                    company_id=company.id, property_id=pid, marketplace=name, daily_rate=company.daily_rate,
                    created_at=now))

    def _team_members(self, connection, company, pid: int, items: list[dict]) -> dict:
        """Three styles, mixed: by team_member_id, by email of a known member, or a new member. Additive."""
        assigned, created, skipped = [], [], []
        for item in items:
            try:
                with connection.begin_nested():
                    member_id, record = self._team_member(connection, company, item)
                    if not connection.execute(select(tables.property_team_members).where(
                            tables.property_team_members.c.property_id == pid,
                            tables.property_team_members.c.team_member_id == member_id)).first():
                        connection.execute(insert(tables.property_team_members).values(property_id=pid,
                                                                                  team_member_id=member_id))
            except _Skip as skip:
                skipped.append(str(skip))
                continue
            if member_id not in assigned:
                assigned.append(member_id)
            if record is not None:
                created.append(record)
        return {"assigned": assigned, "created": created, "skipped": skipped}

    def _team_member(self, connection, company, item: dict) -> tuple[int, dict | None]:
        members = tables.team_members
        if "team_member_id" in item:
            found = connection.execute(select(members.c.id).where(
                members.c.id == item["team_member_id"], members.c.company_id == company.id)).scalar()
            if found is None:
                raise _Skip(f"team_member_id {item['team_member_id']}: no such team member in company {company.id}")
            return found, None
        email = item.get("email")
        if not email:
            raise _Skip(f"{_describe(item)}: a team member needs team_member_id or email")
        member = connection.execute(select(members).where(
            members.c.company_id == company.id, func.lower(members.c.email) == email.lower())).first()
        is_new_style = any(k in item for k in ("first_name", "last_name", "role_id", "is_admin", "timezone"))
        if not is_new_style:
            if member is None:
                raise _Skip(f"{email}: no team member with this email; send first_name and last_name to create one")
            return member.id, None
        if member is not None:
            return member.id, {"team_member_id": member.id, "user_id": member.user_id, "person_id": member.person_id,
                               "email": member.email, "already_existed": True}
        if not item.get("first_name") or not item.get("last_name"):
            raise _Skip(f"{email}: first_name and last_name are required to create a team member")
        if "role_id" in item and not connection.execute(select(tables.roles.c.id).where(
                tables.roles.c.id == item["role_id"])).first():
            raise _Skip(f"{email}: role_id {item['role_id']} does not exist")
        if "timezone" in item and item["timezone"] not in _timezones():
            raise _Skip(f"{email}: timezone {item['timezone']!r} is not an IANA time zone")
        user = connection.execute(select(tables.users).where(
            tables.users.c.company_id == company.id, func.lower(tables.users.c.email) == email.lower())).first()
        already_existed = user is not None
        person_id = self._next_person_id(connection)
        if user is None:
            user_id = connection.execute(insert(tables.users).values(
                company_id=company.id, person_id=person_id, first_name=item["first_name"], last_name=item["last_name"],
                email=email, is_admin=item.get("is_admin", False), is_primary_admin=False)).inserted_primary_key[0]
        else:
            user_id, person_id = user.id, user.person_id or person_id
        member_id = connection.execute(insert(members).values(
            company_id=company.id, user_id=user_id, person_id=person_id, email=email,
            first_name=item["first_name"], last_name=item["last_name"], role_id=item.get("role_id"),
            is_admin=item.get("is_admin", False), timezone=item.get("timezone"))).inserted_primary_key[0]
        return member_id, {"team_member_id": member_id, "user_id": user_id, "person_id": person_id,
                           "email": email, "already_existed": already_existed}

    @staticmethod
    def _next_person_id(connection) -> int:
        highest = max(connection.execute(select(func.max(tables.users.c.person_id))).scalar() or 0,
                      connection.execute(select(func.max(tables.team_members.c.person_id))).scalar() or 0,
                      connection.execute(select(func.max(tables.persons.c.id))).scalar() or 0)
        return highest + 1


class _Skip(Exception):
    """One team_members entry that could not be processed; reported in `skipped`."""


def _describe(item: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in item.items())


_TIMEZONES: set[str] = set()


def _timezones() -> set[str]:
    if not _TIMEZONES:
        _TIMEZONES.update(available_timezones())
    return _TIMEZONES
