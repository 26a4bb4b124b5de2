"""Attaching documents by URL, listing them, and downloading ``file_url``: exact statuses, bodies and bytes."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from fetch_support import ScriptedServer, answer
from wttj_support import API, JOB, PDF, SEEDED, Wttj, conforms, fails

from mockservers.testing import AdminClient, in_process_client
from mockservers.wttj.files import BUCKET
from mockservers.wttj.settings import WttjSettings

CREATED_AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0[12]:00")


def pdf_server(files: ScriptedServer, path: str = "/resume.pdf", data: bytes = PDF) -> str:
    files.route(path, answer(200, data, {"Content-Type": "application/pdf"}))
    return files.url(path)


def stored(app: Any, key: str) -> bytes | None:
    s3 = app.platform.s3
    return s3.get_bytes(BUCKET, key) if s3.head_object(BUCKET, key) is not None else None


def test_attach_answers_201_with_the_document_objects_in_order(wttj: Wttj, files: ScriptedServer) -> None:
    resume = pdf_server(files)
    files.route("/notes.txt", answer(200, b"hello world", {"Content-Type": "text/plain; charset=utf-8"}))
    notes = files.url("/notes.txt")
    response = wttj.attach(SEEDED, ("resume", resume), ("notes", notes))
    assert response.status_code == 201, response.text
    conforms(response)
    first, second = response.json()
    assert {k: v for k, v in first.items() if k not in ("file_url", "created_at")} == {
        "id": 20,
        "job_reference": JOB,
        "candidate_reference": SEEDED,
        "filename": "resume",
        "size": len(PDF),
        "content_type": "application/pdf",
    }
    assert (second["id"], second["filename"], second["size"], second["content_type"]) == (
        21,
        "notes",
        11,
        "text/plain",
    )
    assert CREATED_AT.fullmatch(first["created_at"])
    assert first["file_url"].startswith(f"http://testserver/s3/{BUCKET}/uploads/document/file/20/resume.pdf?")


def test_file_url_downloads_exactly_the_stored_bytes_with_their_type(wttj: Wttj, files: ScriptedServer) -> None:
    data = bytes(range(256)) * 300
    [document] = wttj.attach(SEEDED, ("cv", pdf_server(files, data=data))).json()
    download = wttj.download(document["file_url"])
    assert (download.status_code, download.content, download.headers["content-type"]) == (
        200,
        data,
        "application/pdf",
    )


def test_file_url_expires_after_600_seconds_of_mock_time(wttj: Wttj, files: ScriptedServer, admin: AdminClient) -> None:
    [document] = wttj.attach(SEEDED, ("cv", pdf_server(files))).json()
    admin.advance(599)
    assert wttj.download(document["file_url"]).status_code == 200
    admin.advance(1)
    expired = wttj.download(document["file_url"])
    assert expired.status_code == 403
    assert b"<Message>Request has expired</Message>" in expired.content
    # each listing signs afresh
    [listed] = wttj.documents(SEEDED).json()
    assert wttj.download(listed["file_url"]).content == PDF


def test_download_ttl_is_configurable(make_wttj: Any, files: ScriptedServer) -> None:
    with in_process_client(make_wttj(wttj=WttjSettings(download_ttl_seconds=30))) as http:
        [document] = Wttj(http).attach(SEEDED, ("cv", pdf_server(files))).json()
    assert "X-Amz-Expires=30&" in document["file_url"]


def test_the_stored_name_is_the_url_path_segment_made_safe(wttj: Wttj, files: ScriptedServer) -> None:
    files.route("/a/My%20CV%20(final).pdf", answer(200, PDF))
    files.route("/dir/", answer(200, PDF))
    quoted = files.url("/a/My%20CV%20(final).pdf?version=2")
    first, second = wttj.attach(SEEDED, ("cv", quoted), ("dir", files.url("/dir/"))).json()
    assert "/uploads/document/file/20/My_CV__final_.pdf?" in first["file_url"]
    assert "/uploads/document/file/21/file?" in second["file_url"]
    # no Content-Type: guessed from the extension, else application/octet-stream
    assert (first["content_type"], second["content_type"]) == ("application/pdf", "application/octet-stream")


def test_list_answers_the_documents_oldest_first_with_paging_headers(wttj: Wttj, files: ScriptedServer) -> None:
    url = pdf_server(files)
    for name in ("a", "b", "c"):
        assert wttj.attach(SEEDED, (name, url)).status_code == 201
    page = wttj.documents(SEEDED, per_page=2, page=2)
    assert page.status_code == 200
    conforms(page)
    assert [d["filename"] for d in page.json()] == ["c"]
    assert {k: v for k, v in page.headers.items() if k.startswith("x-") and k != "x-request-id"} == {
        "x-total": "3",
        "x-total-pages": "2",
        "x-per-page": "2",
        "x-page": "2",
        "x-prev-page": "1",
        "x-offset": "0",
    }
    assert [d["id"] for d in wttj.documents(SEEDED).json()] == [20, 21, 22]


def test_empty_paging_values_are_the_defaults(wttj: Wttj, files: ScriptedServer) -> None:
    """``?per_page=&page=&offset=`` is Grape's nil, so the defaults (100, 1, 0): not ``per_page is invalid``."""
    assert wttj.attach(SEEDED, ("a", pdf_server(files))).status_code == 201
    page = wttj.documents(SEEDED, per_page="", page="", offset="")
    assert page.request.url.query.endswith(b"&per_page=&page=&offset=")
    assert (page.status_code, [d["id"] for d in page.json()]) == (200, [20])
    conforms(page)
    assert {k: v for k, v in page.headers.items() if k.startswith("x-") and k != "x-request-id"} == {
        "x-total": "1",
        "x-total-pages": "1",
        "x-per-page": "100",
        "x-page": "1",
        "x-offset": "0",
    }


