"""The landing page, the spec files and the docs pages, without a browser: content, escaping, assets, servers."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from flask import Flask

from mock_server.docs import SWAGGER_UI_DIST
from mock_server.site import register_site

from .conftest import new_app

ROOT = Path(__file__).resolve().parent.parent
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
SANDBOX = "http://sandbox.test:8080"  # the host the test client pretends to be


def make_app(**config):
    return new_app(**config)


@pytest.fixture(scope="module")
def client():
    return make_app().test_client()


def get(client, path: str, **kwargs):
    return client.get(path, base_url=SANDBOX, **kwargs)


def external_urls(text: str) -> list[str]:
    return [url for url in re.findall(r"""(?:https?:)?//[^\s"'<>)]+""", text) if not url.startswith(SANDBOX)]


def test_a_browser_gets_the_landing_page_and_a_client_the_json_index(client):
    page = get(client, "/", headers=BROWSER)
    assert page.status_code == 200 and page.mimetype == "text/html" and "Accept" in page.headers["Vary"]
    for path in ("/leasey/docs", "/leasey/openapi.yaml", "/travtus/docs", "/travtus/openapi.yaml"):
        assert f'href="{path}"' in page.text
    for base_url in (f"{SANDBOX}/leasey", f"{SANDBOX}/travtus"):
        assert base_url in page.text

    for headers in ({}, {"Accept": "*/*"}, {"Accept": "application/json"}):
        index = get(client, "/", headers=headers)
        assert index.mimetype == "application/json"
        assert [(api["name"], api["docs"]) for api in index.get_json()["apis"]] == [
            ("leasey", f"{SANDBOX}/leasey/docs"), ("travtus", f"{SANDBOX}/travtus/docs")]


def test_the_landing_page_shows_the_sandbox_credentials_from_the_fixtures(client):
    leasey = yaml.safe_load((ROOT / "fixtures" / "leasey.yaml").read_text())
    travtus = yaml.safe_load((ROOT / "fixtures" / "travtus.yaml").read_text())
    page = get(client, "/", headers=BROWSER).text
    for value in (leasey["api_token"], leasey["companies"][0]["password"], travtus["clients"][0]["client_id"],
                  travtus["clients"][0]["client_secret"], "trv_sandbox_full"):
        assert f"<code>{value}</code>" in page


def test_the_landing_page_and_docs_escape_what_they_show(tmp_path):
    # Given a spec title and a credential that are HTML
    specs, fixtures = tmp_path / "openapi", tmp_path / "fixtures"
    shutil.copytree(ROOT / "openapi", specs)
    shutil.copytree(ROOT / "fixtures", fixtures)
    hostile = '<script>alert("x")</script>&'
    for path, old, new in ((specs / "leasey.yaml", "title: Leasey External API", f"title: '{hostile}'"),
                           (fixtures / "leasey.yaml", "password: sandbox-pass-123", f"password: '{hostile}'")):
        path.write_text(path.read_text().replace(old, new, 1))
    client = make_app(SPEC_DIR=str(specs), FIXTURE_DIR=str(fixtures), LOAD_FIXTURES="never").test_client()

    # When a browser opens the landing page and the docs, Then it is shown as text, never as markup
    for path in ("/", "/leasey/docs"):
        page = get(client, path, headers=BROWSER).text
        assert hostile not in page and "<script>alert" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;" in page
    docs = get(client, "/leasey/docs").text
    assert r'"\u003cscript\u003ealert(\"x\")\u003c/script\u003e\u0026"' in docs  # JSON in <script>: no "</"
    assert docs_config(docs)["preauthorize"]["companyPassword"] == hostile


@pytest.mark.parametrize("path", ["/", "/leasey/docs", "/travtus/docs"])
def test_the_pages_load_nothing_from_elsewhere(client, path):
    page = get(client, path, headers=BROWSER).text
    assert external_urls(page) == []
    for asset in re.findall(r'(?:href|src)="([^"]+)"', page):
        if not asset.startswith("data:") and not asset.endswith(("/docs", ".yaml")) and asset != "/":
            assert get(client, asset).status_code == 200, asset


def docs_config(page: str) -> dict:
    return json.loads(re.search(r'<script id="docs-config" type="application/json">(.*?)</script>', page).group(1))


def test_the_docs_start_swagger_ui_with_the_preferred_credentials(client):
    assert docs_config(get(client, "/leasey/docs").text) == {
        "specUrl": "/leasey/docs/openapi.json",
        # each operation's first security requirement; the ?token= fallback stays empty (it would be sent too)
        "preauthorize": {"bearerAuth": "lsy_sandbox_5f3c9a2e7b1d4c8f9a0e6b2d7c4f1a3e8b5d",
                         "companyPassword": "sandbox-pass-123", "companyPasswordQuery": "sandbox-pass-123"}}
    assert docs_config(get(client, "/travtus/docs").text) == {
        "specUrl": "/travtus/docs/openapi.json", "preauthorize": {"bearerAuth": "trv_sandbox_full"}}


@pytest.mark.parametrize(("asset", "mimetype"), [("swagger-ui-bundle.js", "text/javascript"),
                                                  ("swagger-ui.css", "text/css")])
def test_swagger_ui_assets_come_from_the_installed_package(client, asset, mimetype):
    response = get(client, f"/_site/swagger-ui/{asset}")
    assert response.status_code == 200 and response.mimetype == mimetype
    assert response.data == (SWAGGER_UI_DIST / asset).read_bytes()
    assert get(client, "/_site/swagger-ui/missing.js").status_code == 404


def test_the_site_assets_are_served(client):
    assert get(client, "/_site/docs.js").mimetype == "text/javascript"
    assert get(client, "/_site/site.css").mimetype == "text/css"


