"""Schemathesis over contracts/pageup/openapi.yaml against the in-process app; zero failures allowed.

Checks: not_a_server_error, status_code_conformance, content_type_conformance and
response_schema_conformance. API requests carry a real bearer token fetched from the app's own
token endpoint with its first configured client; the ``tenant`` path parameter is that client's
tenant and about half the generated document ids are a real document's, so cases get past
authentication and reach the rules.
"""

from __future__ import annotations

from typing import Any

import httpx
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
from mockservers.testing import in_process_client, make_app

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
BASE_URL = "http://testserver/pageup"

schema = schemathesis.openapi.from_dict(load_openapi("pageup"))
APP = make_app()
"""One app for every generated case (Hypothesis cannot use function-scoped fixtures)."""
CLIENT = APP.platform.settings.pageup.clients[0]


def _token(http: httpx.Client) -> str:
    form = {"grant_type": "client_credentials", "client_id": CLIENT.client_id, "client_secret": CLIENT.client_secret}
    response = http.post(f"{BASE_URL}/connect/token", data=form)
    response.raise_for_status()
    return str(response.json()["access_token"])


def _seed_document() -> str:
    """Upload one document through the documented flow; its id is used by generated downloads."""
    with in_process_client(APP) as http:
        auth = {"Authorization": f"Bearer {_token(http)}"}
        documents = f"{BASE_URL}/v3/{CLIENT.tenant}/recruitment/document"
        prepared = http.get(f"{documents}/prepareTempDirectUpload", params={"filename": "cv.pdf"}, headers=auth).json()
        http.put(prepared["url"], content=b"%PDF", headers={**prepared["headers"], "Content-Type": "application/pdf"})
        body = {"title": "CV", "fileName": "cv.pdf", "physicalFile": prepared["physicalFile"], "documentCategoryId": 7}
        return str(http.post(f"{documents}/moveFromTemp", json=body, headers=auth).json()["id"])


DOCUMENT_ID = _seed_document()


@schema.auth()
class BearerToken:
    """A client credentials token from the app's own token endpoint (cached; tokens live 300 s)."""

    def get(self, case: Any, context: Any) -> str:
        with in_process_client(APP) as http:
            return _token(http)

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schema.hook("map_path_parameters")
def aim_at_real_things(context: Any, path_parameters: dict[str, Any] | None) -> dict[str, Any] | None:
    if not path_parameters:
        return path_parameters
    if "tenant" in path_parameters:
        path_parameters["tenant"] = CLIENT.tenant
    if "id" in path_parameters and len(str(path_parameters["id"])) % 2 == 0:
        path_parameters["id"] = DOCUMENT_ID
    return path_parameters


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_pageup_conforms_to_its_contract(case: Any) -> None:
    case.call_and_validate(base_url=BASE_URL, app=APP, checks=CHECKS)


ROUTES = [r for r in APP.platform.vendors["pageup"].app.routes if isinstance(r, Route)]
"""The routes the mounted vendor serves (its contract's own route included)."""


def test_route_names_are_the_operation_ids() -> None:
    document = load_openapi("pageup")
    operation_ids = [op["operationId"] for path in document["paths"].values() for op in path.values()]
    assert sorted(route.name for route in ROUTES) == sorted(operation_ids)


def test_every_route_is_documented_at_its_path() -> None:
    document = load_openapi("pageup")
    documented = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    assert {
        (route.path, method) for route in ROUTES for method in route.methods or () if method != "HEAD"
    } == documented


def test_every_operation_documents_its_error_statuses() -> None:
    document = load_openapi("pageup")
    for path, item in document["paths"].items():
        for method, operation in item.items():
            statuses = set(operation["responses"])
            if operation["operationId"] == "openapi":
                continue
            expected = {"200", "400", "401", "404", "429", "500"}
            if operation["operationId"] != "requestToken":
                expected.add("403")
            assert expected <= statuses, (method, path)
