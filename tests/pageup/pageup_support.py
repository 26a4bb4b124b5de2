"""Shared helpers for the PageUp tests: a fake object store, exact error assertions, an HTTP helper."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from mockservers.core.errors import FieldError, VendorError
from mockservers.pageup.errors import STATUS

TENANT = "218"
CLIENT = ("atsmock-pageup", "atsmock-pageup-secret")
READONLY = ("atsmock-pageup-readonly", "atsmock-pageup-readonly-secret")
OTHER_TENANT = ("atsmock-pageup-219", "atsmock-pageup-219-secret")
BOTH_SCOPES = "Public.Document.Read Public.Document.Write"


def assert_error(
    exc: pytest.ExceptionInfo[VendorError], status: int, message: str, *fields: tuple[str | None, str]
) -> None:
    """The VendorError's exact status, message and field errors."""
    assert (STATUS[exc.value.kind], exc.value.message) == (status, message)
    assert exc.value.fields == tuple(FieldError(f, m) for f, m in fields)


INVALID = "The request is invalid."
UNAUTHORIZED = [{"message": "Your API key is invalid or expired"}]
NOT_FOUND = [{"message": "The resource does not exist."}]
RATE_LIMITED = [{"message": "The daily rate limit has been exceeded"}]


def invalid_body(*fields: tuple[str, str]) -> list[dict[str, str]]:
    """PageUp's 400 array: the request-wide message, then one entry per field."""
    return [{"message": INVALID}, *({"field": f, "message": m} for f, m in fields)]


class PageUp:
    """Calls the PageUp mock over an httpx client, at ``prefix`` (``/pageup``, or ``""`` at the root)."""

    def __init__(self, http: Any, prefix: str = "/pageup", tenant: str = TENANT) -> None:
        self.http = http
        self.prefix = prefix
        self.tenant = tenant

    @property
    def documents(self) -> str:
        return f"{self.prefix}/v3/{self.tenant}/recruitment/document"

    def token_response(self, client: tuple[str, str] = CLIENT, scope: str | None = BOTH_SCOPES, **extra: str) -> Any:
        form = {"grant_type": "client_credentials", "client_id": client[0], "client_secret": client[1], **extra}
        if scope is not None:
            form["scope"] = scope
        return self.http.post(f"{self.prefix}/connect/token", data=form)

    def token(self, client: tuple[str, str] = CLIENT, scope: str | None = BOTH_SCOPES) -> str:
        response = self.token_response(client, scope)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def auth(self, token: str | None = None, client: tuple[str, str] = CLIENT) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token(client)}"}

    def prepare(self, filename: str = "test.txt", token: str | None = None, **params: str) -> Any:
        return self.http.get(
            f"{self.documents}/prepareTempDirectUpload",
            params={"filename": filename, **params},
            headers=self.auth(token),
        )

    def put(self, prepared: Mapping[str, Any], data: bytes, **headers: str) -> Any:
        """The seed's step 2: PUT to ``url`` with every returned header and the content type."""
        sent = {**prepared["headers"], "Content-Type": prepared["contentType"], **headers}
        return self.http.put(prepared["url"], content=data, headers=sent)

    def move(self, body: Any, token: str | None = None, **kwargs: Any) -> Any:
        return self.http.post(f"{self.documents}/moveFromTemp", json=body, headers=self.auth(token), **kwargs)

    def uploaded(self, data: bytes = b"hello pageup", filename: str = "test.txt", **params: str) -> dict[str, Any]:
        """Prepare and PUT: the prepare response of an object now in temp storage."""
        response = self.prepare(filename, **params)
        assert response.status_code == 200, response.text
        prepared: dict[str, Any] = response.json()
        put = self.put(prepared, data)
        assert put.status_code == 200, put.text
        return prepared

    def document(self, data: bytes = b"hello pageup", filename: str = "test.txt", **fields: Any) -> dict[str, Any]:
        """A whole upload (prepare, PUT, moveFromTemp); the moveFromTemp response."""
        prepared = self.uploaded(data, filename)
        body = {"title": "Test Document", "fileName": filename, "physicalFile": prepared["physicalFile"]}
        body.update({"documentCategoryId": 7, **fields})
        response = self.move(body)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def get(self, document_id: str, token: str | None = None, **params: Any) -> Any:
        return self.http.get(f"{self.documents}/{document_id}", params=params, headers=self.auth(token))