def test_a_candidate_without_documents_lists_none(wttj: Wttj) -> None:
    response = wttj.documents(SEEDED)
    assert (response.status_code, response.json(), response.headers["x-total"]) == (200, [], "0")
    assert "x-next-page" not in response.headers


def test_an_empty_list_of_urls_attaches_nothing(wttj: Wttj) -> None:
    response = wttj.attach(SEEDED)
    assert (response.status_code, response.json()) == (201, [])


def test_one_failing_url_attaches_nothing_and_stores_nothing(app: Any, wttj: Wttj, files: ScriptedServer) -> None:
    good = pdf_server(files)
    missing = files.url("/missing.pdf")
    response = wttj.attach(SEEDED, ("resume", good), ("portfolio", missing))
    fails(
        response,
        400,
        "validation_failed",
        f"remote_file_urls[1][url] {missing} could not be downloaded: the server answered 404",
    )
    assert wttj.documents(SEEDED).json() == []
    assert stored(app, "uploads/document/file/20/resume.pdf") is None
    assert app.platform.vendors["wttj"].app.state.vendor.files.stored_bytes == 0
    # the failed request burnt ids 20 and 21, as a database sequence would
    assert [d["id"] for d in wttj.attach(SEEDED, ("resume", good)).json()] == [22]


def test_the_documents_cap_is_configurable(make_wttj: Any, files: ScriptedServer) -> None:
    url = pdf_server(files)
    with in_process_client(make_wttj(wttj=WttjSettings(max_document_size=len(PDF) - 1))) as http:
        response = Wttj(http).attach(SEEDED, ("cv", url))
    fails(
        response,
        400,
        "validation_failed",
        f"remote_file_urls[0][url] {url} could not be downloaded: larger than {len(PDF) - 1} bytes",
    )


def test_a_candidate_holds_at_most_max_documents(make_wttj: Any, files: ScriptedServer) -> None:
    url = pdf_server(files)
    with in_process_client(make_wttj(wttj=WttjSettings(max_documents_per_candidate=2))) as http:
        wttj = Wttj(http)
        assert wttj.attach(SEEDED, ("a", url)).status_code == 201
        response = wttj.attach(SEEDED, ("b", url), ("c", url))
        fails(
            response,
            400,
            "validation_failed",
            "atsmock keeps at most 2 documents per candidate ([wttj] max_documents_per_candidate); "
            "this candidate has 1",
        )
        assert wttj.attach(SEEDED, ("b", url)).status_code == 201


