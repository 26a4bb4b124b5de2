"""The dashboard in a real browser (headless Chromium) against a live server: what QA clicks, and what it shows.

Each test opens the page fresh, waits until its event stream is live, then acts through the page
and checks the mock's answers on the wire. The screenshots under ``docs/`` come from here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockservers.config import Settings
from mockservers.testing import running

pytestmark = pytest.mark.live

TENANT_DOCUMENTS = "/pageup/v3/218/recruitment/document"
PAGEUP_CLIENT = {
    "grant_type": "client_credentials",
    "client_id": "atsmock-pageup",
    "client_secret": "atsmock-pageup-secret",
    "scope": "Public.Document.Read Public.Document.Write",
}


class Page:
    """The dashboard in the session's browser, at one server."""

    def __init__(self, driver: Any, url: str, screenshots: Path) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver = driver
        self.url = url
        self.screenshots = screenshots
        self.by = By
        self._wait = WebDriverWait(driver, 10)

    def open(self, tab: str = "requests", *, live: bool = True) -> Page:
        self.driver.get(f"{self.url}/__admin/ui#{tab}")
        if live:
            self.until(lambda: self.one("#live-state").get_attribute("data-state") == "live")
            self.until(lambda: self.one("body").get_attribute("data-ready") == "true")
        return self

    def until(self, condition: Callable[[], Any]) -> Any:
        return self._wait.until(lambda _: condition())

    def one(self, css: str) -> Any:
        return self.driver.find_element(self.by.CSS_SELECTOR, css)

    def all(self, css: str) -> list[Any]:
        return list(self.driver.find_elements(self.by.CSS_SELECTOR, css))

    def text(self, css: str) -> str:
        return str(self.one(css).text)

    def row(self, request_id: str) -> Any:
        self.until(lambda: self.all(f'#request-table tbody tr[data-id="{request_id}"]'))
        return self.one(f'#request-table tbody tr[data-id="{request_id}"]')

    def cells(self, row: Any) -> list[str]:
        """The row's cells as the page holds them (also while its section is hidden)."""
        return [str(cell.get_attribute("textContent")) for cell in row.find_elements(self.by.CSS_SELECTOR, "td")]

    def choose(self, css: str, value: str) -> None:
        from selenium.webdriver.support.ui import Select

        self.until(lambda: self.all(f'{css} option[value="{value}"]'))
        Select(self.one(css)).select_by_value(value)

    def tab_to(self, link_text: str) -> None:
        """Reach a section link with the Tab key alone, and follow it with Enter."""
        from selenium.webdriver.common.keys import Keys

        self.one("body").click()
        for _ in range(12):
            self.driver.switch_to.active_element.send_keys(Keys.TAB)
            if self.driver.switch_to.active_element.text == link_text:
                self.driver.switch_to.active_element.send_keys(Keys.ENTER)
                return
        raise AssertionError(f"no link {link_text!r} reached with Tab")

    def shot(self, name: str) -> None:
        self.driver.save_screenshot(str(self.screenshots / f"dashboard-{name}.png"))

    def console_errors(self, *allowed: str) -> list[str]:
        logs = self.driver.get_log("browser")
        return [e["message"] for e in logs if e["level"] == "SEVERE" and not any(a in e["message"] for a in allowed)]


@pytest.fixture
def page(browser: Any, live: Any, screenshots: Path) -> Iterator[Page]:
    browser.get_log("browser")  # start with an empty console
    dashboard = Page(browser, live.url, screenshots)
    yield dashboard
    errors = dashboard.console_errors()
    browser.get("about:blank")  # closes the page's event stream before the next test resets the server
    assert errors == []


@pytest.fixture
def http(live: Any) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url) as client:
        yield client


