"""S3's own error bodies and statuses, routing, and the front inside atsmock (journal, faults)."""

from __future__ import annotations

import asyncio
import types
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest
from s3_support import BUCKET, REGION, error_detail, s3_error

from mockservers.core.journal import SCOPE_KEY
from mockservers.s3 import S3Service
from mockservers.testing import AdminClient, in_process_client, make_app


def test_no_such_key_is_s3s_xml_error(s3: S3Service, http: httpx.Client) -> None:
    response = http.get(s3.presign_get(bucket=BUCKET, key="missing <&> key.pdf", expires_in=60, region=REGION))
    assert s3_error(response) == (404, "NoSuchKey", "The specified key does not exist.")
    assert response.headers["content-type"] == "application/xml"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>')
    root = ET.fromstring(response.content)
    assert [child.tag for child in root] == ["Code", "Message", "Key", "RequestId", "HostId"]
    assert root.findtext("Key") == "missing <&> key.pdf"
    assert root.findtext("RequestId") == response.headers["x-amz-request-id"]


@pytest.mark.parametrize(
    ("key", "shown"),
    [("a\x01b\x1f.pdf", "a%01b%1F.pdf"), ("tab\tnew\nline.pdf", "tab\tnew\nline.pdf"), ("ü\x0b.pdf", "ü%0B.pdf")],
)
def test_a_key_with_control_characters_still_gives_an_error_xml_parsers_read(
    s3: S3Service, http: httpx.Client, key: str, shown: str
) -> None:
    """XML 1.0 cannot carry most control characters, escaped or not; they are written as %XX (S3's url encoding)."""
    response = http.get(s3.presign_get(bucket=BUCKET, key=key, expires_in=60, region=REGION))
    assert s3_error(response) == (404, "NoSuchKey", "The specified key does not exist.")
    assert ET.fromstring(response.content).findtext("Key") == shown


def test_head_errors_have_no_body(s3: S3Service, http: httpx.Client) -> None:
    from mockservers.s3.signing import Signer

    url = Signer(s3.settings.access_key, s3.settings.secret_key).presign_url(
        "HEAD", s3.object_url(BUCKET, "nope"), now=s3.clock.now(), region=REGION, expires_in=60, headers={}, params={}
    )
    response = http.head(url)
    assert (response.status_code, response.content) == (404, b"")
    assert response.headers["x-amz-request-id"]


def test_no_such_bucket_comes_before_auth(http: httpx.Client) -> None:
    response = http.get("/s3/atsmock-nobody/key.pdf")
    assert s3_error(response) == (404, "NoSuchBucket", "The specified bucket does not exist")
    assert error_detail(response, "BucketName") == "atsmock-nobody"


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_other_methods_on_an_object_are_method_not_allowed(http: httpx.Client, method: str) -> None:
    response = http.request(method, f"/s3/{BUCKET}/cv.pdf")
    assert s3_error(response) == (405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
    assert (error_detail(response, "Method"), error_detail(response, "ResourceType")) == (method, "OBJECT")
    assert response.headers["allow"] == "GET, PUT, HEAD, DELETE"


def test_bucket_operations_other_than_post(s3: S3Service, http: httpx.Client) -> None:
    assert s3_error(http.get(f"/s3/{BUCKET}"))[:2] == (403, "AccessDenied")
    from mockservers.s3.signing import Signer

    url = Signer(s3.settings.access_key, s3.settings.secret_key).presign_url(
        "GET", f"{s3.base_url}/{BUCKET}", now=s3.clock.now(), region=REGION, expires_in=60, headers={}, params={}
    )
    response = http.get(url)
    assert s3_error(response)[:2] == (405, "MethodNotAllowed")
    assert error_detail(response, "ResourceType") == "BUCKET"


def test_service_root_is_access_denied(http: httpx.Client) -> None:
    assert s3_error(http.get("/s3/"))[:2] == (403, "AccessDenied")


def test_scenarios_answer_s3s_xml() -> None:
    from mockservers.s3.errors import SCENARIOS

    by_name = {s.name: s for s in SCENARIOS}
    assert {(s.name, s.vendor, s.status, s.error_code) for s in SCENARIOS} == {
        ("s3.slow_down", "s3", 503, "SlowDown"),
        ("s3.internal_error", "s3", 500, "InternalError"),
    }
    respond = by_name["s3.slow_down"].respond
    assert respond is not None
    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> Any:
        return {"type": "http.request", "body": b"", "more_body": False}

    entry = types.SimpleNamespace(id="journal-id-1")
    asyncio.run(respond()({"type": "http", "method": "PUT", SCOPE_KEY: entry}, receive, send))
    start, body = sent
    headers = dict(start["headers"])
    assert (start["status"], headers[b"content-type"], headers[b"x-amz-request-id"]) == (
        503,
        b"application/xml",
        b"journal-id-1",
    )
    assert body["body"].startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code>'
        b"<Message>Please reduce your request rate.</Message><RequestId>journal-id-1</RequestId><HostId>"
    )
    assert entry.error_code == "SlowDown"


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    [
        ("PUT", "/b/k", "put_object"),
        ("POST", "/b", "post_object"),
        ("POST", "/b/", "post_object"),
        ("GET", "/b/a/b c", "get_object"),
        ("HEAD", "/b/k", "head_object"),
        ("DELETE", "/b/k", "delete_object"),
        ("PATCH", "/b/k", None),
        ("GET", "/b", None),
        ("GET", "/", None),
        ("POST", "/b/k", None),
    ],
)
def test_operation_for(s3: S3Service, method: str, path: str, operation: str | None) -> None:
    assert s3.operation_for(method, path) == operation


