"""Attachments over HTTP: multipart and public-URL creates, reads, downloads, upserts, deletes and bounds,
each with its exact status and envelope (and, for a URL, its fetch from a server on 127.0.0.1)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from endorsed_support import FORBIDDEN, NOT_FOUND, PDF, RO, Endorsed, created, envelope, fails, issue

from mockservers.config import Settings
from mockservers.endorsed.settings import EndorsedSettings
from mockservers.testing import AdminClient, in_process_client, make_app
from tests.core.fetch_support import ScriptedServer, answer, redirect

TYPES = "'about' | 'resume' | 'role_preferences' | 'work_experiences'"


def app_with(**settings: Any) -> Any:
    return make_app(Settings().replace(endorsed=EndorsedSettings(**settings)))


def store(endorsed: Endorsed) -> Any:
    """The app's attachment store (for what no endpoint shows: the bytes held)."""
    transport: Any = endorsed.http._transport
    return transport._asgi.app.platform.vendors["endorsed"].app.state.vendor.attachments


def bad(*issues: dict[str, Any]) -> dict[str, Any]:
    return envelope("BAD_REQUEST", *issues)


# -- multipart ----------------------------------------------------------------------------------------


def test_a_multipart_create_answers_201_with_the_new_id(endorsed: Endorsed) -> None:
    candidate = endorsed.candidate()
    attachment = created(endorsed.upload(candidate_id=candidate))
    result = endorsed.attachment(attachment)
    assert result == {
        "id": attachment,
        "remote_id": "cv-1",
        "type": "resume",
        "file_name": "cv.pdf",
        "candidate_id": candidate,
        "ephemeral_url": result["ephemeral_url"],
        "created_at": result["created_at"],
        "modified_at": result["created_at"],
    }
    assert endorsed.attachment("remote.cv-1") == {
        **result,
        "ephemeral_url": endorsed.attachment("remote.cv-1")["ephemeral_url"],
    }
    assert endorsed.attachment(attachment.upper())["id"] == attachment


def test_the_ephemeral_url_downloads_the_exact_bytes_with_name_and_type(endorsed: Endorsed) -> None:
    data = bytes(range(256)) * 64
    attachment = created(endorsed.upload(data, filename="Lebenslauf Müller.pdf"))
    url = endorsed.attachment(attachment)["ephemeral_url"]
    assert url.startswith("http://testserver/s3/endorsed-attachments/attachments/")
    assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["900"]
    download = endorsed.http.get(url)
    assert (download.status_code, download.content) == (200, data)
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == (
        "attachment; filename=\"Lebenslauf Muller.pdf\"; filename*=UTF-8''Lebenslauf%20M%C3%BCller.pdf"
    )


def test_the_ephemeral_url_lives_download_ttl_seconds_of_mock_time(endorsed: Endorsed, admin: AdminClient) -> None:
    admin.freeze()
    url = endorsed.attachment(created(endorsed.upload()))["ephemeral_url"]
    admin.advance(899)
    assert endorsed.http.get(url).content == PDF
    admin.advance(1)
    expired = endorsed.http.get(url)
    assert expired.status_code == 403
    assert b"<Message>Request has expired</Message>" in expired.content


def test_the_download_lifetime_is_configurable() -> None:
    with in_process_client(app_with(download_ttl_seconds=30)) as http:
        endorsed = Endorsed(http)
        url = endorsed.attachment(created(endorsed.upload()))["ephemeral_url"]
        assert parse_qs(urlsplit(url).query)["X-Amz-Expires"] == ["30"]


def test_without_a_content_type_the_body_is_multipart_and_has_no_fields(endorsed: Endorsed) -> None:
    response = endorsed.call("POST", "attachments", content=b"remote_id=x")
    assert "content-type" not in response.request.headers
    fails(response, 400, bad(issue("Required", "remote_id"), issue("Required", "type"), issue("Required", "file")))


def test_multipart_field_rules(endorsed: Endorsed) -> None:
    response = endorsed.call(
        "POST",
        "attachments",
        data={"candidate_id": "nope", "remote_id": "", "type": "cv", "file": "text", "public_file_url": "http://x"},
        files={"other": ("a.txt", b"a", "text/plain")},
    )
    fails(
        response,
        400,
        bad(
            issue("Invalid uuid", "candidate_id"),
            issue("String must contain at least 1 character(s)", "remote_id"),
            issue(f"Invalid enum value. Expected {TYPES}, received 'cv'", "type"),
            issue("Expected file, received string", "file"),
            issue("public_file_url must not be set with multipart/form-data; send the file", "public_file_url"),
        ),
    )


