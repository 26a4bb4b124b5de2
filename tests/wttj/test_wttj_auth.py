"""Tokens and scopes: Bearer or ``?access_token=``, 401 ``unauthorized``, 403 ``invalid_scope``, and
parameters checked before any of it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fetch_support import ScriptedServer, answer
from wttj_support import JOB, PDF, READONLY, SEEDED, Wttj, fails, new_candidate

from mockservers.testing import AdminClient, in_process_client
from mockservers.wttj.auth import REQUIREMENTS
from mockservers.wttj.settings import BearerToken, WttjSettings

CALLS = [
    ("POST", "/candidates", new_candidate()),
    ("GET", "/candidates", {"job_reference": JOB}),
    ("GET", f"/candidates/{SEEDED}", None),
    ("GET", "/documents", {"candidate_reference": SEEDED}),
    ("POST", "/documents", {"candidate_reference": SEEDED, "remote_file_urls": []}),
]


def call(wttj: Wttj, method: str, path: str, data: Any, token: Any) -> httpx.Response:
    return wttj.post(path, data, token=token) if method == "POST" else wttj.get(path, data, token=token)


@pytest.mark.parametrize(("method", "path", "data"), CALLS)
def test_no_token_is_401(wttj: Wttj, method: str, path: str, data: Any) -> None:
    response = call(wttj, method, path, data, None)
    fails(response, 401, "unauthorized", "The access token is missing")
    assert response.headers["www-authenticate"] == 'Bearer realm="WelcomeKit"'


@pytest.mark.parametrize(("method", "path", "data"), CALLS)
def test_an_unknown_token_is_401(wttj: Wttj, method: str, path: str, data: Any) -> None:
    fails(call(wttj, method, path, data, "wk-nope"), 401, "unauthorized", "The access token is invalid")


def test_the_token_may_be_sent_as_access_token(client: httpx.Client) -> None:
    response = client.get(f"/wttj/api/v1/external/candidates/{SEEDED}", params={"access_token": "atsmock-wttj"})
    assert (response.status_code, response.json()["reference"]) == (200, SEEDED)


def test_the_bearer_header_wins_over_access_token(client: httpx.Client) -> None:
    response = client.get(
        f"/wttj/api/v1/external/candidates/{SEEDED}",
        params={"access_token": "atsmock-wttj"},
        headers={"Authorization": "Bearer wk-nope"},
    )
    fails(response, 401, "unauthorized", "The access token is invalid")


def test_another_authorization_scheme_is_no_token(client: httpx.Client) -> None:
    path = f"/wttj/api/v1/external/candidates/{SEEDED}"
    basic = {"Authorization": "Basic YXRzbW9jay13dHRqOg=="}
    fails(client.get(path, headers=basic), 401, "unauthorized", "The access token is missing")
    assert client.get(path, headers=basic, params={"access_token": "atsmock-wttj"}).status_code == 200


def test_the_access_token_is_redacted_in_the_journal(client: httpx.Client, admin: AdminClient) -> None:
    client.get(f"/wttj/api/v1/external/candidates/{SEEDED}", params={"access_token": "atsmock-wttj"})
    [entry] = admin.requests(vendor="wttj")
    assert (entry["operation"], "atsmock-wttj" in str(entry)) == ("getCandidate", False)


def test_parameters_are_checked_before_the_token(wttj: Wttj) -> None:
    """Observed on the real service: an unauthenticated request without its parameters is a 400."""
    fails(wttj.get("/documents", token=None), 400, "validation_failed", "candidate_reference is missing")
    fails(wttj.get("/documents", token="wk-nope"), 400, "validation_failed", "candidate_reference is missing")
    fails(wttj.get("/candidates", token=None), 400, "validation_failed", "job_reference is missing")
    response = wttj.post("/documents", {"candidate_reference": SEEDED}, token=None)
    fails(response, 400, "validation_failed", "remote_file_urls is missing")


def test_the_read_only_token_reads_but_cannot_write(wttj: Wttj, files: ScriptedServer) -> None:
    files.route("/cv.pdf", answer(200, PDF))
    assert wttj.get(f"/candidates/{SEEDED}", token=READONLY).status_code == 200
    assert wttj.get("/candidates", {"job_reference": JOB}, token=READONLY).status_code == 200
    assert wttj.documents(SEEDED).status_code == 200
    fails(
        wttj.post("/candidates", new_candidate(), token=READONLY),
        403,
        "invalid_scope",
        "This endpoint requires candidates_rw or my_candidates_rw scope.",
    )
    fails(
        wttj.attach(SEEDED, ("cv", files.url("/cv.pdf")), token=READONLY),
        403,
        "invalid_scope",
        "This endpoint requires documents_rw, and my_candidates_rw or candidates_rw scope.",
    )
    assert files.requests == []  # refused before any download


def test_the_scope_table_is_the_docs(wttj: Wttj) -> None:
    needed = {op: [sorted(group) for group in r.all_of] for op, r in REQUIREMENTS.items()}
    read = ["candidates_r", "candidates_rw", "my_candidates_r", "my_candidates_rw"]
    write = ["candidates_rw", "my_candidates_rw"]
    assert needed == {
        "createCandidate": [write],
        "getCandidate": [read],
        "listCandidates": [read],
        "listDocuments": [["documents_r", "documents_rw"], read],
        "attachDocuments": [["documents_rw"], write],
    }


@pytest.mark.parametrize(
    ("scopes", "allowed"),
    [
        (("documents_r",), False),
        (("candidates_r",), False),
        (("documents_r", "my_candidates_r"), True),
        (("documents_rw", "candidates_rw"), True),
    ],
)
def test_listing_documents_needs_both_scopes(make_wttj: Any, scopes: tuple[str, ...], allowed: bool) -> None:
    settings = WttjSettings(tokens=(BearerToken("t", scopes),))
    with in_process_client(make_wttj(wttj=settings)) as http:
        response = Wttj(http, token="t").documents(SEEDED)
    if allowed:
        # a my_candidates_* token does not see the seeded candidate, which it did not create
        assert response.status_code == (404 if "candidates_rw" not in scopes else 200)
    else:
        message = "This endpoint requires documents_r, and candidates_r or my_candidates_r scopes."
        fails(response, 403, "invalid_scope", message)


def test_my_candidates_tokens_reach_only_their_own_candidates(make_wttj: Any, files: ScriptedServer) -> None:
    files.route("/cv.pdf", answer(200, PDF))
    mine = BearerToken("mine", ("my_candidates_rw", "documents_rw"))
    settings = WttjSettings(tokens=(*WttjSettings().tokens, mine))
    with in_process_client(make_wttj(wttj=settings)) as http:
        own = Wttj(http, token="mine")
        everyone = Wttj(http)
        created = own.create()
        theirs = everyone.create(email="bob@example.com")
        assert [c["reference"] for c in own.get("/candidates", {"job_reference": JOB}).json()] == [created["reference"]]
        fails(own.get(f"/candidates/{theirs['reference']}"), 404, "not_found", "Candidate not found")
        fails(own.attach(SEEDED, ("cv", files.url("/cv.pdf"))), 404, "not_found", "Candidate not found")
        assert own.attach(created["reference"], ("cv", files.url("/cv.pdf"))).status_code == 201
        # candidates_* tokens see every candidate, the other token's included
        assert everyone.get(f"/candidates/{created['reference']}").status_code == 200
