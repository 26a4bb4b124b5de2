"""Ashby's documented workflows, step by step over HTTP, exactly as the docs describe them.

1. file.createFileUploadHandle → multipart POST (every field, the file last, named ``file``) →
   candidate.uploadResume / candidate.uploadFile with the handle → file.info → download.
2. The custom careers page: jobPosting.list → jobPosting.info → a handle per File field
   (context ApplicationForm) → applicationForm.submit as JSON.
"""

from __future__ import annotations

import base64
from typing import Any

import httpx

from mockservers.ashby.postings import SOFTWARE_ENGINEER
from mockservers.ashby.settings import AshbyKey, AshbySettings
from mockservers.config import Settings
from mockservers.testing import in_process_client, make_app

RESUME = b"%PDF-1.4 workflow resume"


def basic(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def call(client: httpx.Client, method: str, body: dict[str, Any], key: str = "atsmock-ashby") -> Any:
    """An Ashby call; the key goes on this request only (presigned S3 URLs must not carry it)."""
    response = client.post(f"/ashby/{method}", json=body, headers=basic(key))
    assert response.status_code == 200, response.text
    payload = response.json()
    assert payload["success"] is True, payload
    return payload["results"]


def upload(
    client: httpx.Client, context: str, data: bytes, filename: str, content_type: str, key: str = "atsmock-ashby"
) -> str:
    body = {"fileUploadContext": context, "filename": filename, "contentType": content_type, "contentLength": len(data)}
    target = call(client, "file.createFileUploadHandle", body, key)
    response = client.post(target["url"], data=target["fields"], files={"file": (filename, data, content_type)})
    assert response.status_code == 204, response.text
    return str(target["handle"])


def test_upload_handle_workflow(client: httpx.Client) -> None:
    candidate = call(client, "candidate.create", {"name": "Adam Hart", "email": "test@ashbyhq.com"})
    resume_handle = upload(client, "CandidateResume", RESUME, "resume.pdf", "application/pdf")
    updated = call(client, "candidate.uploadResume", {"candidateId": candidate["id"], "resumeHandle": resume_handle})
    file_handle = upload(client, "CandidateFiles", b"portfolio", "portfolio.txt", "text/plain")
    updated = call(client, "candidate.uploadFile", {"candidateId": candidate["id"], "fileHandle": file_handle})
    assert updated["resumeFileHandle"]["name"] == "resume.pdf"
    assert [f["name"] for f in updated["fileHandles"]] == ["resume.pdf", "portfolio.txt"]
    url = call(client, "file.info", {"fileHandle": updated["resumeFileHandle"]["handle"]})["url"]
    download = client.get(url)
    assert (download.status_code, download.content, download.headers["content-type"]) == (
        200,
        RESUME,
        "application/pdf",
    )


def test_custom_careers_page_workflow() -> None:
    """A careers page uses a job-board key: jobsRead to read postings, candidatesWrite to submit."""
    key = AshbyKey("job-board", ("jobsRead", "candidatesRead", "candidatesWrite"))
    settings = Settings().replace(ashby=AshbySettings(api_keys=(key,)))
    with in_process_client(make_app(settings)) as client:
        careers_page(client, "job-board")


def careers_page(client: httpx.Client, key: str) -> None:
    postings = call(client, "jobPosting.list", {"listedOnly": True}, key)
    assert [p["id"] for p in postings] == [SOFTWARE_ENGINEER]
    form = call(client, "jobPosting.info", {"jobPostingId": SOFTWARE_ENGINEER}, key)
    form = form["applicationFormDefinition"]
    answers = {"String": "Ada Lovelace", "Email": "ada@example.com", "Phone": "555-0100"}
    submissions = []
    for entry in form["sections"][0]["fields"]:
        field = entry["field"]
        if field["type"] == "File":
            value = upload(client, "ApplicationForm", RESUME, f"{field['title']}.pdf", "application/pdf", key)
        else:
            value = answers[field["type"]]
        submissions.append({"path": field["path"], "value": value})
    results = call(
        client,
        "applicationForm.submit",
        {"jobPostingId": SOFTWARE_ENGINEER, "applicationForm": {"fieldSubmissions": submissions}},
        key,
    )
    assert results["formMessages"] == {"blocked": False}
    assert results["submittedFormInstance"]["submittedValues"]["_systemfield_email"] == "ada@example.com"
    (candidate,) = call(client, "candidate.list", {}, key)
    assert candidate["resumeFileHandle"]["name"] == "Resume.pdf"
    assert len(candidate["fileHandles"]) == 2