def pageup_token(http: httpx.Client) -> dict[str, str]:
    response = http.post("/pageup/connect/token", data=PAGEUP_CLIENT)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def pageup_document(http: httpx.Client, auth: dict[str, str], data: bytes = b"Curriculum vitae") -> dict[str, Any]:
    prepared = http.get(f"{TENANT_DOCUMENTS}/prepareTempDirectUpload", params={"filename": "cv.txt"}, headers=auth)
    prepared.raise_for_status()
    target = prepared.json()
    put = http.put(target["url"], content=data, headers={**target["headers"], "Content-Type": target["contentType"]})
    assert put.status_code == 200, put.text
    body = {"title": "CV", "fileName": "cv.txt", "physicalFile": target["physicalFile"], "documentCategoryId": 7}
    moved = http.post(f"{TENANT_DOCUMENTS}/moveFromTemp", json=body, headers=auth)
    assert moved.status_code == 200, moved.text
    return dict(moved.json())


def test_a_request_made_by_a_test_appears_live_with_its_details(page: Page, http: httpx.Client) -> None:
    page.open()
    assert page.text("#requests-empty") == "No requests yet."
    auth = pageup_token(http)
    document = pageup_document(http, auth)
    answer = http.get(f"{TENANT_DOCUMENTS}/{document['id']}", headers=auth)
    assert answer.status_code == 200
    row = page.row(answer.headers["x-request-id"])
    time, *shown, duration = page.cells(row)
    assert shown == ["pageup", "GET", f"{TENANT_DOCUMENTS}/{document['id']}", "200", "", ""]
    journaled = http.get(f"/__admin/requests/{answer.headers['x-request-id']}").json()
    assert time == journaled["loggedDate"][11:23]
    assert abs(float(duration) - journaled["durationMs"]) <= 0.05  # shown to a tenth of a millisecond
    # Newest first: the document read is on top, the token request at the bottom.
    assert page.all("#request-table tbody tr")[0] == row
    assert page.cells(page.all("#request-table tbody tr")[-1])[3] == "/pageup/connect/token"
    row.find_element(page.by.CSS_SELECTOR, "button").click()
    assert page.text("#details-title") == f"GET {TENANT_DOCUMENTS}/{document['id']}"
    details = dict(zip(page.all("#request-details dt"), page.all("#request-details dd"), strict=True))
    facts = {dt.text: dd.text for dt, dd in details.items()}
    assert (facts["Id"], facts["Operation"], facts["Status"]) == (answer.headers["x-request-id"], "getDocument", "200")
    headers = {th.text: td.text for th, td in zip(page.all(".headers th"), page.all(".headers td"), strict=True)}
    assert headers["authorization"] == "[redacted]"
    assert page.driver.switch_to.active_element == page.one("#request-details")
    page.shot("requests")


def test_scheduling_rate_limited_through_the_page_makes_the_next_pageup_call_answer_429(
    page: Page, http: httpx.Client, live: Any
) -> None:
    page.open()
    page.tab_to("Faults")
    page.until(lambda: page.one("#panel-faults").is_displayed())
    assert page.driver.switch_to.active_element == page.one("#faults-title")
    page.choose("#fault-scenario", "pageup.rate_limited")
    described = next(
        s for s in http.get("/__admin/scenarios").json()["scenarios"] if s["name"] == "pageup.rate_limited"
    )
    assert page.text("#fault-description") == described["description"]
    vendor = page.one("#fault-vendor")
    assert (vendor.get_attribute("value"), vendor.is_enabled()) == ("pageup", False)
    page.choose("#fault-operation", "requestToken")
    times = page.one("#fault-times")
    times.clear()
    times.send_keys("1\n")  # Enter submits the form
    page.until(lambda: page.text("#fault-message") == "Scheduled pageup.rate_limited.")
    page.until(lambda: page.all("#fault-table tbody tr"))
    (fault,) = http.get("/__admin/faults").json()["faults"]
    assert {k: fault[k] for k in ("scenario", "vendor", "operation", "times", "probability", "seed", "delay_ms")} == {
        "scenario": "pageup.rate_limited",
        "vendor": "pageup",
        "operation": "requestToken",
        "times": 1,
        "probability": 1.0,
        "seed": None,
        "delay_ms": 0,
    }
    scheduled = page.cells(page.one("#fault-table tbody tr"))
    assert scheduled[:8] == ["pageup.rate_limited", "pageup", "requestToken", "1", "0", "1", "\u2013", "0"]
    page.shot("faults")

    refused = http.post("/pageup/connect/token", data=PAGEUP_CLIENT)
    assert (refused.status_code, refused.json()) == (
        429,
        {"error": "rate_limit_exceeded", "error_description": "The daily rate limit has been exceeded"},
    )
    # It fired once: the schedule on the page empties by itself, and the next call is answered.
    page.until(lambda: page.one("#faults-empty").is_displayed())
    assert page.all("#fault-table tbody tr") == []
    assert http.post("/pageup/connect/token", data=PAGEUP_CLIENT).status_code == 200
    row = page.row(refused.headers["x-request-id"])
    assert page.cells(row)[4:7] == ["429", "rate_limit_exceeded", "pageup.rate_limited"]