def test_the_mock_keeps_at_most_max_stored_bytes(make_wttj: Any, files: ScriptedServer) -> None:
    url = pdf_server(files)
    with in_process_client(make_wttj(wttj=WttjSettings(max_stored_bytes=len(PDF) * 2))) as http:
        wttj = Wttj(http)
        assert wttj.attach(SEEDED, ("a", url), ("b", url)).status_code == 201
        response = wttj.attach(SEEDED, ("c", url))
        fails(
            response,
            400,
            "validation_failed",
            f"remote_file_urls[0][url] {url}: atsmock keeps at most {len(PDF) * 2} bytes of files "
            "([wttj] max_stored_bytes); reset the mock (POST /__admin/reset?vendor=wttj)",
        )
        AdminClient(http).reset("wttj")
        assert wttj.attach(SEEDED, ("c", url)).status_code == 201


def test_an_unknown_candidate_is_404_before_any_download(
    wttj: Wttj, files: ScriptedServer, connections: list[Any]
) -> None:
    unknown = "wttj-000000000000000000000000"
    fails(wttj.attach(unknown, ("cv", pdf_server(files))), 404, "not_found", "Candidate not found")
    fails(wttj.documents(unknown), 404, "not_found", "Candidate not found")
    assert connections == []


def test_attach_needs_its_parameters(wttj: Wttj) -> None:
    fails(
        wttj.post("/documents", {}),
        400,
        "validation_failed",
        "candidate_reference is missing, remote_file_urls is missing",
    )
    fails(
        wttj.post("/documents", {"candidate_reference": SEEDED, "remote_file_urls": "http://files.test/cv.pdf"}),
        400,
        "validation_failed",
        "remote_file_urls is invalid",
    )
    body = {"candidate_reference": SEEDED, "remote_file_urls": [{"url": "http://files.test/cv.pdf"}, "x", {}]}
    fails(
        wttj.post("/documents", body),
        400,
        "validation_failed",
        "remote_file_urls[0][filename] is missing, remote_file_urls[1] is invalid, "
        "remote_file_urls[2][filename] is missing, remote_file_urls[2][url] is missing",
    )
    long = {"candidate_reference": SEEDED, "remote_file_urls": [{"filename": "x" * 256, "url": "http://files.test/"}]}
    fails(
        wttj.post("/documents", long),
        400,
        "validation_failed",
        "remote_file_urls[0][filename] is too long (maximum is 255 characters)",
    )
    fails(wttj.get("/documents"), 400, "validation_failed", "candidate_reference is missing")


def test_the_old_docs_file_key_is_not_the_url(wttj: Wttj) -> None:
    """The Slate docs sent ``{"filename", "file"}``; the current docs send ``url``, which is required."""
    body = {"candidate_reference": SEEDED, "remote_file_urls": [{"filename": "cv", "file": "http://files.test/cv"}]}
    fails(wttj.post("/documents", body), 400, "validation_failed", "remote_file_urls[0][url] is missing")


def test_documents_are_reset_with_the_vendor(wttj: Wttj, files: ScriptedServer, admin: AdminClient) -> None:
    [document] = wttj.attach(SEEDED, ("cv", pdf_server(files))).json()
    admin.reset("wttj")
    assert wttj.documents(SEEDED).json() == []
    assert wttj.download(document["file_url"]).status_code == 404
    assert [d["id"] for d in wttj.attach(SEEDED, ("cv", pdf_server(files))).json()] == [20]


def test_attach_also_reads_a_form_and_the_query_string(client: httpx.Client, files: ScriptedServer) -> None:
    """Grape merges the query string and the body; the docs call every field a "Query Parameter"."""
    url = pdf_server(files)
    response = client.post(
        "/wttj/api/v1/external/documents",
        params={"candidate_reference": SEEDED, "access_token": "atsmock-wttj"},
        json={"remote_file_urls": [{"filename": "cv", "url": url}]},
    )
    assert (response.status_code, response.json()[0]["candidate_reference"]) == (201, SEEDED)


# -- forms and query strings as Rack reads them (Grape's params are Rack's nested ones) ---------------------

