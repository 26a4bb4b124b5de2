"""Welcome to the Jungle's documents as a state machine: create candidates, attach documents by
``remote_file_urls`` (served on 127.0.0.1 by one file server for the module), list and download
them, their download URLs' 10 minutes on the mock clock, and WTTJ's error faults. WTTJ has no
replace or delete for documents.
"""

from __future__ import annotations

import functools
import itertools

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, initialize, rule

from contracts.stateful import CONTENTS, VendorMachine, as_test
from mockservers.wttj.settings import WttjSettings
from tests.core.fetch_support import ScriptedServer, answer

AUTH = {"Authorization": "Bearer atsmock-wttj"}
PERSON = {"firstname": "Foo", "lastname": "Bar", "organization_reference": "Pg4eV6k"}
JOB = {"job_reference": "WTTJ_KmqkD1Y", "job_stage_id": 14598}
LINK_TTL = WttjSettings().download_ttl_seconds
_paths = itertools.count()


@functools.cache
def files() -> ScriptedServer:
    """One local file server for every example (its routes are never reused: each path is new)."""
    return ScriptedServer()


def serve(content: bytes) -> str:
    path = f"/file-{next(_paths)}.pdf"
    files().route(path, answer(200, content, {"Content-Type": "application/pdf"}))
    return files().url(path)


class WttjMachine(VendorMachine):
    vendor = "wttj"
    error_schemas = ("Error",)
    own_rule_scenarios = frozenset({"wttj.remote_fetch_timeout"})
    candidates = Bundle("candidates")
    documents = Bundle("documents")

    @initialize(target=candidates)
    def first_candidate(self) -> str:
        return self.create_candidate()

    @rule(target=candidates)
    def create_candidate(self) -> str:
        body = {**PERSON, **JOB, "email": f"c{len(self.seen_ids)}-{next(_paths)}@example.com"}
        created = self.ok(self.call("createCandidate", json=body, headers=AUTH), 201)
        return self.new_id("candidate", created["reference"])

    @rule(target=documents, candidate=candidates, content=CONTENTS)
    def attach(self, candidate: str, content: bytes) -> tuple[str, str, bytes]:
        body = {"candidate_reference": candidate, "remote_file_urls": [{"filename": "cv", "url": serve(content)}]}
        (document,) = self.ok(self.call("attachDocuments", json=body, headers=AUTH), 201)
        assert (document["size"], document["candidate_reference"]) == (len(content), candidate)
        return self.new_id("document", document["id"]), candidate, content

    def file_url(self, document: tuple[str, str, bytes]) -> str:
        doc_id, candidate, _ = document
        listed = self.ok(self.call("listDocuments", params={"candidate_reference": candidate}, headers=AUTH))
        (found,) = [d for d in listed if str(d["id"]) == doc_id]
        return str(found["file_url"])

    @rule(candidate=candidates, content=CONTENTS)
    def remote_fetch_times_out(self, candidate: str, content: bytes) -> None:
        """``wttj.remote_fetch_timeout``: the attach is WTTJ's 400 validation_failed and attaches nothing."""
        url = serve(content)
        body = {"candidate_reference": candidate, "remote_file_urls": [{"filename": "cv", "url": url}]}
        before = self.ok(self.call("listDocuments", params={"candidate_reference": candidate}, headers=AUTH))
        with self.faulted("wttj.remote_fetch_timeout", "attachDocuments") as status:
            refusal = self.refused(self.call("attachDocuments", json=body, headers=AUTH), status)
        assert refusal["error"] == "validation_failed", refusal
        after = self.ok(self.call("listDocuments", params={"candidate_reference": candidate}, headers=AUTH))
        assert after == before

    @rule(document=documents)
    def download(self, document: tuple[str, str, bytes]) -> None:
        self.expect_download(self.file_url(document), document[2])

    @rule(document=documents)
    def link_expires(self, document: tuple[str, str, bytes]) -> None:
        """A file_url dies after ``download_ttl_seconds`` of mock time; listing again gives one that works."""
        url = self.file_url(document)
        self.advance(LINK_TTL + 1)
        self.expect_expired_link(url)
        self.download(document)

    @rule(candidate=st.sampled_from(["wttj-0000000000000000000000ff", "nobody"]))
    def unknown_candidate(self, candidate: str) -> None:
        answer = self.call("getCandidate", {"reference": candidate}, headers=AUTH)
        assert self.refused(answer, 404)["error"] == "not_found"

    @rule(data=st.data(), candidate=candidates)
    def faulted_list(self, data: st.DataObject, candidate: str) -> None:
        """A fault answers once with WTTJ's envelope; the same list then answers."""
        scenario = data.draw(st.sampled_from(self.scenario_names("listDocuments")))
        params = {"candidate_reference": candidate}
        with self.faulted(scenario, "listDocuments") as status:
            self.refused(self.call("listDocuments", params=params, headers=AUTH), status)
        self.ok(self.call("listDocuments", params=params, headers=AUTH))


TestWttjWorkflow = as_test(WttjMachine)