def test_advancing_the_clock_through_the_page_expires_a_pageup_token(page: Page, http: httpx.Client) -> None:
    auth = pageup_token(http)
    prepare = f"{TENANT_DOCUMENTS}/prepareTempDirectUpload"
    assert http.get(prepare, params={"filename": "a.txt"}, headers=auth).status_code == 200
    page.open("clock")
    assert page.text("#clock-frozen") == "running"
    page.one("#clock-freeze").click()
    page.until(lambda: page.text("#clock-frozen") == "frozen")
    before = parse_iso(http.get("/__admin/clock").json()["now"])
    amount = page.one("#advance-amount")
    amount.clear()
    amount.send_keys("301")
    page.choose("#advance-unit", "1")
    page.one("#advance-form button[type=submit]").click()
    page.until(lambda: page.text("#clock-message") == "Moved +5 min 1 s.")
    after = http.get("/__admin/clock").json()
    assert (parse_iso(after["now"]) - before, after["frozen"]) == (timedelta(seconds=301), True)
    assert page.text("#clock-now") == after["now"].replace(".000Z", "Z")[:19] + "Z"
    assert page.text("#clock-offset").startswith("+5 min")
    expired = http.get(prepare, params={"filename": "a.txt"}, headers=auth)
    assert (expired.status_code, expired.json()) == (401, [{"message": "Your API key is invalid or expired"}])
    assert expired.headers["www-authenticate"].startswith(
        'Bearer error="invalid_token", error_description="The token expired at'
    )
    page.shot("clock")
    page.one("#clock-reset").click()
    page.until(lambda: page.text("#clock-frozen") == "running" and page.text("#clock-offset") == "0 s")
    assert http.get(prepare, params={"filename": "a.txt"}, headers=pageup_token(http)).status_code == 200


def parse_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def test_script_in_a_requests_path_and_headers_is_shown_as_text(page: Page, http: httpx.Client) -> None:
    page.open()
    path = "/pageup/<script>window.pwned=1</script>"
    probe = '<script>window.pwned=2</script><img src=x onerror="window.pwned=3">'
    answer = http.get(path, params={"q": "<b>bold</b>"}, headers={"X-Probe": probe})
    assert answer.status_code == 404
    row = page.row(answer.headers["x-request-id"])
    assert page.cells(row)[3] == path
    row.find_element(page.by.CSS_SELECTOR, "button").click()
    assert page.text("#details-title") == f"GET {path}"
    headers = {th.text: td.text for th, td in zip(page.all(".headers th"), page.all(".headers td"), strict=True)}
    assert headers["x-probe"] == probe
    assert page.driver.execute_script("return window.pwned") is None
    assert page.all("#panel-requests script, #panel-requests img, #panel-requests b") == []


