"""PageUp Document API reference client: tokens, the three-step upload, and downloads.

Usage::

    http = httpx.Client(base_url="http://127.0.0.1:8000/pageup")   # real: https://api.dc2.pageuppeople.com
    pageup = PageUpClient(http, "atsmock-pageup", "atsmock-pageup-secret", tenant="218")
    doc = pageup.upload("cv.pdf", title="CV", document_category_id=7, applicant_id=26459460)
    data = pageup.download(doc["id"])

Tokens: fetched with client credentials, cached, refreshed ``refresh_margin`` seconds before
they expire and once more when the API answers 401 (a token revoked or expired early).
On real PageUp the token endpoint is another host (``login.<dc>.pageuppeople.com``): pass
``token_url`` as an absolute URL.

Retries (``client._http.exchange``): the token request, prepareTempDirectUpload, the storage
PUT and GETs retry 429, 5xx and dropped connections, and prepareTempDirectUpload and the
document GET also a success whose body is not JSON; moveFromTemp retries only 429 (answered
before anything moved). A 429 or 5xx whose ``Retry-After`` is longer than the policy's
``max_delay`` (the daily quota, a maintenance 503) is raised at once; a 429's carries ``retry_after``.

Errors: ``PageUpError`` (an ``ApiError``) carries PageUp's ``[{"field", "message"}]`` list (or
the token endpoint's ``error`` / ``error_description``); ``StorageError`` (an ``ApiError``) is
S3's ``<Error><Code>`` answer to the upload or download; ``TransportError`` when no usable answer
came back. Every failed request is logged with its ``X-Request-Id``.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import httpx

from client._http import RetryPolicy, exchange, retry_after, storage_error, transient
from client.errors import ApiError, TransportError
from client.errors import StorageError as StorageError  # re-exported: PageUp callers catch it from here

log = logging.getLogger("atsmock.client")

READ = "Public.Document.Read"
WRITE = "Public.Document.Write"
CHUNK = 256 * 1024
SPOOL_IN_MEMORY = 8 * 1024 * 1024
"""A stream of unknown length is spooled (to memory up to this size, then disk) so the PUT can
send a Content-Length, as S3 requires, and be retried."""

Source = str | os.PathLike[str] | bytes | bytearray | IO[bytes] | Iterable[bytes]


class PageUpError(ApiError):
    """PageUp said no. ``errors`` is its list of ``{"message"}`` / ``{"field", "message"}``;
    ``fields`` maps each named field to its messages; ``message`` is the first message."""

    def __init__(
        self,
        status: int,
        errors: list[dict[str, str]],
        request_id: str | None,
        code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        message = errors[0]["message"] if errors else ""
        super().__init__(status, code, message, request_id)
        self.errors = errors
        self.fields: dict[str, list[str]] = {}
        for item in errors:
            if "field" in item:
                self.fields.setdefault(item["field"], []).append(item["message"])
        self.retry_after = retry_after


class PageUpClient:
    """PageUp over any ``httpx.Client`` whose base URL is the API host root."""

    def __init__(
        self,
        http: httpx.Client,
        client_id: str,
        client_secret: str,
        *,
        tenant: str,
        scopes: Iterable[str] = (READ, WRITE),
        token_url: str = "/connect/token",
        policy: RetryPolicy | None = None,
        storage_http: httpx.Client | None = None,
        refresh_margin: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.http = http
        self.storage_http = storage_http or http
        self.client_id = client_id
        self.client_secret = client_secret
        self.tenant = tenant
        self.scopes = " ".join(scopes)
        self.token_url = token_url
        self.policy = policy or RetryPolicy()
        self.refresh_margin = refresh_margin
        self.clock = clock
        self._token: str | None = None
        self._expires_at = 0.0

    # -- tokens ------------------------------------------------------------------------------------

    def token(self) -> str:
        """The cached access token, or a fresh one when it is missing or about to expire."""
        if self._token is None or self.clock() >= self._expires_at - self.refresh_margin:
            self._fetch_token()
        assert self._token is not None
        return self._token

    def _fetch_token(self) -> None:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "scope": self.scopes,
        }

        def build() -> httpx.Request:
            return self.http.build_request("POST", self.token_url, data=form, headers={"Accept": "application/json"})

        started = self.clock()
        response = exchange(self.http, build, policy=self.policy, idempotent=True)
        body = _json(response)
        if not response.is_success or not isinstance(body, dict) or "access_token" not in body:
            raise _token_error(response, body)
        self._token = str(body["access_token"])
        self._expires_at = started + float(body.get("expires_in", 300))

    def forget_token(self) -> None:
        self._token = None
        self._expires_at = 0.0

    # -- the API -----------------------------------------------------------------------------------

    def _api(
        self, method: str, path: str, *, idempotent: bool, params: Mapping[str, Any] | None = None, body: Any = None
    ) -> Any:
        """One API call with the bearer token, refreshed once on 401; the JSON answer or PageUpError."""
        url = f"/v3/{self.tenant}/recruitment/document/{path}"
        content = None if body is None else json.dumps(body).encode()
        for attempt in (1, 2):
            token = self.token()

            def build(token: str = token) -> httpx.Request:
                headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
                if content is not None:
                    headers["Content-Type"] = "application/json"
                return self.http.build_request(method, url, params=params, content=content, headers=headers)

            response = exchange(self.http, build, policy=self.policy, idempotent=idempotent, expect_json=True)
            if response.status_code == 401 and attempt == 1:
                self.forget_token()
                continue
            break
        payload = _json(response)
        if response.is_success:
            if payload is None:
                raise TransportError(f"{method} {url}: answered {response.status_code} with a body that is not JSON")
            return payload
        raise _api_error(response, payload)

    def prepare_upload(self, filename: str, content_type: str | None = None) -> dict[str, Any]:
        """``GET /document/prepareTempDirectUpload``: ``url``, ``contentType``, ``physicalFile``, ``headers``."""
        params = {"filename": filename}
        if content_type:
            params["contentType"] = content_type
        return dict(self._api("GET", "prepareTempDirectUpload", idempotent=True, params=params))

    def put_file(self, prepared: Mapping[str, Any], source: Source) -> None:
        """Step 2: PUT the bytes to ``url`` with every returned header and ``Content-Type: contentType``."""
        with _Payload.open(source) as payload:
            headers = {**prepared["headers"], "Content-Type": prepared["contentType"]}
            headers["Content-Length"] = str(payload.size)

            def build() -> httpx.Request:
                return self.storage_http.build_request(
                    prepared.get("method", "PUT"), prepared["url"], content=payload.chunks(), headers=headers
                )

            response = exchange(self.storage_http, build, policy=self.policy, idempotent=True)
        if not response.is_success:
            raise storage_error(response)

    def move_from_temp(
        self,
        physical_file: str,
        *,
        title: str,
        file_name: str,
        document_category_id: int | None = None,
        document_category_name: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """``POST /document/moveFromTemp``; ``fields`` are PageUp's (id, providerId, jobId, offerId,
        applicationId, applicantId), snake_case accepted."""
        body: dict[str, Any] = {"title": title, "fileName": file_name, "physicalFile": physical_file}
        if document_category_id is not None:
            body["documentCategoryId"] = document_category_id
        if document_category_name is not None:
            body["documentCategoryName"] = document_category_name
        for key, value in fields.items():
            if value is not None:
                body[_camel(key)] = value
        return dict(self._api("POST", "moveFromTemp", idempotent=False, body=body))

    def upload(
        self,
        source: Source,
        *,
        filename: str | None = None,
        title: str | None = None,
        content_type: str | None = None,
        document_category_id: int | None = None,
        document_category_name: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """The whole upload (prepare, PUT, moveFromTemp) of a path, bytes, a file object or byte chunks.

        ``filename`` defaults to the path's name; it is required for other sources.
        """
        if filename is None:
            if not isinstance(source, str | os.PathLike):
                raise ValueError("filename is required unless the source is a path")
            filename = Path(source).name
        prepared = self.prepare_upload(filename, content_type)
        self.put_file(prepared, source)
        return self.move_from_temp(
            prepared["physicalFile"],
            title=title or filename,
            file_name=filename,
            document_category_id=document_category_id,
            document_category_name=document_category_name,
            **fields,
        )

    def document(self, document_id: str | int, *, expires_in: int | None = None) -> dict[str, Any]:
        """``GET /document/{id}``: the metadata and a presigned download ``url``."""
        params = {"expiresInSeconds": expires_in} if expires_in is not None else None
        return dict(self._api("GET", str(document_id), idempotent=True, params=params))

    def download(self, document_id: str | int, *, expires_in: int | None = None) -> bytes:
        """The document's bytes."""
        with self._download(document_id, expires_in) as response:
            return response.read()

    def download_to(self, document_id: str | int, path: str | os.PathLike[str]) -> dict[str, Any]:
        """Stream the document into ``path``; the document's metadata."""
        meta: dict[str, Any] = {}
        with self._download(document_id, None, meta) as response, Path(path).open("wb") as out:
            for chunk in response.iter_bytes(CHUNK):
                out.write(chunk)
        return meta

    @contextmanager
    def _download(
        self, document_id: str | int, expires_in: int | None, meta: dict[str, Any] | None = None
    ) -> Iterator[httpx.Response]:
        """The streamed storage response; a link that expired before it was used is fetched afresh once."""
        for attempt in (1, 2):
            doc = self.document(document_id, expires_in=expires_in)
            if meta is not None:
                meta.clear()
                meta.update(doc)
            response = self._get_stream(doc["url"])
            if response.is_success:
                break
            response.read()
            response.close()
            if response.status_code != 403 or attempt == 2:
                raise storage_error(response)
        try:
            yield response
        finally:
            response.close()

    def _get_stream(self, url: str) -> httpx.Response:
        """GET a presigned URL, streaming; retried like any safe request, failures logged."""
        shown = url.split("?", 1)[0]
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self.storage_http.send(self.storage_http.build_request("GET", url), stream=True)
            except httpx.TransportError as exc:
                log.warning("GET %s failed: %s (attempt %d)", shown, exc, attempt)
                if attempt >= self.policy.attempts or not transient(exc):
                    raise TransportError(f"GET {shown}: {exc}") from exc
                self.policy.sleep(self.policy.delay(attempt, None))
                continue
            if response.is_success:
                return response
            response.read()
            log.warning(
                "GET %s answered %d (X-Request-Id %s, attempt %d): %s",
                shown,
                response.status_code,
                response.headers.get("x-request-id", "-"),
                attempt,
                response.text[:500],
            )
            if attempt >= self.policy.attempts or not self.policy.retryable(response):
                return response
            response.close()
            self.policy.sleep(self.policy.delay(attempt, response))


