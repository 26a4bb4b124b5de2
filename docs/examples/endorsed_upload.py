"""Endorsed's reference client against atsmock: a candidate, its resume as a file, then downloaded back."""

from __future__ import annotations

import httpx

from client.endorsed import EndorsedClient, remote


def upload_resume(http: httpx.Client, resume: bytes) -> bytes:
    """``http``'s base URL is the mock's Endorsed root, e.g. ``http://127.0.0.1:8000/endorsed``."""
    endorsed = EndorsedClient(http, "00000000-0000-4000-8000-000000000001", "atsmock-endorsed-secret")
    candidate = endorsed.create_candidate(first_name="Ada", last_name="Lovelace", remote_id="ats-42")
    endorsed.upload(resume, remote_id="ats-42-cv", type="resume", candidate_id=candidate, file_name="cv.pdf")
    endorsed.upsert("ats-42-cv", resume + b"\n%v2", type="resume", file_name="cv.pdf")  # replaced in place
    return endorsed.download(remote("ats-42-cv"))
