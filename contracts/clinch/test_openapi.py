"""Clinch's contract suite (contracts/suite.py) against the in-process app; zero failures allowed.

All eleven checks (contracts/checks.py); every request signed by the shared api_auth signer from
the document's ``x-atsmock-auth``, about half the generated ids a candidate contracts/clinch/hooks.py
created, so cases get past authentication and reach the rules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.routing import Route

from contracts import auth, checks, load_openapi, suite
from contracts.adapt import last_value, query_valid_as_read
from contracts.cases import assert_accepted_bad_data_excused, negative_query_case
from contracts.clinch.hooks import BASE_URL
from contracts.target import Target
from mockservers.clinch.models import CandidateStore
from mockservers.clinch.settings import ClinchSettings
from mockservers.core.clock import Clock
from mockservers.core.errors import VendorError
from mockservers.testing import in_process_client, make_app
from tests.storage_support import FakeStorage

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
    assert outcome.walked >= {
        ("POST /candidates", "GET /candidates/{candidateId}"),
        ("POST /candidates", "PATCH /candidates/{candidateId}"),
        ("POST /candidates", "POST /candidates/{candidateId}/tags"),
        ("POST /candidates", "GET /candidates/{candidateId}/tags"),
        ("POST /candidates", "POST /candidates/{candidateId}/candidate_files"),
    }
    assert {"use_after_free", "ensure_resource_availability"} <= outcome.checks_passed


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


def _attributes(name: str) -> dict[str, Any]:
    schema = load_openapi("clinch")["components"]["schemas"][name]
    return dict(schema["properties"]["data"]["properties"]["attributes"]["properties"])


def _mock_accepts(rule: Callable[[str], object], value: str) -> bool:
    try:
        rule(value)
    except VendorError:
        return False
    return True


def test_the_documents_not_blank_rules_are_the_mocks() -> None:
    """A tag name and a filename the document accepts are exactly those the mock does: not blank by
    Rails' ``blank?`` (U+0085 and U+00A0 are space, U+001C-U+001F are not, unlike Python's
    ``str.strip``), and a filename without control characters. Schemathesis judges with jsonschema_rs."""
    import jsonschema_rs  # schemathesis' validator, installed with it

    candidates = CandidateStore(ClinchSettings(max_candidates=10**5, max_files=10**5), Clock(), FakeStorage())
    person = candidates.create_candidate({"email": "a@example.com"})
    tag = jsonschema_rs.Draft202012Validator(_attributes("TagCreateRequest")["name"]).is_valid
    filename = jsonschema_rs.Draft202012Validator(_attributes("CandidateFileCreateRequest")["filename"]).is_valid

    def tags(name: str) -> object:  # a candidate each: its tags are bounded, and a name is looked up in them
        fresh = candidates.create_candidate({"email": f"{len(candidates.candidates)}@example.com"})
        return candidates.add_tag(fresh, {"name": name})

    def files(name: str) -> object:
        return candidates.add_file(person, {"filename": name, "content": "eA=="})

    samples = [chr(c) for c in (*range(0x3100), 0xFEFF, 0x1F600) if not 0xD800 <= c <= 0xDFFF]
    samples += [" \x85 a\u3000", " \x85\xa0\u3000\t", "\x1c\x1f", "a\x1f", "cv .pdf", "\xa0cv.pdf"]
    for value in samples:
        assert tag(value) is _mock_accepts(tags, value), f"tag name {value!r}"
        assert filename(value) is _mock_accepts(files, value), f"filename {value!r}"


def test_the_documents_empty_include_name_is_the_mocks() -> None:
    """An ``include`` name the document accepts (one of its paths, or empty) is one the mock takes or ignores;
    any other, spaces included, is a 400 (the comma is left out: on the wire it separates two names)."""
    import jsonschema_rs

    from mockservers.clinch.inputs import include

    schema = load_openapi("clinch")["components"]["parameters"]["candidateInclude"]["schema"]
    documented = jsonschema_rs.Draft202012Validator(schema).is_valid
    samples = [chr(c) for c in (*range(0x3100), 0xFEFF, 0x1F600) if not 0xD800 <= c <= 0xDFFF and c != 0x2C]
    for value in [*samples, " \x85\u3000", "\x1c\x1f"]:
        assert documented([value]) is _mock_accepts(lambda name: include([("include", name)]), value), repr(value)


def test_a_query_whose_violation_does_not_survive_the_wire_is_no_finding() -> None:
    """A stateful run drew ``page: [false]`` and ``include: ""``: they go out as
    ``?include=&page=false``, which is ``include: [""]`` (an empty name, ignored) and the text
    ``false`` (``page`` takes any text), a valid request Clinch rightly answers 200. schemathesis'
    own check calls that accepted bad data; Clinch's adapted check does not, and still judges an
    include name the document does not list, which survives the wire."""

    credentials = auth.mock_credentials("clinch", APP.platform.settings)
    schema = suite.build("clinch", TARGET, credentials, now=APP.platform.clock.now)
    candidates = schema["/candidates"]["GET"]
    sent = {
        "base_url": TARGET.base_url,
        "auth": auth.ApiAuthSigner(credentials["access_id"], credentials["secret"], APP.platform.clock.now),
    }
    # The generator writes a query's booleans as JSON does before sending: [False] is ["false"].
    case = negative_query_case(candidates, {}, {"page": ["false"], "include": ""})
    response = case.call(**sent)
    assert response.request.url.endswith("/candidates?page=false&include=")
    listed = case.operation.Case(query={"page": "1"}).call(**sent)
    answer, first_page = response.json(), listed.json()  # links name the parameters sent, so differ
    assert (response.status_code, answer["data"], answer["meta"]) == (200, first_page["data"], first_page["meta"])
    assert_accepted_bad_data_excused("clinch", case, response)
    assert query_valid_as_read(last_value)(response, case)

    unknown = negative_query_case(candidates, {}, {"include": "nope,resumes"})
    refused = unknown.call(**sent)
    assert (refused.status_code, refused.json()["errors"][0]["code"]) == (400, "invalid_include")
    assert not query_valid_as_read(last_value)(refused, unknown)
    filtered = negative_query_case(candidates, {}, {"filter": {"email": {"eq": [1]}}}, {"page": "1"})
    assert not query_valid_as_read(last_value)(filtered.call(**sent), filtered)
