"""Section 4 (Reports API), section 11 (errors) and GET /properties/leads: filters, defaults, bounds, routing."""

from datetime import datetime

import pytest

pytestmark = [pytest.mark.leasey]


def stamp(value: str) -> datetime:
    return datetime.fromisoformat(value)


@pytest.fixture(scope="module")
def all_showings(leasey):
    return leasey.rows("showings", start_date="2000-01-01T00:00:00")


@pytest.fixture(scope="module")
def all_leads(leasey):
    return leasey.rows("leads", start_date="2000-01-01T00:00:00")


@pytest.mark.sandbox
def test_sandbox_company_has_the_documented_portfolio(leasey, all_showings, all_leads):
    properties = leasey.rows("properties")
    assert len(properties) >= 30
    assert {"Active", "Archived"} <= {row["Unit_Status"] for row in properties}
    assert {"Published", "Unpublished"} <= {row["Unit_Publish_Status"] for row in properties}
    assert {"Vacant", "Occupied"} <= {row["Vacancy_Status"] for row in properties}
    assert len({row["Property_Name"] for row in properties}) > 3
    assert any(row["Images"] for row in properties) and any(row["Building_Amenities"] for row in properties)
    assert len(all_leads) >= 600
    assert len(all_showings) >= 200
    assert {"Scheduled", "Confirmed", "Cancelled", "Disqualified"} <= {row["Showing_Status"] for row in all_showings}


def test_showings_default_window_starts_on_jan_1_of_the_current_year(leasey, all_showings):
    rows = leasey.rows("showings")
    assert rows, "the default window must return data"
    first_of_year = datetime(max(stamp(r["Date_start"]) for r in all_showings).year, 1, 1)
    earliest = min(stamp(r["Date_start"]) for r in rows)
    # Everything on or after Jan 1 of the current year, nothing before it.
    assert earliest >= datetime(earliest.year, 1, 1)
    assert len(rows) == len([r for r in all_showings if stamp(r["Date_start"]).year >= earliest.year])
    assert len(rows) < len(all_showings) or first_of_year.year == earliest.year


@pytest.mark.sandbox
def test_showings_default_window_uses_the_sandbox_clock_year(leasey, target):
    if target.now is None:
        pytest.skip("the target's clock is unknown (it serves no /_sandbox/clock)")
    rows = leasey.rows("showings")
    year = int(target.now[:4])
    assert all(stamp(r["Date_start"]) >= datetime(year, 1, 1) for r in rows)
    older = leasey.rows("showings", start_date=f"{year - 2}-01-01T00:00:00")
    assert len(older) > len(rows)


def test_leads_default_window_starts_on_jan_1_of_the_current_year(leasey, all_leads):
    rows = leasey.rows("leads")
    assert rows
    year = min(stamp(r["Lead_Date_Created"]) for r in rows).year
    assert len(rows) == len([r for r in all_leads if stamp(r["Lead_Date_Created"]).year >= year])


