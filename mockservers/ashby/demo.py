"""Ashby's file workflow (upload handle, S3 POST, attach, file.info) through ``client.ashby``, for ``atsmock demo``."""

from __future__ import annotations

from client.ashby import AshbyClient
from mockservers.ashby.settings import AshbySettings
from mockservers.core.demo import DemoRun

RESUME = b"%PDF-1.4\n% a resume uploaded by atsmock demo\n" + bytes(range(256)) * 16


def demo(run: DemoRun, settings: AshbySettings) -> None:
    key = next(k for k in settings.api_keys if k.active and "candidatesWrite" in k.permissions)
    ashby = AshbyClient(run.http, key.api_key)
    with run.step("candidate.create"):
        candidate = ashby.create_candidate("Ada Lovelace", email=f"ada.{run.unique}@example.com")
    run.created("candidate", candidate["id"])
    with run.step("file.createFileUploadHandle"):
        target = ashby.create_upload_handle("CandidateResume", "resume.pdf", "application/pdf", len(RESUME))
    with run.step("POST to the presigned S3 policy"):
        ashby.upload(target, RESUME, "resume.pdf", "application/pdf")
    with run.step("candidate.uploadResume"):
        body = {"candidateId": candidate["id"], "resumeHandle": target.handle}
        attached = ashby.call("candidate.uploadResume", body, idempotent=False)
    run.created("file", attached["resumeFileHandle"]["id"])
    with run.step("file.info and download") as step:
        run.same_bytes(step, RESUME, ashby.download(attached["resumeFileHandle"]["handle"]))
