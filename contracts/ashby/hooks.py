"""Ashby's adaptations of the shared checks to its documented error convention.

Ashby answers errors that "would be 4XX" with **HTTP 200** and ``{"success": false, "errors",
"errorInfo"}`` (its docs, "Errors"). Schemathesis' ``negative_data_rejection`` expects a 4xx, so
on Ashby it would flag every correct rejection (a known false positive of the status convention,
not of the mock). Here it counts a 200 failure envelope as the rejection and still fails a 200
``success: true`` (schema-violating data accepted). ``positive_data_acceptance`` is tightened the
same way: a 200 failure envelope on schema-valid data is a rejection unless its code says the
thing asked for does not exist (the 404 the stock check allows).

``install`` seeds, through the documented calls on the target, one candidate, an uploaded résumé
handle and an uploaded file handle (the S3 POST goes to the URL the target answered, as a client's
does) and the résumé's stored file handle; about half the JSON bodies' ``candidateId`` / ``id``,
upload handles and ``file.info`` handles become theirs, and only values the document already
accepts, so a negative case keeps its violation. In the stateful phase the ids a link sets are left
alone (``contracts.adapt.in_stateful_phase``); the upload handles, which no answer links, are all
aimed there, so a workflow's created candidate gets a résumé through the JSON call too.

It also drops a generated ``cursor`` or ``syncToken`` from ``candidate.list``: both are opaque
tokens only the API hands out, so a generated one can only be a stranger the API rightly refuses.
A multipart ``applicationForm.submit`` carries its form as a JSON document inside a text part,
which no schema keyword constrains; a positive multipart case whose JSON the vendor cannot read
is therefore not held to acceptance (the JSON variant is, and contracts/ashby/test_workflow.py
submits multipart forms with real JSON). A negative multipart upload the server accepts is the
known multipart false positive (``contracts.adapt.multipart_negative``): in the per-operation phase
a generated ``candidateId`` is a stranger and the answer is ``candidate_not_found``, but in the
stateful phase a link sets it to a real candidate and the form's text parts are valid as sent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contracts.adapt import excusing, in_stateful_phase, multipart_negative
from contracts.target import Target

NOT_FOUND_SUFFIX = "_not_found"
"""Ashby's error codes for a missing thing: ``candidate_not_found``, ``file_handle_not_found``…"""


def _envelope(response: Any) -> dict[str, Any] | None:
    """The JSON object of an HTTP 200 answer (Ashby's success and error envelopes); None otherwise."""
    if response.status_code != 200:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def failure_code(response: Any) -> str | None:
    """The ``errorInfo.code`` of a 200 ``success: false`` envelope; None for anything else."""
    body = _envelope(response)
    if body is None or body.get("success") is not False:
        return None
    info = body.get("errorInfo")
    code = info.get("code") if isinstance(info, dict) else None
    return code if isinstance(code, str) else ""


def succeeded(response: Any) -> bool:
    """A call Ashby did: HTTP 200 with ``success: true`` (its errors are HTTP 200 too)."""
    body = _envelope(response)
    return body is not None and body.get("success") is True


UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
"""``format: uuid`` as the document's ids have it: only a UUID is re-aimed."""
HANDLE = re.compile(r"\S")
"""The document's handle rule (``minLength: 1``, ``pattern: '\\S'``): only a handle it accepts is re-aimed."""
PDF = b"%PDF-1.4 contract resume"


@dataclass(frozen=True)
class Seeded:
    """What ``seed`` made on the target: a candidate, upload handles per context, a stored file's handle."""

    candidate_id: str
    resume_handle: str
    file_handle: str
    stored_handle: str


def seed(target: Target, credentials: Mapping[str, str]) -> Seeded:
    """One candidate with a résumé, and an uploaded handle per upload context, by the documented calls."""
    from client.ashby import AshbyClient

    with target.client() as http:
        ashby = AshbyClient(http, credentials["api_key"])
        candidate = ashby.create_candidate("Ada Contract")
        resume = ashby.upload_file_handle("CandidateResume", PDF, "cv.pdf", "application/pdf")
        files = ashby.upload_file_handle("CandidateFiles", PDF, "notes.pdf", "application/pdf")
        attached = ashby.call("candidate.uploadResume", {"candidateId": candidate["id"], "resumeHandle": resume})
        return Seeded(str(candidate["id"]), resume, files, str(attached["resumeFileHandle"]["handle"]))


