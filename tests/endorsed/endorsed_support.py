"""Shared helpers for the Endorsed tests: a caller whose every answer is checked against the contract,
and the exact envelopes the answers must be."""

from __future__ import annotations

import functools
from typing import Any

import httpx

from mockservers.endorsed.errors import (
    FORBIDDEN_MESSAGE,
    INTERNAL_MESSAGE,
    NOT_FOUND_MESSAGE,
    UNAUTHENTICATED_MESSAGE,
)
from mockservers.endorsed.settings import EndorsedClient, EndorsedSettings

RW, RO = EndorsedSettings().clients
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
API = "/endorsed/api/v1"
DEFAULT: Any = object()
"""Stands for "the read-write client" in ``Endorsed`` calls (None means no Authorization header)."""


def issue(message: str, *path: str | int) -> dict[str, Any]:
    return {"message": message, "path": list(path)} if path else {"message": message}


def envelope(code: str, *issues: dict[str, Any]) -> dict[str, Any]:
    return {"is_error": True, "error": {"code": code, "issues": list(issues)}}


UNAUTHENTICATED = envelope("UNAUTHENTICATED", issue(UNAUTHENTICATED_MESSAGE))
FORBIDDEN = envelope("FORBIDDEN", issue(FORBIDDEN_MESSAGE))
NOT_FOUND = envelope("NOT_FOUND", issue(NOT_FOUND_MESSAGE))
INTERNAL = envelope("INTERNAL_SERVER_ERROR", issue(INTERNAL_MESSAGE))


def form(client: EndorsedClient = RW, **changes: str | None) -> dict[str, str]:
    """A token request's fields for ``client``; a change to None leaves that field out."""
    fields: dict[str, str | None] = {
        "client_id": client.client_id,
        "client_secret": client.client_secret,
        "grant_type": "client_credentials",
        **changes,
    }
    return {k: v for k, v in fields.items() if v is not None}


@functools.cache
def contract() -> Any:
    import schemathesis

    from contracts import load_openapi

    return schemathesis.openapi.from_dict(load_openapi("endorsed"))


def template(path: str) -> str | None:
    """The contract's path for a request path below the vendor (``/api/v1/attachments/{id}``...)."""
    for collection in ("candidates", "attachments"):
        base = f"/api/v1/{collection}"
        if path == base:
            return base
        if path.startswith(base + "/"):
            return base + "/{id}"
    return path if path == "/api/v1/auth/tokens" else None


def conforms(response: httpx.Response, prefix: str = "/endorsed") -> None:
    """Fail unless ``response`` is one the contract documents for its operation."""
    path = template(response.request.url.path.removeprefix(prefix))
    method = response.request.method
    paths = contract().raw_schema["paths"]
    if path is not None and method.lower() in paths[path]:
        contract()[path][method].validate_response(response)


class Endorsed:
    """Calls the Endorsed mock over an httpx client; every API answer is checked against the contract."""

    def __init__(self, http: httpx.Client, prefix: str = "/endorsed") -> None:
        self.http = http
        self.prefix = prefix
        self._tokens: dict[str, str] = {}

    def token_response(self, body: Any = None, **kwargs: Any) -> httpx.Response:
        """``POST /auth/tokens``; ``body`` is sent form-encoded unless ``json=`` or ``content=`` is given."""
        if body is not None:
            kwargs["data"] = body
        response = self.http.post(f"{self.prefix}/api/v1/auth/tokens", **kwargs)
        conforms(response, self.prefix)
        return response

    def token(self, client: EndorsedClient = RW, **changes: str | None) -> str:
        response = self.token_response(form(client, **changes))
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def auth(self, client: EndorsedClient | None = RW) -> dict[str, str]:
        if client is None:
            return {}
        if client.client_id not in self._tokens:
            self._tokens[client.client_id] = self.token(client)
        return {"Authorization": f"Bearer {self._tokens[client.client_id]}"}

    def call(self, method: str, path: str, client: EndorsedClient | None = DEFAULT, **kwargs: Any) -> httpx.Response:
        headers = {**self.auth(RW if client is DEFAULT else client), **kwargs.pop("headers", {})}
        response = self.http.request(method, f"{self.prefix}/api/v1/{path}", headers=headers, **kwargs)
        conforms(response, self.prefix)
        return response

    def candidate(self, remote_id: str = "c-1", **fields: Any) -> str:
        response = self.call("POST", "candidates", json={"first_name": "Ada", "remote_id": remote_id, **fields})
        assert response.status_code == 201, response.text
        return str(response.json()["result"]["id"])

    def upload(
        self,
        data: bytes = PDF,
        *,
        filename: str = "cv.pdf",
        content_type: str = "application/pdf",
        method: str = "POST",
        path: str = "attachments",
        client: EndorsedClient | None = DEFAULT,
        **fields: str,
    ) -> httpx.Response:
        """A multipart create (or ``method="PUT"``, ``path="attachments/<id>"`` upsert)."""
        values = {"remote_id": "cv-1", "type": "resume", **fields}
        files = {"file": (filename, data, content_type)}
        return self.call(method, path, client, data=values, files=files)

    def attachment(self, ref: str) -> dict[str, Any]:
        response = self.call("GET", f"attachments/{ref}")
        assert response.status_code == 200, response.text
        return dict(response.json()["result"])


def created(response: httpx.Response, status: int = 201) -> str:
    """The id of a ``{"is_error": false, "result": {"id"}}`` answer with ``status``."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body == {"is_error": False, "result": {"id": body["result"]["id"]}}
    return str(body["result"]["id"])


def fails(response: httpx.Response, status: int, expected: dict[str, Any]) -> None:
    assert (response.status_code, response.json()) == (status, expected)
    assert response.headers["content-type"] == "application/json"
