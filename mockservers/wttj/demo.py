"""WTTJ's documents workflow (create a candidate, attach by URL, list, download) through ``client.wttj``."""

from __future__ import annotations

from client.wttj import WttjClient
from mockservers.core.demo import DemoRun
from mockservers.wttj import VENDOR
from mockservers.wttj.models import ORGANIZATION_REFERENCE
from mockservers.wttj.settings import WttjSettings

RESUME = b"%PDF-1.4\n% a resume attached by atsmock demo\n" + bytes(range(256)) * 16


def demo(run: DemoRun, settings: WttjSettings) -> None:
    token = next(t for t in settings.tokens if "documents_rw" in t.scopes)
    wttj = WttjClient(run.client(VENDOR.api_path), token.token)
    with run.step("POST /candidates"):
        candidate = wttj.create_candidate(
            organization_reference=ORGANIZATION_REFERENCE,
            job_reference="WTTJ_KmqkD1Y",
            job_stage_id=14598,
            email=f"ada.{run.unique}@example.com",
            firstname="Ada",
            lastname="Lovelace",
        )
    run.created("candidate", candidate["reference"])
    url = run.serve_file(RESUME, "resume.pdf")
    with run.step("POST /documents (WTTJ fetches the URL)"):
        [document] = wttj.attach_documents(candidate["reference"], [("resume.pdf", url)])
    run.created("document", document["id"])
    with run.step("GET /documents"):
        listed = list(wttj.documents(candidate["reference"]))
        if [d["id"] for d in listed] != [document["id"]]:
            raise AssertionError(f"the list shows {listed!r}")
    with run.step("download file_url") as step:
        run.same_bytes(step, RESUME, wttj.download(document))