DOCUMENTED_SERVERS = {
    "leasey": [{"url": "https://uvciw58bnh.execute-api.ca-central-1.amazonaws.com/production", "description": "Production"},
               {"url": "https://hs52apwqwh.execute-api.ca-central-1.amazonaws.com/staging", "description": "Staging"}],
    "travtus": [{"url": "https://api.travtus.com", "description": "Production"},
                {"url": "https://apiuat.travtus.com", "description": "UAT"}],
}


@pytest.mark.parametrize("api", ["leasey", "travtus"])
def test_the_docs_get_the_spec_with_this_sandbox_first_then_the_documented_servers(client, api):
    served = get(client, f"/{api}/docs/openapi.json")
    original = yaml.safe_load((ROOT / "openapi" / f"{api}.yaml").read_text())

    document = served.get_json()
    assert served.mimetype == "application/json"
    assert document.pop("servers") == [{"url": f"{SANDBOX}/{api}", "description": "This sandbox"},
                                       *DOCUMENTED_SERVERS[api]]
    original.pop("servers")
    assert document == original


@pytest.mark.parametrize("api", ["leasey", "travtus"])
def test_the_spec_file_is_the_file_itself_but_its_servers(client, api):
    # Given the sandbox reached on another scheme, host and port than its default
    response = client.get(f"/{api}/openapi.yaml", base_url="https://elsewhere.test:9443")
    assert response.mimetype == "application/yaml"
    written = (ROOT / "openapi" / f"{api}.yaml").read_text()

    # Then the servers name it first, as reached, and the file is otherwise the same text, comments and all
    assert yaml.safe_load(response.text)["servers"] == [
        {"url": f"https://elsewhere.test:9443/{api}", "description": "This sandbox"}, *DOCUMENTED_SERVERS[api]]
    default = f"  - url: http://127.0.0.1:8080/{api}\n    description: Local sandbox\n"
    reached = f"  - url: https://elsewhere.test:9443/{api}\n    description: This sandbox\n"
    assert default in written
    assert response.text.replace(reached, "", 1) == written.replace(default, "", 1)


def test_the_docs_routes_win_over_the_apis_own_404(client):
    assert get(client, "/leasey/docs").mimetype == "text/html"
    not_docs = get(client, "/leasey/docs/")
    assert not_docs.status_code == 404 and not_docs.get_json()["error"] == get(client, "/leasey/nothing").get_json()["error"]


def test_an_api_served_alone_at_the_root_has_its_docs_at_slash_docs():
    client = make_app(APIS=("travtus",), MOUNT_AT_ROOT=True).test_client()

    page = get(client, "/docs")
    assert page.status_code == 200 and docs_config(page.text)["specUrl"] == "/docs/openapi.json"
    assert 'href="/"' not in page.text  # "/" is the API's own, not a landing page
    assert get(client, "/docs/openapi.json").get_json()["servers"] == [{"url": SANDBOX, "description": "This sandbox"},
                                                                        *DOCUMENTED_SERVERS["travtus"]]
    assert yaml.safe_load(get(client, "/openapi.yaml").text)["servers"][0] == {"url": SANDBOX, "description": "This sandbox"}
    assert get(client, "/", headers=BROWSER).status_code == 404


def test_the_control_api_has_its_docs_and_is_linked_from_the_landing_page(client):
    page = get(client, "/", headers=BROWSER).text
    assert 'href="/_sandbox/docs"' in page and 'href="/_sandbox/openapi.yaml"' in page
    assert get(client, "/").get_json()["control"] == {
        "base_url": f"{SANDBOX}/_sandbox", "spec": f"{SANDBOX}/_sandbox/openapi.yaml", "docs": f"{SANDBOX}/_sandbox/docs"}
    assert [api["name"] for api in get(client, "/").get_json()["apis"]] == ["leasey", "travtus"]
    assert docs_config(get(client, "/_sandbox/docs").text)["preauthorize"] == {}
    assert get(client, "/_sandbox/docs/openapi.json").get_json()["servers"][0]["url"] == f"{SANDBOX}/_sandbox"
    assert get(client, "/_sandbox/docs/openapi.json").get_json()["servers"] == [
        {"url": f"{SANDBOX}/_sandbox", "description": "This sandbox"}]  # it has no other server
    assert yaml.safe_load(get(client, "/_sandbox/openapi.yaml").text) == {
        **yaml.safe_load((ROOT / "openapi" / "sandbox.yaml").read_text()),
        "servers": [{"url": f"{SANDBOX}/_sandbox", "description": "This sandbox"}]}


def test_the_admin_token_is_never_put_in_a_page():
    client = make_app(ADMIN_TOKEN="admin-secret-42").test_client()

    docs = get(client, "/_sandbox/docs")  # the page and the spec are public; the operations are not
    assert docs.status_code == 200 and docs_config(docs.text)["preauthorize"] == {}
    landing = get(client, "/", headers=BROWSER).text
    assert "admin token" in landing
    for text in (docs.text, landing, get(client, "/_sandbox/docs/openapi.json").text):
        assert "admin-secret-42" not in text


def test_without_a_control_api_the_landing_page_does_not_link_one():
    # Given an app whose sandbox has partner APIs only (built by hand: create_app always mounts the control API)
    partner_app = make_app(APIS=("leasey",))
    state = partner_app.extensions["sandbox"]
    app = Flask(__name__)
    app.config["FIXTURE_DIR"] = partner_app.config["FIXTURE_DIR"]
    app.extensions["sandbox"] = SimpleNamespace(clock=state.clock, apis=state.apis)
    register_site(app, state.apis)
    client = app.test_client()

    assert "/_sandbox" not in get(client, "/", headers=BROWSER).text
    assert "control" not in get(client, "/").get_json()
    assert get(client, "/leasey/docs").status_code == 200
