"""Ashby's fault scenarios, scheduled through the admin API, and the envelope each answers with."""

from __future__ import annotations

import httpx
import pytest
from ashby_support import PDF, Ashby, envelope

from mockservers.testing import AdminClient


@pytest.fixture
def ashby(client: httpx.Client) -> Ashby:
    return Ashby(client)


def test_scenarios_are_listed(admin: AdminClient) -> None:
    scenarios = {s["name"]: s for s in admin._call("GET", "/scenarios")["scenarios"]}
    assert {n for n in scenarios if n.startswith("ashby.")} == {
        "ashby.rate_limited",
        "ashby.server_error",
        "ashby.upload_url_expired",
    }
    assert scenarios["ashby.rate_limited"]["status"] == 429


def test_rate_limited(ashby: Ashby, admin: AdminClient) -> None:
    admin.add_fault("ashby.rate_limited", operation="candidateList")
    response = ashby.post("candidate.list", {})
    message = "Rate limit exceeded; try again later"
    assert (response.status_code, response.json()) == (429, envelope(response, "rate_limit_exceeded", message))
    assert response.headers["retry-after"] == "1"
    assert ashby.post("candidate.list", {}).status_code == 200
    entry = admin.requests(vendor="ashby", status=429)[0]
    assert (entry["fault"], entry["response"]["errorCode"]) == ("ashby.rate_limited", "rate_limit_exceeded")


def test_server_error(ashby: Ashby, admin: AdminClient) -> None:
    admin.add_fault("ashby.server_error", times=2)
    for _ in range(2):
        response = ashby.post("candidate.create", {"name": "A"})
        message = "An unexpected error occurred"
        assert (response.status_code, response.json()) == (500, envelope(response, "internal_server_error", message))
    assert ashby.post("candidate.list", {}).json()["results"] == []


def test_upload_url_expired(ashby: Ashby, admin: AdminClient) -> None:
    admin.add_fault("ashby.upload_url_expired", operation="fileCreateFileUploadHandle")
    candidate = ashby.candidate()
    target = ashby.handle()
    upload = ashby.upload(target)
    assert upload.status_code == 403
    assert b"<Code>AccessDenied</Code>" in upload.content
    assert b"<Message>Invalid according to Policy: Policy expired.</Message>" in upload.content
    ashby.fails(
        "candidate.uploadResume",
        {"candidateId": candidate["id"], "resumeHandle": target["handle"]},
        "invalid_input",
        "resumeHandle: the upload URL of this handle expired before a file was uploaded to it",
    )
    # It fired once; the next handle is good again.
    assert ashby.upload(ashby.handle()).status_code == 204
    entry = admin.requests(vendor="ashby", operation="fileCreateFileUploadHandle")[-1]
    assert (entry["fault"], entry["response"]) == ("ashby.upload_url_expired", {"status": 200, "errorCode": None})


def test_upload_url_expired_on_another_operation_changes_nothing(ashby: Ashby, admin: AdminClient) -> None:
    admin.add_fault("ashby.upload_url_expired")
    assert ashby.candidate()["name"] == "Ada Lovelace"
    assert ashby.upload(ashby.handle(data=PDF)).status_code == 204


@pytest.mark.parametrize("operation", ["file.createFileUploadHandle", "fileCreateFileUploadHandle"])
def test_a_fault_targets_an_endpoint_by_ashbys_own_name_or_its_operation_id(
    ashby: Ashby, admin: AdminClient, client: httpx.Client, operation: str
) -> None:
    created = client.post("/__admin/faults", json={"scenario": "ashby.server_error", "operation": operation})
    assert (created.status_code, created.json()["operation"]) == (201, "fileCreateFileUploadHandle")
    assert ashby.post("candidate.list", {}).status_code == 200
    body = {"fileUploadContext": "CandidateResume", "filename": "cv.pdf", "contentType": "application/pdf"}
    assert ashby.post("file.createFileUploadHandle", {**body, "contentLength": len(PDF)}).status_code == 500
    assert [e["operation"] for e in admin.requests(operation="file.createFileUploadHandle")] == [
        "fileCreateFileUploadHandle"
    ]


@pytest.mark.parametrize("operation", ["applicationFormSubmit", "applicationForm.submit", "applicationformsubmit"])
def test_application_form_submit_is_targeted_by_its_operation_id_ashbys_name_or_its_former_id(
    ashby: Ashby, admin: AdminClient, client: httpx.Client, operation: str
) -> None:
    """``applicationformsubmit`` was its operationId before it was named like the others (camelCase of
    Ashby's ``applicationForm.submit``); faults and journal filters written with it keep working."""
    created = client.post("/__admin/faults", json={"scenario": "ashby.server_error", "operation": operation})
    assert (created.status_code, created.json()["operation"]) == (201, "applicationFormSubmit")
    assert ashby.post("candidate.list", {}).status_code == 200
    assert ashby.post("applicationForm.submit", {}).status_code == 500
    assert [e["operation"] for e in admin.requests(operation=operation)] == ["applicationFormSubmit"]
    admin.assert_request_made("ashby", operation, times=1, status=500, fault="ashby.server_error")


def test_an_unknown_operation_lists_the_valid_names_with_ashbys_own(client: httpx.Client) -> None:
    response = client.post("/__admin/faults", json={"scenario": "ashby.server_error", "operation": "file.upload"})
    assert (response.status_code, response.json()["error"]["message"]) == (
        400,
        "unknown operation 'file.upload' for vendor 'ashby'; valid: "
        "applicationFormSubmit (applicationForm.submit), candidateCreate (candidate.create), "
        "candidateInfo (candidate.info), candidateList (candidate.list), candidateUploadFile (candidate.uploadFile), "
        "candidateUploadResume (candidate.uploadResume), fileCreateFileUploadHandle (file.createFileUploadHandle), "
        "fileInfo (file.info), jobPostingInfo (jobPosting.info), jobPostingList (jobPosting.list)",
    )
