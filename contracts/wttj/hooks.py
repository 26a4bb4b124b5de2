"""WTTJ's aiming hook and its reading of a URL the vendor could not download.

About half the generated cases are aimed at real things (decided by the generated values, so
shrinking keeps the choice), and the first few creates and attaches the document accepts whole
always are (``SURE``), so every run creates a candidate and attaches a file however the draws fall;
only values the document already accepts are replaced, so a
negative case keeps the violation it was generated for (schemathesis does not re-judge a case a
``map_case`` hook edits in place): the seeded organization, job, stage and candidate (the mock's
demo data; a real tenant's come from the credentials file's ``organization_reference``,
``job_reference``, ``job_stage_id`` and ``candidate_reference``), so they get past the 404s. With a
``file_url`` in the credentials (a PDF the target can download), every ``remote_file_urls`` URL of
an aimed list is that file, so attaching succeeds too; an aimed candidate's ``remote_*_url`` values
(URLs that point nowhere) are left out. "Accepted" is the document's own field schema, judged as
schemathesis judges it (``jsonschema_rs``, formats asserted): a non-URI ``remote_resume_url`` or a
blank ``url`` stays, and the target must refuse it.

In the stateful phase an OpenAPI link sets ``getCandidate``'s ``reference`` and
``listDocuments``' ``candidate_reference`` from an earlier answer (``contracts.adapt.in_stateful_phase``):
those are left alone, else a workflow would read the seeded candidate instead of the one it just
created. A link's ``candidate_reference`` in the attach body is merged after this hook runs.

WTTJ downloads every ``remote_*_url`` during the request and answers 400 ``validation_failed``
"... could not be downloaded" when it cannot: a statement about the remote URL, not about the
request's shape, like the 404 of an unknown id that ``positive_data_acceptance`` allows. Generated
URLs point nowhere, so that answer is not counted as rejected positive data; nor is "job_stage_id
... is not a stage of job ...", the job's own stages being state too, nor one of the mock's bounds
("atsmock keeps at most 50 documents per candidate": the aimed attaches all go to one candidate).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from contracts import load_openapi
from contracts.adapt import empty_query_reads_as_absent, excusing, in_stateful_phase, last_value
from contracts.target import Target

SEEDED = {
    "organization_reference": "Pg4eV6k",
    "job_reference": "WTTJ_KmqkD1Y",
    "job_stage_id": "14598",
    "candidate_reference": "wttj-d655345409a6097309156b05",
}
"""The mock's demo organization, job, stage and candidate (mockservers/wttj/models.py)."""
REMOTE_URLS = ("remote_resume_url", "remote_portfolio_url", "remote_image_url")
"""The candidate's file fields the target downloads (``format: uri`` in the document)."""
NOT_DOWNLOADED = "could not be downloaded"
NOT_A_STAGE = "is not a stage of job"
MOCK_BOUND = "atsmock keeps at most"
STATE_RULES = (NOT_DOWNLOADED, NOT_A_STAGE, MOCK_BOUND)
"""400 ``validation_failed`` texts about the tenant's state (a remote URL, a job's stages, what the
mock holds), not the request's shape; the document's ValidationFailed names all three."""

SURE = 3
"""How many creates, and how many attaches, the document accepts whole are aimed whatever
``_aimed`` says: the first ones of a run. Parity alone left a CI run with no attach aimed at all (Hypothesis 6.155
drew other values than 6.170, and its draws also follow the constants of the modules imported)."""

Accepts = Callable[[Any], bool]


def _aimed(value: Any) -> bool:
    """About half the cases: decided by the generated value itself, so shrinking keeps the choice."""
    return len(repr(value)) % 2 == 0


def accepts(schema: Mapping[str, Any]) -> Accepts:
    """Whether a value is one the document's field ``schema`` accepts, as schemathesis judges it:
    its own JSON Schema validator with formats asserted (``format: uri`` included)."""
    import jsonschema_rs  # schemathesis' validator, installed with it

    return jsonschema_rs.Draft202012Validator(dict(schema), validate_formats=True).is_valid


def field_rules(document: Mapping[str, Any]) -> dict[str, Accepts]:
    """The document's rule for each value the hook may replace, by the hook's name for it."""
    schemas = document["components"]["schemas"]
    candidate = schemas["NewCandidate"]["properties"]
    documents = schemas["NewDocuments"]["properties"]
    rules = {name: accepts(candidate[name]) for name in (*REMOTE_URLS, "organization_reference", "job_reference")}
    rules["job_stage_id"] = accepts(candidate["job_stage_id"])
    rules["candidate_reference"] = accepts(documents["candidate_reference"])
    rules["url"] = accepts(documents["remote_file_urls"]["items"]["properties"]["url"])
    rules["query job_reference"] = accepts(_parameter(document, "/candidates", "get", "job_reference"))
    rules["query candidate_reference"] = accepts(_parameter(document, "/documents", "get", "candidate_reference"))
    rules["reference"] = accepts(_parameter(document, "/candidates/{reference}", "get", "reference"))
    return rules


def _parameter(document: Mapping[str, Any], path: str, method: str, name: str) -> Mapping[str, Any]:
    """The schema of an inline parameter of ``/api/v1/external<path>``."""
    operation = document["paths"][f"/api/v1/external{path}"][method]
    (schema,) = [p["schema"] for p in operation["parameters"] if p.get("name") == name]
    return dict(schema)