AUTH = {"Authorization": "Bearer atsmock-wttj"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def test_a_urlencoded_form_builds_remote_file_urls_with_racks_nesting(
    client: httpx.Client, files: ScriptedServer
) -> None:
    """``remote_file_urls[][filename]=...&remote_file_urls[][url]=...`` is Rack's array of hashes."""
    url = pdf_server(files)
    body = f"candidate_reference={SEEDED}&remote_file_urls[][filename]=cv&remote_file_urls[][url]={url}"
    body += f"&remote_file_urls[][filename]=again&remote_file_urls[][url]={url}"
    response = client.post(f"{API}/documents", content=body.encode(), headers={**AUTH, **FORM})
    assert response.status_code == 201, response.text
    assert [d["filename"] for d in response.json()] == ["cv", "again"]


def test_a_multipart_form_nests_its_part_names_as_rack_does(client: httpx.Client, files: ScriptedServer) -> None:
    url = pdf_server(files)
    parts = {"candidate_reference": SEEDED, "remote_file_urls[][filename]": "cv", "remote_file_urls[][url]": url}
    response = client.post(f"{API}/documents", files={k: (None, v) for k, v in parts.items()}, headers=AUTH)
    assert (response.status_code, [d["filename"] for d in response.json()]) == (201, ["cv"])


@pytest.mark.parametrize(
    ("body", "description"),
    [
        # Rack makes a hash of an indexed name; Grape's Array coercion refuses a hash
        (f"candidate_reference={SEEDED}&remote_file_urls[0][filename]=cv&remote_file_urls[0][url]=u",
         "remote_file_urls is invalid"),
        (f"candidate_reference[x]={SEEDED}&remote_file_urls=", "candidate_reference is invalid"),
        (f"candidate_reference={SEEDED}&remote_file_urls=x&remote_file_urls[]=y",
         "expected Array (got String) for param `remote_file_urls'"),
        (f"candidate_reference={SEEDED}&remote_file_urls[]=y&remote_file_urls[a]=y",
         "expected Hash (got Array) for param `remote_file_urls'"),
        (f"candidate_reference={SEEDED}&remote_file_urls=%GG", "invalid %-encoding (%GG)"),
        (f"candidate_reference={SEEDED}&remote_file_urls=100%", "invalid %-encoding (100%)"),
    ],
)  # fmt: skip
def test_what_rack_or_grape_refuses_in_a_form_is_a_400_in_their_words(
    client: httpx.Client, body: str, description: str
) -> None:
    response = client.post(f"{API}/documents", content=body.encode(), headers={**AUTH, **FORM})
    fails(response, 400, "validation_failed", description)


def test_an_empty_remote_file_urls_field_is_dry_types_empty_array(client: httpx.Client) -> None:
    body = f"candidate_reference={SEEDED}&remote_file_urls="
    response = client.post(f"{API}/documents", content=body.encode(), headers={**AUTH, **FORM})
    assert (response.status_code, response.json()) == (201, [])


def test_nested_names_in_the_query_string_nest_as_racks(client: httpx.Client) -> None:
    """``candidate[reference]`` is a hash named ``candidate``: the declared ``candidate_reference`` is missing."""
    response = client.get(f"{API}/documents?candidate[reference]={SEEDED}", headers=AUTH)
    fails(response, 400, "validation_failed", "candidate_reference is missing")
    response = client.get(f"{API}/documents?candidate_reference[]={SEEDED}", headers=AUTH)
    fails(response, 400, "validation_failed", "candidate_reference is invalid")


def test_a_query_rack_cannot_decode_is_a_400_before_authentication(client: httpx.Client) -> None:
    response = client.get(f"{API}/documents?candidate_reference=%G1")
    fails(response, 400, "validation_failed", "invalid %-encoding (%G1)")


def test_bytes_that_are_not_utf8_after_decoding_reach_the_endpoint_as_rack_passes_them(client: httpx.Client) -> None:
    """Rack does not check the encoding and Grape's validators scrub (grape #2524): ``%FF`` is a value, no 400;
    here a candidate reference that names no candidate."""
    response = client.get(f"{API}/documents?candidate_reference=%FF", headers=AUTH)
    fails(response, 404, "not_found", "Candidate not found")
