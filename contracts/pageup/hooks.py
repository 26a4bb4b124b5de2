"""PageUp's aiming hooks: the ``tenant`` is the credentials' and about half the document ids a real one.

``install`` seeds one document through the documented flow on the target (prepare a temporary
upload, PUT the bytes, move it in), so generated downloads reach the rules instead of 404s. A
generated token form carries the suite's own client credentials (a schema cannot know which
clients exist), and a generated ``moveFromTemp`` names a freshly uploaded ``physicalFile`` (a
temporary file is consumed by its move), so schema-valid requests are valid in fact and
``positive_data_acceptance`` holds them to acceptance.

In the stateful phase a link carries ``prepareTempDirectUpload``'s ``physicalFile`` into
``moveFromTemp``; the PUT of the bytes between the two is not an operation of the Document API
(it goes to the presigned S3 URL the answer names), so ``install`` remembers each prepared upload
and answers a ``before_step`` that PUTs a few bytes to it right before the linked move, as a
client does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from contracts.adapt import empty_query_reads_as_absent, excusing, first_value, in_stateful_phase
from contracts.target import Target


def bearer_token(target: Target, credentials: Mapping[str, str]) -> str:
    """A bearer token for the suite's own client credentials."""
    return str(
        target.post_form(
            "/connect/token",
            {
                "grant_type": "client_credentials",
                "client_id": credentials["client_id"],
                "client_secret": credentials["client_secret"],
            },
        )["access_token"]
    )


def upload_temp(target: Target, credentials: Mapping[str, str], token: str) -> str:
    """Prepare a temporary upload and PUT a few bytes to it; its ``physicalFile``."""
    documents = f"{target.base_url}/v3/{credentials['tenant']}/recruitment/document"
    with target.client() as http:
        auth = {"Authorization": f"Bearer {token}"}
        prepared = http.get(f"{documents}/prepareTempDirectUpload", params={"filename": "cv.pdf"}, headers=auth)
        prepared.raise_for_status()
        upload = prepared.json()
        put = http.put(upload["url"], content=b"%PDF", headers={**upload["headers"], "Content-Type": "application/pdf"})
        put.raise_for_status()
        return str(upload["physicalFile"])


def seed_document(target: Target, credentials: Mapping[str, str]) -> str:
    """Upload one document through the documented flow; its id."""
    token = bearer_token(target, credentials)
    auth = {"Authorization": f"Bearer {token}"}
    documents = f"{target.base_url}/v3/{credentials['tenant']}/recruitment/document"
    physical_file = upload_temp(target, credentials, token)
    with target.client() as http:
        body = {"title": "CV", "fileName": "cv.pdf", "physicalFile": physical_file, "documentCategoryId": 7}
        moved = http.post(f"{documents}/moveFromTemp", json=body, headers=auth)
        moved.raise_for_status()
        return str(moved.json()["id"])


PREPARED_KEPT = 256
"""Prepared uploads remembered for a linked move at most; the oldest are forgotten first."""