def test_state_shows_what_each_vendor_holds_with_a_download_and_resets_one(page: Page, http: httpx.Client) -> None:
    auth = pageup_token(http)
    pageup_document(http, auth, b"Curriculum vitae of Ada")
    candidate = http.post("/ashby/candidate.create", json={"name": "Ada Lovelace"}, auth=("atsmock-ashby", ""))
    assert candidate.json()["success"] is True
    page.open("state")
    page.until(lambda: page.all('#vendor-cards [data-vendor="pageup"] .files a'))
    cards = {card.get_attribute("data-vendor"): card for card in page.all("#vendor-cards article")}
    assert list(cards) == [v["name"] for v in http.get("/__admin/vendors").json()["vendors"]]
    pageup = cards["pageup"]
    terms, values = (pageup.find_elements(page.by.CSS_SELECTOR, tag) for tag in ("dt", "dd"))
    assert {dt.text: dd.text for dt, dd in zip(terms, values, strict=True)} == {"documents": "1", "temp uploads": "0"}
    link = pageup.find_element(page.by.CSS_SELECTOR, ".files a")
    assert (link.text, link.get_attribute("download")) == ("cv.txt", "cv.txt")
    downloaded = http.get(link.get_attribute("href"))
    assert (downloaded.status_code, downloaded.content) == (200, b"Curriculum vitae of Ada")
    page.shot("state")
    pageup.find_element(page.by.CSS_SELECTOR, "button.danger").click()
    page.until(lambda: page.text("#state-message") == "PageUp Document API reset.")
    page.until(lambda: not page.all('#vendor-cards [data-vendor="pageup"] .files'))
    ashby_counts = http.get("/__admin/vendors").json()["vendors"][1]["counts"]
    assert ashby_counts["candidates"] == 1  # only the one vendor was reset


def test_every_control_has_an_accessible_name(page: Page, http: httpx.Client) -> None:
    http.post("/__admin/faults", json={"scenario": "delay", "delay_ms": 1, "times": 0})
    pageup_document(http, pageup_token(http))
    page.open("faults")
    page.until(lambda: page.all("#fault-table tbody tr"))
    page.open("state")
    page.until(lambda: page.all("#vendor-cards .files a"))
    unnamed = page.driver.execute_script(
        """
        const named = (el) => (el.labels && el.labels.length) || el.getAttribute("aria-label")
          || el.getAttribute("aria-labelledby") || el.textContent.trim();
        return [...document.querySelectorAll("input, select, button, a[href]")]
          .filter((el) => !named(el)).map((el) => el.outerHTML);
        """
    )
    assert unnamed == []


@pytest.fixture(scope="module")
def guarded_server() -> Iterator[Any]:
    with running(Settings().with_server(admin_token="dash-s3cret")) as server:
        yield server


def test_with_an_admin_token_the_page_asks_once_and_keeps_it_for_the_tab(
    browser: Any, guarded_server: Any, screenshots: Path
) -> None:
    from selenium.webdriver.common.keys import Keys

    browser.get_log("browser")
    page = Page(browser, guarded_server.url, screenshots)
    try:
        page.open(live=False)
        page.until(lambda: page.one("#token-dialog").get_attribute("open") is not None)
        assert page.driver.switch_to.active_element == page.one("#token-input")
        page.one("#token-input").send_keys("wrong" + Keys.ENTER)
        page.until(lambda: page.text("#token-message") == "That token was refused. Try again.")
        page.one("#token-input").send_keys("dash-s3cret" + Keys.ENTER)
        page.until(lambda: page.one("#live-state").get_attribute("data-state") == "live")
        assert page.driver.execute_script("return sessionStorage.getItem('atsmock.adminToken')") == "dash-s3cret"
        answer = httpx.get(f"{guarded_server.url}/ashby/candidate.list")
        page.row(answer.headers["x-request-id"])  # the stream carries the token too
        page.open()  # a reload in the same tab does not ask again
        assert page.one("#token-dialog").get_attribute("open") is None
        unauthorized = "the server responded with a status of 401"
        assert page.console_errors(unauthorized) == []
        assert json.loads(httpx.get(f"{guarded_server.url}/__admin/faults").text)["error"]["code"] == "unauthorized"
    finally:
        browser.execute_script("sessionStorage.clear()")
        browser.get("about:blank")


