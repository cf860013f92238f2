"""Sections 5, 6, 9 and 11: creating and updating listings, every rule, and what the reports then show."""

import uuid

import pytest
from sqlalchemy import select

from .support.leasey import new_listing

pytestmark = [pytest.mark.leasey, pytest.mark.writes]

VALIDATION_MESSAGE = "Validation failed. See 'details' for field-level errors."


def details_of(response) -> list[str]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "Unprocessable Entity" and body["message"] == VALIDATION_MESSAGE
    return body["details"]


# --- 422 validation, one rule per test (section 9 and 11) ---------------------------------------

@pytest.mark.refused_write
@pytest.mark.parametrize("field", ["name", "address", "city", "province_state", "country"])
def test_each_missing_required_field_is_named(leasey, field):
    prop = new_listing()
    del prop[field]
    assert details_of(leasey.create(prop)) == [f'"{field}" is required.']


@pytest.mark.refused_write
def test_all_failing_fields_are_collected_in_one_response(leasey):
    details = details_of(leasey.create({"unit_type": "studio", "bedrooms": "two"}))
    assert details[:5] == ['"name" is required.', '"address" is required.', '"city" is required.',
                           '"province_state" is required.', '"country" is required.']
    assert '"unit_type" invalid: "studio". Valid values: ["apartment", "house", "townhouse", "duplex/triplex", ' \
           '"basement suite", "room only", "other"]' in details
    assert '"bedrooms" must be a number.' in details


@pytest.mark.refused_write
@pytest.mark.parametrize("field,value,valid", [
    ("unit_type", "condo", '["apartment", "house", "townhouse", "duplex/triplex", "basement suite", "room only", "other"]'),
    ("rental_space", "shared room", '["entire place", "partial place"]'),
    ("rent_payment_frequency", "semi-monthly", '["daily", "weekly", "bi-weekly", "monthly", "yearly", "one-time"]'),
    ("renewal_frequency", "yearly", '["month to month", "fixed term", "fixed term, renewing month-to-month"]'),
    ("furnishing", 4, "[1, 2, 3]"),
    ("storage_available", 0, "[1, 2, 3]"),
])
def test_enum_values_outside_the_list_are_422_with_the_full_list(leasey, field, value, valid):
    shown = f'"{value}"' if isinstance(value, str) else str(value)
    assert details_of(leasey.create(new_listing(**{field: value}))) == [
        f'"{field}" invalid: {shown}. Valid values: {valid}']


@pytest.mark.refused_write
def test_feature_id_outside_1_to_37_is_422(leasey):
    details = details_of(leasey.create(new_listing(features=[{"id": 38, "value": 1}])))
    assert details == ['"features[0].id" invalid: 38. Valid values: [' + ", ".join(map(str, range(1, 38))) + "]"]


@pytest.mark.refused_write
def test_feature_value_outside_1_to_3_is_422(leasey):
    details = details_of(leasey.create(new_listing(features=[{"id": 1, "value": 1}, {"id": 2, "value": 4}])))
    assert details == ['"features[1].value" invalid: 4. Valid values: [1, 2, 3]']


@pytest.mark.refused_write
def test_building_amenity_id_outside_1_to_12_is_422(leasey):
    prop = new_listing(building_name="Oak Ave Apartments", building_amenities=[{"id": 13, "value": 1}])
    assert details_of(leasey.create(prop)) == [
        '"building_amenities[0].id" invalid: 13. Valid values: [' + ", ".join(map(str, range(1, 13))) + "]"]


@pytest.mark.refused_write
def test_restriction_id_outside_1_to_5_is_422(leasey):
    assert details_of(leasey.create(new_listing(restrictions=[1, 6]))) == [
        '"restrictions[1]" invalid: 6. Valid values: [1, 2, 3, 4, 5]']


@pytest.mark.refused_write
def test_unknown_marketplace_is_422(leasey):
    details = details_of(leasey.create(new_listing(marketplaces=[{"name": "craigslistt", "enabled": True}])))
    assert len(details) == 1
    assert details[0].startswith('"marketplaces[0].name" invalid: "craigslistt". Valid values: ["zillow"')


@pytest.mark.refused_write
def test_photo_urls_must_start_with_https(leasey):
    details = details_of(leasey.create(new_listing(photos=[{"url": "https://ok.example/a.jpg"},
                                                           {"url": "http://cdn.example.com/a.jpg"}])))
    assert details == ['"photos[1].url" must start with https://.']