# -- inside atsmock: the dispatcher mounts the front at /s3 ------------------------------------------------


@pytest.fixture
def atsmock() -> Any:
    app = make_app()
    app.platform.s3.ensure_bucket(BUCKET, REGION)
    return app


def test_errors_are_journaled_with_s3s_code_and_request_id(atsmock: Any) -> None:
    s3 = atsmock.platform.s3
    with in_process_client(atsmock) as http:
        url = s3.presign_put(bucket=BUCKET, key="cv.pdf", expires_in=60, region=REGION, headers={})
        assert http.put(url, content=b"x").status_code == 200
        atsmock.platform.clock.advance(61)
        response = http.put(url, content=b"x")
        assert s3_error(response) == (403, "AccessDenied", "Request has expired")
        entries = AdminClient(http).requests(vendor="s3")
    newest = entries[0]
    assert (newest["operation"], newest["response"]["status"], newest["response"]["errorCode"]) == (
        "put_object",
        403,
        "AccessDenied",
    )
    assert error_detail(response, "RequestId") == newest["id"] == response.headers["x-request-id"]
    assert entries[1]["response"]["errorCode"] is None


@pytest.mark.parametrize(
    ("scenario", "status", "code", "message"),
    [
        ("s3.slow_down", 503, "SlowDown", "Please reduce your request rate."),
        ("s3.internal_error", 500, "InternalError", "We encountered an internal error. Please try again."),
    ],
)
def test_fault_scenarios_target_one_operation(
    atsmock: Any, scenario: str, status: int, code: str, message: str
) -> None:
    s3 = atsmock.platform.s3
    s3.put_bytes(BUCKET, "cv.pdf", b"%PDF")
    with in_process_client(atsmock) as http:
        admin = AdminClient(http)
        admin.add_fault(scenario, operation="put_object", times=1)
        get = s3.presign_get(bucket=BUCKET, key="cv.pdf", expires_in=60, region=REGION)
        assert http.get(get).content == b"%PDF"
        put = s3.presign_put(bucket=BUCKET, key="cv.pdf", expires_in=60, region=REGION, headers={})
        faulted = http.put(put, content=b"new")
        assert s3_error(faulted) == (status, code, message)
        assert faulted.headers["content-type"] == "application/xml"
        assert error_detail(faulted, "RequestId") == faulted.headers["x-amz-request-id"]
        assert faulted.headers["x-amz-request-id"] == faulted.headers["x-request-id"]
        assert http.put(put, content=b"new").status_code == 200
        assert admin.requests(vendor="s3")[1]["response"]["errorCode"] == code


def test_post_object_can_be_targeted(atsmock: Any) -> None:
    s3 = atsmock.platform.s3
    url, fields = s3.presign_post(bucket=BUCKET, key="k", expires_in=60, region=REGION, fields={}, conditions=[])
    with in_process_client(atsmock) as http:
        AdminClient(http).add_fault("s3.slow_down", operation="post_object")
        response = http.post(url, data=fields, files={"file": ("k", b"x")})
        assert s3_error(response)[:2] == (503, "SlowDown")
