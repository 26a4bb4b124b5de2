"""Shared helpers for the Ashby tests: a fake object store and an exact error assertion."""

from __future__ import annotations

import base64
import functools
from typing import Any

import pytest

from mockservers.ashby.errors import STATUS
from mockservers.core.errors import VendorError


def assert_error(exc: pytest.ExceptionInfo[VendorError], status: int, code: str, message: str) -> None:
    assert (STATUS[exc.value.kind], exc.value.code, exc.value.message) == (status, code, message)


# -- HTTP helpers ----------------------------------------------------------------------------------

KEY = "atsmock-ashby"
READONLY = "atsmock-ashby-readonly"
JOB_BOARD = "atsmock-ashby-jobboard"
"""A key like Ashby's "Custom Job Board API key": jobsRead and candidatesWrite (plus candidatesRead)."""
DEFAULT: Any = object()
"""Stands for "the helper's own key" in ``Ashby`` calls (None means no Authorization header)."""


def job_board_settings(**ashby: Any) -> Any:
    """Default settings plus the job-board key, and any AshbySettings changes."""

    from mockservers.ashby.settings import AshbyKey, AshbySettings
    from mockservers.config import Settings

    defaults = tuple(k for k in AshbySettings().api_keys if k.api_key != JOB_BOARD)
    keys = (*defaults, AshbyKey(JOB_BOARD, ("jobsRead", "candidatesRead", "candidatesWrite")))
    return Settings().replace(ashby=AshbySettings(**{"api_keys": keys, **ashby}))


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def basic(key: str, password: str = "") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:{password}".encode()).decode()}


def envelope(response: Any, code: str, message: str) -> dict[str, Any]:
    """The exact error envelope ``response`` should carry (its requestId is the X-Request-Id)."""
    return {
        "success": False,
        "errors": [code],
        "errorInfo": {"code": code, "message": message, "requestId": response.headers["x-request-id"]},
    }


@functools.cache
def contract() -> Any:
    """The Ashby OpenAPI document as schemathesis reads it."""
    import schemathesis

    from contracts import load_openapi

    return schemathesis.openapi.from_dict(load_openapi("ashby"))


def conforms(method: str, response: Any) -> None:
    """Fail unless ``response`` is one the contract documents for ``POST /<method>`` (if documented)."""
    import httpx

    document = contract()
    try:
        _ = response.request.content
    except httpx.RequestNotRead:  # a streamed body: schemathesis cannot re-read what was sent
        return
    if f"/{method}" in document.raw_schema["paths"]:
        document[f"/{method}"]["POST"].validate_response(response)


class Ashby:
    """Calls the Ashby mock over an httpx client, at ``prefix`` (``/ashby``, or ``""`` at the root).

    Every answer of a documented endpoint is checked against ``contracts/ashby/openapi.yaml``.
    """

    def __init__(self, http: Any, prefix: str = "/ashby", key: str = KEY) -> None:
        self.http = http
        self.prefix = prefix
        self.key = key

    def post(self, method: str, body: Any = None, key: str | None = DEFAULT, **kwargs: Any) -> Any:
        key = self.key if key is DEFAULT else key
        headers = {**(basic(key) if key is not None else {}), **kwargs.pop("headers", {})}
        if body is not None:
            kwargs["json"] = body
        response = self.http.post(f"{self.prefix}/{method}", headers=headers, **kwargs)
        conforms(method, response)
        return response

    def ok(self, method: str, body: Any = None, key: str = DEFAULT, **kwargs: Any) -> Any:
        response = self.post(method, body, key, **kwargs)
        assert response.status_code == 200, response.text
        payload = response.json()
        assert payload["success"] is True, payload
        return payload["results"]

    def fails(
        self,
        method: str,
        body: Any,
        code: str,
        message: str,
        *,
        status: int = 200,
        key: str | None = DEFAULT,
        **kw: Any,
    ) -> Any:
        response = self.post(method, body, key, **kw)
        assert (response.status_code, response.json()) == (status, envelope(response, code, message))
        assert response.headers["content-type"] == "application/json"
        return response

    def handle(self, context: str = "CandidateResume", data: bytes = PDF, **overrides: Any) -> dict[str, Any]:
        body = {"fileUploadContext": context, "filename": "cv.pdf", "contentType": "application/pdf"}
        body["contentLength"] = len(data)
        body.update(overrides)
        return dict(self.ok("file.createFileUploadHandle", body))

    def upload(self, target: dict[str, Any], data: bytes = PDF, content_type: str = "application/pdf") -> Any:
        """POST to the presigned policy as Ashby says: every field, then the file last, named ``file``."""
        return self.http.post(
            target["url"], data=target["fields"], files={"file": (target.get("filename", "cv.pdf"), data, content_type)}
        )

    def uploaded(self, context: str = "CandidateResume", data: bytes = PDF, **overrides: Any) -> str:
        target = self.handle(context, data, **overrides)
        response = self.upload(target, data, overrides.get("contentType", "application/pdf"))
        assert response.status_code in (200, 201, 204), response.text
        return str(target["handle"])

    def candidate(self, name: str = "Ada Lovelace", **fields: Any) -> dict[str, Any]:
        return dict(self.ok("candidate.create", {"name": name, **fields}))
