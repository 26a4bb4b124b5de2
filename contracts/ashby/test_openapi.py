"""Schemathesis over contracts/ashby/openapi.yaml against the in-process app; zero failures allowed.

Checks: not_a_server_error, status_code_conformance, content_type_conformance and
response_schema_conformance. Requests carry a real API key, read from the app's own settings,
so they get past authentication and reach the rules.
"""

from __future__ import annotations

import base64
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
from mockservers.ashby.settings import AshbyKey, AshbySettings
from mockservers.config import Settings
from mockservers.testing import make_app

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_dict(load_openapi("ashby"))
_KEYS = (
    *AshbySettings().api_keys,
    AshbyKey("atsmock-ashby-contract", ("candidatesRead", "candidatesWrite", "jobsRead")),
)
APP = make_app(Settings().replace(ashby=AshbySettings(api_keys=_KEYS)))
"""One app for every generated case (Hypothesis cannot use function-scoped fixtures); it has a key
with every permission the contract's endpoints need, so requests reach the rules."""


@schema.auth()
class ApiKey:
    """Ashby's Basic credentials: the app's configured key with the most permissions, an empty password."""

    def get(self, case: Any, context: Any) -> str:
        keys = APP.platform.settings.ashby.api_keys
        return str(max(keys, key=lambda k: len(k.permissions)).api_key)

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {
            **(case.headers or {}),
            "Authorization": "Basic " + base64.b64encode(f"{data}:".encode()).decode(),
        }


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_ashby_conforms_to_its_contract(case: Any) -> None:
    case.call_and_validate(base_url="http://testserver/ashby", app=APP, checks=CHECKS)


ROUTES = [r for r in APP.platform.vendors["ashby"].app.routes if isinstance(r, Route)]
"""The routes the mounted vendor serves (its contract's own route included)."""


def test_route_names_are_the_operation_ids() -> None:
    document = load_openapi("ashby")
    operation_ids = {op["operationId"] for path in document["paths"].values() for op in path.values()}
    assert {route.name for route in ROUTES} == operation_ids


def test_every_route_is_documented_at_its_path() -> None:
    document = load_openapi("ashby")
    documented = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    assert {
        (route.path, method) for route in ROUTES for method in route.methods or () if method != "HEAD"
    } == documented


@pytest.mark.parametrize("operation_id", ["jobPostingInfo", "applicationformsubmit"])
def test_seeded_posting_ids_are_the_documented_examples(operation_id: str) -> None:
    from mockservers.ashby.postings import SEEDED_POSTINGS

    document = load_openapi("ashby")
    text = str([op for item in document["paths"].values() for op in item.values() if op["operationId"] == operation_id])
    assert SEEDED_POSTINGS[0].id in text