def test_a_field_sent_twice_is_an_array(endorsed: Endorsed) -> None:
    files = [("file", ("a.pdf", PDF, "application/pdf")), ("file", ("b.pdf", PDF, "application/pdf"))]
    response = endorsed.call("POST", "attachments", data={"remote_id": "r", "type": "about"}, files=files)
    fails(response, 400, bad(issue("Expected file, received array", "file")))


def test_the_candidate_must_exist_and_an_empty_one_is_none(endorsed: Endorsed) -> None:
    unknown = "5b8a5a9e-0000-4000-8000-000000000000"
    fails(
        endorsed.upload(candidate_id=unknown),
        404,
        envelope("NOT_FOUND", issue("This resource entity does not exist.", "candidate_id")),
    )
    attachment = created(endorsed.upload(candidate_id=""))
    assert endorsed.attachment(attachment)["candidate_id"] is None


def test_a_json_candidate_id_empty_or_null_is_none(endorsed: Endorsed, files: ScriptedServer) -> None:
    """As in a form: the document admits both (``""`` is none, ``null`` is absent)."""
    files.route("/cv.pdf", answer(200, PDF, {"Content-Type": "application/pdf"}))
    for remote_id, candidate_id in (("empty", ""), ("null", None)):
        body = {**url_body(files.url("/cv.pdf")), "remote_id": remote_id, "candidate_id": candidate_id}
        attachment = created(endorsed.call("POST", "attachments", json=body))
        assert endorsed.attachment(attachment)["candidate_id"] is None


def test_file_name_and_type_rules(endorsed: Endorsed) -> None:
    attachment = created(endorsed.upload(file_name="Résumé (final).pdf", type="work_experiences"))
    result = endorsed.attachment(attachment)
    assert (result["file_name"], result["type"]) == ("Résumé (final).pdf", "work_experiences")
    for kind in ("about", "role_preferences"):
        assert endorsed.upload(remote_id=kind, type=kind).status_code == 201


def test_an_empty_file_is_refused(endorsed: Endorsed) -> None:
    fails(endorsed.upload(b""), 400, bad(issue("The file is empty", "file")))
    assert store(endorsed).records.by_id == {}


def test_files_over_max_file_size_are_413() -> None:
    with in_process_client(app_with(max_file_size=16)) as http:
        endorsed = Endorsed(http)
        fails(
            endorsed.upload(b"x" * 17),
            413,
            envelope("PAYLOAD_TOO_LARGE", issue("The file is larger than 16 bytes", "file")),
        )
        assert created(endorsed.upload(b"x" * 16))
        huge = endorsed.upload(b"x" * 300_000)
        fails(huge, 413, envelope("PAYLOAD_TOO_LARGE", issue("The request body is larger than 262160 bytes")))


def test_other_content_types_are_415(endorsed: Endorsed) -> None:
    response = endorsed.call("POST", "attachments", content=b"x", headers={"Content-Type": "text/plain"})
    message = "Content-Type must be multipart/form-data or application/json, not text/plain"
    fails(response, 415, envelope("UNSUPPORTED_MEDIA_TYPE", issue(message)))


def test_writing_needs_all_write(endorsed: Endorsed) -> None:
    attachment = created(endorsed.upload())
    fails(endorsed.upload(client=RO), 403, FORBIDDEN)
    fails(endorsed.upload(method="PUT", path=f"attachments/{attachment}", client=RO), 403, FORBIDDEN)
    fails(endorsed.call("DELETE", f"attachments/{attachment}", RO), 403, FORBIDDEN)
    assert endorsed.call("GET", f"attachments/{attachment}", RO).status_code == 200


# -- public_file_url ----------------------------------------------------------------------------------


def url_body(url: str, **fields: Any) -> dict[str, Any]:
    return {"remote_id": "cv-url", "type": "resume", "public_file_url": url, **fields}


