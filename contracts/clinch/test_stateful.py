"""Clinch's candidates and files as a state machine, every request HMAC-signed with the reference
client's ``ClinchAuth`` against the mock clock: create candidates, upload base64 files, read them back
through ``include=resumes`` and download them, tag and untag, the download URL's 5 minutes and the
signature's 900 s date window on the mock clock, and Clinch's error faults. Clinch has no file replace
or delete.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, consumes, initialize, rule

from client.clinch import ClinchAuth
from contracts.stateful import CONTENTS, VendorMachine, as_test
from mockservers.clinch.settings import ClinchSettings

JSON_API = "application/vnd.api+json"
DEFAULTS = ClinchSettings()


class ClinchMachine(VendorMachine):
    vendor = "clinch"
    error_schemas = ("Errors",)
    candidates = Bundle("candidates")
    files = Bundle("files")
    tags = Bundle("tags")

    def __init__(self) -> None:
        super().__init__()
        self.tag_ids: dict[tuple[str, str], str] = {}
        self.signer = ClinchAuth("atsmock-clinch", "atsmock-clinch-secret", clock=self.app.platform.clock.now)

    def api(
        self, operation: str, path: dict[str, Any] | None = None, document: Any = None, **kw: Any
    ) -> httpx.Response:
        content = None if document is None else json.dumps(document).encode()
        headers = {"Accept": JSON_API, "Content-Type": JSON_API}
        return self.call(operation, path, content=content, headers=headers, auth=self.signer, **kw)

    @initialize(target=candidates)
    def first_candidate(self) -> str:
        return self.create_candidate()

    @rule(target=candidates)
    def create_candidate(self) -> str:
        email = f"c{len(self.seen_ids)}@example.com"
        person = {
            "data": {"type": "candidates", "attributes": {"first_name": "Jane", "last_name": "Smith", "email": email}}
        }
        return self.new_id("candidate", self.ok(self.api("createCandidate", document=person), 201)["data"]["id"])

    @rule(target=files, candidate=candidates, content=CONTENTS)
    def upload(self, candidate: str, content: bytes) -> tuple[str, str, bytes]:
        attributes = {"filename": "resume.pdf", "content": base64.b64encode(content).decode()}
        upload = {"data": {"type": "candidate_files", "attributes": attributes}}
        stored = self.ok(self.api("createCandidateFile", {"candidateId": candidate}, upload), 201)["data"]
        assert stored["attributes"]["size"] == len(content)
        return self.new_id("candidate_file", stored["id"]), candidate, content

    def file_url(self, file: tuple[str, str, bytes]) -> str:
        file_id, candidate, _ = file
        read = self.ok(self.api("getCandidate", {"candidateId": candidate}, params={"include": "resumes"}))
        (found,) = [item for item in read.get("included", []) if item["id"] == file_id]
        return str(found["attributes"]["url"])

    @rule(file=files)
    def download(self, file: tuple[str, str, bytes]) -> None:
        self.expect_download(self.file_url(file), file[2])

    @rule(file=files)
    def link_expires(self, file: tuple[str, str, bytes]) -> None:
        url = self.file_url(file)
        self.advance(DEFAULTS.download_ttl_seconds + 1)
        self.expect_expired_link(url)
        self.download(file)

    @rule(target=tags, candidate=candidates, name=st.sampled_from(["Tag Name", "Überprüft"]))
    def tag(self, candidate: str, name: str) -> tuple[str, str]:
        """Tagging twice with one name answers the existing tag (inferred, models.add_tag), else a new id."""
        tag = {"data": {"type": "tag", "attributes": {"name": name}}}
        created = self.ok(self.api("createCandidateTag", {"candidateId": candidate}, tag))["data"]
        if (candidate, name) in self.tag_ids:
            assert created["id"] == self.tag_ids[candidate, name]
            return created["id"], candidate
        self.tag_ids[candidate, name] = created["id"]
        return self.new_id("tag", created["id"]), candidate

    @rule(tag=consumes(tags))
    def untag(self, tag: tuple[str, str]) -> None:
        """A deleted tag is gone; deleting it again is Clinch's 404."""
        tag_id, candidate = tag
        if tag_id not in self.tag_ids.values():
            return  # already deleted through another reference to the same tag
        self.tag_ids = {k: v for k, v in self.tag_ids.items() if v != tag_id}
        self.ok(self.api("deleteCandidateTag", {"candidateId": candidate, "tagId": tag_id}))
        listed = self.ok(self.api("getCandidateTag", {"candidateId": candidate}))["data"]
        assert tag_id not in [t["id"] for t in listed]
        self.refused(self.api("deleteCandidateTag", {"candidateId": candidate, "tagId": tag_id}), 404)

    @rule(candidate=candidates)
    def signature_ages(self, candidate: str) -> None:
        """A request signed more than 900 s ago (its ``Date``) is 401 date_outside_window; a fresh one passes."""
        request = self.http.build_request("GET", self.contract.url("getCandidate", candidateId=candidate)[1])
        request.headers.update({"Accept": JSON_API, "Content-Type": JSON_API})
        self.signer.sign(request)
        self.advance(DEFAULTS.clock_skew_seconds)
        late = self.http.send(request)
        self.check_answer("getCandidate", late)
        assert self.refused(late, 401)["errors"][0]["code"] == "date_outside_window"
        self.ok(self.api("getCandidate", {"candidateId": candidate}))

    @rule(data=st.data(), candidate=candidates)
    def faulted_read(self, data: st.DataObject, candidate: str) -> None:
        scenario = data.draw(st.sampled_from(self.scenario_names("getCandidate")))
        with self.faulted(scenario, "getCandidate") as status:
            self.refused(self.api("getCandidate", {"candidateId": candidate}), status)
        self.ok(self.api("getCandidate", {"candidateId": candidate}))

    @rule(candidate=candidates)
    def unprocessable_tag(self, candidate: str) -> None:
        """``clinch.unprocessable`` where Clinch documents a 422: the tag is refused, and nothing is tagged."""
        before = self.ok(self.api("getCandidateTag", {"candidateId": candidate}))["data"]
        tag = {"data": {"type": "tag", "attributes": {"name": "Refused"}}}
        with self.faulted("clinch.unprocessable", "createCandidateTag") as status:
            self.refused(self.api("createCandidateTag", {"candidateId": candidate}, tag), status)
        assert self.ok(self.api("getCandidateTag", {"candidateId": candidate}))["data"] == before

    @rule(missing=st.integers(10**6, 10**7))
    def unknown_candidate(self, missing: int) -> None:
        self.refused(self.api("getCandidate", {"candidateId": missing}), 404)


TestClinchWorkflow = as_test(ClinchMachine)
