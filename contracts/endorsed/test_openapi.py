"""Endorsed's contract suite (contracts/suite.py) against the in-process app; zero failures allowed.

All eleven checks (contracts/checks.py); API requests carry a bearer token from the app's own token
endpoint (the document's ``x-atsmock-auth``); contracts/endorsed/hooks.py aims ids, ``candidate_id``
and, with this module's ``file_url`` (a file served on 127.0.0.1), ``public_file_url``. Host names
never resolve in this run, so no generated URL can cause a lookup or leave loopback.

``negative_data_rejection`` on multipart uploads is a known false positive (every part is text;
see ``contracts.adapt.multipart_negative``); ``test_a_multipart_upload_that_breaks_a_text_rule_is_refused``
covers the violations text can carry with Hypothesis instead.
"""

from __future__ import annotations

import types
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Route

from contracts import auth, checks, load_openapi, suite
from contracts.endorsed import hooks
from contracts.endorsed.hooks import PDF
from contracts.target import Target
from mockservers.core.fetch import Fetcher, FetchPolicy
from mockservers.testing import in_process_client, make_app
from tests.core.fetch_support import ScriptedServer, answer

BASE_URL = "http://testserver/endorsed"
APP = make_app()
TARGET = Target(BASE_URL, APP)
STATE = APP.platform.vendors["endorsed"].app.state.vendor
CREDENTIALS = auth.mock_credentials("endorsed", APP.platform.settings)


async def _no_lookups(host: str, port: int) -> Sequence[str]:
    raise OSError(f"the contract run resolves no names ({host})")


STATE.attachments.fetcher = Fetcher(FetchPolicy(), resolve=_no_lookups)


@pytest.fixture(scope="module")
def file_url() -> Iterator[str]:
    files = ScriptedServer()
    files.route("/cv.pdf", answer(200, PDF, {"Content-Type": "application/pdf"}))
    yield files.url("/cv.pdf")
    files.close()


def test_endorsed_conforms_to_its_contract(file_url: str) -> None:
    schema = suite.build("endorsed", TARGET, {**CREDENTIALS, "file_url": file_url}, now=APP.platform.clock.now)
    outcome = suite.run("endorsed", schema, TARGET)
    assert outcome.failures == []
    assert outcome.requests > 100
    assert set(outcome.passed) == {(op, check) for op, _ in outcome.passed for check in checks.NAMES}


GOOD = {"remote_id": "cv-1", "type": "resume"}
TEXT_VIOLATIONS = st.one_of(
    st.sampled_from(["remote_id", "type"]).map(lambda name: (name, None)),  # a required part missing
    st.just(("remote_id", "")),  # empty
    st.text(min_size=1, max_size=12)
    .filter(lambda t: t not in {"resume", "cover_letter", "about", "role_preferences"})
    .map(lambda t: ("type", t)),  # not in the enum
    st.text(min_size=1, max_size=40).map(lambda t: ("candidate_id", t)),  # not a UUID
)


@given(violation=TEXT_VIOLATIONS, with_file=st.booleans())
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_a_multipart_upload_that_breaks_a_text_rule_is_refused(violation: tuple[str, Any], with_file: bool) -> None:
    """What negative_data_rejection cannot see in a form (its parts are text): each rule text can
    break, or no ``file`` part, is Endorsed's 400 BAD_REQUEST envelope and stores nothing."""
    name, value = violation
    fields = {**GOOD, name: value} if value is not None else {k: v for k, v in GOOD.items() if k != name}
    if name == "candidate_id" and value is not None and len(value) == 36:
        fields["candidate_id"] = value + "x"  # never a UUID by accident
    form = {k: v for k, v in fields.items() if v is not None}
    token = TARGET.post_form("/api/v1/auth/tokens", {"grant_type": "client_credentials", **CREDENTIALS})
    before = len(STATE.attachments.records.by_id)
    with in_process_client(APP) as http:
        response = http.post(
            f"{BASE_URL}/api/v1/attachments",
            data=form,
            files={"file": ("cv.pdf", PDF, "application/pdf")}
            if with_file
            else {"other": ("x.txt", b"x", "text/plain")},
            headers={"Authorization": f"Bearer {token['access_token']}"},
        )
    body = response.json()
    assert (response.status_code, body["is_error"], body["error"]["code"]) == (400, True, "BAD_REQUEST")
    assert body["error"]["issues"]
    assert len(STATE.attachments.records.by_id) == before