class Uploads:
    """Prepared temporary uploads by ``physicalFile``, so a linked ``moveFromTemp`` finds them uploaded."""

    def __init__(self, target: Target, credentials: Mapping[str, str]) -> None:
        self.target = target
        self.credentials = credentials
        self.prepared: dict[str, tuple[str, dict[str, str]]] = {}
        self.moved: set[str] = set()

    def remember(self, context: Any, case: Any, response: Any) -> None:
        """``after_call``: a 200 ``prepareTempDirectUpload`` answer's URL and headers, and which
        prepared uploads a 200 ``moveFromTemp`` consumed."""
        operation_id = case.operation.definition.raw.get("operationId")
        if response.status_code != 200:
            return
        if operation_id == "moveFromTemp" and isinstance(case.body, dict):
            if self.prepared.pop(str(case.body.get("physicalFile")), None) is not None:
                self.moved.add(str(case.body["physicalFile"]))
            return
        if operation_id != "prepareTempDirectUpload":
            return
        try:
            answer = response.json()
            headers = {**answer["headers"], "Content-Type": answer["contentType"]}  # as signed
            self.prepared[str(answer["physicalFile"])] = (str(answer["url"]), headers)
        except (ValueError, KeyError, TypeError):
            return  # response_schema_conformance judges the answer
        while len(self.prepared) > PREPARED_KEPT:
            self.prepared.pop(next(iter(self.prepared)))
        while len(self.moved) > PREPARED_KEPT:
            self.moved.pop()

    def before_step(self, case: Any) -> None:
        """Before a ``moveFromTemp`` step: PUT a few bytes to the prepared upload it names; if a
        workflow moves one prepared upload twice (a move consumes the temporary file, so the
        vendor rightly refuses the second), the second moves a fresh upload, as a client would."""
        body = case.body
        if case.operation.definition.raw.get("operationId") != "moveFromTemp" or not isinstance(body, dict):
            return
        physical_file = body.get("physicalFile")
        if not isinstance(physical_file, str):
            return
        if physical_file in self.moved:
            body["physicalFile"] = upload_temp(
                self.target, self.credentials, bearer_token(self.target, self.credentials)
            )
            return
        prepared = self.prepared.get(physical_file)
        if prepared is None:
            return
        url, headers = prepared
        with self.target.client() as http:
            http.put(url, content=b"%PDF", headers=headers).raise_for_status()


def install(schema: Any, target: Target, credentials: Mapping[str, str]) -> Callable[[Any], None]:
    """Aim ``tenant`` and about half the ``id`` values (decided by the value, so shrinking keeps it);
    answer the stateful phase's ``before_step`` (``Uploads``)."""
    document_id = seed_document(target, credentials)
    tenant = credentials["tenant"]
    uploads = Uploads(target, credentials)

    @schema.hook("after_call")
    def remember_prepared_uploads(context: Any, case: Any, response: Any) -> None:
        uploads.remember(context, case, response)

    @schema.hook("map_case")
    def aim_at_real_things(context: Any, case: Any) -> Any:
        path_parameters = case.path_parameters
        if not path_parameters:
            return case
        if "tenant" in path_parameters:
            path_parameters["tenant"] = tenant
        # A link's id stays: the workflow reads the document it just moved in, not the seeded one.
        if "id" in path_parameters and len(str(path_parameters["id"])) % 2 == 0 and not in_stateful_phase(case):
            path_parameters["id"] = document_id
        return case

    @schema.hook("map_body")
    def real_credentials_and_uploads(context: Any, body: Any) -> Any:
        if not isinstance(body, dict):
            return body
        operation_id = context.operation.definition.raw.get("operationId")
        if operation_id == "requestToken" and "client_id" in body and "client_secret" in body:
            return {**body, "client_id": credentials["client_id"], "client_secret": credentials["client_secret"]}
        # Only a physicalFile that is not blank (the mock's rule): a blank one is a negative case's point.
        physical_file = body.get("physicalFile")
        if operation_id == "moveFromTemp" and isinstance(physical_file, str) and physical_file.strip():
            # JSON Schema's ``integer`` admits 7.0; .NET's Int64 reader (and so the mock) does not.
            # No schema keyword can say "no fraction part", so integral floats are sent as integers.
            body = {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in body.items()}
            return {**body, "physicalFile": upload_temp(target, credentials, bearer_token(target, credentials))}
        return body

    return uploads.before_step


def adapt_checks(functions: Mapping[str, Any]) -> dict[str, Any]:
    """``negative_data_rejection`` that lets an optional query parameter sent empty pass when it is
    answered as absent: PageUp reads ``?expiresInSeconds=`` as no value, as ASP.NET Core binds an
    empty query value as null, and of a repeated one the first (docs/fidelity.md; see
    ``contracts.adapt.empty_query_reads_as_absent``)."""
    return excusing(functions, "negative_data_rejection", empty_query_reads_as_absent(first_value))
