"""Over HTTP: upload handles, the S3 POST they presign, candidates, attaching files, file.info."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, unquote

import httpx
import pytest
from ashby_support import PDF, Ashby, envelope

from mockservers.ashby.settings import AshbySettings
from mockservers.config import Settings
from mockservers.testing import in_process_client, make_app

MISSING = "f9e52a51-a075-4116-a7b8-484deba69004"


@pytest.fixture
def ashby(client: httpx.Client) -> Ashby:
    return Ashby(client)


@pytest.fixture
def small() -> Iterator[Ashby]:
    """An app whose uploads stop at 1000 bytes."""
    settings = Settings().replace(ashby=AshbySettings(max_content_length=1000))
    with in_process_client(make_app(settings)) as http:
        yield Ashby(http)


# -- file.createFileUploadHandle and the S3 POST ---------------------------------------------------------


def test_handle_results(ashby: Ashby) -> None:
    results = ashby.handle("CandidateFiles")
    assert set(results) == {"handle", "url", "fields"}
    assert results["url"] == "http://testserver/s3/ashby-file-uploads"
    fields = results["fields"]
    assert fields["Content-Type"] == "application/pdf"
    context, upload_id, name = fields["key"].split("/")
    assert (context, len(upload_id), name) == ("CandidateFiles", 36, "cv.pdf")
    assert all(isinstance(v, str) for v in fields.values())


def test_upload_with_every_field_and_the_file_last(ashby: Ashby) -> None:
    target = ashby.handle()
    assert ashby.upload(target).status_code == 204


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("fileUploadContext", "fileUploadContext: is required"),
        ("filename", "filename: is required"),
        ("contentType", "contentType: is required"),
        ("contentLength", "contentLength: is required"),
    ],
)
def test_handle_fields_are_required(ashby: Ashby, missing: str, message: str) -> None:
    body = {"fileUploadContext": "CandidateResume", "filename": "a.pdf", "contentType": "application/pdf"}
    body["contentLength"] = 10  # type: ignore[assignment]
    del body[missing]
    ashby.fails("file.createFileUploadHandle", body, "invalid_input", message)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"fileUploadContext": "Resume"},
            "fileUploadContext: must be one of CandidateResume, CandidateFiles, ApplicationForm",
        ),
        ({"fileUploadContext": 1}, "fileUploadContext: must be a string"),
        ({"contentLength": 0}, "contentLength: must be between 1 and 104857600 bytes"),
        ({"contentLength": 104857601}, "contentLength: must be between 1 and 104857600 bytes"),
        ({"contentLength": 10**400}, "contentLength: must be between 1 and 104857600 bytes"),
        ({"contentLength": "10"}, "contentLength: must be an integer"),
        ({"contentLength": 1.5}, "contentLength: must be an integer"),
        ({"contentLength": True}, "contentLength: must be an integer"),
        ({"contentType": "pdf"}, "contentType: must be a MIME type such as application/pdf"),
        ({"contentType": "text/plain\r\nX-Evil: 1"}, "contentType: must be a MIME type such as application/pdf"),
        ({"filename": ""}, "filename: must not be empty"),
        ({"filename": "x" * 1025}, "filename: must be at most 1024 characters"),
    ],
)
def test_handle_input_rules(ashby: Ashby, change: dict[str, Any], message: str) -> None:
    body = {
        "fileUploadContext": "CandidateResume",
        "filename": "a.pdf",
        "contentType": "application/pdf",
        "contentLength": 10,
    }
    ashby.fails("file.createFileUploadHandle", {**body, **change}, "invalid_input", message)


def test_content_length_limit_is_configurable(small: Ashby) -> None:
    assert small.handle(data=b"x" * 1000)["handle"]
    body = {"fileUploadContext": "CandidateResume", "filename": "a.pdf", "contentType": "application/pdf"}
    small.fails(
        "file.createFileUploadHandle",
        {**body, "contentLength": 1001},
        "invalid_input",
        "contentLength: must be between 1 and 1000 bytes",
    )


def s3_error(response: httpx.Response) -> tuple[int, str, str]:
    root = ET.fromstring(response.content)
    return response.status_code, str(root.findtext("Code")), str(root.findtext("Message"))


def test_policy_pins_the_exact_length(ashby: Ashby) -> None:
    target = ashby.handle(data=PDF)
    assert s3_error(ashby.upload(target, PDF + b"x"))[:2] == (400, "EntityTooLarge")
    assert s3_error(ashby.upload(target, PDF[:-1]))[:2] == (400, "EntityTooSmall")


def test_policy_pins_the_content_type(ashby: Ashby) -> None:
    target = ashby.handle()
    fields = {**target["fields"], "Content-Type": "text/html"}
    response = ashby.upload({**target, "fields": fields}, PDF)
    assert s3_error(response)[:2] == (403, "AccessDenied")


def test_policy_expires_after_ten_minutes_of_mock_time(ashby: Ashby, app: Any) -> None:
    target = ashby.handle()
    app.platform.clock.advance(601)
    assert s3_error(ashby.upload(target)) == (403, "AccessDenied", "Invalid according to Policy: Policy expired.")


def test_policy_still_valid_just_before_ten_minutes(ashby: Ashby, app: Any) -> None:
    target = ashby.handle()
    app.platform.clock.advance(590)
    assert ashby.upload(target).status_code == 204


# -- candidates ------------------------------------------------------------------------------------


def test_create_info_and_list(ashby: Ashby) -> None:
    created = ashby.candidate(
        "Adam Hart",
        email="test@ashbyhq.com",
        phoneNumber="555-555-5555",
        linkedInUrl="https://linkedin.com/in/user",
        githubUrl="https://github.com/user",
        website="https://twitter.com/user",
        location={"city": "San Francisco", "region": "California", "country": "United States"},
        createdAt="2022-08-12T20:29:56.964Z",
    )
    assert created["createdAt"] == "2022-08-12T20:29:56.964Z"
    assert created["socialLinks"] == [
        {"type": "LinkedIn", "url": "https://linkedin.com/in/user"},
        {"type": "GitHub", "url": "https://github.com/user"},
        {"type": "Website", "url": "https://twitter.com/user"},
    ]
    assert created["location"]["locationSummary"] == "United States, California, San Francisco"
    assert ashby.ok("candidate.info", {"id": created["id"]}) == created
    assert ashby.ok("candidate.info", {"id": created["id"].upper()}) == created
    assert ashby.ok("candidate.list", {}) == [created]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "name: is required"),
        ({"name": 5}, "name: must be a string"),
        ({"name": " "}, "name: must not be empty"),
        ({"name": "A", "email": "nope"}, "email: must be a valid email address"),
        (
            {"name": "A", "alternateEmailAddresses": ["a@b.co", "x"]},
            "alternateEmailAddresses[1]: must be a valid email address",
        ),
        ({"name": "A", "alternateEmailAddresses": "a@b.co"}, "alternateEmailAddresses: must be an array of strings"),
        ({"name": "A", "linkedInUrl": "linkedin.com/in/a"}, "linkedInUrl: must be a valid URL"),
        ({"name": "A", "website": "javascript:alert(1)"}, "website: must be a valid URL"),
        ({"name": "A", "sourceId": "x"}, "sourceId: must be a UUID"),
        ({"name": "A", "location": "Paris"}, "location: must be an object with city, region and country"),
        ({"name": "A", "location": {"city": 1}}, "location.city: must be a string"),
        ({"name": "A", "createdAt": "yesterday"}, "createdAt: must be an ISO-8601 date-time"),
        (
            {"name": "A", "createdAt": "0001-01-01T00:00:00+01:00"},
            "createdAt: must be between 1970-01-01 and 9999-12-31",
        ),
    ],
)
def test_create_rules(ashby: Ashby, body: dict[str, Any], message: str) -> None:
    ashby.fails("candidate.create", body, "invalid_input", message)


def test_info_rules(ashby: Ashby) -> None:
    ashby.fails("candidate.info", {"id": MISSING}, "candidate_not_found", f"No candidate found with id {MISSING}")
    ashby.fails("candidate.info", {"id": "42"}, "invalid_input", "id: must be a UUID")
    ashby.fails("candidate.info", {}, "invalid_input", "id: is required")
    ashby.fails(
        "candidate.info",
        {"externalMappingId": "bamboo-1"},
        "candidate_not_found",
        "No candidate found with externalMappingId bamboo-1",
    )


def test_list_pages_through_cursors(ashby: Ashby) -> None:
    ids = [ashby.candidate(f"c{i}")["id"] for i in range(3)]
    first = ashby.post("candidate.list", {"limit": 2}).json()
    assert [c["id"] for c in first["results"]] == ids[:2]
    assert (first["moreDataAvailable"], "syncToken" in first) == (True, False)
    second = ashby.post("candidate.list", {"limit": 2, "cursor": first["nextCursor"]}).json()
    assert [c["id"] for c in second["results"]] == ids[2:]
    assert (second["moreDataAvailable"], "nextCursor" in second) == (False, False)
    again = ashby.post("candidate.list", {"limit": 2, "cursor": first["nextCursor"]}).json()
    assert again["results"] == second["results"]
    ashby.fails("candidate.list", {"cursor": "garbage"}, "invalid_input", "cursor: is not a cursor this API returned")
    ashby.fails("candidate.list", {"limit": 0}, "invalid_input", "limit: must be a positive integer")
    ashby.fails("candidate.list", {"limit": "2"}, "invalid_input", "limit: must be an integer")


def test_list_edge_numbers_get_the_envelope(ashby: Ashby) -> None:
    """Numbers too big for a float (JSON allows any length) are answered, never a 500."""
    created = ashby.candidate()
    assert ashby.ok("candidate.list", {"limit": 10**400}) == [created]
    token = base64.urlsafe_b64encode(b'{"k":"s","since":1' + b"0" * 400 + b"}").decode()
    message = "syncToken: is not a sync token this API returned"
    ashby.fails("candidate.list", {"syncToken": token}, "invalid_input", message)


DEEP_TOKEN = base64.urlsafe_b64encode(b'{"k":"c","after":' + b"[" * 10_000 + b"]" * 10_000 + b"}").decode()
"""A token nested 10,000 deep: ``json.loads`` raises RecursionError on it (a 500 before)."""


def test_tokens_nested_too_deeply_are_foreign_tokens(ashby: Ashby) -> None:
    ashby.fails("candidate.list", {"cursor": DEEP_TOKEN}, "invalid_input", "cursor: is not a cursor this API returned")
    message = "syncToken: is not a sync token this API returned"
    ashby.fails("candidate.list", {"syncToken": DEEP_TOKEN}, "invalid_input", message)
    message = "fileHandle: no file matches this handle"
    ashby.fails("file.info", {"fileHandle": DEEP_TOKEN}, "file_handle_not_found", message)
    ashby.candidate()  # and nothing was poisoned: the list still answers
    assert len(ashby.ok("candidate.list", {})) == 1


# -- attaching files -------------------------------------------------------------------------------


def test_upload_resume_with_a_handle(ashby: Ashby) -> None:
    candidate = ashby.candidate()
    handle = ashby.uploaded("CandidateResume")
    updated = ashby.ok("candidate.uploadResume", {"candidateId": candidate["id"], "resumeHandle": handle})
    resume = updated["resumeFileHandle"]
    assert resume["name"] == "cv.pdf"
    assert updated["fileHandles"] == [resume]
    assert updated["id"] == candidate["id"]
    assert ashby.ok("candidate.info", {"id": candidate["id"]}) == updated


def test_upload_resume_replaces_the_primary_resume(ashby: Ashby) -> None:
    candidate = ashby.candidate()
    first = ashby.ok("candidate.uploadResume", {"candidateId": candidate["id"], "resumeHandle": ashby.uploaded()})
    handle = ashby.uploaded(filename="v2.pdf")
    second = ashby.ok("candidate.uploadResume", {"candidateId": candidate["id"], "resumeHandle": handle})
    assert second["resumeFileHandle"]["name"] == "v2.pdf"
    assert second["resumeFileHandle"] != first["resumeFileHandle"]
    assert [f["name"] for f in second["fileHandles"]] == ["cv.pdf", "v2.pdf"]


def test_upload_file_with_a_handle(ashby: Ashby) -> None:
    candidate = ashby.candidate()
    handle = ashby.uploaded("CandidateFiles", filename="notes.txt", contentType="text/plain", data=b"hi")
    updated = ashby.ok("candidate.uploadFile", {"candidateId": candidate["id"], "fileHandle": handle})
    assert [f["name"] for f in updated["fileHandles"]] == ["notes.txt"]
    assert "resumeFileHandle" not in updated
    url = ashby.ok("file.info", {"fileHandle": updated["fileHandles"][0]["handle"]})["url"]
    download = ashby.http.get(url)
    assert (download.status_code, download.content, download.headers["content-type"]) == (200, b"hi", "text/plain")


def test_handle_that_was_never_uploaded(ashby: Ashby, app: Any) -> None:
    candidate = ashby.candidate()
    handle = ashby.handle()["handle"]
    body = {"candidateId": candidate["id"], "resumeHandle": handle}
    ashby.fails(
        "candidate.uploadResume",
        body,
        "invalid_input",
        "resumeHandle: no file has been uploaded to this handle's URL yet",
    )
    app.platform.clock.advance(601)
    ashby.fails(
        "candidate.uploadResume",
        body,
        "invalid_input",
        "resumeHandle: the upload URL of this handle expired before a file was uploaded to it",
    )


def test_handle_made_for_another_context(ashby: Ashby) -> None:
    candidate = ashby.candidate()
    handle = ashby.uploaded("CandidateResume")
    ashby.fails(
        "candidate.uploadFile",
        {"candidateId": candidate["id"], "fileHandle": handle},
        "invalid_input",
        "fileHandle: the handle was created for fileUploadContext CandidateResume, not CandidateFiles",
    )


def test_handle_lifetime_and_unknown_handles(ashby: Ashby, app: Any) -> None:
    candidate = ashby.candidate()
    handle = ashby.uploaded()
    body = {"candidateId": candidate["id"], "resumeHandle": handle}
    message = "resumeHandle: no file upload handle matches this value"
    ashby.fails("candidate.uploadResume", {**body, "resumeHandle": "nope"}, "file_handle_not_found", message)
    app.platform.clock.advance(24 * 3600)
    ashby.fails("candidate.uploadResume", body, "file_handle_not_found", message)


def test_attach_rules(ashby: Ashby) -> None:
    handle = ashby.uploaded()
    ashby.fails(
        "candidate.uploadResume",
        {"candidateId": MISSING, "resumeHandle": handle},
        "candidate_not_found",
        f"No candidate found with id {MISSING}",
    )
    ashby.fails("candidate.uploadResume", {"resumeHandle": handle}, "invalid_input", "candidateId: is required")
    ashby.fails("candidate.uploadResume", {"candidateId": MISSING}, "invalid_input", "resumeHandle: is required")


def test_deprecated_multipart_upload_resume(ashby: Ashby) -> None:
    candidate = ashby.candidate()
    response = ashby.post(
        "candidate.uploadResume",
        data={"candidateId": candidate["id"]},
        files={"resume": ("Lebenslauf.pdf", PDF, "application/pdf")},
    )
    updated = response.json()["results"]
    assert updated["resumeFileHandle"]["name"] == "Lebenslauf.pdf"
    url = ashby.ok("file.info", {"fileHandle": updated["resumeFileHandle"]["handle"]})["url"]
    assert ashby.http.get(url).content == PDF


@pytest.mark.parametrize(
    ("disposition", "name"),
    [
        ('filename="文件.pdf"'.encode(), "文件.pdf"),
        ('filename="cv🚀.pdf"'.encode(), "cv🚀.pdf"),
        (b"filename*=UTF-8''%E6%96%87%E4%BB%B6.pdf", "文件.pdf"),
        (b"filename*=UTF-8''a%22b%3B%0D%0A.pdf", 'a"b;\r\n.pdf'),  # quotes, a semicolon and CR LF: kept, escaped
    ],
)
def test_deprecated_multipart_keeps_any_utf8_file_name_and_downloads_it_safely(
    ashby: Ashby, disposition: bytes, name: str
) -> None:
    candidate = ashby.candidate()
    boundary = "atsmock-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="candidateId"\r\n\r\n{candidate["id"]}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="resume"; '
    ).encode()
    body += disposition + b"\r\nContent-Type: application/pdf\r\n\r\n" + PDF + f"\r\n--{boundary}--\r\n".encode()
    response = ashby.post(
        "candidate.uploadResume", content=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    resume = response.json()["results"]["resumeFileHandle"]
    assert (response.status_code, resume["name"]) == (200, name)
    download = ashby.http.get(ashby.ok("file.info", {"fileHandle": resume["handle"]})["url"])
    assert download.content == PDF
    header = download.headers["content-disposition"]
    assert header.isascii() and "\r" not in header and "\n" not in header
    assert header.endswith("filename*=UTF-8''" + quote(name, safe=""))


def test_deprecated_multipart_upload_file(ashby: Ashby) -> None:
    candidate = ashby.candidate()
    response = ashby.post(
        "candidate.uploadFile", data={"candidateId": candidate["id"]}, files={"file": ("a.bin", b"\x00\x01", "bogus")}
    )
    (stored,) = response.json()["results"]["fileHandles"]
    url = ashby.ok("file.info", {"fileHandle": stored["handle"]})["url"]
    download = ashby.http.get(url)
    assert (download.content, download.headers["content-type"]) == (b"\x00\x01", "application/octet-stream")


@pytest.mark.parametrize(
    ("data", "files", "message"),
    [
        (
            {"candidateId": "<id>"},
            {"other": ("a.pdf", PDF)},
            "resume: is required: send the file as a multipart part with this name",
        ),
        (
            {"candidateId": "<id>", "resume": "text"},
            {"other": ("a.pdf", PDF)},
            "resume: must be a file part (with a filename), not a text field",
        ),
        ({}, {"resume": ("a.pdf", PDF)}, "candidateId: is required"),
        ({"candidateId": "x"}, {"resume": ("a.pdf", PDF)}, "candidateId: must be a UUID"),
    ],
)
def test_deprecated_multipart_rules(ashby: Ashby, data: dict[str, str], files: dict[str, Any], message: str) -> None:
    candidate_id = ashby.candidate()["id"]
    data = {k: (candidate_id if v == "<id>" else v) for k, v in data.items()}
    ashby.fails("candidate.uploadResume", None, "invalid_input", message, data=data, files=files)


def test_deprecated_multipart_for_unknown_candidate(ashby: Ashby) -> None:
    ashby.fails(
        "candidate.uploadResume",
        None,
        "candidate_not_found",
        f"No candidate found with id {MISSING}",
        data={"candidateId": MISSING},
        files={"resume": ("a.pdf", PDF)},
    )


def test_deprecated_multipart_limits(small: Ashby) -> None:
    candidate = small.candidate()
    small.fails(
        "candidate.uploadResume",
        None,
        "invalid_input",
        "resume: the file exceeds 1000 bytes",
        data={"candidateId": candidate["id"]},
        files={"resume": ("a.pdf", b"x" * 1001)},
    )
    small.fails(
        "candidate.uploadResume",
        None,
        "invalid_input",
        "resume: the file is empty",
        data={"candidateId": candidate["id"]},
        files={"resume": ("a.pdf", b"")},
    )


def test_huge_multipart_body_gets_the_envelope(small: Ashby) -> None:
    candidate = small.candidate()
    limit = 1000 + 1024 * 1024
    small.fails(
        "candidate.uploadResume",
        None,
        "invalid_input",
        f"Request payload is too large: the limit is {limit} bytes",
        data={"candidateId": candidate["id"]},
        files={"resume": ("a.pdf", b"x" * (limit + 1))},
    )


def test_malformed_multipart_gets_the_envelope(ashby: Ashby) -> None:
    response = ashby.post(
        "candidate.uploadResume", None, content=b"--x\r\nnot a part", headers={"Content-Type": "multipart/form-data"}
    )
    message = "Request payload is malformed: Missing boundary in multipart."
    assert (response.status_code, response.json()) == (200, envelope(response, "invalid_input", message))


ODD_NAMES = ["résumé final.pdf", 'my "cv".pdf', "line\nbreak.pdf", "../../etc/passwd", "履歴書.pdf", "a;b=c.pdf"]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_filenames_through_a_handle(ashby: Ashby, name: str) -> None:
    candidate = ashby.candidate()
    target = ashby.handle(filename=name)
    assert ".." not in target["fields"]["key"] and "\n" not in target["fields"]["key"]
    assert ashby.upload(target).status_code == 204
    updated = ashby.ok("candidate.uploadResume", {"candidateId": candidate["id"], "resumeHandle": target["handle"]})
    assert updated["resumeFileHandle"]["name"] == name
    download = ashby.http.get(ashby.ok("file.info", {"fileHandle": updated["resumeFileHandle"]["handle"]})["url"])
    assert download.content == PDF
    disposition = download.headers["content-disposition"]
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == name


@pytest.mark.parametrize("name", ODD_NAMES)
def test_odd_filenames_through_multipart(ashby: Ashby, name: str) -> None:
    candidate = ashby.candidate()
    response = ashby.post(
        "candidate.uploadFile", data={"candidateId": candidate["id"]}, files={"file": (name, PDF, "application/pdf")}
    )
    assert response.status_code == 200
    (stored,) = response.json()["results"]["fileHandles"]
    assert ashby.http.get(ashby.ok("file.info", {"fileHandle": stored["handle"]})["url"]).content == PDF


# -- file.info -------------------------------------------------------------------------------------


def test_file_info_url_is_short_lived(ashby: Ashby, app: Any) -> None:
    candidate = ashby.candidate()
    updated = ashby.ok("candidate.uploadResume", {"candidateId": candidate["id"], "resumeHandle": ashby.uploaded()})
    url = ashby.ok("file.info", {"fileHandle": updated["resumeFileHandle"]["handle"]})["url"]
    assert ashby.http.get(url).content == PDF
    app.platform.clock.advance(301)
    assert s3_error(ashby.http.get(url))[:2] == (403, "AccessDenied")


def test_file_info_rules(ashby: Ashby) -> None:
    message = "fileHandle: no file matches this handle"
    ashby.fails("file.info", {"fileHandle": "eyJub3QiOiJvdXJzIn0"}, "file_handle_not_found", message)
    ashby.fails("file.info", {"fileHandle": ashby.uploaded()}, "file_handle_not_found", message)
    ashby.fails("file.info", {}, "invalid_input", "fileHandle: is required")
