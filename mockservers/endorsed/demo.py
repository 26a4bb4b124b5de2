"""Endorsed's attachment workflow (token, candidate, multipart and URL uploads, upsert, download) through
``client.endorsed``."""

from __future__ import annotations

from client.endorsed import EndorsedClient, remote
from mockservers.core.demo import DemoRun
from mockservers.endorsed.settings import EndorsedSettings

RESUME = b"%PDF-1.4\n% a resume uploaded by atsmock demo\n" + bytes(range(256)) * 16
PROFILE = b"%PDF-1.4\n% a profile Endorsed fetches by URL\n" + bytes(range(255, -1, -1)) * 8


def demo(run: DemoRun, settings: EndorsedSettings) -> None:
    client = next(c for c in settings.clients if "all:write" in c.scopes)
    endorsed = EndorsedClient(run.http, client.client_id, client.client_secret)
    with run.step("POST /candidates (after a token)"):
        candidate = endorsed.create_candidate(first_name="Ada", last_name="Lovelace", remote_id=f"ada-{run.unique}")
    run.created("candidate", candidate)
    with run.step("POST /attachments (multipart)"):
        resume = endorsed.upload(
            RESUME, remote_id=f"resume-{run.unique}", type="resume", candidate_id=candidate, file_name="cv.pdf"
        )
    run.created("attachment", resume)
    with run.step("GET remote.<id> and its ephemeral_url") as step:
        run.same_bytes(step, RESUME, endorsed.download(remote(f"resume-{run.unique}")))
    url = run.serve_file(PROFILE, "about.pdf")
    with run.step("POST /attachments (public_file_url)"):
        about = endorsed.upload_from_url(url, remote_id=f"about-{run.unique}", type="about", candidate_id=candidate)
    run.created("attachment", about)
    with run.step("download the fetched file") as step:
        run.same_bytes(step, PROFILE, endorsed.download(about))
