"""A partner's own tests, run against the sandbox with the `partner_sandbox` pytest plugin (installed with the
sandbox's package): `pip install partner-sandbox`, then `pytest` here. Each test gets a fresh tenant of its own."""

from __future__ import annotations

from datetime import datetime

from partner_client import LeaseyClient, TravtusLeases


def reports(sandbox) -> LeaseyClient:
    return LeaseyClient(sandbox.base_url, sandbox.api_token, sandbox.company_id, sandbox.company_password)


def test_the_properties_report_lists_the_tenants_portfolio(leasey_sandbox):
    rows = reports(leasey_sandbox).report("properties")

    assert rows and all(row["Property_ID"] for row in rows)
    assert [entry["path"] for entry in leasey_sandbox.journal()] == ["/leasey/reports/properties"]


def test_the_client_retries_a_503_and_then_gets_the_report(leasey_sandbox):
    # Given the next two calls to the leads report fail with 503
    leasey_sandbox.fault(status=503, path="/reports/leads", times=2)

    # When the client reads it, Then it retried and succeeded on the third call
    assert isinstance(reports(leasey_sandbox).report("leads", start_date="2024-01-01T00:00:00"), list)
    assert [entry["status"] for entry in leasey_sandbox.journal(path="/reports/leads")] == [200, 503, 503]


def test_a_dropped_connection_is_an_error_the_client_reports(leasey_sandbox):
    leasey_sandbox.fault(drop=True, path="/reports/showings")

    try:
        reports(leasey_sandbox).report("showings")
    except OSError:  # the connection closed without an answer
        pass
    else:
        raise AssertionError("a dropped connection went unnoticed")


def test_the_travtus_reader_gets_a_new_token_once_the_first_has_expired(travtus_sandbox):
    client = TravtusLeases(travtus_sandbox.base_url, travtus_sandbox.client_id, travtus_sandbox.client_secret)
    first = client.leases(group_ids=travtus_sandbox.group_ids[0])
    token = client.token

    # When an hour and a bit passes on the sandbox clock (put back after the test)
    travtus_sandbox.clock.advance(3601)

    # Then the reader notices the 401, takes a new token and gets the same leases
    assert client.leases(group_ids=travtus_sandbox.group_ids[0]) == first
    assert client.token != token
    assert [entry["status"] for entry in travtus_sandbox.journal(path="/oauth2/token")] == [200, 200]


def test_the_clock_can_be_set_for_a_date_dependent_check(leasey_sandbox):
    leasey_sandbox.clock.set(datetime(2027, 3, 1, 9, 0), frozen=True)

    assert leasey_sandbox.clock.now() == datetime(2027, 3, 1, 9, 0)


def test_reset_brings_the_tenant_back_to_its_start(leasey_sandbox):
    client = reports(leasey_sandbox)
    before = len(client.report("properties"))
    client.create_property({"name": "Unit 2B", "address": "456 Oak Ave", "city": "Toronto", "province_state": "ON",
                            "country": "Canada", "rent_amount": "2100", "bedrooms": 2, "bathrooms": 1})
    assert len(client.report("properties")) == before + 1

    leasey_sandbox.reset()

    assert len(client.report("properties")) == before
