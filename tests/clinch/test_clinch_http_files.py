"""Clinch's candidate files and tags over HTTP: upload, the resumes relationship, the exact bytes back."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from clinch_support import JSON_API, PDF, Clinch, document, error, not_found, unprocessable

from mockservers.clinch.settings import ClinchSettings
from mockservers.config import Settings
from mockservers.testing import in_process_client, make_app


@pytest.fixture
def clinch(client: httpx.Client, app: Any) -> Clinch:
    app.platform.clock.freeze()
    app.platform.clock.set(1_700_000_000)
    return Clinch(client, app)


def upload(clinch: Clinch, candidate_id: str, data: bytes = PDF, filename: str = "cv.pdf") -> httpx.Response:
    content = base64.b64encode(data).decode()
    return clinch.call(
        "POST",
        f"/candidates/{candidate_id}/candidate_files",
        document("candidate_files", filename=filename, content=content),
    )


def test_an_upload_answers_201_with_the_file_resource(clinch: Clinch) -> None:
    candidate = clinch.create()
    response = upload(clinch, candidate["id"])
    assert (response.status_code, response.headers["content-type"]) == (201, JSON_API)
    stored = response.json()["data"]
    url = stored["attributes"].pop("url")
    assert stored == {
        "id": stored["id"],
        "type": "candidate_files",
        "attributes": {
            "filename": "cv.pdf",
            "content_type": "application/pdf",
            "size": len(PDF),
            "created_at": {
                "utc": "2023-11-14T22:13:20Z",
                "epoch": 1_700_000_000,
                "ago": "less than a minute ago",
                "local": "2023-11-14T22:13:20Z",
                "local_epoch": 1_700_000_000,
            },
        },
        "relationships": {"candidate": {"data": {"id": candidate["id"], "type": "candidates"}}},
    }
    assert url.startswith(f"http://testserver/s3/clinch-candidate-files/{candidate['id']}/{stored['id']}?")
    assert "X-Amz-Expires=300&" in url


def test_the_file_downloads_with_its_exact_bytes_type_and_name(clinch: Clinch) -> None:
    candidate = clinch.create()
    data = bytes(range(256)) * 40
    url = upload(clinch, candidate["id"], data, "Zeugnis Müller.pdf").json()["data"]["attributes"]["url"]
    download = clinch.http.get(url)
    assert (download.status_code, download.content, download.headers["content-type"]) == (200, data, "application/pdf")
    assert (
        download.headers["content-disposition"]
        == "attachment; filename=\"Zeugnis Muller.pdf\"; filename*=UTF-8''Zeugnis%20M%C3%BCller.pdf"
    )


def test_the_download_url_expires_after_300_seconds_of_mock_time(clinch: Clinch, app: Any) -> None:
    candidate = clinch.create()
    url = upload(clinch, candidate["id"]).json()["data"]["attributes"]["url"]
    app.platform.clock.advance(299)
    assert clinch.http.get(url).status_code == 200
    app.platform.clock.advance(1)
    expired = clinch.http.get(url)
    assert (
        expired.status_code,
        "<Code>AccessDenied</Code>" in expired.text,
        "Request has expired" in expired.text,
    ) == (403, True, True)
    fresh = clinch.ok("GET", f"/candidates/{candidate['id']}", params={"include": "resumes"})["included"][0][
        "attributes"
    ]["url"]
    assert clinch.http.get(fresh).content == PDF


def test_files_are_the_candidates_resumes(clinch: Clinch, app: Any) -> None:
    candidate = clinch.create()
    app.platform.clock.advance(30)
    first = upload(clinch, candidate["id"]).json()["data"]
    second = upload(clinch, candidate["id"], b"plain", "notes.txt").json()["data"]
    fetched = clinch.ok("GET", f"/candidates/{candidate['id']}", params={"include": "resumes"})
    assert fetched["data"]["relationships"]["resumes"] == {
        "data": [{"id": first["id"], "type": "candidate_files"}, {"id": second["id"], "type": "candidate_files"}]
    }
    assert [(f["id"], f["attributes"]["filename"], f["attributes"]["content_type"]) for f in fetched["included"]] == [
        (first["id"], "cv.pdf", "application/pdf"),
        (second["id"], "notes.txt", "text/plain"),
    ]
    assert fetched["data"]["attributes"]["updated_at"]["epoch"] == 1_700_000_030
    assert "included" not in clinch.ok("GET", f"/candidates/{candidate['id']}")
    listed = clinch.ok("GET", "/candidates", params={"include": "resumes"})
    assert [f["id"] for f in listed["included"]] == [first["id"], second["id"]]


@pytest.mark.parametrize("resource_type", ["candidate_files", "candidate_file"])
def test_an_upload_takes_the_plural_and_the_singular_type(clinch: Clinch, resource_type: str) -> None:
    candidate = clinch.create()
    body = document(resource_type, filename="cv.pdf", content=base64.b64encode(PDF).decode())
    assert (
        clinch.ok("POST", f"/candidates/{candidate['id']}/candidate_files", body, 201)["data"]["type"]
        == "candidate_files"
    )


@pytest.mark.parametrize(
    ("attributes", "answer"),
    [
        ({"content": "eA=="}, unprocessable("/data/attributes/filename", "Filename can't be blank", "blank")),
        (
            {"filename": "cv.pdf", "content": ""},
            unprocessable("/data/attributes/content", "Content can't be blank", "blank"),
        ),
        (
            {"filename": "cv.pdf", "content": "%PDF-1.4"},
            unprocessable(
                "/data/attributes/content",
                "Content is not valid base64 (send the file's bytes base64-encoded, nothing else)",
            ),
        ),
        (
            {"filename": "cv.pdf", "content": base64.b64encode(b"x" * 1025).decode()},
            unprocessable("/data/attributes/content", "Content is too large (maximum is 1024 bytes)", "too_large"),
        ),
    ],
)
def test_a_file_that_is_not_added_is_a_422_with_a_pointer(attributes: dict[str, Any], answer: dict[str, Any]) -> None:
    app = make_app(Settings().replace(clinch=ClinchSettings(max_file_bytes=1024)))
    with in_process_client(app) as http:
        local = Clinch(http, app)
        candidate = local.create()
        response = local.call(
            "POST", f"/candidates/{candidate['id']}/candidate_files", document("candidate_files", **attributes)
        )
        assert (response.status_code, response.json()) == (422, answer)
        assert local.ok("GET", f"/candidates/{candidate['id']}")["data"]["relationships"]["resumes"] == {"data": []}


def test_a_file_of_the_configured_size_is_accepted_and_a_body_far_over_it_is_a_413() -> None:
    app = make_app(Settings().replace(clinch=ClinchSettings(max_file_bytes=1024)))
    with in_process_client(app) as http:
        local = Clinch(http, app)
        candidate = local.create()
        assert upload(local, candidate["id"], b"y" * 1024).status_code == 201
        huge = local.call(
            "POST", f"/candidates/{candidate['id']}/candidate_files", b"{" + b" " * (2 * 1024 + 1024 * 1024)
        )
        assert (huge.status_code, huge.json()) == (
            413,
            error(413, "too_large", "Payload too large", "The request body is larger than 1050624 bytes"),
        )


def test_an_upload_to_an_unknown_candidate_is_a_404(clinch: Clinch) -> None:
    response = upload(clinch, "nobody")
    assert (response.status_code, response.json()) == (
        404,
        not_found("The record identified by nobody could not be found (candidate)"),
    )


# -- tags ---------------------------------------------------------------------------------------------------


def test_tags_are_listed_created_and_deleted(clinch: Clinch) -> None:
    candidate = clinch.create(tag_values=["alpha"])
    tags = clinch.ok("GET", f"/candidates/{candidate['id']}/tags")["data"]
    assert [(t["type"], t["attributes"]) for t in tags] == [("tags", {"name": "alpha"})]
    created = clinch.ok("POST", f"/candidates/{candidate['id']}/tags", document("tag", name="beta"))["data"]
    assert (created["type"], created["attributes"], len(created["id"])) == ("tags", {"name": "beta"}, 36)
    again = clinch.ok("POST", f"/candidates/{candidate['id']}/tags", document("tags", name="BETA"))["data"]
    assert again == created
    assert clinch.ok("GET", f"/candidates/{candidate['id']}")["data"]["attributes"]["tags"] == ["alpha", "beta"]
    assert clinch.ok("DELETE", f"/candidates/{candidate['id']}/tags/{tags[0]['id']}") == {"meta": {}}
    assert [t["attributes"]["name"] for t in clinch.ok("GET", f"/candidates/{candidate['id']}/tags")["data"]] == [
        "beta"
    ]


def test_a_tag_without_a_name_is_a_422_even_though_the_published_schema_asks_for_email(clinch: Clinch) -> None:
    candidate = clinch.create()
    response = clinch.call("POST", f"/candidates/{candidate['id']}/tags", document("tag", email="ada@example.com"))
    assert (response.status_code, response.json()) == (
        422,
        unprocessable("/data/attributes/name", "Name can't be blank", "blank"),
    )
    wrong = clinch.call("POST", f"/candidates/{candidate['id']}/tags", document("label", name="x"))
    assert (wrong.status_code, wrong.json()) == (
        422,
        unprocessable("/data/type", "type 'label' is not one of tag, tags", "invalid_document"),
    )


def test_a_tag_of_u001f_is_a_tag_and_of_a_no_break_space_is_blank(clinch: Clinch) -> None:
    """Rails' ``blank?``: U+001F is not space to Ruby (Python's ``str.strip`` removes it); U+00A0 is."""
    candidate = clinch.create()
    response = clinch.call("POST", f"/candidates/{candidate['id']}/tags", document("tag", name="\x1f"))
    assert (response.status_code, response.headers["content-type"]) == (200, JSON_API)
    assert b'"attributes":{"name":"\\u001f"}' in response.content
    blank = clinch.call("POST", f"/candidates/{candidate['id']}/tags", document("tag", name="\xa0 "))
    assert (blank.status_code, blank.json()) == (
        422,
        unprocessable("/data/attributes/name", "Name can't be blank", "blank"),
    )


def test_tags_of_an_unknown_candidate_or_an_unknown_tag_are_404s(clinch: Clinch) -> None:
    candidate = clinch.create()
    assert clinch.call("GET", "/candidates/nobody/tags").json() == not_found(
        "The record identified by nobody could not be found (candidate)"
    )
    assert clinch.call("POST", "/candidates/nobody/tags", document("tag", name="x")).status_code == 404
    gone = clinch.call("DELETE", f"/candidates/{candidate['id']}/tags/abc")
    assert (gone.status_code, gone.json()) == (404, not_found("The record identified by abc could not be found (tag)"))
