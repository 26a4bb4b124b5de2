"""Schemathesis over contracts/endorsed/openapi.yaml against the in-process app; zero failures allowed.

Checks: not_a_server_error, status_code_conformance, content_type_conformance and
response_schema_conformance. API requests carry a real bearer token from the app's own token
endpoint (its read-write client); about half the generated path ids are a real candidate's or
attachment's (by UUID or ``remote.<id>``), and about half the ``public_file_url`` values point at a
file served on 127.0.0.1 (the rest at a private address the fetcher refuses without connecting), and
about half the ``candidate_id`` values name the real candidate.
Host names never resolve in this run, so no generated URL can cause a lookup or leave loopback.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import httpx
import pytest
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
from mockservers.core.fetch import Fetcher, FetchPolicy
from mockservers.testing import in_process_client, make_app
from tests.core.fetch_support import ScriptedServer, answer

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
BASE_URL = "http://testserver/endorsed"
PDF = b"%PDF-1.4 contract resume"

schema = schemathesis.openapi.from_dict(load_openapi("endorsed"))
APP = make_app()
"""One app for every generated case (Hypothesis cannot use function-scoped fixtures)."""
CLIENT = APP.platform.settings.endorsed.clients[0]
STATE = APP.platform.vendors["endorsed"].app.state.vendor


async def _no_lookups(host: str, port: int) -> Sequence[str]:
    raise OSError(f"the contract run resolves no names ({host})")


STATE.attachments.fetcher = Fetcher(FetchPolicy(), resolve=_no_lookups)
FILES = ScriptedServer()
FILES.route("/cv.pdf", answer(200, PDF, {"Content-Type": "application/pdf"}))


@pytest.fixture(scope="module", autouse=True)
def _close_files() -> Iterator[None]:
    yield
    FILES.close()


def _token(http: httpx.Client) -> str:
    form = {"grant_type": "client_credentials", "client_id": CLIENT.client_id, "client_secret": CLIENT.client_secret}
    response = http.post(f"{BASE_URL}/api/v1/auth/tokens", data=form)
    response.raise_for_status()
    return str(response.json()["access_token"])


def _seed() -> tuple[str, str]:
    """One candidate and one attachment through the documented calls; generated ids aim at them."""
    with in_process_client(APP) as http:
        auth = {"Authorization": f"Bearer {_token(http)}"}
        candidate = http.post(
            f"{BASE_URL}/api/v1/candidates", json={"first_name": "Ada", "remote_id": "seed"}, headers=auth
        ).json()["result"]["id"]
        attachment = http.post(
            f"{BASE_URL}/api/v1/attachments",
            data={"remote_id": "seed", "type": "resume", "candidate_id": candidate},
            files={"file": ("cv.pdf", PDF, "application/pdf")},
            headers=auth,
        ).json()["result"]["id"]
        return str(candidate), str(attachment)


CANDIDATE_ID, ATTACHMENT_ID = _seed()


@schema.auth()
class BearerToken:
    """A client credentials token from the app's own token endpoint (cached; tokens live 14 days)."""

    def get(self, case: Any, context: Any) -> str:
        with in_process_client(APP) as http:
            return _token(http)

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schema.hook("map_case")
def aim_at_real_things(context: Any, case: Any) -> Any:
    label = case.operation.label
    if case.path_parameters and "id" in case.path_parameters:
        raw = str(case.path_parameters["id"])
        if len(raw) % 2 == 0:
            own = ATTACHMENT_ID if "attachments" in label else CANDIDATE_ID
            case.path_parameters["id"] = own if len(raw) % 4 == 0 else "remote.seed"
    if isinstance(case.body, dict) and len(str(case.body.get("candidate_id", ""))) % 2:
        case.body["candidate_id"] = CANDIDATE_ID
    if isinstance(case.body, dict) and "public_file_url" in case.body:
        url = str(case.body["public_file_url"])
        case.body["public_file_url"] = FILES.url("/cv.pdf") if len(url) % 2 else "http://10.0.0.1/cv.pdf"
    return case


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_endorsed_conforms_to_its_contract(case: Any) -> None:
    case.call_and_validate(base_url=BASE_URL, app=APP, checks=CHECKS)


ROUTES = [r for r in APP.platform.vendors["endorsed"].app.routes if isinstance(r, Route)]
"""The routes the mounted vendor serves (its contract's own route included)."""


def test_route_names_are_the_operation_ids() -> None:
    document = load_openapi("endorsed")
    operation_ids = [
        op["operationId"] for item in document["paths"].values() for key, op in item.items() if key != "parameters"
    ]
    assert sorted(route.name for route in ROUTES) == sorted(operation_ids)


def test_every_route_is_documented_at_its_path() -> None:
    document = load_openapi("endorsed")
    documented = {
        (path, method.upper()) for path, item in document["paths"].items() for method in item if method != "parameters"
    }
    served = {
        (route.path.replace("{id:path}", "{id}"), method)
        for route in ROUTES
        for method in route.methods or ()
        if method != "HEAD"
    }
    assert served == documented


def test_every_api_operation_documents_its_error_statuses() -> None:
    document = load_openapi("endorsed")
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters" or operation["operationId"] == "openapi":
                continue
            expected = {"400", "401", "403", "500"} | ({"404"} if "{id}" in path else set())
            if method in ("post", "put"):
                expected |= {"413", "415"}
            assert expected <= set(operation["responses"]), (method, path)
