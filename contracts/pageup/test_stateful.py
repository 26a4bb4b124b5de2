"""PageUp's document workflow as a state machine: upload (prepare, PUT, moveFromTemp), replace (moveFromTemp
with ``id``), download, token and link expiry on the mock clock, and PageUp's fault scenarios.

PageUp has no delete in its Document API. Tokens live 300 s and download links ``expiresInSeconds``
(10..300) on the mock clock; the machine moves it past both and checks the exact refusal.
"""

from __future__ import annotations

from typing import Any

import httpx
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, consumes, initialize, rule

from contracts.stateful import CONTENTS, VendorMachine, as_test

TENANT = "218"
FILENAMES = st.sampled_from(["cv.pdf", "notes.txt", "Müller résumé.docx", "scan.png"])
FORM = {
    "grant_type": "client_credentials",
    "client_id": "atsmock-pageup",
    "client_secret": "atsmock-pageup-secret",
    "scope": "Public.Document.Read Public.Document.Write",
}
TOKEN_TTL = 300


class PageUpMachine(VendorMachine):
    vendor = "pageup"
    error_schemas = ("ErrorList", "OAuthError")
    documents = Bundle("documents")

    def __init__(self) -> None:
        super().__init__()
        self.token = ""
        self.token_age = 0.0
        self.fresh_token()

    def fresh_token(self) -> None:
        body = self.ok(self.call("requestToken", data=FORM))
        assert body["expires_in"] == TOKEN_TTL
        self.token, self.token_age = body["access_token"], 0.0

    def auth(self) -> dict[str, str]:
        """The bearer header, with a new token first when the clock has moved past this one (as a client does)."""
        if self.token_age >= TOKEN_TTL:
            self.fresh_token()
        return {"Authorization": f"Bearer {self.token}"}

    def advance(self, seconds: float) -> None:
        super().advance(seconds)
        self.token_age += seconds

    def put(self, filename: str, content: bytes) -> str:
        """prepareTempDirectUpload then the PUT with every header it returned; the physicalFile."""
        prepared = self.ok(
            self.call("prepareTempDirectUpload", {"tenant": TENANT}, params={"filename": filename}, headers=self.auth())
        )
        headers = {**prepared["headers"], "content-type": prepared["contentType"]}
        stored = self.http.put(prepared["url"], content=content, headers=headers)
        assert stored.status_code == 200, stored.text
        return str(prepared["physicalFile"])

    def move(self, filename: str, physical: str, **extra: Any) -> httpx.Response:
        body = {"fileName": filename, "title": filename, "physicalFile": physical, "documentCategoryId": 7, **extra}
        body.update(applicationId=16142309, applicantId=26459460)
        return self.call("moveFromTemp", {"tenant": TENANT}, json=body, headers=self.auth())

    @initialize(target=documents, filename=FILENAMES, content=CONTENTS)
    def first_upload(self, filename: str, content: bytes) -> tuple[str, bytes]:
        return self.upload(filename, content)

    @rule(target=documents, filename=FILENAMES, content=CONTENTS)
    def upload(self, filename: str, content: bytes) -> tuple[str, bytes]:
        document = self.ok(self.move(filename, self.put(filename, content)))
        assert document["fileName"] == filename
        return self.new_id("document", document["id"]), content

    @rule(target=documents, document=consumes(documents), filename=FILENAMES, content=CONTENTS)
    def replace(self, document: tuple[str, bytes], filename: str, content: bytes) -> tuple[str, bytes]:
        """moveFromTemp with ``id``: the same document, new bytes (the old ones are gone)."""
        doc_id, _ = document
        replaced = self.ok(self.move(filename, self.put(filename, content), id=int(doc_id)))
        assert replaced["id"] == doc_id
        return doc_id, content

    @rule(document=documents, expires=st.integers(10, 300))
    def download(self, document: tuple[str, bytes], expires: int) -> None:
        doc_id, content = document
        link = self.ok(
            self.call(
                "getDocument",
                {"tenant": TENANT, "id": doc_id},
                params={"expiresInSeconds": expires},
                headers=self.auth(),
            )
        )
        self.expect_download(link["url"], content)

    @rule(document=documents, expires=st.integers(10, 300))
    def link_expires(self, document: tuple[str, bytes], expires: int) -> None:
        """A link dies one second after ``expiresInSeconds`` on the mock clock; a new one works."""
        doc_id, _content = document
        link = self.ok(
            self.call(
                "getDocument",
                {"tenant": TENANT, "id": doc_id},
                params={"expiresInSeconds": expires},
                headers=self.auth(),
            )
        )
        self.advance(expires + 1)
        self.expect_expired_link(link["url"])
        self.download(document, 60)

    @rule()
    def token_expires(self) -> None:
        """Past 300 s the token is refused with PageUp's 401 and ``Bearer error="invalid_token"``; a new one works."""
        self.advance(TOKEN_TTL - self.token_age + 1)
        stale = {"Authorization": f"Bearer {self.token}"}
        answer = self.call("prepareTempDirectUpload", {"tenant": TENANT}, params={"filename": "a.txt"}, headers=stale)
        self.refused(answer, 401)
        assert answer.headers["www-authenticate"].startswith('Bearer error="invalid_token"'), answer.headers
        self.fresh_token()
        self.ok(
            self.call("prepareTempDirectUpload", {"tenant": TENANT}, params={"filename": "a.txt"}, headers=self.auth())
        )

    @rule(missing=st.integers(1, 10**6))
    def unknown_document(self, missing: int) -> None:
        """An id never handed out is PageUp's 404 naming the document."""
        if ("document", str(missing)) in self.seen_ids:
            return
        answer = self.call("getDocument", {"tenant": TENANT, "id": missing}, headers=self.auth())
        assert self.refused(answer, 404) == [{"message": f"Document {missing} was not found."}]

    @rule(data=st.data(), filename=FILENAMES)
    def faulted_prepare(self, data: st.DataObject, filename: str) -> None:
        """A fault answers once with its status; the same request then succeeds (nothing poisoned)."""
        scenario = data.draw(st.sampled_from(self.scenario_names("prepareTempDirectUpload")))
        headers = self.auth()
        with self.faulted(scenario, "prepareTempDirectUpload") as status:
            answer = self.call(
                "prepareTempDirectUpload", {"tenant": TENANT}, params={"filename": filename}, headers=headers
            )
            self.refused(answer, status)
        self.ok(
            self.call("prepareTempDirectUpload", {"tenant": TENANT}, params={"filename": filename}, headers=headers)
        )


TestPageUpWorkflow = as_test(PageUpMachine)
