"""Candidates: create, retrieve and list, with the seeded organization, jobs and stages; exact bodies."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fetch_support import ScriptedServer, answer
from wttj_support import (
    JOB,
    NEW_STAGE,
    ORGANIZATION,
    OTHER_JOB,
    PDF,
    REFUSED_STAGE,
    SEEDED,
    Wttj,
    conforms,
    fails,
    new_candidate,
)

from mockservers.config import Settings
from mockservers.testing import AdminClient, in_process_client, make_app
from mockservers.wttj.settings import WttjSettings

AVATAR = "http://testserver/wttj/assets/default-avatar.png"


def test_create_answers_201_with_the_candidate_object(wttj: Wttj) -> None:
    response = wttj.post("/candidates", new_candidate(subtitle="CTO", phone="0606060606", cover_letter="Hello"))
    assert response.status_code == 201, response.text
    conforms(response)
    body = response.json()
    reference = body["reference"]
    assert re.fullmatch(r"wttj-[0-9a-f]{24}", reference)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0[12]:00", body["created_at"])
    assert body == {
        "reference": reference,
        "cover_letter": "Hello",
        "created_at": body["created_at"],
        "job_reference": JOB,
        "modal_path": f"/dashboard/o/{ORGANIZATION}/jobs/{JOB}/card/{reference}",
        "portfolio_size": None,
        "portfolio_url": None,
        "resume_content_type": None,
        "resume_size": None,
        "resume_url": None,
        "stage_id": NEW_STAGE,
        "updated_at": body["created_at"],
        "profile": {
            "address": None,
            "avatar_url": AVATAR,
            "city": None,
            "country_code": None,
            "country_name": None,
            "email": "ada@example.com",
            "firstname": "Ada",
            "lastname": "Lovelace",
            "phone": "0606060606",
            "subtitle": "CTO",
            "zip_code": None,
        },
        "origin": "external",
        "archived": False,
    }


def test_the_default_avatar_is_served(client: httpx.Client) -> None:
    response = client.get("/wttj/assets/default-avatar.png")
    assert (response.status_code, response.headers["content-type"], response.content[:8]) == (
        200,
        "image/png",
        b"\x89PNG\r\n\x1a\n",
    )


def test_retrieve_answers_the_stage_and_tags_when_asked(wttj: Wttj) -> None:
    created = wttj.create(tag_list="ruby, react,,ruby", job_stage_id=REFUSED_STAGE)
    plain = wttj.get(f"/candidates/{created['reference']}")
    assert (plain.status_code, plain.json()) == (200, created)
    full = wttj.get(f"/candidates/{created['reference']}", {"stage": "true", "tags": "1"})
    conforms(full)
    body = full.json()
    assert body["stage"] == {"id": REFUSED_STAGE, "name": "Refusé", "reference": "refused", "visible": True}
    assert body["tags"] == ["ruby", "react"]
    assert list(body) == [*list(created)[:11], "stage", *list(created)[11:13], "tags", *list(created)[13:]]


def test_the_docs_example_candidate_is_seeded(wttj: Wttj) -> None:
    response = wttj.get(f"/candidates/{SEEDED}", {"stage": True})
    body = response.json()
    assert (response.status_code, body["created_at"], body["job_reference"], body["stage"]["name"]) == (
        200,
        "2016-08-23T12:55:27.206+02:00",
        JOB,
        "Refusé",
    )
    assert (body["profile"]["firstname"], body["profile"]["lastname"], body["profile"]["email"]) == (
        "Foo",
        "Bar",
        "test@example.com",
    )


def test_create_lists_every_missing_parameter_in_grapes_words(wttj: Wttj) -> None:
    fails(
        wttj.post("/candidates", {}),
        400,
        "validation_failed",
        "organization_reference is missing, job_reference is missing, job_stage_id is missing, email is missing, "
        "firstname is missing, lastname is missing",
    )
    body = new_candidate(job_stage_id="first", archived="maybe", firstname=" ", lastname=["x"])
    fails(
        wttj.post("/candidates", body),
        400,
        "validation_failed",
        "job_stage_id is invalid, firstname is empty, lastname is invalid, archived is invalid",
    )


def test_create_coerces_as_grape_does(wttj: Wttj) -> None:
    created = wttj.create(job_stage_id=str(NEW_STAGE), phone=33606060606, archived="yes")
    assert (created["stage_id"], created["profile"]["phone"], created["archived"]) == (
        NEW_STAGE,
        "33606060606",
        True,
    )


def test_another_organization_is_unauthorized(wttj: Wttj) -> None:
    fails(
        wttj.post("/candidates", new_candidate(organization_reference="aEioU123")),
        401,
        "unauthorized",
        "You are not member of this organization",
    )


def test_an_unknown_job_is_404_and_a_stage_of_another_job_is_400(wttj: Wttj) -> None:
    fails(wttj.post("/candidates", new_candidate(job_reference="WTTJ_nope")), 404, "not_found", "Job not found")
    fails(
        wttj.post("/candidates", new_candidate(job_stage_id=5395)),
        400,
        "validation_failed",
        f"job_stage_id 5395 is not a stage of job {JOB}",
    )
    other = wttj.create(job_reference=OTHER_JOB, job_stage_id=5395)
    assert (other["job_reference"], other["stage_id"]) == (OTHER_JOB, 5395)


def test_record_rules_are_listed_together(wttj: Wttj) -> None:
    body = new_candidate(email="not an email", subtitle="x" * 256, media_github="g" * 256)
    fails(
        wttj.post("/candidates", body),
        400,
        "validation_failed",
        "email is invalid, subtitle is too long (maximum is 255 characters), "
        "media_github is too long (maximum is 255 characters)",
    )


def test_the_mock_keeps_at_most_max_candidates(make_wttj: Any) -> None:
    with in_process_client(make_wttj(wttj=WttjSettings(max_candidates=2))) as http:
        wttj = Wttj(http)
        wttj.create()  # the seeded candidate is the first
        fails(
            wttj.post("/candidates", new_candidate()),
            400,
            "validation_failed",
            "atsmock keeps at most 2 candidates ([wttj] max_candidates); "
            "reset the mock (POST /__admin/reset?vendor=wttj)",
        )
        AdminClient(http).reset("wttj")
        wttj.create()


def test_create_reads_the_query_string_and_forms_too(client: httpx.Client) -> None:
    """The docs list every field under "Query Parameters": Grape reads the query string and form bodies."""
    fields = {k: str(v) for k, v in new_candidate().items()}
    by_query = client.post(
        "/wttj/api/v1/external/candidates", params={**fields, "access_token": "atsmock-wttj"}, content=b""
    )
    by_form = client.post(
        "/wttj/api/v1/external/candidates", data=fields, headers={"Authorization": "Bearer atsmock-wttj"}
    )
    assert (by_query.status_code, by_form.status_code) == (201, 201)
    assert by_form.json()["profile"]["email"] == "ada@example.com"


def test_a_body_that_is_not_json_or_of_another_type_is_refused(client: httpx.Client) -> None:
    url = "/wttj/api/v1/external/candidates"
    fails(
        client.post(url, content=b"{nope", headers={"Content-Type": "application/json"}),
        400,
        "validation_failed",
        "message body does not match declared format",
    )
    fails(
        client.post(url, content=b"<xml/>", headers={"Content-Type": "text/xml"}),
        415,
        "unsupported_media_type",
        "The provided content-type 'text/xml' is not supported.",
    )
    fails(
        client.post(url, content=b"x" * (1024 * 1024 + 1), headers={"Content-Type": "application/json"}),
        413,
        "request_entity_too_large",
        "Request Entity Too Large",
    )
    # a JSON value that is no object adds no parameter (Grape merges objects only)
    missing = client.post(url, json=[1, 2])
    assert missing.json()["error_description"].startswith("organization_reference is missing")


# --- remote files of a new candidate ----------------------------------------------------------------


def test_remote_resume_and_portfolio_are_downloaded(wttj: Wttj, files: ScriptedServer) -> None:
    files.route("/resume.docx", answer(200, b"PK\x03\x04docx"))
    files.route("/portfolio", answer(200, PDF, {"Content-Type": "application/pdf"}))
    files.route("/me.png", answer(200, b"\x89PNG..", {"Content-Type": "image/png"}))
    created = wttj.create(
        remote_resume_url=files.url("/resume.docx"),
        remote_portfolio_url=files.url("/portfolio"),
        remote_image_url=files.url("/me.png"),
    )
    assert (created["resume_size"], created["portfolio_size"]) == (8, len(PDF))
    assert created["resume_content_type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert wttj.download(created["resume_url"]).content == b"PK\x03\x04docx"
    assert wttj.download(created["portfolio_url"]).content == PDF
    assert wttj.download(created["profile"]["avatar_url"]).content == b"\x89PNG.."
    assert "/uploads/candidate/resume/2/resume.docx?" in created["resume_url"]


@pytest.mark.parametrize(
    ("field", "path", "headers", "allowed"),
    [
        ("remote_resume_url", "/cv.exe", {}, "pdf, doc, docx, odt"),
        ("remote_portfolio_url", "/folio.docx", {}, "pdf"),
        ("remote_portfolio_url", "/folio", {"Content-Type": "image/png"}, "pdf"),
    ],
)
def test_a_remote_file_of_the_wrong_type_is_refused(
    wttj: Wttj, files: ScriptedServer, field: str, path: str, headers: dict[str, str], allowed: str
) -> None:
    files.route(path, answer(200, b"data", headers))
    url = files.url(path)
    extension = path.rpartition(".")[2] if "." in path else "png"
    fails(
        wttj.post("/candidates", new_candidate(**{field: url})),
        400,
        "validation_failed",
        f'{field} {url}: You are not allowed to upload "{extension}" files, allowed types: {allowed}',
    )
    assert len(wttj.get("/candidates", {"job_reference": JOB}).json()) == 1  # only the seeded one


def test_a_resume_over_5_mb_is_refused_and_no_candidate_is_created(make_wttj: Any, files: ScriptedServer) -> None:
    files.route("/cv.pdf", answer(200, PDF))
    url = files.url("/cv.pdf")
    with in_process_client(make_wttj(wttj=WttjSettings(max_resume_size=10))) as http:
        wttj = Wttj(http)
        fails(
            wttj.post("/candidates", new_candidate(remote_resume_url=url)),
            400,
            "validation_failed",
            f"remote_resume_url {url} could not be downloaded: larger than 10 bytes",
        )
        assert [c["reference"] for c in wttj.get("/candidates", {"job_reference": JOB}).json()] == [SEEDED]


# --- lists -----------------------------------------------------------------------------------------


def test_an_empty_remote_url_or_archived_is_none(wttj: Wttj) -> None:
    """An empty ``remote_*_url`` is no file (CarrierWave's ``remote_*_url=`` drops blank URLs) and an
    empty ``archived`` is Grape's nil, so false: the document admits both."""
    empty = {"remote_resume_url": "", "remote_portfolio_url": "", "remote_image_url": "", "archived": ""}
    response = wttj.post("/candidates", new_candidate(**empty))
    assert response.status_code == 201, response.text
    conforms(response)
    body = response.json()
    assert (body["resume_url"], body["portfolio_url"], body["profile"]["avatar_url"], body["archived"]) == (
        None,
        None,
        AVATAR,
        False,
    )


def test_list_needs_a_known_job(wttj: Wttj) -> None:
    fails(wttj.get("/candidates"), 400, "validation_failed", "job_reference is missing")
    fails(wttj.get("/candidates", {"job_reference": "WTTJ_nope"}), 404, "not_found", "Job not found")


def test_list_filters(wttj: Wttj, admin: AdminClient) -> None:
    ada = wttj.create(email="Ada@Example.com", referrer="www.linkedin.com")
    admin.advance(2 * 86400)
    bob = wttj.create(email="bob@example.com", job_stage_id=REFUSED_STAGE, archived=True)
    other = wttj.create(job_reference=OTHER_JOB, job_stage_id=5395)

    def refs(**params: Any) -> list[str]:
        response = wttj.get("/candidates", {"job_reference": JOB, **params})
        assert response.status_code == 200, response.text
        conforms(response)
        return [c["reference"] for c in response.json()]

    assert refs() == [SEEDED, ada["reference"], bob["reference"]]
    assert other["reference"] not in refs()
    assert refs(email="ada@example.com") == [ada["reference"]]
    assert refs(referrer="www.linkedin.com") == [ada["reference"]]
    assert refs(job_stage_id=str(REFUSED_STAGE)) == [SEEDED, bob["reference"]]
    assert refs(job_stage_id="refused") == []
    assert refs(job_stage_reference="refused") == [SEEDED, bob["reference"]]
    assert refs(archived="true") == [bob["reference"]]
    assert refs(archived="false") == [SEEDED, ada["reference"]]
    assert refs(origin="external") == refs()
    today = bob["created_at"][:10]
    assert refs(created_after=today) == [bob["reference"]]
    assert refs(updated_after="2016-08-22") == refs()
    assert refs(created_after="2016-08-24") == [ada["reference"], bob["reference"]]
    assert refs(created_after="0001-01-01", updated_after="0001-01-01") == refs()  # once a 500
    assert refs(created_after="9999-12-31") == []
    # An empty Boolean or Date is Grape's nil: no filter at all, not "archived is invalid".
    assert refs(archived="", created_after="", updated_after="", stage="", tags="") == refs()


def test_list_checks_its_parameters_before_auth(wttj: Wttj) -> None:
    params = {"job_reference": JOB, "created_after": "26/11/2015", "page": "two", "per_page": 0, "stage": "x"}
    fails(
        wttj.get("/candidates", params, token=None),
        400,
        "validation_failed",
        "created_after is invalid, page is invalid, per_page does not have a valid value, stage is invalid",
    )


def test_list_pages(wttj: Wttj) -> None:
    for _ in range(4):
        wttj.create()
    page = wttj.get("/candidates", {"job_reference": JOB, "per_page": 2, "page": 2, "stage": "true"})
    assert (len(page.json()), page.headers["x-total"], page.headers["x-total-pages"]) == (2, "5", "3")
    assert (page.headers["x-next-page"], page.headers["x-prev-page"]) == ("3", "1")
    assert page.json()[0]["stage"]["id"] == NEW_STAGE


def test_root_mode_serves_the_api_at_the_root() -> None:
    app = make_app(Settings().with_server(vendor="wttj"))
    with in_process_client(app) as http:
        wttj = Wttj(http, prefix="/api/v1/external")
        created = wttj.create()
        assert created["profile"]["avatar_url"] == "http://testserver/assets/default-avatar.png"
        assert http.get("/assets/default-avatar.png").status_code == 200
        assert http.get("/openapi.json").json()["servers"] == [{"url": "http://testserver"}]


# --- routing --------------------------------------------------------------------------------------------


def test_an_unknown_path_is_404_in_the_envelope(client: httpx.Client) -> None:
    response = client.get("/wttj/api/v1/external/jobs")
    assert (response.status_code, response.json()) == (
        404,
        {"error": "not_found", "error_description": "404 Not Found"},
    )
    assert client.get("/wttj/api/v1/external/candidates/").status_code == 404  # no slash redirect


def test_another_method_is_405_naming_every_method_of_the_path(client: httpx.Client) -> None:
    response = client.delete("/wttj/api/v1/external/documents")
    assert (response.status_code, response.headers["allow"], response.json()) == (
        405,
        "GET, HEAD, POST",
        {"error": "method_not_allowed", "error_description": "405 Not Allowed"},
    )
    assert client.put(f"/wttj/api/v1/external/candidates/{SEEDED}").headers["allow"] == "GET, HEAD"
