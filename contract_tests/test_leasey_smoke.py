import pytest

pytestmark = [pytest.mark.leasey]


@pytest.mark.sandbox
def test_showings_report_answers_rows(http, leasey_url, leasey_creds):
    response = http.get(f"{leasey_url}/reports/showings", params={"company_id": leasey_creds["company_id"]},
                        headers={"Authorization": f"Bearer {leasey_creds['token']}",
                                 "X-Company-Password": leasey_creds["password"]})
    assert response.status_code == 200
    assert len(response.json()) > 0
