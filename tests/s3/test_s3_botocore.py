"""atsmock presigns exactly as boto3 does, and accepts what boto3 presigns.

boto3 reads the wall clock; these tests point botocore's clock at the mock clock, so the same
instant signs both ways and the URLs (and POST fields) must match byte for byte.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from s3_support import BUCKET, REGION, boto3_client

from mockservers.core.clock import Clock
from mockservers.s3 import S3Service


@pytest.fixture(scope="module")
def boto() -> Any:
    return boto3_client()


@pytest.fixture
def botocore_on_mock_clock(clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    import botocore.auth
    import botocore.signers

    def now(remove_tzinfo: bool = True) -> datetime.datetime:
        moment = datetime.datetime.fromtimestamp(clock.now(), datetime.UTC)
        return moment.replace(tzinfo=None) if remove_tzinfo else moment

    monkeypatch.setattr(botocore.auth, "get_current_datetime", now)
    monkeypatch.setattr(botocore.signers, "get_current_datetime", now)
    yield


@pytest.mark.usefixtures("botocore_on_mock_clock")
def test_presign_put_equals_boto3(s3: S3Service, boto: Any) -> None:
    key = '218/Document/Lebenslauf Müller\'s "cv".pdf'
    theirs = boto.generate_presigned_url(
        "put_object",
        Params={
            "Bucket": BUCKET,
            "Key": key,
            "ContentType": "application/pdf",
            "ACL": "private",
            "ServerSideEncryption": "AES256",
            "ContentDisposition": "attachment",
        },
        ExpiresIn=1800,
    )
    ours = s3.presign_put(
        bucket=BUCKET,
        key=key,
        expires_in=1800,
        region=REGION,
        headers={
            "content-type": "application/pdf",
            "x-amz-acl": "private",
            "x-amz-server-side-encryption": "AES256",
            "content-disposition": "attachment",
        },
    )
    assert ours == theirs
    assert ours.startswith("http://testserver/s3/atsmock-test/218/Document/")


@pytest.mark.usefixtures("botocore_on_mock_clock")
def test_presign_get_equals_boto3(s3: S3Service, boto: Any) -> None:
    theirs = boto.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": BUCKET,
            "Key": "a b.pdf",
            "ResponseContentDisposition": 'attachment; filename="a b.pdf"',
            "ResponseContentType": "application/pdf",
        },
        ExpiresIn=300,
    )
    ours = s3.presign_get(
        bucket=BUCKET,
        key="a b.pdf",
        expires_in=300,
        region=REGION,
        response_content_disposition='attachment; filename="a b.pdf"',
        response_content_type="application/pdf",
    )
    assert ours == theirs


@pytest.mark.usefixtures("botocore_on_mock_clock")
def test_presign_post_equals_boto3(s3: S3Service, boto: Any) -> None:
    conditions: list[Any] = [{"Content-Type": "application/pdf"}, ["content-length-range", 1, 1000]]
    for key in ("CandidateFiles/1/cv.pdf", "uploads/${filename}"):
        theirs = boto.generate_presigned_post(
            BUCKET, key, Fields={"Content-Type": "application/pdf"}, Conditions=list(conditions), ExpiresIn=600
        )
        url, fields = s3.presign_post(
            bucket=BUCKET,
            key=key,
            expires_in=600,
            region=REGION,
            fields={"Content-Type": "application/pdf"},
            conditions=conditions,
        )
        assert (url, fields) == (theirs["url"], theirs["fields"])


@pytest.mark.usefixtures("botocore_on_mock_clock")
def test_boto3_presigned_put_and_get_are_accepted(s3: S3Service, boto: Any, http: httpx.Client) -> None:
    url = boto.generate_presigned_url(
        "put_object", Params={"Bucket": BUCKET, "Key": "k.txt", "ContentType": "text/plain"}, ExpiresIn=60
    )
    assert http.put(url, content=b"hi", headers={"content-type": "text/plain"}).status_code == 200
    get = boto.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "k.txt"}, ExpiresIn=60)
    assert http.get(get).content == b"hi"
