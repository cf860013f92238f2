"""Every example request of the documents, run as written against the sandbox's fixtures, shows rows: Leasey §1,
§4, §12 and §13 (company 123), and Travtus's `GET /leases/?start_date=2023-01-17`. The November 2024 window and
the 2024 lower bounds are fixed dates, so the fixtures carry rows at fixed dates (fixtures/leasey.yaml `dated`,
mock_server/leasey/dated.py) beside the portfolio generated around the sandbox clock."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from mock_server import store as tables
from mock_server.leasey.dated import dated_ids

from .conftest import new_app

ROOT = Path(__file__).resolve().parent.parent
LEASEY = {"Authorization": "Bearer lsy_sandbox_5f3c9a2e7b1d4c8f9a0e6b2d7c4f1a3e8b5d",
          "X-Company-Password": "sandbox-pass-123"}
TRAVTUS = {"Authorization": "bearer trv_sandbox_full"}

# (section, path and query exactly as the document writes them, headers, where the rows are in the body)
EXAMPLES = [
    ("§1 first request", "/leasey/reports/showings?company_id=123", LEASEY, None),
    ("§4 showings", "/leasey/reports/showings?company_id=123&start_date=2024-11-01T00:00:00&end_date=2024-11-30T23:59:59",
     LEASEY, None),
    ("§4 leads", "/leasey/reports/leads?company_id=123&start_date=2024-01-01T00:00:00", LEASEY, None),
    ("§4 properties", "/leasey/reports/properties?company_id=123", LEASEY, None),
    ("§12 JavaScript showings", "/leasey/reports/showings?company_id=123&start_date=2024-01-01T00%3A00%3A00", LEASEY, None),
    ("§12 Python leads", "/leasey/reports/leads?company_id=123&start_date=2024-01-01T00%3A00%3A00", LEASEY, None),
    ("§12 PHP properties", "/leasey/reports/properties?company_id=123", LEASEY, None),
    ("§13 step 3 showings", "/leasey/reports/showings?company_id=123&start_date=2024-01-01T00:00:00", LEASEY, None),
    ("Travtus leases", "/travtus/leases/?start_date=2023-01-17", TRAVTUS, "data"),
]
# The sandbox clock today, and years on: the documents' fixed windows must show rows under both.
CLOCKS = {"real time": None, "2031": "2031-06-01T12:00:00"}


def dated_rows(app) -> int:
    ids = dated_ids(123, "showings")
    with app.extensions["sandbox"].store.connect() as connection:  # (the in-memory database is shared: locked)
        return connection.execute(select(func.count()).select_from(tables.showings)
                                  .where(tables.showings.c.id.between(ids.start, ids.stop - 1))).scalar()


@pytest.fixture(scope="module", params=list(CLOCKS))
def sandbox(request):
    return new_app(NOW=CLOCKS[request.param])


@pytest.mark.parametrize(("section", "path", "headers", "rows_at"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_each_example_of_the_documents_shows_rows(sandbox, section, path, headers, rows_at):
    response = sandbox.test_client().get(path, headers=headers)

    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert dated_rows(sandbox) > 0  # the fixture loader put the document's dated rows in
    assert len(body if rows_at is None else body[rows_at]) > 0, section


@pytest.fixture(scope="module", params=list(CLOCKS))
def sandbox_with_dated_rows(request):
    return new_app(NOW=CLOCKS[request.param])


def test_the_november_2024_example_shows_exactly_the_dated_showings(sandbox_with_dated_rows):
    path = EXAMPLES[1][1]

    rows = sandbox_with_dated_rows.test_client().get(path, headers=LEASEY).get_json()

    assert [(row["Date_start"], row["Showing_Status"], row["Lead_Name"]) for row in rows
            if row["Lead_Name"] in ("Daniel Reyes", "Hannah Kowalski")] == [
        ("2024-11-04T18:00:00", "Confirmed", "Daniel Reyes"), ("2024-11-16T11:30:00", "Cancelled", "Hannah Kowalski"),
        ("2024-11-23T14:15:00", "Disqualified", "Hannah Kowalski")]
    assert all(row["Date_start"].startswith("2024-11") for row in rows)


@pytest.mark.parametrize(("section", "path", "headers", "rows_at"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_with_the_dated_rows_each_example_shows_rows_and_passes_the_self_check(sandbox_with_dated_rows, section, path,
                                                                                headers, rows_at):
    response = sandbox_with_dated_rows.test_client().get(path, headers=headers)

    assert response.status_code == 200 and "X-Sandbox-Spec-Violation" not in response.headers
    body = response.get_json()
    assert len(body if rows_at is None else body[rows_at]) > 0, section
