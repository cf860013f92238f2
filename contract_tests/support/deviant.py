"""A deliberately deviating target: a proxy in front of a served mock that breaks one documented behaviour.

The deviation test points the contract suite at it and expects the suite to report the break. Each
deviation is a pair of small functions: one may rewrite the request, one the response.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "host"}


@dataclass
class Exchange:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes
    status: int = 0
    response_headers: dict | None = None
    response_body: bytes = b""

    def json(self):
        return json.loads(self.response_body)

    def set_json(self, value) -> None:
        self.response_body = json.dumps(value).encode()

    def request_json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None  # a malformed body (a refused-write scenario sends one) passes through unchanged

    def set_request_json(self, value) -> None:
        self.body = json.dumps(value).encode()


def _rows(path: str):
    def applies(x: Exchange) -> bool:
        return x.path.endswith(path) and x.status == 200
    return applies


def _rename_field(x: Exchange):
    if _rows("/reports/properties")(x):
        x.set_json([{("UnitName" if k == "Unit_Name" else k): v for k, v in row.items()} for row in x.json()])


def _wrong_type(x: Exchange):
    if _rows("/reports/showings")(x):
        x.set_json([{**row, "Bedrooms": str(row["Bedrooms"])} for row in x.json()])


def _undocumented_status(x: Exchange):
    if x.method == "POST" and x.path.endswith("/properties") and x.status == 201:
        x.status = 200


def _changed_message(x: Exchange):
    if x.status == 401 and b"Invalid company password" in x.response_body:
        x.set_json({**x.json(), "message": "Invalid password"})


def _ignore_date_filter(x: Exchange):
    if x.path.endswith(("/reports/showings", "/reports/leads")):
        x.query = {k: v for k, v in x.query.items() if k not in ("start_date", "end_date")}


def _cross_company_write(x: Exchange):
    if x.method == "POST" and x.path.endswith("/properties") and x.body:
        body = x.request_json()
        if isinstance(body, dict) and body.get("company_id") == 456:
            x.set_request_json({**body, "company_id": 123, "password": "sandbox-pass-123"})


def _first_detail_only(x: Exchange):
    if x.status == 422:
        body = x.json()
        x.set_json({**body, "details": body["details"][:1]})


def _put_replaces_everything(x: Exchange):
    if x.method == "PUT" and x.body:
        body = x.request_json()
        if isinstance(body, dict) and isinstance(body.get("property"), dict) and "features" not in body["property"]:
            body["property"]["features"] = []
            x.set_request_json(body)


def _cursor_repeats_page(x: Exchange):
    if x.path.rstrip("/").endswith("/leases"):
        x.query.pop("after_id", None)


def _group_scope_leak(x: Exchange):
    if x.headers.get("Authorization", "").lower().endswith("trv_sandbox_group_a"):
        x.headers["Authorization"] = "Bearer trv_sandbox_full"


def _company_id_before_token(x: Exchange):
    if x.path.endswith("/reports/showings") and "Authorization" not in x.headers \
            and not x.query.get("company_id", "").lstrip("-").isdigit():
        x.status = 400
        x.set_json({"error": "Bad Request", "message": "company_id must be an integer"})


def _reworded_expired_token_message(x: Exchange):
    if x.status == 401 and b"expired_token" in x.response_body:
        body = x.json()
        x.set_json({"error": {**body["error"], "message": "The access token has expired."}})


def _limit_checked_before_token(x: Exchange):
    limit = x.query.get("limit", "100")
    if x.path.endswith("/properties/leads") and not (limit.isdigit() and 1 <= int(limit) <= 500):
        x.status = 400
        x.set_json({"error": "Bad Request", "message": "limit must be between 1 and 500"})


def _null_instead_of_empty_string(x: Exchange):
    if _rows("/reports/properties")(x):
        x.set_json([{**row, "Suite_Number": row["Suite_Number"] or None} for row in x.json()])


def _ignore_property_filter(x: Exchange):
    if x.path.endswith("/properties/leads"):
        x.query.pop("property_id", None)


def _allow_lists_undocumented_methods(x: Exchange):
    if x.status == 405 and x.response_headers and "Allow" in x.response_headers:
        x.response_headers["Allow"] += ", HEAD, OPTIONS"


def _validation_as_400(x: Exchange):
    if x.status == 422:
        x.status = 400
        x.set_json({**x.json(), "error": "Bad Request"})


def _foreign_put_accepted(x: Exchange):
    """No ownership check on update: a PUT to a property the caller cannot own is answered as a success."""
    if x.method == "PUT" and "/properties/" in x.path and x.status == 404:
        property_id = x.path.rsplit("/", 1)[-1]
        x.status = 200
        x.set_json({"success": True, "message": "Property updated successfully.", "property_id": property_id,
                    "url_slug": "updated-listing"})


def _leases_page(x: Exchange) -> bool:
    return x.path.rstrip("/").endswith("/leases") and x.status == 200


def _next_cursor_always_null(x: Exchange):
    if _leases_page(x):
        body = x.json()
        x.set_json({**body, "pagination": {**body["pagination"], "next_cursor": None}})


def _offset_ignored(x: Exchange):
    if x.path.rstrip("/").endswith("/leases"):
        x.query.pop("offset", None)


def _count_is_page_size(x: Exchange):
    if _leases_page(x):
        body = x.json()
        x.set_json({**body, "pagination": {**body["pagination"], "count": len(body["data"])}})


def _confirmed_counts_every_showing(x: Exchange):
    if _rows("/reports/properties")(x):
        x.set_json([{**row, "Showings_Confirmed": row["Showings_Total"]} for row in x.json()])


def _token_length_debug_dropped(x: Exchange):
    if x.status == 401 and b"token_received_length" in x.response_body:
        x.set_json({k: v for k, v in x.json().items() if k != "debug"})


def _cors_origin_dropped(x: Exchange):
    if x.response_headers:
        x.response_headers = {k: v for k, v in x.response_headers.items()
                              if k.lower() != "access-control-allow-origin"}


def _missing_authorization_as_401(x: Exchange):
    if x.status == 400 and b"missing_authorization" in x.response_body:
        x.status = 401


def _both_group_identifiers_accepted(x: Exchange):
    if x.path.rstrip("/").endswith("/leases") and "group_ids" in x.query:
        x.query.pop("group_external_refs", None)


def _properties_report_filters_by_date(x: Exchange):
    if _rows("/reports/properties")(x) and "start_date" in x.query:
        x.set_json([])


# name -> (rewrite request, rewrite response)
DEVIATIONS: dict[str, tuple[Callable | None, Callable | None]] = {
    "renamed_field": (None, _rename_field),
    "wrong_type": (None, _wrong_type),
    "undocumented_status": (None, _undocumented_status),
    "changed_message": (None, _changed_message),
    "ignored_date_filter": (_ignore_date_filter, None),
    "cross_company_write": (_cross_company_write, None),
    "first_validation_detail_only": (None, _first_detail_only),
    "put_replaces_unsent_fields": (_put_replaces_everything, None),
    "cursor_repeats_a_page": (_cursor_repeats_page, None),
    "group_scope_leak": (_group_scope_leak, None),
    "company_id_checked_before_token": (_company_id_before_token, None),
    "reworded_expired_token_message": (None, _reworded_expired_token_message),
    "limit_checked_before_token": (_limit_checked_before_token, None),
    "null_instead_of_empty_string": (None, _null_instead_of_empty_string),
    "ignored_property_filter": (_ignore_property_filter, None),
    "allow_lists_undocumented_methods": (None, _allow_lists_undocumented_methods),
    "validation_answered_400": (None, _validation_as_400),
    "foreign_put_answered_200": (None, _foreign_put_accepted),
    "next_cursor_always_null": (None, _next_cursor_always_null),
    "offset_ignored": (_offset_ignored, None),
    "count_is_the_page_size": (None, _count_is_page_size),
    "confirmed_counts_every_showing": (None, _confirmed_counts_every_showing),
    "token_length_debug_dropped": (None, _token_length_debug_dropped),
    "cors_origin_dropped": (None, _cors_origin_dropped),
    "missing_authorization_answered_401": (None, _missing_authorization_as_401),
    "both_group_identifiers_accepted": (_both_group_identifiers_accepted, None),
    "properties_report_filters_by_date": (None, _properties_report_filters_by_date),
}


class DeviantProxy:
    """Serves on a free loopback port; forwards to `upstream` with one deviation applied."""

    def __init__(self, upstream: str, deviation: str):
        self.upstream = upstream.rstrip("/")
        self.rewrite_request, self.rewrite_response = DEVIATIONS[deviation]
        self.session = requests.Session()
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.server = make_server("127.0.0.1", 0, self.wsgi, threaded=True)
        self.root = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wsgi(self, environ, start_response):
        request = Request(environ)
        x = Exchange(request.method, request.path, dict(parse_qsl(request.query_string.decode(), keep_blank_values=True)),
                     {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}, request.get_data())
        if self.rewrite_request:
            self.rewrite_request(x)
        if not x.status:
            upstream = self.session.request(x.method, f"{self.upstream}{x.path}?{urlencode(x.query)}",
                                            headers=x.headers, data=x.body, timeout=60)
            x.status, x.response_body = upstream.status_code, upstream.content
            x.response_headers = {k: v for k, v in upstream.headers.items() if k.lower() not in HOP_HEADERS}
        if self.rewrite_response:
            self.rewrite_response(x)
        headers = x.response_headers or {"Content-Type": "application/json"}
        return Response(x.response_body, status=x.status, headers=headers)(environ, start_response)

    def stop(self) -> None:
        self.server.shutdown()
