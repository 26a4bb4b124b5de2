"""The vendor interface, end to end, with nothing but its public parts: the toy vendor of
``toy_vendor.py`` (quoted by docs/adding-a-vendor.md) beside every registered vendor is configured,
served, journaled, faulted, reset and listed by ``atsmock credentials``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from toy_vendor import VENDOR, ToySettings

from mockservers import cli
from mockservers.config import Settings, load_settings
from mockservers.testing import AdminClient, in_process_client, make_app
from mockservers.vendors import registered

VENDORS = (*registered(), VENDOR)
AUTH = {"Authorization": "Bearer toy-key"}


@pytest.fixture
def app() -> Any:
    return make_app(vendors=VENDORS)


@pytest.fixture
def http(app: Any) -> Iterator[httpx.Client]:
    with in_process_client(app) as client:
        yield client


def test_served_under_its_prefix_beside_the_registered_vendors(app: Any, http: httpx.Client) -> None:
    assert list(app.platform.vendors) == [v.name for v in VENDORS if not v.planned]
    created = http.post("/toy/items", json={"name": "ball"}, headers=AUTH)
    assert (created.status_code, created.json()) == (201, {"id": 1})
    read = http.get("/toy/items/1", headers=AUTH)
    assert (read.status_code, read.json()) == (200, {"name": "ball"})


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "answer"),
    [
        ("GET", "/toy/items/7", None, 404, {"toy_error": "not_found", "detail": "no item 7"}),
        ("POST", "/toy/items", b"{", 400, {"toy_error": "invalid_input", "detail": "the body is not valid JSON"}),
        ("POST", "/toy/items", b"{}", 400, {"toy_error": "invalid_input", "detail": "name is required"}),
        ("GET", "/toy/nowhere", None, 404, {"toy_error": "no_route", "detail": "Unknown endpoint: GET /toy/nowhere"}),
        (
            "DELETE",
            "/toy/items/1",
            None,
            405,
            {"toy_error": "method_not_allowed", "detail": "DELETE is not allowed on /toy/items/1"},
        ),
    ],
)
def test_every_refusal_is_rendered_by_the_vendor(
    http: httpx.Client, method: str, path: str, body: bytes | None, status: int, answer: dict[str, str]
) -> None:
    response = http.request(method, path, content=body, headers=AUTH)
    assert (response.status_code, response.json()) == (status, answer)


def test_a_rule_of_the_settings_is_a_vendor_error(http: httpx.Client) -> None:
    for name in ("a", "b", "c"):
        assert http.post("/toy/items", json={"name": name}, headers=AUTH).status_code == 201
    full = http.post("/toy/items", json={"name": "d"}, headers=AUTH)
    assert (full.status_code, full.json()) == (409, {"toy_error": "shelf_full", "detail": "the shelf is full"})


def test_journaled_with_its_operation_and_its_secret_header_redacted(http: httpx.Client) -> None:
    http.get("/toy/items/1", headers={**AUTH, "X-Toy-Session": "s3cr3t"})
    [entry] = AdminClient(http).requests(vendor="toy")
    assert (entry["operation"], entry["response"], entry["request"]["headers"]["x-toy-session"]) == (
        "getItem",
        {"status": 404, "errorCode": "not_found"},
        "[redacted]",
    )
    assert entry["request"]["headers"]["authorization"] == "[redacted]"


def test_faulted_by_its_own_scenario_and_reset_alone(http: httpx.Client) -> None:
    admin = AdminClient(http)
    assert http.post("/toy/items", json={"name": "ball"}, headers=AUTH).status_code == 201
    admin.add_fault("toy.unavailable", operation="getItem")
    faulted = http.get("/toy/items/1", headers=AUTH)
    assert (faulted.status_code, faulted.headers["retry-after"], faulted.json()) == (
        503,
        "2",
        {"toy_error": "unavailable", "detail": "try later"},
    )
    admin.reset("toy")
    gone = http.get("/toy/items/1", headers=AUTH)
    journal = [(e["operation"], e["response"]["status"]) for e in admin.requests(vendor="toy")]
    assert (gone.status_code, journal) == (404, [("getItem", 404)])


def test_configured_from_its_section_and_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "atsmock.toml"
    config.write_text('[toy]\napi_key = "from-file"\n', encoding="utf-8")
    settings = load_settings(config, {"ATSMOCK_TOY_MAX_ITEMS": "9"}, registry=VENDORS)
    assert settings.vendor("toy") == ToySettings(api_key="from-file", max_items=9)
    assert settings.pageup == registered()[0].settings()


def test_served_alone_at_the_root() -> None:
    app = make_app(Settings(registry=VENDORS).with_server(vendor="toy"), vendors=VENDORS)
    with in_process_client(app) as http:
        assert http.post("/items", json={"name": "ball"}, headers=AUTH).status_code == 201


def test_listed_by_atsmock_credentials(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["credentials"], vendors=VENDORS) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[-2].split() == ["toy", "bearer", "token", "toy-key", "items"]