def test_a_public_file_url_is_fetched_and_stored_exactly(
    endorsed: Endorsed, files: ScriptedServer, loopback_only: list[tuple[str, int]]
) -> None:
    disposition = "attachment; filename*=UTF-8''CV%20Ada.pdf"
    files.route("/files/x", answer(200, PDF, {"Content-Type": "application/pdf", "Content-Disposition": disposition}))
    attachment = created(endorsed.call("POST", "attachments", json=url_body(files.url("/files/x"))))
    result = endorsed.attachment(attachment)
    assert (result["file_name"], result["remote_id"]) == ("CV Ada.pdf", "cv-url")
    download = endorsed.http.get(result["ephemeral_url"])
    assert (download.content, download.headers["content-type"]) == (PDF, "application/pdf")
    assert loopback_only == [("127.0.0.1", files.port)]
    assert files.requests[0].headers["accept-encoding"] == "identity"


def test_the_file_name_comes_from_the_request_then_the_url(endorsed: Endorsed, files: ScriptedServer) -> None:
    files.route("/cv/Ada%20Lovelace.docx", answer(200, b"docx bytes"))
    first = created(endorsed.call("POST", "attachments", json=url_body(files.url("/cv/Ada%20Lovelace.docx"))))
    assert endorsed.attachment(first)["file_name"] == "Ada Lovelace.docx"
    body = url_body(files.url("/cv/Ada%20Lovelace.docx"), remote_id="two", file_name="given.docx")
    assert endorsed.attachment(created(endorsed.call("POST", "attachments", json=body)))["file_name"] == "given.docx"
    files.route("/", answer(200, b"root"))
    root = created(endorsed.call("POST", "attachments", json=url_body(files.url("/"), remote_id="three")))
    result = endorsed.attachment(root)
    assert result["file_name"] == "file"
    assert endorsed.http.get(result["ephemeral_url"]).headers["content-type"] == "application/octet-stream"


def test_a_redirect_is_followed(endorsed: Endorsed, files: ScriptedServer) -> None:
    files.route("/old", redirect(files.url("/new/cv.pdf")))
    files.route("/new/cv.pdf", answer(200, PDF))
    attachment = created(endorsed.call("POST", "attachments", json=url_body(files.url("/old"))))
    assert endorsed.attachment(attachment)["file_name"] == "cv.pdf"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.5/cv.pdf", "the address 10.0.0.5 is private"),
        ("http://169.254.169.254/latest/meta-data/", "the address 169.254.169.254 is a cloud metadata address"),
        ("http://8.8.8.8/cv.pdf", "the address 8.8.8.8 is public and not in the allow list"),
        ("ftp://127.0.0.1/cv.pdf", "the scheme ftp is not allowed"),
        ("http://user:pw@127.0.0.1/cv.pdf", "the URL contains credentials"),
    ],
)
def test_refused_urls_are_400_naming_the_url_and_why(
    endorsed: Endorsed, loopback_only: list[tuple[str, int]], url: str, reason: str
) -> None:
    response = endorsed.call("POST", "attachments", json=url_body(url))
    fails(response, 400, bad(issue(f"Could not download {url}: {reason}", "public_file_url")))
    assert loopback_only == []
    assert (store(endorsed).records.by_id, store(endorsed).stored_bytes) == ({}, 0)


def test_a_failed_download_is_400_and_stores_nothing(endorsed: Endorsed, files: ScriptedServer) -> None:
    files.route("/gone", answer(404, b"no"))
    files.route("/to-private", redirect("http://10.1.2.3/cv.pdf"))
    files.route("/empty", answer(200, b""))
    for path, reason in [
        ("/gone", "the server answered 404"),
        ("/to-private", "redirected to http://10.1.2.3/cv.pdf: the address 10.1.2.3 is private"),
        ("/empty", "the file is empty"),
    ]:
        url = files.url(path)
        fails(
            endorsed.call("POST", "attachments", json=url_body(url)),
            400,
            bad(issue(f"Could not download {url}: {reason}", "public_file_url")),
        )
    assert (store(endorsed).records.by_id, store(endorsed).stored_bytes) == ({}, 0)


def test_a_download_over_max_file_size_is_refused(files: ScriptedServer) -> None:
    files.route("/big", answer(200, b"x" * 17))
    with in_process_client(app_with(max_file_size=16)) as http:
        url = files.url("/big")
        response = Endorsed(http).call("POST", "attachments", json=url_body(url))
        fails(response, 400, bad(issue(f"Could not download {url}: larger than 16 bytes", "public_file_url")))


