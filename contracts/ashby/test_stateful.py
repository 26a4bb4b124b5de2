"""Ashby's file workflow as a state machine: upload handles (file.createFileUploadHandle, then the
multipart POST to S3), attach them (candidate.uploadResume / uploadFile), download through file.info,
and the three lifetimes on the mock clock: the POST policy (10 min), the handle (24 h), the download
URL (5 min). Ashby has no replace or delete for files.

Ashby answers what "would be 4XX" with HTTP 200 and ``success: false`` (``is_error`` says so).
"""

from __future__ import annotations

import base64
from typing import Any

import httpx
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, consumes, initialize, rule

from contracts.stateful import CONTENTS, VendorMachine, as_test
from mockservers.ashby.settings import AshbySettings

AUTH = {"Authorization": "Basic " + base64.b64encode(b"atsmock-ashby:").decode()}
DEFAULTS = AshbySettings()
CONTEXTS = st.sampled_from(["CandidateResume", "CandidateFiles"])
FILENAMES = st.sampled_from(["resume.pdf", "portfolio.txt", "Zoë CV.pdf"])


class AshbyMachine(VendorMachine):
    vendor = "ashby"
    error_schemas = ("ErrorResponse",)
    candidates = Bundle("candidates")
    handles = Bundle("handles")
    files = Bundle("files")

    def __init__(self) -> None:
        super().__init__()
        self.elapsed = 0.0

    def advance(self, seconds: float) -> None:
        super().advance(seconds)
        self.elapsed += seconds

    def is_error(self, response: httpx.Response) -> bool:
        return response.status_code >= 400 or response.json().get("success") is not True

    def api(self, operation: str, body: dict[str, Any]) -> httpx.Response:
        return self.call(operation, json=body, headers=AUTH)

    def results(self, operation: str, body: dict[str, Any]) -> Any:
        return self.ok(self.api(operation, body))["results"]

    def error_code(self, answer: httpx.Response) -> str:
        return str(self.refused(answer, 200)["errorInfo"]["code"])

    def create_handle(self, context: str, filename: str, content: bytes) -> dict[str, Any]:
        body = {"fileUploadContext": context, "filename": filename, "contentType": "application/pdf"}
        target = self.results("fileCreateFileUploadHandle", {**body, "contentLength": len(content)})
        self.new_id("handle", target["handle"])
        return dict(target)

    def post_file(self, target: dict[str, Any], filename: str, content: bytes) -> httpx.Response:
        files = {"file": (filename, content, "application/pdf")}
        return self.http.post(target["url"], data=target["fields"], files=files)

    @initialize(target=candidates, name=st.sampled_from(["Adam Hart", "Zoë Ng"]))
    def first_candidate(self, name: str) -> str:
        return self.create_candidate(name)

    @rule(target=candidates, name=st.sampled_from(["Adam Hart", "Zoë Ng"]))
    def create_candidate(self, name: str) -> str:
        candidate = self.results("candidateCreate", {"name": name})
        return self.new_id("candidate", candidate["id"])

    @rule(target=handles, context=CONTEXTS, filename=FILENAMES, content=CONTENTS)
    def upload(self, context: str, filename: str, content: bytes) -> tuple[str, str, str, bytes, float]:
        target = self.create_handle(context, filename, content)
        posted = self.post_file(target, filename, content)
        assert posted.status_code == 204, posted.text
        return target["handle"], context, filename, content, self.elapsed

    @rule(target=files, candidate=candidates, handle=consumes(handles))
    def attach(self, candidate: str, handle: tuple[str, str, str, bytes, float]) -> tuple[str, bytes]:
        """uploadResume / uploadFile by the handle's context; a handle older than 24 h is file_handle_not_found."""
        value, context, filename, content, made = handle
        operation, field = (
            ("candidateUploadResume", "resumeHandle")
            if context == "CandidateResume"
            else ("candidateUploadFile", "fileHandle")
        )
        answer = self.api(operation, {"candidateId": candidate, field: value})
        if self.elapsed - made >= DEFAULTS.handle_ttl_seconds:
            assert self.error_code(answer) == "file_handle_not_found"
            return "", content  # nothing attached: the files bundle gets a sentinel the rules skip
        updated = self.ok(answer)["results"]
        stored = updated["fileHandles"][-1]
        assert stored["name"] == filename, updated
        return str(stored["handle"]), content

    @rule(file=files)
    def download(self, file: tuple[str, bytes]) -> None:
        handle, content = file
        if handle:
            self.expect_download(self.results("fileInfo", {"fileHandle": handle})["url"], content)

    @rule(file=files)
    def link_expires(self, file: tuple[str, bytes]) -> None:
        """file.info's URL is refused by S3 once ``download_ttl_seconds`` have passed; a new one works."""
        handle, _content = file
        if not handle:
            return
        url = self.results("fileInfo", {"fileHandle": handle})["url"]
        self.advance(DEFAULTS.download_ttl_seconds + 1)
        self.expect_expired_link(url)
        self.download(file)

    @rule(handle=handles)
    def handles_lapse(self, handle: tuple[str, str, str, bytes, float]) -> None:
        """Move the clock past the handle lifetime: every handle not yet attached lapses (attach checks it)."""
        self.advance(DEFAULTS.handle_ttl_seconds - (self.elapsed - handle[4]) + 1)

    @rule(candidate=candidates, context=CONTEXTS, content=CONTENTS)
    def policy_expires(self, candidate: str, context: str, content: bytes) -> None:
        """A POST past the policy's 10 minutes is S3's 403; the handle then attaches nothing (invalid_input)."""
        target = self.create_handle(context, "late.pdf", content)
        self.advance(DEFAULTS.upload_ttl_seconds + 1)
        self.expect_policy_expired(self.post_file(target, "late.pdf", content))
        field = "resumeHandle" if context == "CandidateResume" else "fileHandle"
        operation = "candidateUploadResume" if context == "CandidateResume" else "candidateUploadFile"
        answer = self.api(operation, {"candidateId": candidate, field: target["handle"]})
        assert self.error_code(answer) == "invalid_input"

    @rule(context=CONTEXTS, content=CONTENTS)
    def upload_url_expired_fault(self, context: str, content: bytes) -> None:
        """``ashby.upload_url_expired``: a normal answer whose policy is already dead; S3 refuses the POST."""
        with self.faulted("ashby.upload_url_expired", "file.createFileUploadHandle", status=200):
            target = self.create_handle(context, "cv.pdf", content)
        self.expect_policy_expired(self.post_file(target, "cv.pdf", content))

    def expect_policy_expired(self, posted: httpx.Response) -> None:
        assert posted.status_code == 403, posted.text
        assert b"<Code>AccessDenied</Code>" in posted.content, posted.text
        assert b"Policy expired." in posted.content, posted.text

    @rule(data=st.data())
    def faulted_list(self, data: st.DataObject) -> None:
        """A fault answers once with its status and Ashby's envelope; the same call then succeeds."""
        scenario = data.draw(st.sampled_from(self.scenario_names("candidateList")))
        with self.faulted(scenario, "candidate.list") as status:
            self.refused(self.api("candidateList", {}), status)
        self.results("candidateList", {})

    @rule(candidate=st.uuids())
    def unknown_candidate(self, candidate: Any) -> None:
        answer = self.api("candidateInfo", {"id": str(candidate)})
        assert self.error_code(answer) == "candidate_not_found"


TestAshbyWorkflow = as_test(AshbyMachine)
