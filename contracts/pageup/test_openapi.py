"""PageUp's contract suite (contracts/suite.py) against the in-process app; zero failures allowed.

The shared suite authenticates from the document's ``x-atsmock-auth`` and aims with
contracts/pageup/hooks.py; all eleven checks (contracts/checks.py). The document says what the
vendor requires (the token form's client credentials, ``contentType`` a media type, exactly one
category on ``moveFromTemp``), so ``positive_data_acceptance`` holds every schema-valid request
to acceptance.
"""

from __future__ import annotations

from starlette.routing import Route

from contracts import auth, checks, load_openapi, suite
from contracts.target import Target
from mockservers.testing import make_app

APP = make_app()
TARGET = Target("http://testserver/pageup", APP)
CHECKS = list(checks.NAMES)


def test_pageup_conforms_to_its_contract() -> None:
    credentials = auth.mock_credentials("pageup", APP.platform.settings)
    schema = suite.build("pageup", TARGET, credentials, now=APP.platform.clock.now)
    outcome = suite.run("pageup", schema, TARGET, checks=CHECKS)
    assert outcome.failures == []
    assert outcome.requests > 50
    assert set(outcome.passed) == {(op, check) for op, _ in outcome.passed for check in CHECKS}


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


DOCUMENTS = "/v3/{tenant}/recruitment/document"


def test_pageup_workflows_conform_to_its_contract() -> None:
    """The stateful phase over the document's links: prepare a temporary upload, move it in (the
    suite PUTs the bytes in between, as a client does), read it back, prepare and move in its
    replacement under the same id. Each linked step counted here was answered 2xx."""
    credentials = auth.mock_credentials("pageup", APP.platform.settings)
    schema = suite.build("pageup", TARGET, credentials, now=APP.platform.clock.now)
    outcome = suite.run_stateful("pageup", schema, TARGET, checks=CHECKS)
    assert outcome.failures == []
    walked = {pair for pair, n in outcome.succeeded.items() if n}
    assert walked >= {
        (f"GET {DOCUMENTS}/prepareTempDirectUpload", f"POST {DOCUMENTS}/moveFromTemp"),
        (f"POST {DOCUMENTS}/moveFromTemp", f"GET {DOCUMENTS}/{{id}}"),
        (f"POST {DOCUMENTS}/moveFromTemp", f"GET {DOCUMENTS}/prepareTempDirectUpload"),
        (f"POST {DOCUMENTS}/moveFromTemp", f"POST {DOCUMENTS}/moveFromTemp"),
    }
    assert {"ensure_resource_availability", "use_after_free"} <= {check for (_, check) in outcome.passed}
