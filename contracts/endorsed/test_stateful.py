"""Endorsed's attachments as a state machine: a Bearer token, candidates, multipart attachments, read
back (``ephemeral_url``) and downloaded, replaced (PUT), deleted (then 404), the download URL's 15
minutes and the token's 14 days on the mock clock, and Endorsed's fault scenarios.
"""

from __future__ import annotations

import itertools

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, consumes, initialize, rule

from contracts.stateful import CONTENTS, VendorMachine, as_test
from mockservers.endorsed.settings import EndorsedSettings

DEFAULTS = EndorsedSettings()
FORM = {
    "client_id": "00000000-0000-4000-8000-000000000001",
    "client_secret": "atsmock-endorsed-secret",
    "grant_type": "client_credentials",
    "scope": "all:read all:write",
}
_remote = itertools.count()


class EndorsedMachine(VendorMachine):
    vendor = "endorsed"
    error_schemas = ("Error",)
    candidates = Bundle("candidates")
    attachments = Bundle("attachments")

    def __init__(self) -> None:
        super().__init__()
        self.token = ""
        self.remote_ids: dict[str, str] = {}
        self.fresh_token()

    def fresh_token(self) -> None:
        body = self.ok(self.call("createAccessToken", data=FORM, headers={"Accept": "application/json"}))
        self.token = body["access_token"]

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @initialize(target=candidates)
    def first_candidate(self) -> str:
        return self.create_candidate()

    @rule(target=candidates)
    def create_candidate(self) -> str:
        person = {"first_name": "John", "last_name": "Doe", "remote_id": f"c-{next(_remote)}"}
        created = self.ok(self.call("createCandidate", json=person, headers=self.auth()), 201)
        return self.new_id("candidate", created["result"]["id"])

    @rule(target=attachments, candidate=candidates, content=CONTENTS)
    def attach(self, candidate: str, content: bytes) -> tuple[str, bytes]:
        form = {"remote_id": f"a-{next(_remote)}", "type": "resume", "candidate_id": candidate}
        files = {"file": ("cv.pdf", content, "application/pdf")}
        created = self.ok(self.call("createAttachment", data=form, files=files, headers=self.auth()), 201)
        attachment_id = self.new_id("attachment", created["result"]["id"])
        self.remote_ids[attachment_id] = form["remote_id"]
        return attachment_id, content

    def url(self, attachment_id: str) -> str:
        read = self.ok(self.call("getAttachment", {"id": attachment_id}, headers=self.auth()))
        return str(read["result"]["ephemeral_url"])

    @rule(attachment=attachments)
    def download(self, attachment: tuple[str, bytes]) -> None:
        self.expect_download(self.url(attachment[0]), attachment[1])

    @rule(target=attachments, attachment=consumes(attachments), content=CONTENTS)
    def replace(self, attachment: tuple[str, bytes], content: bytes) -> tuple[str, bytes]:
        """PUT with a new file keeps the id; the bytes are the new ones."""
        attachment_id, _ = attachment
        files = {"file": ("cv-v2.pdf", content, "application/pdf")}
        answer = self.call(
            "upsertAttachment",
            {"id": attachment_id},
            data={"remote_id": self.remote_ids[attachment_id], "type": "resume"},
            files=files,
            headers=self.auth(),
        )
        assert self.ok(answer) == {"is_error": False, "result": {"id": attachment_id}}
        return attachment_id, content

    @rule(attachment=consumes(attachments))
    def delete(self, attachment: tuple[str, bytes]) -> None:
        attachment_id, _ = attachment
        answer = self.call("deleteAttachment", {"id": attachment_id}, headers=self.auth())
        assert self.ok(answer) == {"is_error": False, "result": {"id": attachment_id}}
        gone = self.refused(self.call("getAttachment", {"id": attachment_id}, headers=self.auth()), 404)
        assert gone["error"]["code"] == "NOT_FOUND"

    @rule(attachment=attachments)
    def link_expires(self, attachment: tuple[str, bytes]) -> None:
        url = self.url(attachment[0])
        self.advance(DEFAULTS.download_ttl_seconds + 1)
        self.expect_expired_link(url)
        self.download(attachment)

    @rule()
    def token_expires(self) -> None:
        """After 14 days the token is 401 UNAUTHENTICATED; a new one works."""
        self.advance(DEFAULTS.token_ttl_seconds + 1)
        refused = self.refused(self.call("getCandidate", {"id": "missing"}, headers=self.auth()), 401)
        assert refused["error"]["code"] == "UNAUTHENTICATED"
        self.fresh_token()

    @rule(data=st.data(), attachment=attachments)
    def faulted_read(self, data: st.DataObject, attachment: tuple[str, bytes]) -> None:
        scenario = data.draw(st.sampled_from(self.scenario_names("getAttachment")))
        with self.faulted(scenario, "getAttachment") as status:
            self.refused(self.call("getAttachment", {"id": attachment[0]}, headers=self.auth()), status)
        self.download(attachment)


TestEndorsedWorkflow = as_test(EndorsedMachine)