def test_json_field_rules(endorsed: Endorsed) -> None:
    fails(
        endorsed.call("POST", "attachments", json={"file": "x", "type": 1}),
        400,
        bad(
            issue("Required", "remote_id"),
            issue(f"Expected {TYPES}, received number", "type"),
            issue("file must not be set with application/json; send public_file_url", "file"),
            issue("Required", "public_file_url"),
        ),
    )
    for url in ("not a url", "http://", "//127.0.0.1/cv.pdf", "1http://x"):
        response = endorsed.call("POST", "attachments", json=url_body(url))
        fails(response, 400, bad(issue("Invalid url", "public_file_url")))


# -- upserts and deletes ------------------------------------------------------------------------------


def test_put_by_remote_id_creates_then_replaces(endorsed: Endorsed, admin: AdminClient) -> None:
    admin.freeze()
    path = "attachments/remote.cv-1"
    attachment = created(endorsed.upload(b"first", method="PUT", path=path), 201)
    before = endorsed.attachment(attachment)
    old_url = before["ephemeral_url"]
    admin.advance(5)
    assert (
        created(endorsed.upload(b"second", method="PUT", path=path, type="about", filename="v2.pdf"), 200) == attachment
    )
    after = endorsed.attachment("remote.cv-1")
    assert (after["id"], after["type"], after["file_name"], after["created_at"]) == (
        attachment,
        "about",
        "v2.pdf",
        before["created_at"],
    )
    assert after["modified_at"] > before["modified_at"]
    assert endorsed.http.get(after["ephemeral_url"]).content == b"second"
    gone = endorsed.http.get(old_url)
    assert (gone.status_code, b"<Code>NoSuchKey</Code>" in gone.content) == (404, True)
    assert store(endorsed).stored_bytes == len(b"second")


def test_put_by_uuid_replaces_and_unknown_uuids_are_not_found(endorsed: Endorsed) -> None:
    attachment = created(endorsed.upload(b"one"))
    assert created(endorsed.upload(b"two", method="PUT", path=f"attachments/{attachment}"), 200) == attachment
    assert endorsed.http.get(endorsed.attachment(attachment)["ephemeral_url"]).content == b"two"
    unknown = "attachments/5b8a5a9e-0000-4000-8000-000000000000"
    fails(
        endorsed.upload(method="PUT", path=unknown),
        404,
        envelope("NOT_FOUND", issue("This resource entity does not exist.", "id")),
    )


def test_put_renames_by_uuid_but_not_onto_another_remote_id(endorsed: Endorsed) -> None:
    first = created(endorsed.upload(remote_id="a"))
    created(endorsed.upload(remote_id="b"))
    assert created(endorsed.upload(method="PUT", path=f"attachments/{first}", remote_id="c"), 200) == first
    assert endorsed.attachment("remote.c")["id"] == first
    fails(endorsed.call("GET", "attachments/remote.a"), 404, NOT_FOUND)
    conflict = envelope("CONFLICT", issue("An attachment with remote_id 'b' already exists.", "remote_id"))
    fails(endorsed.upload(method="PUT", path=f"attachments/{first}", remote_id="b"), 409, conflict)


def test_put_by_remote_id_must_match_the_body(endorsed: Endorsed) -> None:
    response = endorsed.upload(method="PUT", path="attachments/remote.a", remote_id="b")
    fails(response, 400, bad(issue("remote_id must equal the remote id of the path (a)", "remote_id")))


def test_a_second_post_with_the_remote_id_is_409(endorsed: Endorsed) -> None:
    created(endorsed.upload())
    message = "An attachment with remote_id 'cv-1' already exists. PUT /attachments/remote.cv-1 replaces it."
    fails(endorsed.upload(), 409, envelope("CONFLICT", issue(message, "remote_id")))


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("ref", ["not-a-uuid", "remote.", "REMOTE.x", "5b8a5a9e-0000-4000-8000"])
def test_ids_that_are_neither_uuid_nor_remote_are_400(endorsed: Endorsed, method: str, ref: str) -> None:
    if method == "PUT":
        response = endorsed.upload(method="PUT", path=f"attachments/{ref}")
    else:
        response = endorsed.call(method, f"attachments/{ref}")
    fails(response, 400, bad(issue("Invalid id: expected a UUID or remote.<remote_id>", "id")))