@pytest.mark.refused_write
@pytest.mark.parametrize("field,value,message", [
    ("bedrooms", "2", '"bedrooms" must be a number.'),
    ("size_sqft", 850.5, '"size_sqft" must be an integer.'),
    ("rent_amount", "two thousand", '"rent_amount" must be a number.'),
    ("rent_amount", True, '"rent_amount" must be a string or a number.'),
    ("features", {"id": 1}, '"features" must be an array.'),
    ("name", 5, '"name" must be a string.'),
    ("date_available", "01/02/2025", '"date_available" must be a date (YYYY-MM-DD).'),
    ("parking_stalls", -1, '"parking_stalls" must be greater than or equal to 0.'),
])
def test_wrong_types_are_422(leasey, field, value, message):
    assert details_of(leasey.create(new_listing(**{field: value}))) == [message]


@pytest.mark.refused_write
def test_unknown_property_fields_are_422(leasey):
    assert details_of(leasey.create(new_listing(floor=3))) == ['"floor" is not a known field.']


@pytest.mark.refused_write
def test_huge_numbers_are_422_not_500(leasey):
    details = details_of(leasey.create(new_listing(bedrooms=1.2e308, rent_amount=5.6e307)))
    assert details == ['"rent_amount" must be less than or equal to 1000000000.',
                       '"bedrooms" must be less than or equal to 100.']