class _Payload:
    """Upload bytes with a known size that can be sent again: bytes, a path, or a spooled stream."""

    def __init__(self, size: int, chunks: Callable[[], Iterator[bytes]], close: Callable[[], None]) -> None:
        self.size = size
        self.chunks = chunks
        self._close = close

    @classmethod
    def open(cls, source: Source) -> _Payload:
        if isinstance(source, bytes | bytearray):
            data = bytes(source)
            return cls(len(data), lambda: iter((data,)), lambda: None)
        if isinstance(source, str | os.PathLike):
            path = Path(source)

            def read_path() -> Iterator[bytes]:
                with path.open("rb") as f:
                    yield from iter(lambda: f.read(CHUNK), b"")

            return cls(path.stat().st_size, read_path, lambda: None)
        spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
        read: Callable[[int], bytes] | None = getattr(source, "read", None)
        chunks: Iterable[bytes] = iter(lambda: read(CHUNK), b"") if read is not None else source
        for chunk in chunks:
            spool.write(chunk)
        size = spool.tell()

        def read_spool() -> Iterator[bytes]:
            spool.seek(0)
            yield from iter(lambda: spool.read(CHUNK), b"")

        return cls(size, read_spool, spool.close)

    def __enter__(self) -> _Payload:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _api_error(response: httpx.Response, payload: Any) -> PageUpError:
    errors: list[dict[str, str]] = []
    if isinstance(payload, list):
        for item in payload:
            if isinstance(item, dict) and "message" in item:
                errors.append({k: str(v) for k, v in item.items() if k in ("field", "message")})
    if not errors:
        errors = [{"message": response.text[:500] or response.reason_phrase}]
    code = None
    challenge = response.headers.get("www-authenticate", "")
    if 'error="' in challenge:
        code = challenge.split('error="', 1)[1].split('"', 1)[0]
    after = retry_after(response) if response.status_code == 429 else None
    return PageUpError(response.status_code, errors, response.headers.get("x-request-id"), code, after)


def _token_error(response: httpx.Response, body: Any) -> PageUpError:
    if isinstance(body, dict) and "error" in body:
        code = str(body["error"])
        message = str(body.get("error_description") or code)
    else:
        code, message = None, response.text[:500] or f"HTTP {response.status_code}"
    after = retry_after(response) if response.status_code == 429 else None
    return PageUpError(response.status_code, [{"message": message}], response.headers.get("x-request-id"), code, after)