def _aimed(value: Any, rule: re.Pattern[str], *, always: bool = False) -> bool:
    """About half the values the document accepts (``always``: all of them): decided by the value,
    so shrinking keeps the choice."""
    if not isinstance(value, str):
        return False
    accepted = rule.fullmatch(value) is not None if rule is UUID else rule.search(value) is not None
    return accepted and (always or len(value) % 2 == 0)


class Aim:
    """The aiming ``map_case`` hook: per operation, the JSON body fields it sets to seeded things."""

    def __init__(self, seeded: Seeded | None) -> None:
        self.linked: dict[str, dict[str, str]] = {}
        self.unlinked: dict[str, dict[str, str]] = {}
        if seeded is None:
            return
        ids = {"candidateId": seeded.candidate_id}
        self.linked = {
            "candidateInfo": {"id": seeded.candidate_id},
            "candidateUploadResume": ids,
            "candidateUploadFile": ids,
            "fileInfo": {"fileHandle": seeded.stored_handle},
        }
        """Fields an OpenAPI link may set in the stateful phase: aimed only outside it."""
        self.unlinked = {
            "candidateUploadResume": {"resumeHandle": seeded.resume_handle},
            "candidateUploadFile": {"fileHandle": seeded.file_handle},
        }

    def __call__(self, context: Any, case: Any) -> Any:
        body = case.body
        if not isinstance(body, dict) or case.media_type != "application/json":
            return case
        operation_id = case.operation.definition.raw.get("operationId")
        if operation_id == "candidateList":
            # Only string tokens (a schema-valid one); a wrong type stays, it is a negative case's point.
            case.body = {k: v for k, v in body.items() if not (k in ("cursor", "syncToken") and isinstance(v, str))}
            return case
        stateful = in_stateful_phase(case)
        fields = dict(self.unlinked.get(operation_id, {}))
        if not stateful:
            fields.update(self.linked.get(operation_id, {}))
        for name, value in fields.items():
            # In a workflow every valid upload handle is a real one: the candidate a link brought
            # then gets its résumé, and the next link has a file to read.
            if _aimed(body.get(name), UUID if name in ("id", "candidateId") else HANDLE, always=stateful):
                body[name] = value
        return case


def install(schema: Any, target: Target, credentials: Mapping[str, str]) -> None:
    """Seed the target and aim the generated bodies at what it holds (``Aim``). A key that may not
    create candidates or upload (a read-only key's run) seeds nothing and aims nothing."""
    from client.ashby import AshbyError

    try:
        seeded: Seeded | None = seed(target, credentials)
    except AshbyError as exc:
        if exc.status != 403:
            raise
        seeded = None
    schema.hook("map_case")(Aim(seeded))


def adapt_checks(functions: Mapping[str, Any]) -> dict[str, Any]:
    """The shared checks with Ashby's HTTP 200 errors read as the rejections they are."""
    from schemathesis import GenerationMode
    from schemathesis.specs.openapi.checks import RejectedPositiveData

    adapted = excusing(
        functions,
        "negative_data_rejection",
        lambda response, case: failure_code(response) is not None or multipart_negative(response, case),
    )
    positive = functions["positive_data_acceptance"]

    def positive_data_acceptance(ctx: Any, response: Any, case: Any) -> bool | None:
        code = failure_code(response)
        meta = case.meta
        positive_case = meta is not None and meta.generation.mode == GenerationMode.POSITIVE
        multipart_json = "is not valid JSON" in response.text and case.media_type == "multipart/form-data"
        if code is not None and positive_case and not code.endswith(NOT_FOUND_SUFFIX) and not multipart_json:
            raise RejectedPositiveData(
                operation=case.operation.label,
                message=f"Valid data should have been accepted\nAnswered: 200 success false, {code}",
                status_code=response.status_code,
                allowed_statuses=["200 success true"],
            )
        result: bool | None = positive(ctx, response, case)
        return result

    return {**adapted, "positive_data_acceptance": positive_data_acceptance}
