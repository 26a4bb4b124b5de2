"""PageUp's documented workflows, step by step over HTTP, exactly as the Document API page says.

0. ``POST /connect/token`` (client credentials, scopes space-separated) → a 300 s bearer JWT.
A. Uploading: ``GET /document/prepareTempDirectUpload?filename=test.txt`` → ``PUT`` to ``url`` with
   every entry of ``headers`` and ``content-type: <contentType>`` → ``POST /document/moveFromTemp``
   with the seed's sample body.
B. Downloading: ``GET /document/{id}?expiresInSeconds=N`` → ``GET`` the presigned ``url``.
"""

from __future__ import annotations

from typing import Any

import httpx

DOCUMENTS = "/pageup/v3/218/recruitment/document"


def token(client: httpx.Client) -> dict[str, str]:
    response = client.post(
        "/pageup/connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "atsmock-pageup",
            "client_secret": "atsmock-pageup-secret",
            "scope": "Public.Document.Read Public.Document.Write",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["expires_in"] == 300
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_upload_then_download(client: httpx.Client) -> None:
    auth = token(client)

    # A.1 prepareTempDirectUpload
    response = client.get(f"{DOCUMENTS}/prepareTempDirectUpload?filename=uploadtest.txt", headers=auth)
    assert response.status_code == 200, response.text
    prepared: dict[str, Any] = response.json()
    assert (prepared["contentType"], prepared["method"], prepared["fallbackUrl"]) == ("text/plain", "PUT", None)

    # A.2 PUT with every returned header (content-type as the doc's example shows)
    put = client.put(
        prepared["url"],
        content=b"uploaded through the PageUp workflow\n",
        headers={
            "content-type": prepared["contentType"],
            "content-disposition": prepared["headers"]["Content-Disposition"],
            "x-amz-server-side-encryption": prepared["headers"]["x-amz-server-side-encryption"],
            "x-amz-acl": prepared["headers"]["x-amz-acl"],
        },
    )
    assert put.status_code == 200, put.text

    # A.3 moveFromTemp, the seed's sample request with this upload's physicalFile
    request = {
        "fileName": "uploadtest.txt",
        "title": "Test Document",
        "physicalFile": prepared["physicalFile"],
        "providerId": 9552,
        "documentCategoryId": 7,
        "applicationId": 16142309,
        "applicantId": 26459460,
    }
    moved = client.post(f"{DOCUMENTS}/moveFromTemp", json=request, headers=auth)
    assert moved.status_code == 200, moved.text
    document = moved.json()
    assert document == {
        "id": "8621",
        "title": "Test Document",
        "providerID": 9552,
        "fileName": "uploadtest.txt",
        "physicalFile": document["physicalFile"],
        "documentCategoryName": "Resume",
        "documentCategoryId": 1,
        "applicationId": 16142309,
        "applicantId": 26459460,
        "jobId": None,
        "offerId": None,
    }

    # B. download
    response = client.get(f"{DOCUMENTS}/{document['id']}?expiresInSeconds=120", headers=auth)
    assert response.status_code == 200, response.text
    link = response.json()
    assert (link["contentType"], link["fileName"]) == ("text/plain", "uploadtest.txt")
    download = client.get(link["url"])
    assert download.status_code == 200
    assert download.content == b"uploaded through the PageUp workflow\n"
    assert download.headers["content-type"] == "text/plain"
    assert download.headers["content-disposition"] == (
        "attachment;filename=\"uploadtest.txt\"; filename*=utf-8''uploadtest.txt"
    )


def test_readonly_credentials_download_but_cannot_upload(client: httpx.Client) -> None:
    response = client.post(
        "/pageup/connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "atsmock-pageup-readonly",
            "client_secret": "atsmock-pageup-readonly-secret",
            "scope": "Public.Document.Read",
        },
    )
    auth = {"Authorization": f"Bearer {response.json()['access_token']}"}
    refused = client.get(f"{DOCUMENTS}/prepareTempDirectUpload?filename=a.txt", headers=auth)
    assert refused.status_code == 403
    assert client.get(f"{DOCUMENTS}/1", headers=auth).status_code == 404
