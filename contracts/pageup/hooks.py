"""PageUp's aiming hooks: the ``tenant`` is the credentials' and about half the document ids a real one.

``install`` seeds one document through the documented flow on the target (prepare a temporary
upload, PUT the bytes, move it in), so generated downloads reach the rules instead of 404s.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contracts.target import Target


def seed_document(target: Target, credentials: Mapping[str, str]) -> str:
    """Upload one document through the documented flow; its id."""
    token = target.post_form(
        "/connect/token",
        {
            "grant_type": "client_credentials",
            "client_id": credentials["client_id"],
            "client_secret": credentials["client_secret"],
        },
    )["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    documents = f"{target.base_url}/v3/{credentials['tenant']}/recruitment/document"
    with target.client() as http:
        prepared = http.get(f"{documents}/prepareTempDirectUpload", params={"filename": "cv.pdf"}, headers=auth)
        prepared.raise_for_status()
        upload = prepared.json()
        put = http.put(upload["url"], content=b"%PDF", headers={**upload["headers"], "Content-Type": "application/pdf"})
        put.raise_for_status()
        body = {"title": "CV", "fileName": "cv.pdf", "physicalFile": upload["physicalFile"], "documentCategoryId": 7}
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
