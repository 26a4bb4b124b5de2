"""Schemathesis over contracts/clinch/openapi.yaml (the refined copy, served at ``/clinch/v1/openapi``);
zero failures allowed, no status excused.

Checks: not_a_server_error, status_code_conformance, content_type_conformance and
response_schema_conformance. Every request is signed (``hooks.ApiAuthSigner``, the reference
client's canonical string and HMAC, both forms in turn) and about half the generated ids are a
seeded candidate's, so cases get past authentication and reach the rules.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.routing import Route

from contracts import load_openapi
from contracts.clinch.hooks import BASE_URL, ApiAuthSigner, Seeded
from mockservers.testing import in_process_client

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

SEEDED = Seeded()
APP = SEEDED.app
schema = schemathesis.openapi.from_dict(load_openapi("clinch"))
SIGNER = ApiAuthSigner(APP.platform.clock)
schema.auth.set_from_requests(SIGNER)


@schema.hook("map_path_parameters")
def aim_at_real_things(context: Any, path_parameters: dict[str, Any] | None) -> dict[str, Any] | None:
    return SEEDED.aim(path_parameters)


@schema.parametrize()
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_clinch_conforms_to_its_contract(case: Any) -> None:
    case.call_and_validate(base_url=BASE_URL, app=APP, checks=CHECKS)


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
