"""PageUp Recruitment Marketing (Clinch) reference client: api_auth HMAC signing, candidates, tags, files.

Usage::

    clinch = ClinchClient(httpx.Client(base_url="http://127.0.0.1:8000/clinch/v1"),
                          "atsmock-clinch", "atsmock-clinch-secret")
    candidate = clinch.create_candidate("ada@example.com", first_name="Ada")
    stored = clinch.upload_file(candidate["id"], Path("cv.pdf"))
    assert clinch.download(stored) == Path("cv.pdf").read_bytes()

Signing: ``ClinchAuth`` is an ``httpx.Auth`` (use it on any ``httpx.Client``) that sets ``Date``,
``Content-MD5`` (the body's, also of an empty body, as the Clinch Ruby client sends it) and
``Authorization: APIAuth <access id>:<signature>`` over ``content-type,content-MD5,request-URI,date``;
``with_method=True`` puts the HTTP method in front (api_auth ≥ 2), ``digest="SHA256"`` signs
``APIAuth-HMAC-SHA256``. The request URI is the path and query as sent. ``ClinchClient`` signs each
API request itself, so hand it a plain ``httpx.Client`` (one with ``auth`` set would also sign the
presigned download, which S3 refuses).

Errors: ``ClinchError`` (an ``ApiError``) carries the JSON:API error objects (``errors``); its
subclasses ``ClinchAuthError`` (401), ``ClinchNotFound`` (404) and ``ClinchValidationError`` (422,
with ``pointers``) say which; ``StorageError`` when a download is refused; ``TransportError`` when no
usable answer came back.

Retries (``client._http.exchange``): reads, updates and deletes retry 429, 5xx and dropped
connections; creates and uploads retry only 429. Each attempt is signed afresh.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from email.utils import formatdate
from os import PathLike
from pathlib import Path
from typing import Any

import httpx

from client._http import RetryPolicy, exchange, storage_error
from client.errors import ApiError, TransportError

JSON_API = "application/vnd.api+json"
DIGESTS: Mapping[str, Callable[..., Any]] = {
    "MD5": hashlib.md5,
    "SHA1": hashlib.sha1,
    "SHA224": hashlib.sha224,
    "SHA256": hashlib.sha256,
    "SHA384": hashlib.sha384,
    "SHA512": hashlib.sha512,
}
_HOST = re.compile(r"https?://[^,?/]*")


# -- signing ---------------------------------------------------------------------------------------------


def canonical_string(
    method: str, content_type: str, content_md5: str, request_uri: str, date: str, *, with_method: bool = False
) -> str:
    """api_auth's canonical string; the request URI loses any ``scheme://host`` as the gem's ``parse_uri`` does."""
    uri = _HOST.sub("", request_uri) or "/"
    rest = f"{content_type},{content_md5},{uri},{date}"
    return f"{method.upper()},{rest}" if with_method else rest


def hmac_signature(secret: str, canonical: str, digest: str = "SHA1") -> str:
    mac = hmac.new(secret.encode("utf-8"), canonical.encode("latin-1"), DIGESTS[digest.upper()])
    return base64.b64encode(mac.digest()).decode("ascii")


def body_md5(body: bytes) -> str:
    return base64.b64encode(hashlib.md5(body).digest()).decode("ascii")


class ClinchAuth(httpx.Auth):
    """Signs each request as the api_auth gem does. ``clock`` gives the ``Date`` (epoch seconds); a test
    against atsmock passes the mock clock (``app.platform.clock.now``) once it has moved it."""

    requires_request_body = True

    def __init__(
        self,
        access_id: str,
        secret: str,
        *,
        digest: str = "SHA1",
        with_method: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if digest.upper() not in DIGESTS:
            raise ValueError(f"digest must be one of {', '.join(DIGESTS)}")
        self.access_id = access_id
        self.secret = secret
        self.digest = digest.upper()
        self.with_method = with_method
        self.clock = clock

    def sign(self, request: httpx.Request) -> httpx.Request:
        """Set ``Date`` and ``Content-MD5`` unless present, then ``Authorization``; returns ``request``."""
        headers = request.headers
        if not any(name in headers for name in ("x-hmac-date", "x-date", "date")):
            headers["Date"] = formatdate(self.clock(), usegmt=True)
        if "content-md5" not in headers:
            headers["Content-MD5"] = body_md5(request.content)
        date = headers.get("x-hmac-date") or headers.get("x-date") or headers["date"]
        canonical = canonical_string(
            request.method,
            headers.get("content-type", ""),
            headers["content-md5"],
            request.url.raw_path.decode("latin-1"),
            date,
            with_method=self.with_method,
        )
        scheme = "APIAuth" if self.digest == "SHA1" else f"APIAuth-HMAC-{self.digest}"
        headers["Authorization"] = f"{scheme} {self.access_id}:{hmac_signature(self.secret, canonical, self.digest)}"
        return request

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield self.sign(request)


# -- errors ------------------------------------------------------------------------------------------------


class ClinchError(ApiError):
    """Clinch said no; ``errors`` are its JSON:API error objects (``status``, ``code``, ``title``,
    ``detail``, ``source``), ``code`` and ``message`` the first one's ``code`` and ``detail``."""

    def __init__(self, status: int, errors: list[dict[str, Any]], request_id: str | None = None) -> None:
        first = errors[0] if errors else {}
        super().__init__(status, first.get("code"), str(first.get("detail") or first.get("title") or ""), request_id)
        self.errors = errors

    @property
    def pointers(self) -> list[str]:
        """``source.pointer`` of each error that has one (``/data/attributes/email``...)."""
        return [
            e["source"]["pointer"]
            for e in self.errors
            if isinstance(e.get("source"), dict) and "pointer" in e["source"]
        ]


