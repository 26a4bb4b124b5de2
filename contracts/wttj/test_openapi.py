"""WTTJ's contract suite (contracts/suite.py) against the in-process app; zero failures allowed.

All eleven checks (contracts/checks.py), authenticated from the document's ``x-atsmock-auth``,
aimed by contracts/wttj/hooks.py at the seeded job and candidate; every ``remote_file_urls`` URL of
an aimed case is a PDF this module serves on 127.0.0.1 (as ``files.test``, the credentials'
``file_url``), so attaching succeeds too.

The app's fetcher reaches ``files.test`` only (loopback is otherwise refused, and no other name
resolves): the generated URLs are refused with 400 ``validation_failed``, as a real service refuses a
URL it cannot download, and no generated URL reaches anything.
"""

from __future__ import annotations

import copy
import types
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.routing import Route

from contracts import auth, checks, load_openapi, suite
from contracts.adapt import empty_query_reads_as_absent, last_value
from contracts.cases import assert_accepted_bad_data_excused, negative_query_case
from contracts.target import Target
from contracts.wttj import hooks
from mockservers.config import Settings
from mockservers.core.fetch import Fetcher, FetchPolicy
from mockservers.testing import make_app
from tests.core.fetch_support import ScriptedServer, answer, names

SEEDED = "wttj-d655345409a6097309156b05"
PDF = b"%PDF-1.4\n%%EOF\n"

_POLICY = FetchPolicy(allow_loopback=False, allow_hosts=("files.test",), connect_timeout=2, total_timeout=5)
APP = make_app(Settings(fetch=_POLICY))
APP.platform.fetcher = Fetcher(_POLICY, resolve=names({"files.test": ["127.0.0.1"]}))
TARGET = Target("http://testserver/wttj", APP)


@pytest.fixture(scope="module")
def file_url() -> Iterator[str]:
    files = ScriptedServer()
    files.route("/resume.pdf", answer(200, PDF, {"Content-Type": "application/pdf"}))
    yield f"http://files.test:{files.port}/resume.pdf"
    files.close()


def test_wttj_conforms_to_its_contract(file_url: str) -> None:
    credentials = {**auth.mock_credentials("wttj", APP.platform.settings), "file_url": file_url}
    schema = suite.build("wttj", TARGET, credentials, now=APP.platform.clock.now)
    outcome = suite.run("wttj", schema, TARGET)
    assert outcome.failures == []
    assert outcome.requests > 80
    assert set(outcome.passed) == {(op, check) for op, _ in outcome.passed for check in checks.NAMES}
    # The hooks did their job: the run attached documents and created candidates.
    vendor = APP.platform.vendors["wttj"].app.state.vendor
    seeded = vendor.candidates.find(SEEDED)
    assert seeded is not None and vendor.documents.of(seeded)
    assert len(vendor.candidates) > 1


def test_wttj_workflows_conform_to_its_contract(file_url: str) -> None:
    """The stateful phase over the document's links: create a candidate, read it, attach documents
    to it and list them; list a job's candidates and read the first. WTTJ replaces and deletes
    nothing, so ``use_after_free`` meets no delete (it passes every step); ``ensure_resource_availability``
    fails a 404 on a read a successful create links to."""
    credentials = {**auth.mock_credentials("wttj", APP.platform.settings), "file_url": file_url}
    schema = suite.build("wttj", TARGET, credentials, now=APP.platform.clock.now)
    outcome = suite.run_stateful("wttj", schema, TARGET)
    assert outcome.failures == []
    assert outcome.walked >= {
        ("POST /api/v1/external/candidates", "GET /api/v1/external/candidates/{reference}"),
        ("POST /api/v1/external/candidates", "POST /api/v1/external/documents"),
        ("POST /api/v1/external/documents", "GET /api/v1/external/documents"),
        ("GET /api/v1/external/candidates", "GET /api/v1/external/candidates/{reference}"),
    }
    assert {"use_after_free", "ensure_resource_availability"} <= outcome.checks_passed


def test_the_workflows_start_at_create_list_and_attach() -> None:
    """Schemathesis roots a workflow only where its inference expects success: with the stage
    schema named ``Stage`` it read ``job_stage_id`` as a JobStage nothing produces, and every
    workflow began with an attach to a random candidate (all 404s)."""
    schema = suite.build("wttj", TARGET, auth.mock_credentials("wttj", APP.platform.settings))
    assert set(schema.as_state_machine().root_rules) == {
        "RANDOM__POST_api_v1_external_candidates",
        "RANDOM__GET_api_v1_external_candidates",
        "RANDOM__POST_api_v1_external_documents",
    }


