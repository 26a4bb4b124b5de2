"""PageUp over HTTP: prepareTempDirectUpload, the PUT to storage, moveFromTemp and the download."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pageup_support import (
    INVALID,
    NOT_FOUND,
    OTHER_TENANT,
    PageUp,
    invalid_body,
)

from mockservers.config import Settings
from mockservers.pageup.models import STORE_BUCKET, TEMP_BUCKET, content_disposition
from mockservers.pageup.settings import PageUpSettings
from mockservers.testing import AdminClient, in_process_client, make_app

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
SEED_HEADERS = {
    "Content-Disposition": "attachment;filename=\"test.txt\"; filename*=utf-8''test.txt",
    "x-amz-server-side-encryption": "AES256",
    "x-amz-acl": "bucket-owner-full-control",
}
BOTH = "Both documentCategoryName and documentCategoryId were provided; one and only one of them is required."
NEITHER = "Neither documentCategoryName nor documentCategoryId were provided; one and only one of them is required."


@pytest.fixture
def pageup(client: httpx.Client) -> PageUp:
    return PageUp(client)


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def body(physical_file: str, **fields: Any) -> dict[str, Any]:
    return {"title": "Test Document", "fileName": "test.txt", "physicalFile": physical_file, **fields}


def assert_invalid(response: httpx.Response, *fields: tuple[str, str]) -> None:
    assert (response.status_code, response.json()) == (400, invalid_body(*fields))
    assert response.headers["content-type"] == "application/json"


def not_in_temp(physical_file: str) -> str:
    return (
        f"'{physical_file}' is not a file in temporary storage; "
        "use the physicalFile of a prepareTempDirectUpload response."
    )


# -- prepareTempDirectUpload -------------------------------------------------------------------------


def test_prepare_answers_the_seeds_response(pageup: PageUp) -> None:
    response = pageup.prepare("test.txt")
    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")
    prepared = response.json()
    assert list(prepared) == ["url", "contentType", "physicalFile", "headers", "method", "fallbackUrl"]
    assert prepared["contentType"] == "text/plain"
    assert re.fullmatch(UUID + r"\.txt", prepared["physicalFile"])
    assert prepared["headers"] == SEED_HEADERS
    assert (prepared["method"], prepared["fallbackUrl"]) == ("PUT", None)
    url = urlsplit(prepared["url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == (
        f"http://testserver/s3/pageup-storage-temp-au/218/Document/{prepared['physicalFile']}"
    )
    q = query(prepared["url"])
    assert q["X-Amz-Expires"] == "1800"
    assert q["X-Amz-SignedHeaders"] == "content-type;host;x-amz-acl;x-amz-server-side-encryption"
    assert q["response-content-disposition"] == SEED_HEADERS["Content-Disposition"]


@pytest.mark.parametrize("name", ["filename", "fileName", "FILENAME"])
def test_filename_parameter_name_is_case_insensitive(pageup: PageUp, name: str) -> None:
    response = pageup.http.get(
        f"{pageup.documents}/prepareTempDirectUpload", params={name: "cv.pdf"}, headers=pageup.auth()
    )
    assert (response.status_code, response.json()["contentType"]) == (200, "application/pdf")


def test_explicit_content_type(pageup: PageUp) -> None:
    prepared = pageup.prepare("notes", contentType="application/pdf").json()
    assert prepared["contentType"] == "application/pdf"
    assert re.fullmatch(UUID, prepared["physicalFile"])


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({}, "filename", "The filename field is required."),
        ({"filename": ""}, "filename", "The filename field is required."),
        ({"filename": "   "}, "filename", "The filename field is required."),
        ({"filename": "x" * 256}, "filename", "The field filename must be a string with a maximum length of 255."),
        ({"filename": "a.txt", "contentType": "text"}, "contentType", "'text' is not a valid content type."),
    ],
)
def test_prepare_refusals(pageup: PageUp, params: dict[str, str], field: str, message: str) -> None:
    response = pageup.http.get(f"{pageup.documents}/prepareTempDirectUpload", params=params, headers=pageup.auth())
    assert_invalid(response, (field, message))


ODD_NAMES = [
    "résumé final.pdf",
    'my "best" cv.docx',
    "new\r\nline.txt",
    "../../etc/passwd",
    "履歴書.pdf",
    "a;b=c,d.txt",
]


@pytest.mark.parametrize("filename", ODD_NAMES)
def test_odd_filenames_round_trip(pageup: PageUp, filename: str) -> None:
    prepared = pageup.uploaded(b"odd", filename)
    assert prepared["headers"]["Content-Disposition"] == content_disposition(filename)
    doc = pageup.document(b"odd", filename)
    download = pageup.http.get(pageup.get(doc["id"]).json()["url"])
    assert (download.status_code, download.content) == (200, b"odd")
    assert download.headers["content-disposition"] == content_disposition(filename)
    assert doc["fileName"] == filename


# -- the PUT to storage ------------------------------------------------------------------------------


def test_put_lands_in_the_temp_bucket(app: Any, pageup: PageUp) -> None:
    prepared = pageup.uploaded(b"hello pageup")
    info = app.platform.s3.head_object(TEMP_BUCKET, f"218/Document/{prepared['physicalFile']}")
    assert (info.size, info.content_type) == (12, "text/plain")


def test_upload_url_is_sigv4_for_the_configured_region(pageup: PageUp) -> None:
    q = query(pageup.prepare().json()["url"])
    assert q["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert re.fullmatch(r"[A-Z0-9]+/\d{8}/ap-southeast-2/s3/aws4_request", q["X-Amz-Credential"])
    assert re.fullmatch(r"\d{8}T\d{6}Z", q["X-Amz-Date"]) and re.fullmatch(r"[0-9a-f]{64}", q["X-Amz-Signature"])


def test_stored_object_keeps_the_disposition_and_encryption(app: Any, pageup: PageUp) -> None:
    prepared = pageup.uploaded(b"x", "my cv.pdf")
    info = app.platform.s3.head_object(TEMP_BUCKET, f"218/Document/{prepared['physicalFile']}")
    assert (info.content_type, info.content_disposition) == ("application/pdf", content_disposition("my cv.pdf"))
    assert (info.server_side_encryption, info.acl) == ("AES256", "bucket-owner-full-control")


@pytest.mark.parametrize(
    "change",
    [
        {"Content-Type": "application/octet-stream"},
        {"x-amz-acl": "public-read"},
        {"x-amz-server-side-encryption": "aws:kms"},
        {"x-amz-acl": None},
        {"Content-Type": None},
    ],
)
def test_put_must_carry_the_signed_headers(pageup: PageUp, change: dict[str, str | None]) -> None:
    prepared = pageup.prepare().json()
    headers = {**prepared["headers"], "Content-Type": prepared["contentType"]}
    for name, value in change.items():
        headers.pop(name)
        if value is not None:
            headers[name] = value
    response = pageup.http.put(prepared["url"], content=b"x", headers=headers)
    assert response.status_code == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in response.content


def test_upload_url_expires_after_1800_seconds(pageup: PageUp, admin: AdminClient) -> None:
    admin.freeze()
    prepared = pageup.prepare().json()
    admin.advance(1799)
    assert pageup.put(prepared, b"in time").status_code == 200
    admin.advance(2)
    response = pageup.put(prepared, b"late")
    assert response.status_code == 403
    assert b"<Message>Request has expired</Message>" in response.content


@pytest.fixture
def small_app() -> Any:
    """An app whose PageUp takes files of at most 10 bytes and has a custom category for tenant 218."""
    return make_app(Settings(pageup=PageUpSettings(max_file_size=10, categories={"218": ("Interview Notes",)})))


@pytest.fixture
def small(small_app: Any) -> Iterator[PageUp]:
    with in_process_client(small_app) as http:
        yield PageUp(http)


def test_put_over_the_maximum_size_is_refused_by_storage(small: PageUp) -> None:
    prepared = small.prepare("big.txt").json()
    assert small.put(prepared, b"x" * 10).status_code == 200
    response = small.put(prepared, b"x" * 11)
    assert response.status_code == 400
    assert b"<Code>EntityTooLarge</Code>" in response.content


# -- moveFromTemp ------------------------------------------------------------------------------------


def test_move_answers_the_seeds_shape(app: Any, pageup: PageUp) -> None:
    prepared = pageup.uploaded()
    fields = {"providerId": 9552, "documentCategoryId": 7, "applicationId": 16142309, "applicantId": 26459460}
    response = pageup.move(body(prepared["physicalFile"], **fields))
    assert response.status_code == 200
    doc = response.json()
    assert doc == {
        "id": "8621",
        "title": "Test Document",
        "providerID": 9552,
        "fileName": "test.txt",
        "physicalFile": doc["physicalFile"],
        "documentCategoryName": "Resume",
        "documentCategoryId": 1,
        "applicationId": 16142309,
        "applicantId": 26459460,
        "jobId": None,
        "offerId": None,
    }
    assert re.fullmatch(UUID + r"\.txt", doc["physicalFile"]) and doc["physicalFile"] != prepared["physicalFile"]
    s3 = app.platform.s3
    assert s3.head_object(TEMP_BUCKET, f"218/Document/{prepared['physicalFile']}") is None
    assert s3.get_bytes(STORE_BUCKET, f"218/Document/{doc['physicalFile']}") == b"hello pageup"


@pytest.mark.parametrize("key", ["providerID", "providerId"])
def test_provider_id_spellings(pageup: PageUp, key: str) -> None:
    fields: dict[str, Any] = {key: 42}
    doc = pageup.document(**fields)
    assert doc["providerID"] == 42


def test_category_by_name_and_configured_names(small: PageUp) -> None:
    prepared = small.uploaded(b"notes", "n.txt")
    response = small.move(body(prepared["physicalFile"], documentCategoryName="interview notes"))
    assert response.status_code == 200
    assert (response.json()["documentCategoryName"], response.json()["documentCategoryId"]) == ("Interview Notes", 1007)


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({}, [("documentCategoryName", NEITHER), ("documentCategoryId", NEITHER)]),
        (
            {"documentCategoryName": "Resume", "documentCategoryId": 7},
            [("documentCategoryName", BOTH), ("documentCategoryId", BOTH)],
        ),
        (
            {"documentCategoryId": 8},
            [("documentCategoryId", "Document category id 8 is not a system document category.")],
        ),
        ({"documentCategoryName": "CV"}, [("documentCategoryName", "Document category 'CV' does not exist.")]),
    ],
)
def test_category_refusals(pageup: PageUp, fields: dict[str, Any], errors: list[tuple[str, str]]) -> None:
    prepared = pageup.uploaded()
    assert_invalid(pageup.move(body(prepared["physicalFile"], **fields)), *errors)


def test_a_physical_file_moves_once(pageup: PageUp) -> None:
    prepared = pageup.uploaded()
    assert pageup.move(body(prepared["physicalFile"], documentCategoryId=7)).status_code == 200
    response = pageup.move(body(prepared["physicalFile"], documentCategoryId=7))
    assert_invalid(response, ("physicalFile", not_in_temp(prepared["physicalFile"])))


def test_physical_file_must_be_uploaded(pageup: PageUp) -> None:
    physical = pageup.prepare().json()["physicalFile"]
    response = pageup.move(body(physical, documentCategoryId=7))
    assert_invalid(response, ("physicalFile", f"Nothing has been uploaded to '{physical}' yet."))


def test_physical_file_of_another_tenant_is_unknown(pageup: PageUp) -> None:
    other = PageUp(pageup.http, tenant="219")
    token = other.token(OTHER_TENANT)
    prepared = other.prepare(token=token).json()
    assert other.put(prepared, b"x").status_code == 200
    response = pageup.move(body(prepared["physicalFile"], documentCategoryId=7))
    assert_invalid(response, ("physicalFile", not_in_temp(prepared["physicalFile"])))


def test_an_object_over_the_maximum_at_move_is_refused(small_app: Any, small: PageUp) -> None:
    prepared = small.prepare("big.txt").json()
    # The object gets there behind the presigned URL's back (S3 itself would refuse it).
    small_app.platform.s3.put_bytes(
        TEMP_BUCKET, f"218/Document/{prepared['physicalFile']}", b"x" * 11, "text/plain", None
    )
    response = small.move(body(prepared["physicalFile"], documentCategoryId=7))
    assert_invalid(response, ("physicalFile", "The uploaded file is 11 bytes; the maximum is 10 bytes."))


def test_replace_keeps_the_id(pageup: PageUp) -> None:
    first = pageup.document(b"v1")
    second = pageup.document(b"v2", id=first["id"], title="v2")
    assert (second["id"], second["title"]) == (first["id"], "v2")
    download = pageup.http.get(pageup.get(first["id"]).json()["url"])
    assert download.content == b"v2"


@pytest.mark.parametrize("doc_id", [99999, "99999"])
def test_replace_of_an_unknown_id_is_404(pageup: PageUp, doc_id: Any) -> None:
    prepared = pageup.uploaded()
    response = pageup.move(body(prepared["physicalFile"], documentCategoryId=7, id=doc_id))
    assert (response.status_code, response.json()) == (404, [{"message": "Document 99999 was not found."}])


def test_replace_of_another_tenants_document_is_404(pageup: PageUp) -> None:
    doc = pageup.document()
    other = PageUp(pageup.http, tenant="219")
    token = other.token(OTHER_TENANT)
    prepared = other.prepare(token=token).json()
    other.put(prepared, b"x")
    response = other.move(body(prepared["physicalFile"], documentCategoryId=7, id=doc["id"]), token=token)
    assert (response.status_code, response.json()) == (404, [{"message": f"Document {doc['id']} was not found."}])


@pytest.mark.parametrize(
    ("raw", "content_type", "status", "errors"),
    [
        (b"{", "application/json", 400, [("body", "The request body is not valid JSON.")]),
        (b"", "application/json", 400, [("body", "A non-empty request body is required.")]),
        (b"[1]", "application/json", 400, [("body", "The request body must be a JSON object.")]),
        (b'{"title": 1}', "text/json", 400, [("title", "The JSON value could not be converted to System.String.")]),
        (
            b'{"title": "t", "documentCategoryId": 7}',
            "application/json; charset=utf-8",
            400,
            [("fileName", "The fileName field is required."), ("physicalFile", "The physicalFile field is required.")],
        ),
    ],
)
def test_bad_bodies(pageup: PageUp, raw: bytes, content_type: str, status: int, errors: list[tuple[str, str]]) -> None:
    response = pageup.http.post(
        f"{pageup.documents}/moveFromTemp", content=raw, headers={**pageup.auth(), "Content-Type": content_type}
    )
    assert (response.status_code, response.json()) == (status, invalid_body(*errors))


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_body_that_is_not_json_is_415(pageup: PageUp, content_type: str | None) -> None:
    headers = pageup.auth()
    if content_type:
        headers["Content-Type"] = content_type
    response = pageup.http.post(f"{pageup.documents}/moveFromTemp", content=b"title=x", headers=headers)
    shown = content_type or "(none)"
    message = f"The request content type '{shown}' is not supported; send application/json."
    assert (response.status_code, response.json()) == (415, [{"message": message}])


def test_a_body_over_1_mib_is_413(pageup: PageUp) -> None:
    response = pageup.move({"title": "x" * (1024 * 1024)})
    message = "The request body is larger than 1048576 bytes."
    assert (response.status_code, response.json()) == (413, invalid_body(("body", message)))


# -- download ----------------------------------------------------------------------------------------


def test_download_answers_metadata_and_a_link(pageup: PageUp) -> None:
    doc = pageup.document(b"%PDF-1.4 cv", "cv.pdf", jobId="77")
    response = pageup.get(doc["id"])
    assert response.status_code == 200
    answer = response.json()
    assert answer == {**doc, "jobId": 77, "contentType": "application/pdf", "url": answer["url"]}
    url = urlsplit(answer["url"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == (
        f"http://testserver/s3/pageup-storage-au/218/Document/{doc['physicalFile']}"
    )
    assert query(answer["url"])["X-Amz-Expires"] == "60"
    download = pageup.http.get(answer["url"])
    assert (download.status_code, download.content) == (200, b"%PDF-1.4 cv")
    assert download.headers["content-type"] == "application/pdf"
    assert download.headers["content-disposition"] == "attachment;filename=\"cv.pdf\"; filename*=utf-8''cv.pdf"


@pytest.mark.parametrize(("expires", "ok_at", "refused_at"), [(None, 59, 61), (10, 9, 11), (300, 299, 301)])
def test_link_lives_expires_in_seconds_on_the_mock_clock(
    pageup: PageUp, admin: AdminClient, expires: int | None, ok_at: int, refused_at: int
) -> None:
    doc = pageup.document()
    admin.freeze()
    params: dict[str, Any] = {} if expires is None else {"expiresInSeconds": expires}
    url = pageup.get(doc["id"], **params).json()["url"]
    assert query(url)["X-Amz-Expires"] == str(expires or 60)
    admin.advance(ok_at)
    assert pageup.http.get(url).status_code == 200
    admin.advance(refused_at - ok_at)
    response = pageup.http.get(url)
    assert response.status_code == 403
    assert b"<Code>AccessDenied</Code>" in response.content


@pytest.mark.parametrize("empty", ["", " ", "\t"])
def test_an_empty_expires_in_seconds_is_absent(pageup: PageUp, empty: str) -> None:
    """ASP.NET Core binds an empty or blank query value of an optional ``int?`` as null: the default 60."""
    doc = pageup.document()
    response = pageup.get(doc["id"], expiresInSeconds=empty)
    assert response.status_code == 200
    assert query(response.json()["url"])["X-Amz-Expires"] == "60"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9", "The field expiresInSeconds must be between 10 and 300."),
        ("301", "The field expiresInSeconds must be between 10 and 300."),
        ("abc", "The value 'abc' is not valid for expiresInSeconds."),
    ],
)
def test_expires_in_seconds_out_of_range(pageup: PageUp, value: str, message: str) -> None:
    doc = pageup.document()
    assert_invalid(pageup.get(doc["id"], expiresInSeconds=value), ("expiresInSeconds", message))


@pytest.mark.parametrize(
    ("doc_id", "expected"),
    [
        ("99999", [{"message": "Document 99999 was not found."}]),
        *((doc_id, NOT_FOUND) for doc_id in ("abc", "0", "-1", "1.5", "99999999999999999999")),
    ],
)
def test_unknown_document_is_404(pageup: PageUp, doc_id: str, expected: list[dict[str, str]]) -> None:
    response = pageup.get(doc_id)
    assert (response.status_code, response.json()) == (404, expected)


def test_another_tenants_document_is_404(pageup: PageUp) -> None:
    doc = pageup.document()
    other = PageUp(pageup.http, tenant="219")
    response = other.get(doc["id"], token=other.token(OTHER_TENANT))
    assert (response.status_code, response.json()) == (404, [{"message": f"Document {doc['id']} was not found."}])


# -- the app around the endpoints --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "status", "message"),
    [
        ("GET", "/pageup/v3/218/recruitment/nothing", 404, "The resource does not exist."),
        ("GET", "/pageup/v3/218/recruitment/document/1/x", 404, "The resource does not exist."),
        ("GET", "/pageup/v3/218/recruitment/document/", 404, "The resource does not exist."),
        ("POST", "/pageup/v3/218/recruitment/document/prepareTempDirectUpload", 405, None),
        ("DELETE", "/pageup/v3/218/recruitment/document/8621", 405, None),
    ],
)
def test_unknown_paths_and_methods_in_the_envelope(
    client: httpx.Client, method: str, path: str, status: int, message: str | None
) -> None:
    response = client.request(method, path)
    message = message or f"The requested resource does not support http method '{method}'."
    assert (response.status_code, response.json()) == (status, [{"message": message}])


def test_an_unexpected_failure_is_a_500_in_the_envelope(
    app: Any, pageup: PageUp, admin: AdminClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepared = pageup.uploaded()

    def broken(*args: Any) -> None:
        raise RuntimeError("storage went away")

    monkeypatch.setattr(app.platform.s3, "copy_object", broken)
    response = pageup.move(body(prepared["physicalFile"], documentCategoryId=7))
    assert (response.status_code, response.json()) == (500, [{"message": "An error occurred with the API."}])
    assert admin.requests(vendor="pageup", status=500)[0]["response"]["errorCode"] == "server_error"


def test_openapi_is_served_with_this_servers_url(client: httpx.Client) -> None:
    document = client.get("/pageup/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "http://testserver/pageup"}]


def test_single_vendor_mode_serves_pageup_at_the_root() -> None:
    app = make_app(Settings().with_server(vendor="pageup"))
    with in_process_client(app) as http:
        root = PageUp(http, prefix="")
        doc = root.document(b"root")
        answer = root.get(doc["id"]).json()
        assert http.get(answer["url"]).content == b"root"
        assert http.get("/openapi.json").json()["servers"] == [{"url": "http://testserver"}]


def test_reset_forgets_documents_and_temp_files(pageup: PageUp, admin: AdminClient) -> None:
    doc = pageup.document()
    prepared = pageup.uploaded()
    admin.reset("pageup")
    response = pageup.get(doc["id"])
    assert (response.status_code, response.json()) == (404, [{"message": f"Document {doc['id']} was not found."}])
    response = pageup.move(body(prepared["physicalFile"], documentCategoryId=7))
    assert_invalid(response, ("physicalFile", not_in_temp(prepared["physicalFile"])))
    assert pageup.document()["id"] == "8621"


def test_the_mock_keeps_at_most_max_documents() -> None:
    """Past ``max_documents`` a new document is PageUp's 400 naming the setting; replacing one still works,
    and a reset frees the place (a hostile CI job cannot grow the server without limit)."""
    app = make_app(Settings(pageup=PageUpSettings(max_documents=2)))
    with in_process_client(app) as http:
        pageup = PageUp(http)
        ids = [
            pageup.move(body(pageup.uploaded()["physicalFile"], documentCategoryId=7)).json()["id"] for _ in range(2)
        ]
        refused = pageup.move(body(pageup.uploaded()["physicalFile"], documentCategoryId=7))
        message = "atsmock keeps at most 2 documents (pageup.max_documents); "
        message += "reset the mock (POST /__admin/reset?vendor=pageup)."
        assert (refused.status_code, refused.json()) == (400, [{"message": INVALID}, {"message": message}])
        replaced = pageup.move(body(pageup.uploaded()["physicalFile"], documentCategoryId=7, id=int(ids[0])))
        assert (replaced.status_code, replaced.json()["id"]) == (200, ids[0])
        assert http.post("/__admin/reset", params={"vendor": "pageup"}).status_code == 200
        assert pageup.move(body(pageup.uploaded()["physicalFile"], documentCategoryId=7)).status_code == 200
