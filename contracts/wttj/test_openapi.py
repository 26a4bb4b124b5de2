"""Schemathesis over contracts/wttj/openapi.yaml against the in-process app; zero failures allowed.

Checks: not_a_server_error, status_code_conformance, content_type_conformance and
response_schema_conformance. Requests carry the default read-write token. About half the generated
cases are aimed at real things (the seeded job and candidate, the seeded organization and stages) so
they get past the 404s; every ``remote_file_urls`` URL of those cases is a PDF this module serves on
127.0.0.1 (as ``files.test``), so attaching succeeds too.

The app's fetcher reaches ``files.test`` only (loopback is otherwise refused, and no other name
resolves): the generated URLs are refused with 400 ``validation_failed``, as a real service refuses a
URL it cannot download, and no generated URL reaches anything.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

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
from mockservers.config import Settings
from mockservers.core.fetch import Fetcher, FetchPolicy
from mockservers.testing import make_app
from tests.core.fetch_support import ScriptedServer, answer, names

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
BASE_URL = "http://testserver/wttj"
SEEDED = "wttj-d655345409a6097309156b05"
PDF = b"%PDF-1.4\n%%EOF\n"

FILES = ScriptedServer()
FILES.route("/resume.pdf", answer(200, PDF, {"Content-Type": "application/pdf"}))
FILE_URL = f"http://files.test:{FILES.port}/resume.pdf"

_POLICY = FetchPolicy(allow_loopback=False, allow_hosts=("files.test",), connect_timeout=2, total_timeout=5)
APP = make_app(Settings(fetch=_POLICY))
"""One app for every generated case (Hypothesis cannot use function-scoped fixtures)."""
APP.platform.fetcher = Fetcher(_POLICY, resolve=names({"files.test": ["127.0.0.1"]}))


def _document() -> dict[str, Any]:
    """The contract, its attach example pointed at this module's file server."""
    document = copy.deepcopy(load_openapi("wttj"))
    attach = document["paths"]["/api/v1/external/documents"]["post"]
    attach["requestBody"]["content"]["application/json"]["example"]["remote_file_urls"][0]["url"] = FILE_URL
    return document


schema = schemathesis.openapi.from_dict(_document())


@pytest.fixture(scope="module", autouse=True)
def file_server() -> Iterator[ScriptedServer]:
    yield FILES
    FILES.close()


@schema.auth()
class BearerToken:
    """The default read-write token."""

    def get(self, case: Any, context: Any) -> str:
        return str(APP.platform.settings.wttj.tokens[0].token)

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def _aimed(value: Any) -> bool:
    """About half the cases: decided by the generated value itself, so shrinking keeps the choice."""
    return len(repr(value)) % 2 == 0


@schema.hook("map_body")
def aim_bodies_at_real_things(context: Any, body: Any) -> Any:
    if not isinstance(body, dict) or not _aimed(body):
        return body
    if "remote_file_urls" in body:
        body["candidate_reference"] = SEEDED
        if isinstance(body["remote_file_urls"], list):
            for item in body["remote_file_urls"]:
                if isinstance(item, dict):
                    item["url"] = FILE_URL
    elif "organization_reference" in body:
        body.update(organization_reference="Pg4eV6k", job_reference="WTTJ_KmqkD1Y", job_stage_id=14598)
        for field in ("remote_resume_url", "remote_portfolio_url", "remote_image_url"):
            body.pop(field, None)
    return body


@schema.hook("map_query")
def aim_queries_at_real_things(context: Any, query: dict[str, Any] | None) -> dict[str, Any] | None:
    if not query or not _aimed(query):
        return query
    if "job_reference" in query:
        query["job_reference"] = "WTTJ_KmqkD1Y"
    if "candidate_reference" in query:
        query["candidate_reference"] = SEEDED
    return query


@schema.hook("map_path_parameters")
def aim_paths_at_real_things(context: Any, path_parameters: dict[str, Any] | None) -> dict[str, Any] | None:
    if path_parameters and "reference" in path_parameters and _aimed(path_parameters):
        path_parameters["reference"] = SEEDED
    return path_parameters


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_wttj_conforms_to_its_contract(case: Any) -> None:
    CASES.append(case.operation.label)
    case.call_and_validate(base_url=BASE_URL, app=APP, checks=CHECKS)


CASES: list[str] = []
"""The operation of every generated case sent, in order."""


ROUTES = [r for r in APP.platform.vendors["wttj"].app.routes if isinstance(r, Route)]
"""The routes the mounted vendor serves (its contract's own route included)."""


def test_the_positive_paths_were_exercised() -> None:
    """The hooks above did their job: the run attached documents and created candidates."""
    if not CASES:
        pytest.skip("checks what the schemathesis run did; it did not run")
    vendor = APP.platform.vendors["wttj"].app.state.vendor
    seeded = vendor.candidates.find(SEEDED)
    assert seeded is not None and vendor.documents.of(seeded)
    assert len(vendor.candidates) > 1


def test_route_names_are_the_operation_ids() -> None:
    document = load_openapi("wttj")
    operation_ids = [op["operationId"] for path in document["paths"].values() for op in path.values()]
    assert sorted(route.name for route in ROUTES) == sorted(operation_ids)


def test_every_route_is_documented_at_its_path() -> None:
    document = load_openapi("wttj")
    documented = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    assert {
        (route.path, method) for route in ROUTES for method in route.methods or () if method != "HEAD"
    } == documented


def test_every_api_operation_documents_its_error_statuses() -> None:
    for path, item in load_openapi("wttj")["paths"].items():
        for method, operation in item.items():
            if path.startswith("/api/"):
                assert {"200" if method == "get" else "201", "400", "401", "403", "404", "500", "503"} <= set(
                    operation["responses"]
                ), (method, path)


def test_the_seeded_things_are_the_documented_examples() -> None:
    from mockservers.wttj.models import JOBS, ORGANIZATION_REFERENCE, SEEDED_CANDIDATE

    text = str(load_openapi("wttj"))
    for reference in (ORGANIZATION_REFERENCE, SEEDED_CANDIDATE, *(job.reference for job in JOBS)):
        assert reference in text
    for stage in (s for job in JOBS for s in job.stages):
        assert f"{stage.id} {stage.name}" in text