def test_the_filters_narrow_the_list_and_the_live_stream_by_vendor_operation_and_status(
    page: Page, http: httpx.Client
) -> None:
    page.open()
    auth = pageup_token(http)
    document = pageup_document(http, auth)
    http.post("/ashby/candidate.list", auth=("not-a-key", ""))
    missing = http.get(f"{TENANT_DOCUMENTS}/999999", headers=auth)
    page.row(missing.headers["x-request-id"])

    def shown() -> list[list[str]]:
        """The rows' cells, read in one go (the table is rebuilt when a filter applies)."""
        script = """return [...document.querySelectorAll("#request-table tbody tr")]
          .map((row) => [...row.querySelectorAll("td")].map((cell) => cell.textContent));"""
        return list(page.driver.execute_script(script))

    def apply(vendor: str, operation: str, status: str) -> None:
        page.choose("#filter-vendor", vendor)
        page.choose("#filter-operation", operation)
        field = page.one("#filter-status")
        field.clear()
        field.send_keys(status)
        page.one("#request-filters button[type=submit]").click()

    apply("ashby", "", "")
    page.until(lambda: {cells[1] for cells in shown()} == {"ashby"})
    apply("pageup", "getDocument", "404")
    page.until(lambda: [cells[3:5] for cells in shown()] == [[f"{TENANT_DOCUMENTS}/999999", "404"]])
    # Live under the filter: a matching request appears, one that does not match stays out.
    found = http.get(f"{TENANT_DOCUMENTS}/{document['id']}", headers=auth)
    gone = http.get(f"{TENANT_DOCUMENTS}/888888", headers=auth)
    page.row(gone.headers["x-request-id"])
    assert [cells[3] for cells in shown()] == [f"{TENANT_DOCUMENTS}/888888", f"{TENANT_DOCUMENTS}/999999"]
    assert page.all(f'#request-table tbody tr[data-id="{found.headers["x-request-id"]}"]') == []
    apply("", "", "")
    page.row(found.headers["x-request-id"])


def test_faults_are_removed_one_or_all_and_the_clock_unfreezes_and_everything_resets_from_the_page(
    page: Page, http: httpx.Client
) -> None:
    page.open("faults")
    page.choose("#fault-scenario", "pageup.server_error")
    for css, value in (
        ("#fault-times", "5"),
        ("#fault-probability", "0.5"),
        ("#fault-seed", "42"),
        ("#fault-delay", "3"),
    ):
        field = page.one(css)
        field.clear()
        field.send_keys(value)
    page.one("#fault-form button[type=submit]").click()
    page.until(lambda: len(page.all("#fault-table tbody tr")) == 1)
    (scheduled,) = http.get("/__admin/faults").json()["faults"]
    assert [scheduled[k] for k in ("times", "probability", "seed", "delay_ms")] == [5, 0.5, 42, 3]
    kept = http.post("/__admin/faults", json={"scenario": "delay", "delay_ms": 1, "times": 0}).json()["id"]
    page.until(lambda: len(page.all("#fault-table tbody tr")) == 2)  # one scheduled elsewhere shows up by itself
    page.one("#fault-table tbody tr button").click()  # the first row's Remove
    page.until(lambda: len(page.all("#fault-table tbody tr")) == 1)
    assert [f["id"] for f in http.get("/__admin/faults").json()["faults"]] == [kept]
    page.one("#clear-faults").click()
    page.until(lambda: page.one("#faults-empty").is_displayed())
    assert http.get("/__admin/faults").json()["faults"] == []

    page.open("clock")
    page.one("#clock-freeze").click()
    page.until(lambda: page.text("#clock-frozen") == "frozen")
    frozen = http.get("/__admin/clock").json()
    page.one("#clock-unfreeze").click()
    page.until(lambda: page.text("#clock-frozen") == "running")
    running_now = http.get("/__admin/clock").json()
    assert running_now["frozen"] is False
    assert timedelta(0) <= parse_iso(running_now["now"]) - parse_iso(frozen["now"]) < timedelta(seconds=5)  # no jump

    pageup_document(http, pageup_token(http))
    http.post("/__admin/clock/advance", json={"seconds": 60})
    page.open("state")
    page.until(lambda: page.all('#vendor-cards [data-vendor="pageup"] .files a'))
    page.one("#reset-all").click()
    page.until(lambda: page.text("#state-message") == "Everything reset: state, journal, faults and the clock.")
    page.until(lambda: not page.all("#vendor-cards .files a"))
    assert http.get("/__admin/clock").json()["offset_seconds"] == 0
    assert all(not v["files"] for v in http.get("/__admin/vendors").json()["vendors"])
