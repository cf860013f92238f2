"""Section 2 (Authentication) and section 14 (Troubleshooting): every message word for word, and the check order."""

import pytest

pytestmark = [pytest.mark.leasey]

TOKEN_LENGTH_MESSAGE = ("The provided token does not match the expected token — verify you are copying the full "
                        "token (expected length: 48 characters)")


def error_of(response, status):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    return response.json()


def test_missing_token_is_authentication_token_required(leasey):
    response = leasey.get("/reports/showings", {"company_id": leasey.company_id},
                          {"X-Company-Password": leasey.password})
    assert error_of(response, 401) == {"error": "Unauthorized", "message": "Authentication token required"}


def test_bearer_prefix_is_required(leasey):
    response = leasey.get("/reports/showings", {"company_id": leasey.company_id},
                          {"Authorization": leasey.token, "X-Company-Password": leasey.password})
    assert error_of(response, 401)["message"] == "Authentication token required"


def test_token_query_parameter_is_accepted_as_fallback(leasey):
    response = leasey.get("/reports/properties", {"company_id": leasey.company_id, "token": leasey.token},
                          {"X-Company-Password": leasey.password})
    assert response.status_code == 200


def test_incorrect_token_of_the_right_length_is_invalid_authentication_token(leasey):
    wrong = ("x" * 48) if leasey.token != "x" * 48 else "y" * 48
    response = leasey.get("/reports/showings", {"company_id": leasey.company_id},
                          {"Authorization": f"Bearer {wrong}", "X-Company-Password": leasey.password})
    assert error_of(response, 401) == {"error": "Unauthorized", "message": "Invalid authentication token"}


def test_token_length_mismatch_reports_both_lengths(leasey):
    response = leasey.get("/reports/showings", {"company_id": leasey.company_id},
                          {"Authorization": f"Bearer {leasey.token[:32]}", "X-Company-Password": leasey.password})
    body = error_of(response, 401)
    assert body["message"] == TOKEN_LENGTH_MESSAGE
    assert body["debug"] == {"token_received_length": 32, "token_expected_length": 48}


def test_missing_company_id_is_400(leasey):
    response = leasey.get("/reports/showings", {}, leasey.auth_headers())
    assert error_of(response, 400)["message"] == "company_id is required"


@pytest.mark.parametrize("value", ['"123"', "abc", "12.5"])
def test_company_id_must_be_an_integer(leasey, value):
    response = leasey.get("/reports/showings", {"company_id": value}, leasey.auth_headers())
    assert error_of(response, 400) == {"error": "Bad Request", "message": "company_id must be an integer"}


def test_missing_password_is_x_company_password_header_is_required(leasey):
    response = leasey.get("/reports/showings", {"company_id": leasey.company_id},
                          {"Authorization": f"Bearer {leasey.token}"})
    assert error_of(response, 401) == {"error": "Unauthorized", "message": "X-Company-Password header is required"}


def test_incorrect_password_is_invalid_company_password(leasey):
    response = leasey.report("showings", password="not-the-password")
    assert error_of(response, 401)["message"] == "Invalid company password"


def test_unknown_company_is_company_id_not_found(leasey):
    response = leasey.report("showings", company_id=987654)
    assert error_of(response, 401)["message"] == "Company 987654 not found"


@pytest.mark.sandbox
def test_company_without_admin_is_400_no_admin_user_found(leasey):
    response = leasey.report("showings", company_id=789, password="sandbox-pass-789")
    assert error_of(response, 400) == {"error": "Bad Request",
                                       "message": "No admin user found for company 789. Contact support."}


# Check order: token, then company_id, then password present, then company exists, then password correct,
# then admin exists, then parameters (section 2; the issue pins the order).

def test_token_is_checked_before_company_id(leasey):
    response = leasey.get("/reports/showings", {"company_id": "abc"}, {})
    assert error_of(response, 401)["message"] == "Authentication token required"


def test_company_id_is_checked_before_password_presence(leasey):
    response = leasey.get("/reports/showings", {"company_id": "abc"}, {"Authorization": f"Bearer {leasey.token}"})
    assert error_of(response, 400)["message"] == "company_id must be an integer"


def test_password_presence_is_checked_before_company_existence(leasey):
    response = leasey.get("/reports/showings", {"company_id": 987654}, {"Authorization": f"Bearer {leasey.token}"})
    assert error_of(response, 401)["message"] == "X-Company-Password header is required"


def test_company_existence_is_checked_before_password(leasey):
    response = leasey.report("showings", company_id=987654, password="wrong")
    assert error_of(response, 401)["message"] == "Company 987654 not found"


@pytest.mark.sandbox
def test_password_is_checked_before_admin(leasey):
    response = leasey.report("showings", company_id=789, password="wrong")
    assert error_of(response, 401)["message"] == "Invalid company password"


@pytest.mark.sandbox
def test_admin_is_checked_before_parameters(leasey):
    response = leasey.report("showings", company_id=789, password="sandbox-pass-789", start_date="not-a-date")
    assert error_of(response, 400)["message"] == "No admin user found for company 789. Contact support."


@pytest.mark.refused_write
def test_writes_use_the_same_token_messages(leasey):
    response = leasey.http.post(f"{leasey.base}/properties", json=leasey.body({}), timeout=60)
    assert error_of(response, 401)["message"] == "Authentication token required"


@pytest.mark.refused_write
def test_writes_check_company_before_password(leasey):
    response = leasey.create({}, company_id=987654, password="wrong")
    assert error_of(response, 401)["message"] == "Company 987654 not found"


@pytest.mark.refused_write
def test_writes_reject_wrong_password(leasey):
    response = leasey.create({}, password="wrong")
    assert error_of(response, 401)["message"] == "Invalid company password"


@pytest.mark.refused_write
def test_writes_require_password_in_body(leasey):
    body = leasey.body({})
    del body["password"]
    response = leasey.http.post(f"{leasey.base}/properties", json=body,
                                headers={"Authorization": f"Bearer {leasey.token}"}, timeout=60)
    assert error_of(response, 401)["message"] == "password is required"


@pytest.mark.refused_write
def test_writes_reject_quoted_company_id(leasey):
    response = leasey.create({}, company_id=str(leasey.company_id))
    assert error_of(response, 400)["message"] == "company_id must be an integer"


@pytest.mark.refused_write
def test_writes_reject_malformed_json(leasey):
    response = leasey.http.post(f"{leasey.base}/properties", data='{"company_id": 123,',
                                headers={"Authorization": f"Bearer {leasey.token}",
                                         "Content-Type": "application/json"}, timeout=60)
    assert error_of(response, 400)["message"] == "Malformed JSON: the request body must be a JSON object"


@pytest.mark.sandbox
def test_writes_answer_no_admin_for_company_789(leasey):
    response = leasey.create({}, company_id=789, password="sandbox-pass-789")
    assert error_of(response, 400)["message"] == "No admin user found for company 789. Contact support."
