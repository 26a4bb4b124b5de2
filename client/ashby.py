"""Ashby reference client: candidates, job postings and the file upload handle flow.

Usage::

    ashby = AshbyClient(httpx.Client(base_url="http://127.0.0.1:8000/ashby"), "atsmock-ashby")
    candidate = ashby.create_candidate("Ada Lovelace", email="ada@example.com")
    ashby.upload_resume(candidate["id"], pdf_bytes, "cv.pdf", "application/pdf")
    url = ashby.file_url(ashby.candidate(candidate["id"])["resumeFileHandle"]["handle"])

Errors: ``AshbyError`` (an ``ApiError``) when Ashby answers ``success: false`` (HTTP 200 for
input errors, 401/403/429/500 otherwise), carrying ``errorInfo``; ``StorageError`` (an
``ApiError``) when the storage upload is refused (S3's ``<Error><Code>``); ``TransportError``
when no usable answer came back.

Retries (``client._http.exchange``): reads, handle creation and the storage upload retry 429,
5xx and dropped connections, and the JSON calls among them also a success whose body is not JSON;
calls that create something (candidate.create, the
upload and attach calls, applicationForm.submit) retry only 429, which Ashby answers before it
does anything. A 429 or 5xx whose ``Retry-After`` is longer than the policy's ``max_delay``
is raised at once (the same rule as the PageUp client).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from client._http import RetryPolicy, exchange, storage_error
from client.errors import ApiError, TransportError


class AshbyError(ApiError):
    """Ashby said no; ``error_info`` is its ``errorInfo`` (``code``, ``message``, ``requestId``)."""

    def __init__(self, status: int, error_info: Mapping[str, Any], errors: list[str]) -> None:
        code = error_info.get("code")
        super().__init__(
            status,
            str(code) if code is not None else (errors[0] if errors else None),
            str(error_info.get("message", "")),
            str(error_info["requestId"]) if error_info.get("requestId") else None,
        )
        self.error_info = dict(error_info)
        self.errors = list(errors)


@dataclass(frozen=True)
class UploadTarget:
    """``file.createFileUploadHandle`` results: POST ``fields`` then the file to ``url``; keep ``handle``."""

    handle: str
    url: str
    fields: dict[str, str]


@dataclass(frozen=True)
class FilePart:
    """A file for ``submit_application``: sent through an upload handle (or inline, multipart)."""

    filename: str
    data: bytes
    content_type: str = "application/octet-stream"


class AshbyClient:
    """Ashby over any ``httpx.Client`` whose base URL is the API root (``https://api.ashbyhq.com``)."""

    def __init__(
        self,
        http: httpx.Client,
        api_key: str,
        *,
        policy: RetryPolicy | None = None,
        upload_http: httpx.Client | None = None,
    ) -> None:
        self.http = http
        self.upload_http = upload_http or http
        self.policy = policy or RetryPolicy()
        token = base64.b64encode(f"{api_key}:".encode()).decode()
        self._headers = {"Authorization": f"Basic {token}", "Accept": "application/json; version=1"}

    # -- the RPC call ------------------------------------------------------------------------------

    def call(self, method: str, body: Mapping[str, Any] | None = None, *, idempotent: bool = True) -> Any:
        """POST ``/<method>`` with a JSON body; the envelope's ``results`` (or the whole page for lists)."""
        payload = json.dumps(body or {}).encode()

        def build() -> httpx.Request:
            headers = {**self._headers, "Content-Type": "application/json"}
            return self.http.build_request("POST", f"/{method}", content=payload, headers=headers)

        return self._envelope(exchange(self.http, build, policy=self.policy, idempotent=idempotent, expect_json=True))

    def _call_multipart(self, method: str, data: Mapping[str, str], files: Mapping[str, FilePart]) -> Any:
        def build() -> httpx.Request:
            parts = {name: (f.filename, f.data, f.content_type) for name, f in files.items()}
            return self.http.build_request("POST", f"/{method}", data=dict(data), files=parts, headers=self._headers)

        return self._envelope(exchange(self.http, build, policy=self.policy, idempotent=False, expect_json=True))

    @staticmethod
    def _envelope(response: httpx.Response) -> Any:
        try:
            body = response.json()
        except ValueError:
            raise TransportError(
                f"{response.request.method} {response.request.url.path}: answered {response.status_code} "
                f"with a body that is not JSON (X-Request-Id {response.headers.get('x-request-id', '-')})"
            ) from None
        if isinstance(body, dict) and body.get("success") is True:
            if "moreDataAvailable" in body:
                return body
            return body.get("results")
        info = body.get("errorInfo") if isinstance(body, dict) else None
        errors = body.get("errors") if isinstance(body, dict) else None
        if not isinstance(info, dict):
            info = {"message": response.text[:500]}
        info.setdefault("requestId", response.headers.get("x-request-id"))
        raise AshbyError(response.status_code, info, [str(e) for e in errors] if isinstance(errors, list) else [])

    # -- candidates --------------------------------------------------------------------------------

    def create_candidate(self, name: str, **fields: Any) -> dict[str, Any]:
        """``candidate.create``; ``fields`` are Ashby's (email, phoneNumber, linkedInUrl, location, ...)."""
        return dict(self.call("candidate.create", {"name": name, **fields}, idempotent=False))

    def candidate(self, candidate_id: str) -> dict[str, Any]:
        return dict(self.call("candidate.info", {"id": candidate_id}))

    def candidates(self, *, limit: int | None = None, sync_token: str | None = None) -> Iterator[dict[str, Any]]:
        """Every candidate (``candidate.list``), following ``nextCursor`` while ``moreDataAvailable``."""
        body: dict[str, Any] = {}
        if limit is not None:
            body["limit"] = limit
        if sync_token is not None:
            body["syncToken"] = sync_token
        while True:
            page = self.call("candidate.list", body)
            yield from page["results"]
            if not page.get("moreDataAvailable"):
                return
            body = {**body, "cursor": page["nextCursor"]}
            body.pop("syncToken", None)

    # -- files -------------------------------------------------------------------------------------

    def create_upload_handle(self, context: str, filename: str, content_type: str, size: int) -> UploadTarget:
        results = self.call(
            "file.createFileUploadHandle",
            {"fileUploadContext": context, "filename": filename, "contentType": content_type, "contentLength": size},
        )
        return UploadTarget(results["handle"], results["url"], dict(results["fields"]))

    def upload(self, target: UploadTarget, data: bytes, filename: str, content_type: str) -> None:
        """POST the bytes to the presigned URL: every returned field, then the file last, named ``file``."""

        def build() -> httpx.Request:
            return self.upload_http.build_request(
                "POST", target.url, data=target.fields, files={"file": (filename, data, content_type)}
            )

        response = exchange(self.upload_http, build, policy=self.policy, idempotent=True)
        if not response.is_success:
            raise storage_error(response)

    def upload_file_handle(self, context: str, data: bytes, filename: str, content_type: str) -> str:
        """Both steps of the handle flow; the handle to pass to uploadResume, uploadFile or a form."""
        target = self.create_upload_handle(context, filename, content_type, len(data))
        self.upload(target, data, filename, content_type)
        return target.handle

    def upload_resume(self, candidate_id: str, data: bytes, filename: str, content_type: str) -> dict[str, Any]:
        """Attach a resume through an upload handle; it becomes the candidate's primary resume."""
        handle = self.upload_file_handle("CandidateResume", data, filename, content_type)
        body = {"candidateId": candidate_id, "resumeHandle": handle}
        return dict(self.call("candidate.uploadResume", body, idempotent=False))

    def upload_file(self, candidate_id: str, data: bytes, filename: str, content_type: str) -> dict[str, Any]:
        """Attach a file to the candidate's ``fileHandles`` through an upload handle."""
        handle = self.upload_file_handle("CandidateFiles", data, filename, content_type)
        body = {"candidateId": candidate_id, "fileHandle": handle}
        return dict(self.call("candidate.uploadFile", body, idempotent=False))

    def upload_resume_multipart(self, candidate_id: str, resume: FilePart) -> dict[str, Any]:
        """The deprecated form: ``candidateId`` plus a ``resume`` part, as many clients still send."""
        return dict(self._call_multipart("candidate.uploadResume", {"candidateId": candidate_id}, {"resume": resume}))

    def upload_file_multipart(self, candidate_id: str, file: FilePart) -> dict[str, Any]:
        """The deprecated form: ``candidateId`` plus a ``file`` part."""
        return dict(self._call_multipart("candidate.uploadFile", {"candidateId": candidate_id}, {"file": file}))

    def file_url(self, file_handle: str) -> str:
        """``file.info``: a short-lived download URL for a candidate file handle."""
        return str(self.call("file.info", {"fileHandle": file_handle})["url"])

    def download(self, file_handle: str) -> bytes:
        """The bytes behind a candidate file handle (``file.info``, then a GET on its URL)."""
        url = self.file_url(file_handle)
        response = exchange(
            self.upload_http, lambda: self.upload_http.build_request("GET", url), policy=self.policy, idempotent=True
        )
        if not response.is_success:
            raise storage_error(response)
        return response.content

    # -- job postings and applications ---------------------------------------------------------------

    def job_postings(self, *, listed_only: bool = False) -> list[dict[str, Any]]:
        return list(self.call("jobPosting.list", {"listedOnly": listed_only}))

    def job_posting(self, job_posting_id: str) -> dict[str, Any]:
        return dict(self.call("jobPosting.info", {"jobPostingId": job_posting_id}))

    def submit_application(
        self,
        job_posting_id: str,
        values: Mapping[str, Any],
        files: Mapping[str, FilePart] | None = None,
        **options: Any,
    ) -> dict[str, Any]:
        """``applicationForm.submit`` as JSON: each file goes through an ``ApplicationForm`` handle first.

        ``values`` maps field paths to values; ``files`` maps File field paths to their files.
        ``options`` are Ashby's (``allowSubmissionForUnpublishedJobPosting``, ``utmData``, ``tagIds``).
        """
        submissions = [{"path": path, "value": value} for path, value in values.items()]
        for path, part in (files or {}).items():
            handle = self.upload_file_handle("ApplicationForm", part.data, part.filename, part.content_type)
            submissions.append({"path": path, "value": handle})
        body = {"jobPostingId": job_posting_id, "applicationForm": {"fieldSubmissions": submissions}, **options}
        return dict(self.call("applicationForm.submit", body, idempotent=False))

    def submit_application_multipart(
        self, job_posting_id: str, values: Mapping[str, Any], files: Mapping[str, FilePart]
    ) -> dict[str, Any]:
        """The multipart form: each File field's value names a part of the request (``file_1``, ...)."""
        submissions = [{"path": path, "value": value} for path, value in values.items()]
        parts: dict[str, FilePart] = {}
        for index, (path, part) in enumerate(files.items()):
            name = f"file_{index + 1}"
            submissions.append({"path": path, "value": name})
            parts[name] = part
        data = {"jobPostingId": job_posting_id, "applicationForm": json.dumps({"fieldSubmissions": submissions})}
        return dict(self._call_multipart("applicationForm.submit", data, parts))
