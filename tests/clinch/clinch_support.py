"""Shared helpers for the Clinch tests: a signed HTTP helper over the reference signer, exact JSON:API errors."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx
import pytest

from client.clinch import ClinchAuth
from mockservers.clinch.errors import STATUS, TITLES
from mockservers.core.errors import VendorError

ACCESS_ID, SECRET = "atsmock-clinch", "atsmock-clinch-secret"
JSON_API = "application/vnd.api+json"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def assert_error(exc: pytest.ExceptionInfo[VendorError], status: int, code: str, message: str) -> None:
    assert (STATUS[exc.value.kind], exc.value.code, exc.value.message) == (status, code, message)


def error(status: int, code: str, title: str, detail: str, **source: str) -> dict[str, Any]:
    """One JSON:API error document, exactly as the mock answers it."""
    item: dict[str, Any] = {"status": str(status), "code": code, "title": title, "detail": detail}
    if source:
        item["source"] = source
    return {"errors": [item]}


def unauthorized(code: str, detail: str) -> dict[str, Any]:
    return error(401, code, TITLES["unauthenticated"], detail)


def unprocessable(pointer: str, detail: str, code: str = "invalid_attribute") -> dict[str, Any]:
    return error(422, code, "Unprocessable entity", detail, pointer=pointer)


def not_found(detail: str) -> dict[str, Any]:
    return error(404, "not_found", "Not found", detail)


def document(resource_type: str, **attributes: Any) -> dict[str, Any]:
    return {"data": {"type": resource_type, "attributes": attributes}}


class Clinch:
    """Calls the Clinch mock over an httpx client at ``prefix``, every request signed by the reference
    client's ``ClinchAuth`` on the app's mock clock (the signer a connector would use)."""

    def __init__(self, http: httpx.Client, app: Any, prefix: str = "/clinch/v1", **auth: Any) -> None:
        self.http = http
        self.prefix = prefix
        self.auth = ClinchAuth(ACCESS_ID, SECRET, clock=app.platform.clock.now, **auth)

    def call(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | bytes | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        signed: bool = True,
    ) -> httpx.Response:
        content = json.dumps(body).encode() if isinstance(body, Mapping) else body
        sent = dict(headers or {})
        if content is not None:
            sent.setdefault("Content-Type", JSON_API)
        request = self.http.build_request(method, f"{self.prefix}{path}", content=content, headers=sent, params=params)
        if signed:
            self.auth.sign(request)
        return self.http.send(request)

    def ok(self, method: str, path: str, body: Mapping[str, Any] | None = None, status: int = 200, **kw: Any) -> Any:
        response = self.call(method, path, body, **kw)
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == JSON_API
        return response.json()

    def create(self, email: str = "ada@example.com", **attributes: Any) -> dict[str, Any]:
        created = self.ok("POST", "/candidates", document("candidates", email=email, **attributes), 201)
        return dict(created["data"])