@pytest.mark.refused_write
def test_lone_surrogates_are_malformed_json_not_500(leasey):
    body = f'{{"company_id": {leasey.company_id}, "password": "{leasey.password}", "property": {{"name": "\\udbd4"}}}}'
    response = leasey.http.post(f"{leasey.base}/properties", data=body, timeout=60, headers={
        "Authorization": f"Bearer {leasey.token}", "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["message"] == "Malformed JSON: the request body must be a JSON object"


@pytest.mark.refused_write
def test_missing_property_object_is_400(leasey):
    response = leasey.http.post(f"{leasey.base}/properties", json={"company_id": leasey.company_id,
                                                                   "password": leasey.password},
                                headers={"Authorization": f"Bearer {leasey.token}"}, timeout=60)
    assert response.status_code == 400 and response.json()["message"] == "property is required"


# --- defaults and the 201 body (section 5 and 6) ---------------------------------------------------

def test_minimal_create_answers_exactly_the_always_present_fields(leasey):
    body = leasey.created(new_listing())
    assert set(body) == {"success", "message", "property_id", "url_slug"}
    assert body["success"] is True and body["message"] == "Property created successfully."
    assert uuid.UUID(body["property_id"]).version == 4


def test_defaults_show_in_the_properties_report(leasey):
    body = leasey.created(new_listing(bedrooms=3))
    row = leasey.listing(body["url_slug"])
    assert row["Rent_Amount"] == 0
    assert row["Lease_Term"] == "Month to month"
    assert row["Unit_Type"] == "Apartment"
    assert row["Rental_Space"] == "Entire place"
    assert row["Max_Occupancy"] == 6
    assert row["Furnishing"] == "Unfurnished"
    assert row["Storage"] == "No"
    assert row["Unit_Amenities"] == [] and row["Unit_Amenities_Count"] == 0


def test_rent_payment_frequency_defaults_to_monthly(leasey):
    body = leasey.created(new_listing())
    # Shown once a lead references the property: the leads report carries Rent_Payment_Frequency.
    listing = leasey.listing(body["url_slug"])
    assert listing["Lead_Count"] == 0 and listing["Lead_Status"] == "No Leads"


def test_url_slug_comes_from_name_and_suite_unit_and_is_unique(leasey):
    name = f"Slug Test {uuid.uuid4().hex[:6]}"
    first = leasey.created(new_listing(name=name, suite_unit="4B"))
    second = leasey.created(new_listing(name=name, suite_unit="4B"))
    assert first["url_slug"] == f"{name.lower().replace(' ', '-')}-4b"
    assert second["url_slug"] != first["url_slug"] and second["url_slug"].startswith(first["url_slug"])


@pytest.mark.sandbox
def test_building_name_links_an_existing_building(leasey):
    body = leasey.created(new_listing(building_name="Oak Ave Apartments"))
    assert body["building_id"] == 55 and isinstance(body["floorplan_id"], int)
    assert leasey.listing(body["url_slug"])["Property_Name"] == "Oak Ave Apartments"


def test_new_building_name_needs_number_of_units(leasey):
    name = f"New Tower {uuid.uuid4().hex[:6]}"
    assert details_of(leasey.create(new_listing(building_name=name))) == [
        f'"number_of_units" is required to create the building "{name}".']
    body = leasey.created(new_listing(building_name=name, number_of_units=12))
    again = leasey.created(new_listing(building_name=name))
    assert again["building_id"] == body["building_id"]


@pytest.mark.sandbox
def test_building_id_takes_precedence_over_building_name(leasey):
    body = leasey.created(new_listing(building_id=56, building_name="Oak Ave Apartments"))
    assert body["building_id"] == 56


@pytest.mark.refused_write
@pytest.mark.sandbox
def test_building_of_another_company_is_422(leasey):
    details = details_of(leasey.create(new_listing(building_id=71)))
    assert details == ['"building_id" invalid: 71. No building with this id belongs to company 123.']


@pytest.mark.refused_write
def test_building_amenities_need_a_building(leasey):
    assert details_of(leasey.create(new_listing(building_amenities=[{"id": 4, "value": 1}]))) == [
        '"building_amenities" requires building_id, building_name or number_of_units.']


def test_building_amenities_response_and_report(leasey):
    name = f"Amenity Court {uuid.uuid4().hex[:6]}"
    body = leasey.created(new_listing(building_name=name, number_of_units=8,
                                      building_amenities=[{"id": 4, "value": 1}, {"id": 11, "value": 1},
                                                          {"id": 8, "value": 3}]))
    assert body["building_amenities"] == {"building_id": body["building_id"], "inserted": 3, "skipped": []}
    row = leasey.listing(body["url_slug"])
    assert row["Building_Amenities"] == ["Fitness center / gym", "Elevator"]
    assert row["Building_Amenities_Count"] == 2


@pytest.mark.sandbox
def test_team_members_three_styles_mixed_with_skips(leasey):
    email = f"new.agent.{uuid.uuid4().hex[:6]}@mapleleafpm.example"
    body = leasey.created(new_listing(team_members=[
        {"team_member_id": 45},
        {"email": "noah.cote@mapleleafpm.example"},
        {"email": email, "first_name": "Sara", "last_name": "White", "role_id": 12, "is_admin": False,
         "timezone": "America/Vancouver"},
        {"team_member_id": 99999},
        {"email": "nobody@mapleleafpm.example"},
    ]))
    members = body["team_members"]
    assert members["assigned"][:2] == [45, 47] and len(members["assigned"]) == 3
    created = members["created"]
    assert len(created) == 1 and created[0]["email"] == email and created[0]["already_existed"] is False
    assert created[0]["team_member_id"] == members["assigned"][2]
    assert len(members["skipped"]) == 2
    assert leasey.listing(body["url_slug"])  # the property exists: skips never roll it back


@pytest.mark.sandbox
def test_already_existed_is_true_when_the_email_was_known(leasey):
    body = leasey.created(new_listing(team_members=[
        {"email": "chloe.bouchard@mapleleafpm.example", "first_name": "Chloe", "last_name": "Bouchard"}]))
    assert body["team_members"]["created"][0]["already_existed"] is True
    assert body["team_members"]["created"][0]["team_member_id"] == 48


def test_failed_member_creation_lands_in_skipped(leasey):
    body = leasey.created(new_listing(team_members=[{"email": "x@example.com", "first_name": "X", "last_name": "Y",
                                                     "timezone": "Mars/Olympus"}]))
    assert body["team_members"]["assigned"] == [] and len(body["team_members"]["skipped"]) == 1


@pytest.mark.sandbox
def test_owner_user_id_of_another_company_falls_back_to_the_primary_admin(leasey):
    body = leasey.created(new_listing(owner_user_id=301))
    row = leasey.listing(body["url_slug"])
    assert row["Contact_Name"] == "Olivia Tremblay"
    assert row["Contact_Email"] == "olivia.tremblay@mapleleafpm.example"


@pytest.mark.sandbox
def test_owner_user_id_of_the_company_is_the_listing_contact(leasey):
    row = leasey.listing(leasey.created(new_listing(owner_user_id=203))["url_slug"])
    assert row["Contact_Name"] == "Emma Gagnon" and row["Contact_Email"] == "emma.gagnon@mapleleafpm.example"


def test_owner_contact_overrides_the_listing_contact(leasey):
    body = leasey.created(new_listing(owner_contact={"first_name": "Pat", "last_name": "Lee", "email": "pat@example.com",
                                                     "phone": "4165551234", "dial_code": "+1"}))
    row = leasey.listing(body["url_slug"])
    assert (row["Contact_Name"], row["Contact_Email"], row["Contact_Phone"]) == ("Pat Lee", "pat@example.com",
                                                                                  "+14165551234")


@pytest.mark.sandbox
def test_custom_application_link_is_a_company_setting(leasey, sandbox_db):
    from mock_server import store as tables

    leasey.created(new_listing(use_custom_application_link=True,
                               rental_application_url="https://apply.example.com/maple"))
    with tables.Store(sandbox_db).connect() as connection:
        company = connection.execute(select(tables.companies).where(tables.companies.c.id == 123)).one()
    assert company.use_custom_application_link is True
    assert company.rental_application_url == "https://apply.example.com/maple"
    leasey.created(new_listing(use_custom_application_link=False))


def test_custom_application_link_needs_a_url(leasey):
    response = leasey.create(new_listing(use_custom_application_link=True))
    assert response.status_code in (201, 422)  # 201 only if the company already has a URL on file
    if response.status_code == 422:
        assert response.json()["details"] == [
            '"rental_application_url" is required when use_custom_application_link is true.']


# --- marketplaces and billing (section 6) -----------------------------------------------------

def billing_items(leasey, control, url_slug: str) -> list[str]:
    """The marketplaces billed for a listing, read through the control API (GET /_sandbox/billing-items)."""
    property_id = leasey.listing(url_slug)["Property_ID"]
    return [item["marketplace"] for item in control.billing_items(leasey.company_id, property_id)]


@pytest.mark.sandbox
def test_paid_marketplace_creates_one_billing_item_and_resending_is_idempotent(leasey, sandbox_control):
    body = leasey.created(new_listing(marketplaces=[{"name": "kijiji", "enabled": True},
                                                    {"name": "zillow", "enabled": True}]))
    assert billing_items(leasey, sandbox_control, body["url_slug"]) == ["kijiji"]
    again = leasey.update(body["property_id"], {"marketplaces": [{"name": "kijiji", "enabled": True}]})
    assert again.status_code == 200
    assert billing_items(leasey, sandbox_control, body["url_slug"]) == ["kijiji"]


def test_disabling_a_marketplace_unpublishes_only_that_one(leasey):
    body = leasey.created(new_listing(marketplaces=[{"name": "zillow", "enabled": True},
                                                    {"name": "facebook", "enabled": True}]))
    assert leasey.listing(body["url_slug"])["Unit_Publish_Status"] == "Published"
    leasey.update(body["property_id"], {"marketplaces": [{"name": "zillow", "enabled": False}]})
    assert leasey.listing(body["url_slug"])["Unit_Publish_Status"] == "Published"  # facebook kept its state
    leasey.update(body["property_id"], {"marketplaces": [{"name": "facebook", "enabled": False}]})
    assert leasey.listing(body["url_slug"])["Unit_Publish_Status"] == "Unpublished"


# --- update (section 5: partial update behaviour) ---------------------------------------------------

@pytest.mark.refused_write
def test_update_of_an_unknown_property_is_404(leasey):
    response = leasey.update(str(uuid.uuid4()), {"rent_amount": 1})
    assert response.status_code == 404 and response.json() == {"error": "Not Found", "message": "Property not found"}


@pytest.mark.refused_write
def test_update_with_a_malformed_id_is_404(leasey):
    response = leasey.update("12345", {"rent_amount": 1})
    assert response.status_code == 404 and response.json()["message"] == "Property not found"


@pytest.mark.needs("LEASEY_OTHER_COMPANY_ID", "LEASEY_OTHER_COMPANY_PASSWORD")
def test_update_of_another_companys_property_is_the_same_404(leasey, variables):
    theirs = leasey.create(new_listing(), company_id=int(variables("LEASEY_OTHER_COMPANY_ID")),
                           password=variables("LEASEY_OTHER_COMPANY_PASSWORD"))
    assert theirs.status_code == 201
    response = leasey.update(theirs.json()["property_id"], {"rent_amount": 1})
    assert response.status_code == 404 and response.json()["message"] == "Property not found"
    mine = leasey.rows("properties")
    assert theirs.json()["url_slug"] not in {row["Property_URL_Slug"] for row in mine}


@pytest.mark.refused_write
@pytest.mark.needs("LEASEY_OTHER_COMPANY_ID")
def test_my_password_does_not_write_for_another_company(leasey, variables):
    response = leasey.create(new_listing(), company_id=int(variables("LEASEY_OTHER_COMPANY_ID")))
    assert response.status_code == 401 and response.json()["message"] == "Invalid company password"


def test_only_the_fields_sent_change(leasey):
    body = leasey.created(new_listing(rent_amount="2100", bedrooms=2, description="Before", date_available="2025-02-01",
                                      features=[{"id": 1, "value": 1}], photos=[{"url": "https://cdn.example.com/a.jpg"}],
                                      owner_contact={"first_name": "Kim", "email": "kim@example.com"}))
    before = leasey.listing(body["url_slug"])
    response = leasey.update(body["property_id"], {"rent_amount": "2200", "date_available": "2025-03-01"})
    assert response.status_code == 200
    assert response.json()["message"] == "Property updated successfully."
    after = leasey.listing(body["url_slug"])
    assert after["Rent_Amount"] == 2200 and after["Date_Available"] == "2025-03-01"
    unchanged = {k: v for k, v in before.items() if k not in ("Rent_Amount", "Date_Available")}
    assert {k: after[k] for k in unchanged} == unchanged


def test_update_validates_like_create_without_required_fields(leasey):
    body = leasey.created(new_listing())
    assert details_of(leasey.update(body["property_id"], {"unit_type": "loft"}))[0].startswith(
        '"unit_type" invalid: "loft".')
    assert leasey.update(body["property_id"], {"city": "Ottawa"}).status_code == 200


def test_photos_replace_all_and_keep_their_order(leasey):
    photos = [{"url": f"https://cdn.example.com/{i}.jpg"} for i in range(12)]
    body = leasey.created(new_listing(photos=photos))
    assert leasey.listing(body["url_slug"])["Images"] == [p["url"] for p in photos[:10]]
    leasey.update(body["property_id"], {"photos": [{"url": "https://cdn.example.com/new.jpg"}]})
    assert leasey.listing(body["url_slug"])["Images"] == ["https://cdn.example.com/new.jpg"]


def test_features_replace_all(leasey):
    body = leasey.created(new_listing(features=[{"id": 1, "value": 1}, {"id": 13, "value": 1}, {"id": 20, "value": 2}]))
    assert leasey.listing(body["url_slug"])["Unit_Amenities"] == ["Air conditioning", "In-suite washer"]
    leasey.update(body["property_id"], {"features": [{"id": 6, "value": 1}]})
    assert leasey.listing(body["url_slug"])["Unit_Amenities"] == ["Dishwasher"]


@pytest.mark.sandbox
def test_restrictions_replace_all(leasey, sandbox_db):
    from mock_server import store as tables

    body = leasey.created(new_listing(restrictions=[1, 2]))
    leasey.update(body["property_id"], {"restrictions": [5]})
    with tables.Store(sandbox_db).connect() as connection:
        kept = connection.execute(select(tables.property_restrictions.c.restriction_id).join(
            tables.properties, tables.properties.c.id == tables.property_restrictions.c.property_id)
            .where(tables.properties.c.uuid == body["property_id"])).scalars().all()
    assert kept == [5]


def test_building_amenities_replace_all(leasey):
    name = f"Replace Court {uuid.uuid4().hex[:6]}"
    body = leasey.created(new_listing(building_name=name, number_of_units=4,
                                      building_amenities=[{"id": 1, "value": 1}, {"id": 2, "value": 1}]))
    response = leasey.update(body["property_id"], {"building_amenities": [{"id": 9, "value": 1}]})
    assert response.json()["building_amenities"]["inserted"] == 1
    assert leasey.listing(body["url_slug"])["Building_Amenities"] == ["Common areas"]


@pytest.mark.sandbox
def test_team_members_are_additive_on_update(leasey, sandbox_db):
    from mock_server import store as tables

    body = leasey.created(new_listing(team_members=[{"team_member_id": 45}]))
    response = leasey.update(body["property_id"], {"team_members": [{"team_member_id": 46}]})
    assert response.json()["team_members"]["assigned"] == [46]
    with tables.Store(sandbox_db).connect() as connection:
        members = connection.execute(select(tables.property_team_members.c.team_member_id).join(
            tables.properties, tables.properties.c.id == tables.property_team_members.c.property_id)
            .where(tables.properties.c.uuid == body["property_id"])).scalars().all()
    assert sorted(members) == [45, 46]


# --- v1 callers ------------------------------------------------------------------------------------

@pytest.mark.refused_write
def test_v1_report_call_names_the_v2_call(leasey):
    response = leasey.http.post(f"{leasey.base}/reports", json={"report_type": "showings"}, timeout=60)
    assert response.status_code == 404
    assert "GET /reports/showings" in response.json()["message"]


@pytest.mark.refused_write
def test_v1_action_field_names_the_v2_call(leasey):
    response = leasey.create(new_listing(), action="create")
    assert response.status_code == 400
    assert "PUT /properties/{property_id}" in response.json()["message"]


@pytest.mark.refused_write
def test_v1_put_without_id_names_the_v2_call(leasey):
    response = leasey.http.put(f"{leasey.base}/properties", json={"property_id": "x"}, timeout=60)
    assert response.status_code == 405 and response.headers["Allow"] == "POST"
    assert "PUT /properties/{property_id}" in response.json()["message"]
