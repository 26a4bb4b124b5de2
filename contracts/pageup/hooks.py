"""PageUp's aiming hooks: the ``tenant`` is the credentials' and about half the document ids a real one.

``install`` seeds one document through the documented flow on the target (prepare a temporary
upload, PUT the bytes, move it in), so generated downloads reach the rules instead of 404s. A
generated token form carries the suite's own client credentials (a schema cannot know which
clients exist), and a generated ``moveFromTemp`` names a freshly uploaded ``physicalFile`` (a
temporary file is consumed by its move), so schema-valid requests are valid in fact and
``positive_data_acceptance`` holds them to acceptance.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contracts.target import Target


def _token(target: Target, credentials: Mapping[str, str]) -> str:
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
    token = _token(target, credentials)
    auth = {"Authorization": f"Bearer {token}"}
    documents = f"{target.base_url}/v3/{credentials['tenant']}/recruitment/document"
    physical_file = upload_temp(target, credentials, token)
    with target.client() as http:
        body = {"title": "CV", "fileName": "cv.pdf", "physicalFile": physical_file, "documentCategoryId": 7}
        moved = http.post(f"{documents}/moveFromTemp", json=body, headers=auth)
        moved.raise_for_status()
        return str(moved.json()["id"])


def install(schema: Any, target: Target, credentials: Mapping[str, str]) -> None:
    """Aim ``tenant`` and about half the ``id`` values (decided by the value, so shrinking keeps it)."""
    document_id = seed_document(target, credentials)
    tenant = credentials["tenant"]

    @schema.hook("map_path_parameters")
    def aim_at_real_things(context: Any, path_parameters: dict[str, Any] | None) -> dict[str, Any] | None:
        if not path_parameters:
            return path_parameters
        if "tenant" in path_parameters:
            path_parameters["tenant"] = tenant
        if "id" in path_parameters and len(str(path_parameters["id"])) % 2 == 0:
            path_parameters["id"] = document_id
        return path_parameters

    @schema.hook("map_body")
    def real_credentials_and_uploads(context: Any, body: Any) -> Any:
        if not isinstance(body, dict):
            return body
        operation_id = context.operation.definition.raw.get("operationId")
        if operation_id == "requestToken" and "client_id" in body and "client_secret" in body:
            return {**body, "client_id": credentials["client_id"], "client_secret": credentials["client_secret"]}
        if operation_id == "moveFromTemp" and isinstance(body.get("physicalFile"), str):
            # JSON Schema's ``integer`` admits 7.0; .NET's Int64 reader (and so the mock) does not.
            # No schema keyword can say "no fraction part", so integral floats are sent as integers.
            body = {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in body.items()}
            return {**body, "physicalFile": upload_temp(target, credentials, _token(target, credentials))}
        return body