def _text(value: Any) -> bool:
    """A non-blank string: what a path's ``reference`` must be to name anything."""
    return isinstance(value, str) and bool(value.strip())


class Aim:
    """The aiming ``map_case`` hook: about half the generated ids become the seeded (or configured)
    ones, and only values the document accepts are replaced or left out. ``aimed`` decides which
    (tests pass one that always aims, to prove a negative case keeps its violation even then)."""

    def __init__(
        self,
        real: Mapping[str, str],
        file_url: str | None,
        document: Mapping[str, Any] | None = None,
        aimed: Callable[[Any], bool] = _aimed,
        sure: int = SURE,
    ) -> None:
        self.real = dict(real)
        self.file_url = file_url
        self.rules = field_rules(load_openapi("wttj") if document is None else document)
        self.aimed = aimed
        self.sure = {"attach": sure, "create": sure}
        """How many more creates and attaches the document accepts whole are aimed for sure."""

    def _sure(self, kind: str, whole: bool) -> bool:
        """Whether this ``kind`` of case, ``whole`` when the document accepts every value aiming
        replaces, is one of the first few aimed for sure (and count it)."""
        if not whole or self.sure[kind] <= 0:
            return False
        self.sure[kind] -= 1
        return True

    def _ok(self, rule: str, value: Any) -> bool:
        """A value the document accepts where ``rule`` names it (a number is text to Grape, so it
        may be replaced too); ``None`` is a field left out, which stays out."""
        return value is not None and self.rules[rule](value)

    def __call__(self, context: Any, case: Any) -> Any:
        stateful = in_stateful_phase(case)  # a link's reference and candidate_reference stay
        path = case.path_parameters
        reference = path.get("reference") if path else None
        if path and not stateful and _text(reference) and self._ok("reference", reference) and self.aimed(reference):
            path["reference"] = self.real["candidate_reference"]
        query = case.query
        if query:
            value = query.get("job_reference")
            if self._ok("query job_reference", value) and self.aimed(value):
                query["job_reference"] = self.real["job_reference"]
            value = query.get("candidate_reference")
            if not stateful and self._ok("query candidate_reference", value) and self.aimed(value):
                query["candidate_reference"] = self.real["candidate_reference"]
        if isinstance(case.body, dict):
            self._aim_body(case.body)
        return case

    def _aim_body(self, body: dict[str, Any]) -> None:
        if "remote_file_urls" in body:
            value = body.get("candidate_reference")
            accepted = self._ok("candidate_reference", value)
            items = body["remote_file_urls"]
            urls = [_url(item) for item in items] if isinstance(items, list) else []
            whole = accepted and bool(self.file_url and urls) and all(self._ok("url", url) for url in urls)
            sure = self._sure("attach", whole)
            if accepted and (sure or self.aimed(value)):
                body["candidate_reference"] = self.real["candidate_reference"]
            if self.file_url and isinstance(items, list) and (sure or self.aimed(urls)):
                for item in items:
                    if isinstance(item, dict) and self._ok("url", item.get("url")):
                        item["url"] = self.file_url
        elif "organization_reference" in body:
            names = ("organization_reference", "job_reference", "job_stage_id")
            whole = all(self._ok(name, body.get(name)) for name in names)
            if not self._sure("create", whole) and not self.aimed([body.get(name) for name in names]):
                return
            for name in ("organization_reference", "job_reference"):
                if self._ok(name, body.get(name)):
                    body[name] = self.real[name]
            stage = body.get("job_stage_id")
            if isinstance(stage, int) and not isinstance(stage, bool) and self.rules["job_stage_id"](stage):
                body["job_stage_id"] = int(self.real["job_stage_id"])
            for name in REMOTE_URLS:
                if isinstance(body.get(name), str) and self.rules[name](body[name]):
                    body.pop(name)  # a URL that points nowhere; one the document refuses stays


def _url(item: Any) -> Any:
    return item.get("url") if isinstance(item, dict) else item


def install(schema: Any, target: Target, credentials: Mapping[str, str]) -> None:
    """Aim bodies, queries and paths at the seeded (or configured) things."""
    real = {name: credentials.get(name, default) for name, default in SEEDED.items()}
    schema.hook("map_case")(Aim(real, credentials.get("file_url")))


def adapt_checks(functions: Mapping[str, Any]) -> dict[str, Any]:
    """``positive_data_acceptance`` that lets a URL the vendor could not download, a stage that
    is not the job's, or one of the mock's bounds reached pass as a 404 would: all are statements
    about state, not the request's shape (a generated ``job_reference`` can be the seeded job's from
    the document's example while its ``job_stage_id`` is not aimed). ``negative_data_rejection``
    that lets an optional query parameter sent empty pass when it is answered as absent: Grape reads
    ``?per_page=`` or ``?archived=`` as nil, so the default, and of a repeated one the last, as Rack
    does (docs/fidelity.md; see ``contracts.adapt.empty_query_reads_as_absent``)."""
    adapted = excusing(
        functions,
        "positive_data_acceptance",
        lambda response, case: response.status_code == 400 and any(text in response.text for text in STATE_RULES),
    )
    return excusing(adapted, "negative_data_rejection", empty_query_reads_as_absent(last_value))
