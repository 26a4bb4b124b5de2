"""PageUp's contract suite (contracts/suite.py) against the in-process app; zero failures allowed.

The shared suite authenticates from the document's ``x-atsmock-auth`` and aims with
contracts/pageup/hooks.py; all eleven checks (contracts/checks.py). The document says what the
vendor requires (the token form's client credentials, ``contentType`` a media type, exactly one
category on ``moveFromTemp``), so ``positive_data_acceptance`` holds every schema-valid request
to acceptance.
"""

from __future__ import annotations

import re
import sys

import pytest
from starlette.routing import Route

from contracts import auth, checks, load_openapi, suite
from contracts.adapt import empty_query_reads_as_absent, first_value
from contracts.cases import assert_accepted_bad_data_excused, negative_query_case
from contracts.pageup import hooks
from contracts.target import Target
from mockservers.core.errors import VendorError
from mockservers.pageup.inputs import parse_move_request
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


def _non_blank_patterns() -> list[str]:
    document = load_openapi("pageup")
    move = document["components"]["schemas"]["MoveFromTempRequest"]["properties"]
    prepare = document["paths"]["/v3/{tenant}/recruitment/document/prepareTempDirectUpload"]["get"]
    filename = next(p for p in prepare["parameters"] if p.get("name") == "filename")
    return [move[name]["pattern"] for name in ("title", "fileName", "physicalFile")] + [filename["schema"]["pattern"]]


def test_the_document_s_non_blank_pattern_is_the_mock_s_white_space() -> None:
    """``\\S`` means another set to each regex dialect (ECMA-262 counts U+FEFF but not U+0085, Python
    U+001C..U+001F too, Rust's Unicode White_Space U+0085 but neither of the others), so the document
    spells out the mock's: a string is blank to the mock when ``str.strip`` leaves nothing, and the
    pattern matches exactly the others."""
    patterns = set(_non_blank_patterns())
    assert len(patterns) == 1
    pattern = re.compile(patterns.pop())
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        assert bool(pattern.search(char)) == bool(char.strip()), hex(code)


@pytest.mark.parametrize("blank", [" ", "\t\r\n", "\x1c\x1f", "\x85\xa0", "\u3000\u2028"])
def test_a_blank_title_is_missing_to_the_mock_and_to_the_document(blank: str) -> None:
    pattern = re.compile(_non_blank_patterns()[0])
    body = {"title": blank, "fileName": "cv.pdf", "physicalFile": "a.pdf", "documentCategoryId": 7}
    with pytest.raises(VendorError) as refused:
        parse_move_request(body)
    assert [(f.field, f.message) for f in refused.value.fields] == [("title", "The title field is required.")]
    assert pattern.search(blank) is None
    assert parse_move_request({**body, "title": f"x{blank}"}).title == f"x{blank}"
    assert pattern.search(f"x{blank}") is not None


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
    assert outcome.walked >= {
        (f"GET {DOCUMENTS}/prepareTempDirectUpload", f"POST {DOCUMENTS}/moveFromTemp"),
        (f"POST {DOCUMENTS}/moveFromTemp", f"GET {DOCUMENTS}/{{id}}"),
        (f"POST {DOCUMENTS}/moveFromTemp", f"GET {DOCUMENTS}/prepareTempDirectUpload"),
        (f"POST {DOCUMENTS}/moveFromTemp", f"POST {DOCUMENTS}/moveFromTemp"),
    }
    assert {"ensure_resource_availability", "use_after_free"} <= outcome.checks_passed


def test_an_optional_query_value_sent_empty_and_read_as_absent_is_no_finding() -> None:
    """The negative generator turns ``expiresInSeconds`` into ``{"": ...}``, which goes out as
    ``?expiresInSeconds=``; PageUp reads an empty value as absent (docs/fidelity.md) and answers
    200. schemathesis' own check calls that accepted bad data; PageUp's adapted check does not,
    and still judges an empty required parameter."""

    credentials = auth.mock_credentials("pageup", APP.platform.settings)
    schema = suite.build("pageup", TARGET, credentials, now=APP.platform.clock.now)
    document_id = hooks.seed_document(TARGET, credentials)
    tenant = {"tenant": credentials["tenant"]}
    bearer = {"Authorization": f"Bearer {hooks.bearer_token(TARGET, credentials)}"}
    sent = {"base_url": TARGET.base_url, "headers": bearer}
    download = schema[f"{DOCUMENTS}/{{id}}"]["GET"]
    case = negative_query_case(download, {**tenant, "id": document_id}, {"expiresInSeconds": {"": "x"}})
    response = case.call(**sent)
    assert response.request.url.endswith(f"/document/{document_id}?expiresInSeconds=")
    assert response.status_code == 200

    assert_accepted_bad_data_excused("pageup", case, response)
    assert empty_query_reads_as_absent(first_value)(response, case)

    prepare = schema[f"{DOCUMENTS}/prepareTempDirectUpload"]["GET"]
    required = negative_query_case(prepare, tenant, {"filename": {"": "x"}})
    refused = required.call(**sent)
    assert refused.status_code == 400
    assert not empty_query_reads_as_absent(first_value)(refused, required)
    not_empty = negative_query_case(download, {**tenant, "id": document_id}, {"expiresInSeconds": {"9": "x"}})
    assert not empty_query_reads_as_absent(first_value)(not_empty.call(**sent), not_empty)


def test_a_repeated_query_value_is_judged_by_the_first_one_sent() -> None:
    """``{"": 1, "x": 2}`` goes out as ``?expiresInSeconds=&expiresInSeconds=x``: ASP.NET Core (and
    the mock) reads the first value, empty, so absent, and answers 200, which schemathesis' check
    calls accepted bad data and PageUp's does not. The other order reads ``x``: a 400, and no excuse."""

    credentials = auth.mock_credentials("pageup", APP.platform.settings)
    schema = suite.build("pageup", TARGET, credentials, now=APP.platform.clock.now)
    document_id = hooks.seed_document(TARGET, credentials)
    path = {"tenant": credentials["tenant"], "id": document_id}
    sent = {
        "base_url": TARGET.base_url,
        "headers": {"Authorization": f"Bearer {hooks.bearer_token(TARGET, credentials)}"},
    }
    download = schema[f"{DOCUMENTS}/{{id}}"]["GET"]
    case = negative_query_case(download, path, {"expiresInSeconds": {"": 1, "x": 2}})
    response = case.call(**sent)
    assert response.request.url.endswith(f"/document/{document_id}?expiresInSeconds=&expiresInSeconds=x")
    assert response.status_code == 200
    assert_accepted_bad_data_excused("pageup", case, response)

    other = negative_query_case(download, path, {"expiresInSeconds": {"x": 1, "": 2}})
    refused = other.call(**sent)
    assert (refused.status_code, refused.json()) == (
        400,
        [
            {"message": "The request is invalid."},
            {"field": "expiresInSeconds", "message": "The value 'x' is not valid for expiresInSeconds."},
        ],
    )
    assert not empty_query_reads_as_absent(first_value)(refused, other)
