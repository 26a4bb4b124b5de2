"""PageUp's document workflow (seed 000, workflows A and B) through ``client.pageup``, for ``atsmock demo``."""

from __future__ import annotations

from client.pageup import PageUpClient
from mockservers.core.demo import DemoRun
from mockservers.pageup.settings import PageUpSettings

RESUME = b"%PDF-1.4\n% a resume uploaded by atsmock demo\n" + bytes(range(256)) * 16


def demo(run: DemoRun, settings: PageUpSettings) -> None:
    client = settings.clients[0]
    pageup = PageUpClient(run.http, client.client_id, client.client_secret, tenant=client.tenant)
    with run.step("token (client credentials)"):
        pageup.token()
    with run.step("prepareTempDirectUpload"):
        prepared = pageup.prepare_upload("resume.pdf")
    with run.step("PUT to the presigned S3 URL"):
        pageup.put_file(prepared, RESUME)
    with run.step("moveFromTemp (category Resume)"):
        document = pageup.move_from_temp(
            prepared["physicalFile"], title="Resume", file_name="resume.pdf", document_category_id=7
        )
    run.created("document", document["id"])
    with run.step(f"getDocument {document['id']} and download") as step:
        run.same_bytes(step, RESUME, pageup.download(document["id"]))
