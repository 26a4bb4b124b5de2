"""Clinch's contract suite (contracts/suite.py) against the in-process app; zero failures allowed.

All eleven checks (contracts/checks.py); every request signed by the shared api_auth signer from
the document's ``x-atsmock-auth``, about half the generated ids a candidate contracts/clinch/hooks.py
created, so cases get past authentication and reach the rules.
"""

from __future__ import annotations

from starlette.routing import Route

from contracts import auth, checks, load_openapi, suite
from contracts.clinch.hooks import BASE_URL
from contracts.target import Target
from mockservers.testing import in_process_client, make_app

APP = make_app()
TARGET = Target(BASE_URL, APP)


def test_clinch_conforms_to_its_contract() -> None:
    credentials = auth.mock_credentials("clinch", APP.platform.settings)
    schema = suite.build("clinch", TARGET, credentials, now=APP.platform.clock.now)
    outcome = suite.run("clinch", schema, TARGET)
    assert outcome.failures == []
    assert outcome.requests > 100
    assert set(outcome.passed) == {(op, check) for op, _ in outcome.passed for check in checks.NAMES}


def test_clinch_workflows_conform_to_its_contract() -> None:
    """The stateful phase over the document's links: create a candidate, then read, update, tag it,
    list its tags and attach a file to it; delete a tag and list the tags again. Each linked step
    counted here was answered 2xx (signed with the mock clock's date)."""
    credentials = auth.mock_credentials("clinch", APP.platform.settings)
    schema = suite.build("clinch", TARGET, credentials, now=APP.platform.clock.now)
    outcome = suite.run_stateful("clinch", schema, TARGET)
    assert outcome.failures == []
    walked = {pair for pair, n in outcome.succeeded.items() if n}
    assert walked >= {
        ("POST /candidates", "GET /candidates/{candidateId}"),
        ("POST /candidates", "PATCH /candidates/{candidateId}"),
        ("POST /candidates", "POST /candidates/{candidateId}/tags"),
        ("POST /candidates", "GET /candidates/{candidateId}/tags"),
        ("POST /candidates", "POST /candidates/{candidateId}/candidate_files"),
    }
    assert {"use_after_free", "ensure_resource_availability"} <= {check for (_, check) in outcome.passed}


ROUTES = [r for r in APP.platform.vendors["clinch"].app.routes if isinstance(r, Route)]
"""The routes the mounted vendor serves (the contract's own two routes included)."""
ALIAS = "openapi_json"
"""``/openapi.json`` at the vendor's root, where every atsmock vendor serves its contract: not a Clinch path."""


def test_route_names_are_the_operation_ids() -> None:
    document = load_openapi("clinch")
    operation_ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert sorted(route.name for route in ROUTES if route.name != ALIAS) == sorted(operation_ids)


def test_every_route_is_documented_at_its_path_under_v1() -> None:
    document = load_openapi("clinch")
    documented = {(f"/v1{path}", method.upper()) for path, item in document["paths"].items() for method in item}
    served = {(r.path, m) for r in ROUTES if r.name != ALIAS for m in r.methods or () if m != "HEAD"}
    assert served == documented


def test_the_refined_copy_keeps_every_published_operation_and_parameter() -> None:
    from contracts.clinch.test_published import PUBLISHED

    refined = load_openapi("clinch")["paths"]
    published = {k: v for k, v in PUBLISHED["paths"].items() if k != "tags"}
    for path, item in published.items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            mine = refined[path][method]
            assert mine["operationId"] == operation["operationId"]
            assert set(operation["responses"]) <= set(mine["responses"]), (method, path)


def test_served_where_the_vendor_serves_it_with_this_mocks_base() -> None:
    with in_process_client(APP) as http:
        served = http.get("/clinch/v1/openapi")
        alias = http.get("/clinch/openapi.json")
    assert (served.status_code, served.headers["content-type"]) == (200, "application/json")
    assert served.json() == {**load_openapi("clinch"), "servers": [{"url": "http://testserver/clinch/v1"}]}
    assert alias.content == served.content
