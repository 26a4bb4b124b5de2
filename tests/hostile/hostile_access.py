"""Every served vendor's operations (read from its OpenAPI document) and valid credentials for them, in one place.

The hostile corpus and the auth matrix iterate these, so a vendor added to the registry with a
contract is covered without a line here naming it. Credentials come from the registry's
``Credential`` rows; how each is presented follows its ``kind`` (an OAuth client, a Basic API key,
a bearer token, an HMAC access id), not the vendor's name.
"""

from __future__ import annotations

import base64
import importlib
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from contracts import load_openapi
from mockservers.core.errors import VendorError
from mockservers.core.vendor import Credential, Vendor
from mockservers.vendors import served

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Operation:
    """One documented operation: where it answers on the mock, what bodies it takes, whether it needs credentials."""

    vendor: str
    method: str
    path: str
    """The document's path template under the vendor's mount (``/clinch/v1/candidates/{candidateId}``)."""
    content_types: tuple[str, ...]
    secured: bool
    spec: dict[str, Any]

    @property
    def id(self) -> str:
        return f"{self.vendor}:{self.method.upper()} {self.path}"

    def url(self, **params: str) -> str:
        """The path with each ``{name}`` filled from ``params`` (``"1"`` when not given)."""
        path = self.path
        for name in _path_params(path):
            path = path.replace("{" + name + "}", params.get(name, "1"))
        return path


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")]


def document(vendor: str) -> dict[str, Any]:
    return load_openapi(vendor)


def mount(vendor: str) -> str:
    """The path prefix the document's server names (``/pageup``, ``/clinch/v1``)."""
    return urlsplit(document(vendor)["servers"][0]["url"]).path.rstrip("/")


def operations(vendor: str) -> list[Operation]:
    doc = document(vendor)
    default_security = doc.get("security") or []
    found = []
    for path, item in doc["paths"].items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            security = op.get("security", default_security)
            content = (op.get("requestBody") or {}).get("content") or {}
            found.append(Operation(vendor, method, mount(vendor) + path, tuple(content), bool(security), op))
    return found


def all_operations() -> list[Operation]:
    return [op for vendor in served() for op in operations(vendor.name)]


def vendor(name: str) -> Vendor:
    return next(v for v in served() if v.name == name)


def credentials(name: str, settings: Any | None = None) -> list[Credential]:
    v = vendor(name)
    return list(v.credentials(settings if settings is not None else v.settings()))


def token_operation(vendor: str) -> Operation | None:
    """The unsecured form-taking operation that issues tokens (OAuth client credentials), if the vendor has one."""
    for op in operations(vendor):
        if not op.secured and op.method == "post" and "application/x-www-form-urlencoded" in op.content_types:
            return op
    return None


def token_for(client: httpx.Client, name: str, credential: Credential, scope: str | None = None) -> str:
    """An access token for an OAuth client credential, from the vendor's token operation."""
    op = token_operation(name)
    assert op is not None, f"{name} has client credentials but no token operation"
    form = {"grant_type": "client_credentials", "client_id": credential.id, "client_secret": credential.secret}
    if scope is not None:
        form["scope"] = scope
    response = client.post(op.url(), data=form)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def authorize(client: httpx.Client, name: str, credential: Credential, clock: Callable[[], float]) -> httpx.Auth:
    """An ``httpx.Auth`` presenting ``credential`` as its kind says; ``clock`` dates HMAC signatures."""
    kind = credential.kind
    if kind == "client_id":
        return Headers({"Authorization": f"Bearer {token_for(client, name, credential)}"})
    if kind.startswith("api key (Basic"):
        return Headers({"Authorization": basic(credential.id, "")})
    if kind == "bearer token":
        return Headers({"Authorization": f"Bearer {credential.id}"})
    if kind == "access id":
        from client.clinch import ClinchAuth

        return ClinchAuth(credential.id, credential.secret, clock=clock)
    raise AssertionError(f"no way to present a {kind!r} credential: teach tests/hostile/access.py")


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


class Headers(httpx.Auth):
    """Fixed headers on every request."""

    def __init__(self, headers: dict[str, str]) -> None:
        self.headers = headers

    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers.update(self.headers)
        yield request


def renderer(name: str) -> Callable[[VendorError, MutableMapping[str, Any]], Any]:
    """The vendor's one error renderer (``mockservers/<vendor>/errors.py``'s ``render``)."""
    return importlib.import_module(f"mockservers.{name}.errors").render  # type: ignore[no-any-return]


# -- answers --------------------------------------------------------------------------------------------


def expected_status(name: str, kind: str, path: str) -> int:
    """The HTTP status the vendor's own renderer gives ``kind`` on ``path``."""
    response = renderer(name)(VendorError(kind, "x"), {"type": "http", "path": path})
    return int(response.status_code)


def expected_media_type(name: str, kind: str, path: str) -> str:
    response = renderer(name)(VendorError(kind, "x"), {"type": "http", "path": path})
    return str(response.media_type)


def response_schema(op: Operation, status: int) -> dict[str, Any]:
    """The JSON schema the operation documents for ``status`` (``$ref``s resolved against the document)."""
    doc = document(op.vendor)
    response = op.spec["responses"][str(status)]
    while "$ref" in response:
        response = pointer(doc, response["$ref"])
    [content] = [c for t, c in response["content"].items() if "json" in t]
    return {"components": doc.get("components", {}), **content["schema"]}


def pointer(doc: dict[str, Any], ref: str) -> Any:
    node: Any = doc
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def assert_documented(op: Operation, response: httpx.Response, kind: str) -> None:
    """``response`` is the vendor's answer to ``kind``: its renderer's status and media type, and a body the
    operation's document allows for that status."""
    from openapi_schema_validator import OAS30Validator, OAS31Validator

    status = expected_status(op.vendor, kind, op.path)
    assert (response.status_code, _media(response)) == (status, expected_media_type(op.vendor, kind, op.path)), (
        op.id,
        response.text[:300],
    )
    validator = OAS30Validator if document(op.vendor)["openapi"].startswith("3.0") else OAS31Validator
    validator(response_schema(op, status)).validate(response.json())


def _media(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip()
