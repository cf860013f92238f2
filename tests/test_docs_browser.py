"""The docs in a real browser: Debian's headless Chromium opens the landing page and each API's Swagger UI on a
served sandbox, with no console error and no request leaving the sandbox, and "Try it out" shows live rows."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from contract_tests.support.served import ServedMock

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"  # Debian packages chromium and chromium-driver (tools/ensure-chromium)
CHROMEDRIVER = "/usr/bin/chromedriver"
# Without the background-networking flags Chromium keeps calling home, which an offline machine refuses.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,1600")
WAIT = 30  # seconds for a page, the spec or a live response


def ensure_chromium() -> None:
    """Installs Chromium when missing; skips, with tools/ensure-chromium's reason, only where it cannot be installed
    (no root, no apt-get), and never on CI."""
    result = subprocess.run([str(ROOT / "tools" / "ensure-chromium")], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"tools/ensure-chromium failed with {result.returncode}:\n{result.stdout}\n{result.stderr}")
    if all(os.access(path, os.X_OK) for path in (CHROMIUM, CHROMEDRIVER)):
        return
    reason = result.stderr.strip() or f"{CHROMIUM} or {CHROMEDRIVER} is missing"
    if os.environ.get("CI"):
        pytest.fail(f"no Chromium for the browser test on CI: {reason}")
    pytest.skip(f"no Chromium for the browser test: {reason}")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    mock = ServedMock(tmp_path_factory.mktemp("docs-browser"))
    yield mock
    mock.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    ensure_chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(WAIT)
    yield driver
    driver.quit()


def open_page(browser, url: str, ready: str) -> None:
    """Opens url, starting with empty logs, and waits until the CSS selector `ready` matches."""
    browser.get_log("browser")
    browser.get_log("performance")
    browser.get(url)
    WebDriverWait(browser, WAIT).until(EC.presence_of_element_located((By.CSS_SELECTOR, ready)))


def console_problems(browser) -> list[str]:
    return [f"{e['level']}: {e['message']}" for e in browser.get_log("browser") if e["level"] in ("WARNING", "SEVERE")]


def requested_urls(browser) -> list[str]:
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def assert_clean_and_offline(browser, served: ServedMock) -> None:
    assert console_problems(browser) == []
    elsewhere = [url for url in requested_urls(browser)
                 if url.startswith(("http:", "https:", "ws:", "wss:")) and not url.startswith(served.root + "/")]
    assert elsewhere == []


def try_it_out(browser, operation_id: str) -> WebElement:
    """Expands the operation, clicks "Try it out" and "Execute" with the pre-filled values; its live response."""
    operation = browser.find_element(By.CSS_SELECTOR, f"[id$='-{operation_id}'].opblock")
    operation.find_element(By.CSS_SELECTOR, ".opblock-summary-control").click()
    WebDriverWait(operation, WAIT).until(lambda op: op.find_elements(By.CSS_SELECTOR, ".try-out__btn"))
    operation.find_element(By.CSS_SELECTOR, ".try-out__btn").click()
    operation.find_element(By.CSS_SELECTOR, ".btn.execute").click()
    WebDriverWait(operation, WAIT).until(
        lambda op: op.find_elements(By.CSS_SELECTOR, ".live-responses-table .response-col_status"))
    return operation.find_element(By.CSS_SELECTOR, ".live-responses-table")


def live_status(response: WebElement) -> str:
    return response.find_element(By.CSS_SELECTOR, ".response .response-col_status").text.strip()


def live_body(response: WebElement):
    return json.loads(response.find_element(By.CSS_SELECTOR, ".response-col_description pre").get_attribute(
        "textContent"))


def test_the_landing_page_loads_without_console_errors(browser, served):
    open_page(browser, served.root + "/", "main.landing")

    assert browser.title == "Partner API sandbox"
    assert [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "a[href$='/docs']")] == [
        f"{served.root}/leasey/docs", f"{served.root}/travtus/docs", f"{served.root}/_sandbox/docs"]
    assert "sandbox-pass-123" in browser.find_element(By.ID, "leasey").text
    assert_clean_and_offline(browser, served)


@pytest.mark.parametrize(("prefix", "credentials_entered"), [("/leasey", True), ("/travtus", True), ("/_sandbox", False)])
def test_the_docs_load_without_console_errors(browser, served, prefix, credentials_entered):
    open_page(browser, f"{served.root}{prefix}/docs", ".opblock")

    locked = bool(browser.find_elements(By.CSS_SELECTOR, ".btn.authorize.locked"))
    assert locked == credentials_entered  # the control API's admin token is never put in a page
    servers = [o.get_attribute("value") for o in browser.find_elements(By.CSS_SELECTOR, ".servers select option")]
    assert servers[0] == f"{served.root}{prefix}"  # this sandbox first (and chosen), then the documented servers
    assert_clean_and_offline(browser, served)


def test_try_it_out_on_a_leasey_report_shows_the_rows(browser, served):
    open_page(browser, f"{served.root}/leasey/docs", ".opblock")

    response = try_it_out(browser, "get_properties_report")

    assert live_status(response) == "200"
    rows = live_body(response)
    assert len(rows) == 34 and {row["Property_Name"] for row in rows} >= {"Oak Ave Apartments", "Maple Court"}
    request_url = browser.find_element(By.CSS_SELECTOR, ".request-url pre").text
    assert request_url == f"{served.root}/leasey/reports/properties?company_id=123"
    assert_clean_and_offline(browser, served)


def test_try_it_out_on_travtus_leases_shows_the_documented_example_lease(browser, served):
    open_page(browser, f"{served.root}/travtus/docs", ".opblock")

    response = try_it_out(browser, "find_leases")

    assert live_status(response) == "200"
    assert [lease["identifier"] for lease in live_body(response)["data"]] == ["lease-1"]
    assert_clean_and_offline(browser, served)