def test_remote_ids_may_hold_slashes_and_any_character(endorsed: Endorsed) -> None:
    remote_id = "greenhouse/cv 7/ü?#"
    attachment = created(endorsed.upload(remote_id=remote_id))
    encoded = "remote." + remote_id.replace("%", "%25").replace(" ", "%20").replace("?", "%3F").replace("#", "%23")
    assert endorsed.attachment(encoded.replace("/", "%2F"))["id"] == attachment
    assert endorsed.attachment(encoded)["remote_id"] == remote_id


def test_a_failed_replace_keeps_the_old_file(endorsed: Endorsed) -> None:
    attachment = created(endorsed.upload(b"keep me"))
    body = url_body("http://10.0.0.9/new.pdf", remote_id="cv-1")
    assert endorsed.call("PUT", "attachments/remote.cv-1", json=body).status_code == 400
    assert endorsed.upload(b"", method="PUT", path="attachments/remote.cv-1").status_code == 400
    result = endorsed.attachment(attachment)
    assert (result["file_name"], endorsed.http.get(result["ephemeral_url"]).content) == ("cv.pdf", b"keep me")


def test_delete_removes_the_record_and_its_bytes(endorsed: Endorsed) -> None:
    attachment = created(endorsed.upload(remote_id="d"))
    url = endorsed.attachment(attachment)["ephemeral_url"]
    assert created(endorsed.call("DELETE", "attachments/remote.d"), 200) == attachment
    fails(endorsed.call("GET", f"attachments/{attachment}"), 404, NOT_FOUND)
    fails(endorsed.call("DELETE", f"attachments/{attachment}"), 404, NOT_FOUND)
    assert endorsed.http.get(url).status_code == 404
    assert store(endorsed).stored_bytes == 0
    assert created(endorsed.upload(remote_id="d"))  # the remote id is free again


# -- the mock's bounds --------------------------------------------------------------------------------


def test_at_most_max_attachments() -> None:
    with in_process_client(app_with(max_attachments=1)) as http:
        endorsed = Endorsed(http)
        created(endorsed.upload(remote_id="a"))
        message = "The mock holds at most 1 attachments (endorsed.max_attachments); reset it or raise the limit."
        fails(endorsed.upload(remote_id="b"), 409, envelope("CONFLICT", issue(message)))
        assert created(endorsed.upload(b"again", method="PUT", path="attachments/remote.a", remote_id="a"), 200)


def test_at_most_max_stored_bytes() -> None:
    with in_process_client(app_with(max_stored_bytes=10)) as http:
        endorsed = Endorsed(http)
        created(endorsed.upload(b"123456", remote_id="a"))
        message = (
            "The mock holds at most 10 bytes of attachments (endorsed.max_stored_bytes); reset it or raise the limit."
        )
        fails(endorsed.upload(b"12345", remote_id="b"), 409, envelope("CONFLICT", issue(message)))
        assert created(endorsed.upload(b"1234567890", method="PUT", path="attachments/remote.a", remote_id="a"), 200)
        assert created(endorsed.call("DELETE", "attachments/remote.a"), 200)
        assert created(endorsed.upload(b"1234567890", remote_id="b"))


def test_reset_forgets_attachments_and_their_bytes(endorsed: Endorsed, admin: AdminClient) -> None:
    url = endorsed.attachment(created(endorsed.upload()))["ephemeral_url"]
    admin.reset("endorsed")
    assert (store(endorsed).records.by_id, store(endorsed).stored_bytes) == ({}, 0)
    assert endorsed.http.get(url).status_code == 404
    fresh = Endorsed(endorsed.http)
    fails(fresh.call("GET", "attachments/remote.cv-1"), 404, NOT_FOUND)


def test_the_request_body_is_checked_before_anything_is_fetched(endorsed: Endorsed, files: ScriptedServer) -> None:
    files.route("/cv.pdf", answer(200, PDF))
    body = url_body(files.url("/cv.pdf"), candidate_id="5b8a5a9e-0000-4000-8000-000000000000")
    assert endorsed.call("POST", "attachments", json=body).status_code == 404
    created(endorsed.upload(remote_id="cv-url"))
    assert endorsed.call("POST", "attachments", json=url_body(files.url("/cv.pdf"))).status_code == 409
    assert files.requests == []


def test_a_download_client_reading_the_url_needs_no_token(endorsed: Endorsed) -> None:
    url = endorsed.attachment(created(endorsed.upload()))["ephemeral_url"]
    response = httpx.Client(transport=endorsed.http._transport).get(url)
    assert (response.status_code, response.content) == (200, PDF)