def test_showings_start_and_end_are_inclusive(leasey, all_showings):
    moment = all_showings[len(all_showings) // 2]["Date_start"]
    rows = leasey.rows("showings", start_date=moment, end_date=moment)
    assert rows and all(r["Date_start"] == moment for r in rows)
    assert len(rows) == len([r for r in all_showings if r["Date_start"] == moment])


def test_showings_filter_on_showing_start(leasey, all_showings):
    start, end = "2025-03-01T00:00:00", "2025-09-30T23:59:59"
    rows = leasey.rows("showings", start_date=start, end_date=end)
    expected = [r for r in all_showings if stamp(start) <= stamp(r["Date_start"]) <= stamp(end)]
    assert rows == expected


def test_leads_filter_on_creation_date_inclusively(leasey, all_leads):
    moment = all_leads[len(all_leads) // 3]["Lead_Date_Created"]
    rows = leasey.rows("leads", start_date=moment, end_date=moment)
    assert rows and all(r["Lead_Date_Created"] == moment for r in rows)
    start, end = "2025-01-01T00:00:00", "2025-06-30T23:59:59"
    window = leasey.rows("leads", start_date=start, end_date=end)
    assert window == [r for r in all_leads if stamp(start) <= stamp(r["Lead_Date_Created"]) <= stamp(end)]


def test_a_bare_end_date_covers_the_whole_day(leasey, all_leads):
    day = all_leads[len(all_leads) // 2]["Lead_Date_Created"][:10]
    rows = leasey.rows("leads", start_date=f"{day}T00:00:00", end_date=day)
    assert rows == [r for r in all_leads if r["Lead_Date_Created"][:10] == day]


@pytest.mark.parametrize("value", ["2024-13-45T00:00:00", "yesterday", "2024-02-30T10:00:00", "2024-01-01 10:00",
                                   "0000-01-01T00:00:00", "2023-02-29", "2024-01-01T24:00:00", "٢٠٢٤-01-01"])
@pytest.mark.parametrize("kind", ["showings", "leads"])
def test_malformed_date_is_400_never_500(leasey, kind, value):
    response = leasey.report(kind, start_date=value)
    assert response.status_code == 400
    assert response.json() == {"error": "Bad Request",
                               "message": "start_date must be an ISO-8601 date-time: YYYY-MM-DDTHH:MM:SS"}


@pytest.mark.parametrize("value", ["2024-02-29T10:00:00", "2000-02-29", "0001-01-01T00:00:00", "9999-12-31"])
def test_every_day_the_date_pattern_admits_is_accepted(leasey, value):
    """The spec's pattern is exactly what the server parses (FIDELITY.md, Leasey 6): leap days and the range's ends."""
    assert leasey.report("leads", start_date=value).status_code == 200


def test_properties_report_ignores_date_parameters(leasey):
    plain = leasey.rows("properties")
    dated = leasey.rows("properties", start_date="2030-01-01T00:00:00", end_date="2030-01-02T00:00:00")
    assert dated == plain


def test_report_rows_carry_every_documented_field(leasey, all_showings, all_leads):
    # The conformance check validates each row against the spec (all fields required, no extras);
    # this spells the count out so a reader sees what "every field" means.
    assert all(len(row) == 41 for row in all_showings)
    assert all(len(row) == 31 for row in all_leads)
    assert all(len(row) == 53 for row in leasey.rows("properties"))


def test_property_counts_agree_with_the_other_reports(leasey, all_showings, all_leads):
    properties = leasey.rows("properties")
    for row in properties[:10]:
        showings = [s for s in all_showings if s["Property_ID"] == row["Property_ID"]]
        leads = [lead for lead in all_leads if lead["Unit_Name"] == row["Unit_Name"]
                 and lead["Property_Name"] == row["Property_Name"]]
        assert row["Showings_Total"] == len(showings)
        assert row["Showings_Confirmed"] == len([s for s in showings if s["Showing_Status"] == "Confirmed"])
        assert row["Lead_Count"] == len(leads)
        assert row["Unit_Amenities_Count"] == len(row["Unit_Amenities"])
        assert row["Building_Amenities_Count"] == len(row["Building_Amenities"])
        assert len(row["Images"]) <= 10
        expected = ("No Leads" if not leads else "1-5 Leads" if len(leads) <= 5 else "6-10 Leads"
                    if len(leads) <= 10 else "10+ Leads")
        assert row["Lead_Status"] == expected


@pytest.mark.needs("LEASEY_OTHER_COMPANY_ID", "LEASEY_OTHER_COMPANY_PASSWORD")
def test_a_company_sees_only_its_own_data(leasey, variables):
    other, password = int(variables("LEASEY_OTHER_COMPANY_ID")), variables("LEASEY_OTHER_COMPANY_PASSWORD")
    mine = leasey.rows("properties")
    theirs = leasey.rows("properties", company_id=other, password=password)
    assert theirs and mine
    assert not {r["Property_ID"] for r in mine} & {r["Property_ID"] for r in theirs}
    their_showings = leasey.rows("showings", company_id=other, password=password, start_date="2000-01-01T00:00:00")
    assert {s["Property_ID"] for s in their_showings} <= {r["Property_ID"] for r in theirs}


@pytest.mark.needs("LEASEY_OTHER_COMPANY_PASSWORD")
def test_another_companys_password_does_not_open_a_company(leasey, variables):
    response = leasey.report("properties", password=variables("LEASEY_OTHER_COMPANY_PASSWORD"))
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid company password"


# GET /properties/leads (section 5)

def lead_list(leasey, **params):
    params = {"company_id": leasey.company_id, "password": leasey.password, **params}
    return leasey.get("/properties/leads", params, {"Authorization": f"Bearer {leasey.token}"})


def test_property_leads_takes_the_password_as_a_query_parameter(leasey):
    response = lead_list(leasey)
    assert response.status_code == 200


def test_property_leads_also_accepts_the_header(leasey):
    response = leasey.get("/properties/leads", {"company_id": leasey.company_id}, leasey.auth_headers())
    assert response.status_code == 200


def test_property_leads_without_password_is_401(leasey):
    response = leasey.get("/properties/leads", {"company_id": leasey.company_id},
                          {"Authorization": f"Bearer {leasey.token}"})
    assert response.status_code == 401
    assert response.json()["message"] == "X-Company-Password header is required"


@pytest.mark.sandbox
def test_property_leads_limit_defaults_to_100_and_caps_at_500(leasey):
    assert len(lead_list(leasey).json()) == 100
    assert len(lead_list(leasey, limit=500).json()) == 500
    assert len(lead_list(leasey, limit=7).json()) == 7


@pytest.mark.parametrize("limit", ["501", "0", "ten"])
def test_property_leads_limit_out_of_range_is_400(leasey, limit):
    response = lead_list(leasey, limit=limit)
    assert response.status_code == 400
    assert response.json()["message"] in ("limit must be between 1 and 500", "limit must be an integer")


@pytest.mark.parametrize("limit", ["0", "501"])
def test_property_leads_checks_the_token_before_limit(leasey, limit):
    response = leasey.get("/properties/leads", {"company_id": leasey.company_id, "limit": limit})
    assert response.status_code == 401
    assert response.json() == {"error": "Unauthorized", "message": "Authentication token required"}


def test_property_leads_filter_by_property_id(leasey):
    some = lead_list(leasey, limit=500).json()
    property_id = some[0]["Property_ID"]
    rows = lead_list(leasey, property_id=property_id, limit=500).json()
    assert rows and all(r["Property_ID"] == property_id for r in rows)
    assert len(rows) == len([r for r in some if r["Property_ID"] == property_id]) or len(some) == 500


def test_property_leads_malformed_property_id_is_400(leasey):
    response = lead_list(leasey, property_id="not-a-uuid")
    assert response.status_code == 400
    assert response.json()["message"] == "property_id must be a UUID"


def test_property_leads_date_filters_are_inclusive(leasey):
    rows = lead_list(leasey, limit=500).json()
    moment = rows[10]["Lead_Date_Created"]
    same = lead_list(leasey, start_date=moment, end_date=moment).json()
    assert same and all(r["Lead_Date_Created"] == moment for r in same)


# Routing, section 11: 404 for unknown paths, 405 with Allow for wrong methods, CORS.

def test_wrong_method_is_405_with_allow(leasey):
    response = leasey.http.post(f"{leasey.base}/reports/showings", headers=leasey.auth_headers(), timeout=60)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET"
    assert response.json()["error"] == "Method Not Allowed"


def test_get_on_a_property_is_405_allowing_put(leasey):
    response = leasey.http.get(f"{leasey.base}/properties/3fa85f64-5717-4562-b3fc-2c963f66afa6", timeout=60)
    assert response.status_code == 405
    assert response.headers["Allow"] == "PUT"


def test_unknown_path_is_404_with_json_body(leasey):
    response = leasey.http.get(f"{leasey.base}/reports/tenants", timeout=60)
    assert response.status_code == 404
    assert response.json()["error"] == "Not Found"


def test_every_origin_is_allowed(leasey):
    response = leasey.report("properties")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    failed = leasey.get("/reports/properties", {"company_id": leasey.company_id}, {"Origin": "https://a.example"})
    assert failed.status_code == 401 and failed.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight_is_answered(leasey):
    response = leasey.http.options(f"{leasey.base}/reports/showings", headers={
        "Origin": "https://partner.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "Authorization, X-Company-Password"}, timeout=60)
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "X-Company-Password" in response.headers["Access-Control-Allow-Headers"]