@given(data=st.binary(min_size=1, max_size=4096), name=st.sampled_from(["cv.pdf", "notes.txt", "scan.png"]))
@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_any_non_empty_multipart_file_is_accepted_and_reads_back_byte_for_byte(data: bytes, name: str) -> None:
    """The binary multipart case the suite's positive_data_acceptance excuses (an empty part): any
    non-empty bytes are a 201 and the attachment's download is exactly them."""
    token = TARGET.post_form("/api/v1/auth/tokens", {"grant_type": "client_credentials", **CREDENTIALS})
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    with in_process_client(APP) as http:
        made = http.post(
            f"{BASE_URL}/api/v1/attachments",
            data={"remote_id": f"bin-{uuid.uuid4().hex}", "type": "resume"},
            files={"file": (name, data, "application/octet-stream")},
            headers=auth,
        )
        assert made.status_code == 201, made.text
        attachment = http.get(f"{BASE_URL}/api/v1/attachments/{made.json()['result']['id']}", headers=auth)
        url = attachment.json()["result"]["ephemeral_url"]
        download = http.get(url)
        assert (download.status_code, download.content) == (200, data)


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


def test_the_hooks_patterns_are_the_documents() -> None:
    """The aiming hook re-aims only an id or URL the document accepts: its patterns are the document's."""
    document = load_openapi("endorsed")["components"]
    assert document["parameters"]["Id"]["schema"]["pattern"] == f"^({hooks.ID.pattern})$"
    assert document["schemas"]["AttachmentUrl"]["properties"]["public_file_url"]["pattern"] == hooks.URL.pattern


URL_OK = "http://x/cv.pdf"
NEGATIVE_PUTS = [
    ("remote.cv-1", {"remote_id": "", "type": "resume", "public_file_url": URL_OK}, "remote_id"),  # minLength 1
    ("remote.cv-1", {"remote_id": "cv-1", "type": "resume", "public_file_url": "ftp://x/cv.pdf"}, "public_file_url"),
    ("remote.cv-1", {"remote_id": "cv-1", "type": "resume", "public_file_url": "http:///cv"}, "public_file_url"),
    ("remote.\n01", {"remote_id": "x", "type": "resume", "public_file_url": URL_OK}, "id"),  # "." is not a newline
    ("remote.\n", {"remote_id": "x", "type": "resume", "public_file_url": URL_OK}, "id"),
]
"""A PUT by remote id with one violation each, and where it is; even-length ids are the re-aimed ones."""


def aimed(path_id: str, body: dict[str, str]) -> types.SimpleNamespace:
    aim = hooks.Aim("c" * 36, "a" * 36, "seed-1", "http://127.0.0.1:9/cv.pdf")
    operation = types.SimpleNamespace(label="PUT /api/v1/attachments/{id}")
    case = types.SimpleNamespace(operation=operation, method="PUT", path_parameters={"id": path_id}, body=dict(body))
    result: types.SimpleNamespace = aim(None, case)
    return result


@pytest.mark.parametrize(("path_id", "body", "violated"), NEGATIVE_PUTS)
def test_aiming_keeps_a_negative_put_s_violation(path_id: str, body: dict[str, str], violated: str) -> None:
    """A ``map_case`` edit in place is not re-judged by schemathesis: had the hook set an empty
    ``remote_id`` to the path's, or a URL the pattern refuses to a real one, the case would still
    be labelled negative and an accepted valid request would fail the suite (seen in CI)."""
    case = aimed(path_id, body)
    sent = {"id": case.path_parameters["id"], **case.body}
    assert sent[violated] == {"id": path_id, **body}[violated]


def test_aiming_sets_a_valid_remote_id_to_the_path_s_and_a_valid_url_to_a_real_one() -> None:
    case = aimed("remote.cv-1", {"remote_id": "other", "type": "resume", "public_file_url": "http://x/cv.pdf"})
    assert case.body == {"remote_id": "cv-1", "type": "resume", "public_file_url": "http://127.0.0.1:9/cv.pdf"}


def test_endorsed_workflows_conform_to_their_contract(file_url: str) -> None:
    """The stateful phase over the document's links: create, read, replace, delete, read again."""
    schema = suite.build("endorsed", TARGET, {**CREDENTIALS, "file_url": file_url}, now=APP.platform.clock.now)
    outcome = suite.run_stateful("endorsed", schema, TARGET)
    assert outcome.failures == []
    assert outcome.walked >= {
        ("POST /api/v1/candidates", "GET /api/v1/candidates/{id}"),
        ("POST /api/v1/candidates", "PUT /api/v1/candidates/{id}"),
        ("POST /api/v1/attachments", "GET /api/v1/attachments/{id}"),
        ("POST /api/v1/attachments", "DELETE /api/v1/attachments/{id}"),
    }
    assert {"use_after_free", "ensure_resource_availability"} <= outcome.checks_passed