class ClinchAuthError(ClinchError):
    """401: the signature, access id, date or Content-MD5 was refused (``message`` says which)."""


class ClinchNotFound(ClinchError):
    """404: no such candidate or tag."""


class ClinchValidationError(ClinchError):
    """422: the document or an attribute was refused; ``pointers`` name the attributes."""


_ERRORS: Mapping[int, type[ClinchError]] = {401: ClinchAuthError, 404: ClinchNotFound, 422: ClinchValidationError}


# -- the client -------------------------------------------------------------------------------------------------


class ClinchClient:
    """Clinch over any ``httpx.Client`` whose base URL is the API root (``https://api.clinchtalent.com/v1``)."""

    def __init__(
        self,
        http: httpx.Client,
        access_id: str,
        secret: str,
        *,
        digest: str = "SHA1",
        with_method: bool = False,
        clock: Callable[[], float] = time.time,
        policy: RetryPolicy | None = None,
        download_http: httpx.Client | None = None,
    ) -> None:
        self.http = http
        self.download_http = download_http or http
        self.auth = ClinchAuth(access_id, secret, digest=digest, with_method=with_method, clock=clock)
        self.policy = policy or RetryPolicy()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        document: Mapping[str, Any] | None = None,
        idempotent: bool = True,
    ) -> dict[str, Any]:
        """One signed JSON:API call; the answer's document, or a ``ClinchError``."""
        content = None if document is None else json.dumps(document).encode()

        def build() -> httpx.Request:
            headers = {"Accept": JSON_API}
            if content is not None:
                headers["Content-Type"] = JSON_API
            request = self.http.build_request(method, path, params=params, content=content, headers=headers)
            return self.auth.sign(request)

        response = exchange(self.http, build, policy=self.policy, idempotent=idempotent, expect_json=True)
        try:
            body = response.json()
        except ValueError:
            raise TransportError(
                f"{method} {response.request.url.path}: answered {response.status_code} with a body that is not "
                f"JSON (X-Request-Id {response.headers.get('x-request-id', '-')})"
            ) from None
        if response.is_success and isinstance(body, dict):
            return body
        errors = body.get("errors") if isinstance(body, dict) else None
        if not isinstance(errors, list) or not all(isinstance(e, dict) for e in errors):
            errors = [{"status": str(response.status_code), "detail": response.text[:500]}]
        raise _ERRORS.get(response.status_code, ClinchError)(
            response.status_code, errors, response.headers.get("x-request-id")
        )

    # -- candidates ------------------------------------------------------------------------------------------

    def create_candidate(self, email: str, **attributes: Any) -> dict[str, Any]:
        """``POST /candidates``; ``attributes`` are Clinch's (first_name, last_name, phone_number, tag_values)."""
        document = {"data": {"type": "candidates", "attributes": {"email": email, **attributes}}}
        return dict(self.request("POST", "/candidates", document=document, idempotent=False)["data"])

    def candidate(self, candidate_id: str, *, include: Iterable[str] = ()) -> dict[str, Any]:
        """The candidate's document: ``data`` and, with ``include``, ``included``."""
        params = {"include": ",".join(include)} if include else None
        return self.request("GET", f"/candidates/{candidate_id}", params=params)

    def update_candidate(self, candidate_id: str, **attributes: Any) -> dict[str, Any]:
        document = {"data": {"type": "candidates", "id": candidate_id, "attributes": attributes}}
        return dict(self.request("PATCH", f"/candidates/{candidate_id}", document=document)["data"])

    def candidates(
        self,
        *,
        per_page: int | None = None,
        updated_since: str | None = None,
        updated_before: str | None = None,
        email: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every candidate matching the filters, page after page (following ``links.next``)."""
        params: dict[str, str] = {}
        if per_page is not None:
            params["per_page"] = str(per_page)
        if updated_since is not None:
            params["filter[updated_at][gte]"] = updated_since
        if updated_before is not None:
            params["filter[updated_at][lt]"] = updated_before
        if email is not None:
            params["filter[email][eq]"] = email
        page = self.request("GET", "/candidates", params=params)
        while True:
            yield from page["data"]
            following = page.get("links", {}).get("next")
            if not following:
                return
            page = self.request("GET", following)

    def find_candidate(self, email: str) -> dict[str, Any] | None:
        """The candidate with this email (``filter[email][eq]``), or None."""
        return next(self.candidates(email=email), None)

    # -- tags ----------------------------------------------------------------------------------------------

    def tags(self, candidate_id: str) -> list[dict[str, Any]]:
        return list(self.request("GET", f"/candidates/{candidate_id}/tags")["data"])

    def add_tag(self, candidate_id: str, name: str) -> dict[str, Any]:
        document = {"data": {"type": "tags", "attributes": {"name": name}}}
        return dict(
            self.request("POST", f"/candidates/{candidate_id}/tags", document=document, idempotent=False)["data"]
        )

    def delete_tag(self, candidate_id: str, tag_id: str) -> None:
        self.request("DELETE", f"/candidates/{candidate_id}/tags/{tag_id}")

    # -- files ------------------------------------------------------------------------------------------------

    def upload_file(
        self, candidate_id: str, source: bytes | str | PathLike[str], filename: str | None = None
    ) -> dict[str, Any]:
        """``POST /candidates/{id}/candidate_files`` with the bytes base64-encoded; ``source`` is the bytes
        (then ``filename`` is required) or a path (its name is the default filename)."""
        if isinstance(source, bytes):
            if not filename:
                raise ValueError("filename is required when uploading bytes")
            data = source
        else:
            path = Path(source)
            data, filename = path.read_bytes(), filename or path.name
        attributes = {"filename": filename, "content": base64.b64encode(data).decode("ascii")}
        document = {"data": {"type": "candidate_files", "attributes": attributes}}
        path_ = f"/candidates/{candidate_id}/candidate_files"
        return dict(self.request("POST", path_, document=document, idempotent=False)["data"])

    def files(self, candidate_id: str) -> list[dict[str, Any]]:
        """The candidate's files (``include=resumes``), each with a fresh download ``url``."""
        return list(self.candidate(candidate_id, include=["resumes"]).get("included", []))

    def download(self, stored: Mapping[str, Any]) -> bytes:
        """The bytes of a ``candidate_files`` resource (a GET of its presigned ``url``, unsigned)."""
        url = str(stored["attributes"]["url"])
        http = self.download_http
        response = exchange(http, lambda: http.build_request("GET", url), policy=self.policy, idempotent=True)
        if not response.is_success:
            raise storage_error(response)
        return response.content