ROUTES = [r for r in APP.platform.vendors["wttj"].app.routes if isinstance(r, Route)]
"""The routes the mounted vendor serves (its contract's own route included)."""


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


def _required_strings(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every required text parameter of the document, by where it is: each has the not-blank pattern."""
    schemas = document["components"]["schemas"]
    item = schemas["NewDocuments"]["properties"]["remote_file_urls"]["items"]
    found = {
        f"{name} {field}": schema["properties"][field]
        for name, schema in (("NewCandidate", schemas["NewCandidate"]), ("NewDocuments", schemas["NewDocuments"]))
        for field in schema["required"]
        if "string" in schema["properties"][field].get("type", []) and "format" not in schema["properties"][field]
    }
    found.update({f"remote_file_urls {field}": item["properties"][field] for field in item["required"]})
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                if parameter.get("required") and parameter.get("in") == "query":
                    found[f"{method} {path} {parameter['name']}"] = parameter["schema"]
    return found


def test_the_documents_not_blank_rule_is_the_mocks() -> None:
    """A required text parameter is "<name> is empty" when the mock's ``str.strip`` leaves nothing:
    the document's pattern refuses exactly those characters alone (U+0085 and U+001C-U+001F too,
    which JSON Schema's ``\\S`` would accept: the stateful phase sent a ``filename`` of U+0085)."""
    from mockservers.wttj.params import Params

    fields = _required_strings(load_openapi("wttj"))
    assert len(fields) == 9 and all(f.get("minLength") == 1 for f in fields.values())
    (pattern,) = {f["pattern"] for f in fields.values()}
    present = hooks.accepts({"type": "string", "pattern": pattern})
    for code in (*range(0x3100), 0xFEFF, 0x1F600):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        params = Params({"x": char})
        params.string("x", required=True)
        assert present(char) is (params.problems == []), hex(code)
    assert present(" \x85 a\u3000") and not present(" \x85\x1c\u3000\t")


FILE = "http://files.test:9/resume.pdf"
URL_OK = "http://x.test/cv.pdf"
PERSON = {"organization_reference": "o", "job_reference": "j", "job_stage_id": 1, "email": "a@b.co"}
PERSON |= {"firstname": "A", "lastname": "B"}
NEGATIVE_BODIES = [
    ({**PERSON, "remote_resume_url": "not a uri"}, ("remote_resume_url",)),  # format: uri
    ({**PERSON, "remote_portfolio_url": " "}, ("remote_portfolio_url",)),  # blank, not empty: no uri
    ({**PERSON, "remote_image_url": "http://[::1"}, ("remote_image_url",)),
    ({**PERSON, "organization_reference": ""}, ("organization_reference",)),  # minLength 1
    ({**PERSON, "job_reference": " \x85"}, ("job_reference",)),  # blank
    ({**PERSON, "job_stage_id": "14598"}, ("job_stage_id",)),  # not an integer
    ({"candidate_reference": "c", "remote_file_urls": [{"filename": "f", "url": "not a uri"}]}, ("remote_file_urls",)),
    ({"candidate_reference": "c", "remote_file_urls": [{"filename": "f", "url": "\x1c"}]}, ("remote_file_urls",)),
    ({"candidate_reference": "", "remote_file_urls": [{"filename": "f", "url": URL_OK}]}, ("candidate_reference",)),
    ({"candidate_reference": "\t", "remote_file_urls": []}, ("candidate_reference",)),
    ({"candidate_reference": [], "remote_file_urls": []}, ("candidate_reference",)),
]
"""A body with one violation each, and where it is (the rest valid, so aiming it is allowed)."""


def aimed(
    body: Any = None, *, query: Any = None, path: Any = None, phase: str = "fuzzing", aim: hooks.Aim | None = None
) -> types.SimpleNamespace:
    """A case through the aiming hook (by default one with every choice aimed; the real one aims about half)."""
    aim = aim or hooks.Aim(hooks.SEEDED, FILE, aimed=lambda value: True)
    meta = types.SimpleNamespace(phase=types.SimpleNamespace(name=phase))
    case = types.SimpleNamespace(path_parameters=path, query=query, body=body, _meta=meta)
    result: types.SimpleNamespace = aim(None, case)
    return result


def test_the_first_whole_creates_and_attaches_are_aimed_whatever_the_draws() -> None:
    """A CI run (Hypothesis 6.155, the whole suite imported) drew no attach that parity aimed, so no
    document was attached and the run proved nothing about attaching: the first ``SURE`` creates
    and attaches the document accepts whole are aimed anyway; one it refuses a part of is not
    counted, and after them parity decides again."""
    aim = hooks.Aim(hooks.SEEDED, FILE, aimed=lambda value: False)
    files = [{"filename": "f", "url": URL_OK}]
    real = {"candidate_reference": SEEDED, "remote_file_urls": [{"filename": "f", "url": FILE}]}
    refused = {"candidate_reference": "c", "remote_file_urls": [{"filename": "f", "url": "not a uri"}]}
    assert aimed(copy.deepcopy(refused), aim=aim).body == refused
    empty = {"candidate_reference": "c", "remote_file_urls": []}
    assert aimed(copy.deepcopy(empty), aim=aim).body == empty
    sent = [
        aimed({"candidate_reference": "c", "remote_file_urls": copy.deepcopy(files)}, aim=aim).body for _ in range(4)
    ]
    assert sent == [real] * hooks.SURE + [{"candidate_reference": "c", "remote_file_urls": files}]
    person = {**PERSON, "remote_resume_url": URL_OK}
    made = [aimed(dict(person), aim=aim).body for _ in range(4)]
    seeded = {**PERSON, "organization_reference": "Pg4eV6k", "job_reference": "WTTJ_KmqkD1Y", "job_stage_id": 14598}
    assert made == [seeded] * hooks.SURE + [person]


@pytest.mark.parametrize(("body", "violated"), NEGATIVE_BODIES)
def test_aiming_keeps_a_negative_body_s_violation(body: dict[str, Any], violated: tuple[str, ...]) -> None:
    """A ``map_case`` edit in place is not re-judged by schemathesis: had the hook left out a
    ``remote_resume_url`` the document refuses, or set a blank ``url`` to a real one, the case
    would still be labelled negative and the target's 201 would fail negative_data_rejection
    (``atsmock contract --max-examples 40`` once did)."""
    sent = aimed(copy.deepcopy(body)).body
    for name in violated:
        assert sent.get(name) == body[name]


def test_aiming_sets_what_the_document_accepts_to_real_things() -> None:
    body = {**PERSON, "job_stage_id": 7, "remote_resume_url": URL_OK, "remote_image_url": None}
    assert aimed(body).body == {
        **PERSON,
        "organization_reference": "Pg4eV6k",
        "job_reference": "WTTJ_KmqkD1Y",
        "job_stage_id": 14598,
        "remote_image_url": None,  # null is a field left out already
    }
    attach = {"candidate_reference": 5, "remote_file_urls": [{"filename": "f", "url": URL_OK}, {"url": "x y"}]}
    assert aimed(attach).body == {
        "candidate_reference": SEEDED,
        "remote_file_urls": [{"filename": "f", "url": FILE}, {"url": "x y"}],
    }


@pytest.mark.parametrize("query", [{"job_reference": ""}, {"candidate_reference": "\u3000"}])
def test_aiming_keeps_a_negative_query_s_violation(query: dict[str, str]) -> None:
    assert aimed(query=dict(query)).query == query


def test_aiming_leaves_a_link_s_ids_alone_in_the_stateful_phase() -> None:
    """There a link set ``reference`` and ``candidate_reference`` from an earlier answer (the
    candidate the workflow created); the job a list reads is no link's and is still aimed."""
    made = "wttj-" + "0" * 24
    outside = aimed(query={"candidate_reference": made}, path={"reference": made})
    assert (outside.query, outside.path_parameters) == ({"candidate_reference": SEEDED}, {"reference": SEEDED})
    inside = aimed(query={"candidate_reference": made}, path={"reference": made}, phase="stateful")
    assert (inside.query, inside.path_parameters) == ({"candidate_reference": made}, {"reference": made})
    assert aimed(query={"job_reference": "WTTJ_x"}, phase="stateful").query == {"job_reference": "WTTJ_KmqkD1Y"}


def test_the_hooks_rules_are_the_documents() -> None:
    """Each value the hook replaces is judged by the document's own schema for it."""
    document = load_openapi("wttj")
    rules = hooks.field_rules(document)
    assert set(rules) >= {*hooks.REMOTE_URLS, "url", "candidate_reference", "reference"}
    candidate = document["components"]["schemas"]["NewCandidate"]["properties"]
    assert all({"type": "string", "format": "uri"} in candidate[name]["anyOf"] for name in hooks.REMOTE_URLS)
    assert not rules["remote_resume_url"]("not a uri") and rules["remote_resume_url"](URL_OK)
    assert rules["remote_resume_url"]("") and not rules["remote_resume_url"](" ")  # empty is none, as CarrierWave's
    assert not rules["url"]("") and rules["url"](URL_OK)


def test_an_optional_query_value_sent_empty_and_read_as_absent_is_no_finding() -> None:
    """The negative generator turns ``per_page`` (or ``archived``) into ``{"": ...}``, which goes out
    as ``?per_page=``; Grape reads an empty value of a non-String parameter as nil, so the default
    (docs/fidelity.md), and WTTJ answers 200. schemathesis' own check calls that accepted bad data;
    WTTJ's adapted check does not, and still judges a required parameter sent empty and a value
    that is not empty."""

    schema = suite.build("wttj", TARGET, auth.mock_credentials("wttj", APP.platform.settings))
    sent_headers = {"headers": {"Authorization": "Bearer atsmock-wttj"}}
    sent = {"base_url": TARGET.base_url, **sent_headers}
    documents = schema["/api/v1/external/documents"]["GET"]
    empty = {"per_page": {"": "x"}, "offset": {"": 0}}
    case = negative_query_case(documents, {}, empty, {"candidate_reference": SEEDED})
    response = case.call(**sent)
    assert response.request.url.endswith(f"/documents?candidate_reference={SEEDED}&per_page=&offset=")
    with TARGET.client() as http:
        absent = http.get(f"{TARGET.base_url}/api/v1/external/documents?candidate_reference={SEEDED}", **sent_headers)
    assert (response.status_code, response.json(), response.headers["x-per-page"]) == (200, absent.json(), ["100"])

    assert_accepted_bad_data_excused("wttj", case, response)
    assert empty_query_reads_as_absent(last_value)(response, case)

    candidates = schema["/api/v1/external/candidates"]["GET"]
    archived = negative_query_case(candidates, {}, {"archived": {"": "x"}}, {"job_reference": "WTTJ_KmqkD1Y"})
    answered = archived.call(**sent)
    with TARGET.client() as http:
        unfiltered = http.get(
            f"{TARGET.base_url}/api/v1/external/candidates?job_reference=WTTJ_KmqkD1Y", **sent_headers
        )
    assert (answered.status_code, answered.json()) == (200, unfiltered.json())
    assert SEEDED in [c["reference"] for c in answered.json()]
    assert empty_query_reads_as_absent(last_value)(answered, archived)
    required = negative_query_case(documents, {}, {"candidate_reference": {"": "x"}})
    refused = required.call(**sent)
    assert (refused.status_code, refused.json()) == (
        400,
        {"error": "validation_failed", "error_description": "candidate_reference is empty"},
    )
    assert not empty_query_reads_as_absent(last_value)(refused, required)
    not_empty = negative_query_case(documents, {}, {"per_page": {"0": "x"}}, {"candidate_reference": SEEDED})
    assert not empty_query_reads_as_absent(last_value)(not_empty.call(**sent), not_empty)


def test_a_repeated_query_value_is_judged_by_the_last_one_sent() -> None:
    """``{"x": 1, "": 2}`` goes out as ``?per_page=x&per_page=``: Rack (so Grape, and the mock) reads
    the last value, empty, so the default, and WTTJ answers 200, which schemathesis' check calls
    accepted bad data and WTTJ's does not. The other order reads ``x``: a 400, and no excuse."""

    schema = suite.build("wttj", TARGET, auth.mock_credentials("wttj", APP.platform.settings))
    sent = {"base_url": TARGET.base_url, "headers": {"Authorization": "Bearer atsmock-wttj"}}
    documents = schema["/api/v1/external/documents"]["GET"]
    case = negative_query_case(documents, {}, {"per_page": {"x": 1, "": 2}}, {"candidate_reference": SEEDED})
    response = case.call(**sent)
    assert response.request.url.endswith(f"/documents?candidate_reference={SEEDED}&per_page=x&per_page=")
    assert (response.status_code, response.headers["x-per-page"]) == (200, ["100"])
    assert_accepted_bad_data_excused("wttj", case, response)

    other = negative_query_case(documents, {}, {"per_page": {"": 1, "x": 2}}, {"candidate_reference": SEEDED})
    refused = other.call(**sent)
    assert (refused.status_code, refused.json()) == (
        400,
        {"error": "validation_failed", "error_description": "per_page is invalid"},
    )
    assert not empty_query_reads_as_absent(last_value)(refused, other)
