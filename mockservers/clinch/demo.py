"""Clinch's candidate-file workflow (create, upload a file, read it back through include=resumes) through
``client.clinch``, every request signed as api_auth signs it."""

from __future__ import annotations

from client.clinch import ClinchClient
from mockservers.clinch import VENDOR
from mockservers.clinch.settings import ClinchSettings
from mockservers.core.demo import DemoRun

RESUME = b"%PDF-1.4\n% a resume uploaded by atsmock demo\n" + bytes(range(256)) * 16


def demo(run: DemoRun, settings: ClinchSettings) -> None:
    clinch = ClinchClient(run.client(VENDOR.api_path), settings.access_id, settings.secret)
    with run.step("POST /candidates (signed)"):
        candidate = clinch.create_candidate(f"ada.{run.unique}@example.com", first_name="Ada", last_name="Lovelace")
    run.created("candidate", candidate["id"])
    with run.step("POST /candidates/{id}/candidate_files"):
        stored_file = clinch.upload_file(candidate["id"], RESUME, filename="resume.pdf")
    run.created("file", stored_file["id"])
    with run.step("GET /candidates/{id}?include=resumes"):
        [stored] = clinch.files(candidate["id"])
    with run.step("download the file's url") as step:
        run.same_bytes(step, RESUME, clinch.download(stored))
