"""Endorsed reference client: access tokens, candidates, attachments (a file or a public URL), downloads.

Usage::

    http = httpx.Client(base_url="http://127.0.0.1:8000/endorsed")   # real: https://endorsed.ai
    endorsed = EndorsedClient(http, "00000000-0000-4000-8000-000000000001", "atsmock-endorsed-secret")
    candidate = endorsed.create_candidate(first_name="Ada", remote_id="c-1")
    attachment = endorsed.upload("cv.pdf", remote_id="cv-1", type="resume", candidate_id=candidate)
    data = endorsed.download(attachment)                      # or endorsed.download(remote("cv-1"))

Tokens: ``EndorsedAuth``, an ``httpx.Auth`` flow, gets one from ``/api/v1/auth/tokens`` with client
credentials, caches it, gets a new one ``refresh_margin`` seconds before its ``expires_in`` (a
string in Endorsed's answer) runs out, and once more when the API answers 401 (a token revoked or
expired early), then sends the request again. ``clock`` is injectable so tests move time.

Ids: every method that names a record takes its UUID or ``remote(remote_id)`` (``remote.<id>``,
the remote id URL-encoded).

Retries (``client._http.exchange``): reads, upserts (PUT), deletes and the storage GET retry 429,
5xx and dropped connections, and a success whose body is not JSON; creates (POST) retry only 429,
answered before anything was stored. The token request retries 429 and 5xx. A 429 or 5xx asking
(``Retry-After``) for longer than the policy's ``max_delay`` is raised at once.

Errors: ``EndorsedError`` (an ``ApiError``) carries the envelope's ``code`` and ``issues``
(``[{"message", "path"?}]``); ``StorageError`` is S3's answer to the download; ``TransportError``
when no usable answer came back. Every failed request is logged with its ``X-Request-Id``.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Generator, Iterable, Mapping
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

import httpx

from client._http import RetryPolicy, exchange, storage_error
from client.errors import ApiError, TransportError
from client.errors import StorageError as StorageError  # re-exported: Endorsed callers catch it from here

log = logging.getLogger("atsmock.client")

READ = "all:read"
WRITE = "all:write"
TOKEN_PATH = "/api/v1/auth/tokens"

Source = str | os.PathLike[str] | bytes | bytearray | IO[bytes]
"""What ``upload`` sends: a path, bytes, or a binary file object (read from its start on every attempt)."""


def remote(remote_id: str) -> str:
    """The path id of a record by its remote id: ``remote.<remote_id>``, URL-encoded (slashes too)."""
    return "remote." + quote(remote_id, safe="")


class EndorsedError(ApiError):
    """Endorsed said no. ``code`` is the envelope's (BAD_REQUEST, UNAUTHENTICATED, NOT_FOUND...),
    ``issues`` its list of ``{"message", "path"?}``, ``fields`` each issue's path (dotted,
    ``phone_numbers.0.type``) to its messages; ``message`` is the first issue's message."""

    def __init__(self, status: int, code: str | None, issues: list[dict[str, Any]], request_id: str | None) -> None:
        message = str(issues[0].get("message", "")) if issues else ""
        super().__init__(status, code, message, request_id)
        self.issues = issues
        self.fields: dict[str, list[str]] = {}
        for issue in issues:
            path = issue.get("path")
            if isinstance(path, list) and path:
                self.fields.setdefault(".".join(str(p) for p in path), []).append(str(issue.get("message", "")))

    @classmethod
    def from_response(cls, response: httpx.Response) -> EndorsedError:
        request_id = response.headers.get("x-request-id")
        try:
            body = response.json()
        except ValueError:
            body = None
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, dict) and isinstance(error.get("issues"), list):
            issues = [i for i in error["issues"] if isinstance(i, dict)]
            return cls(response.status_code, str(error.get("code")), issues, request_id)
        text = response.text[:500] or response.reason_phrase or f"HTTP {response.status_code}"
        return cls(response.status_code, None, [{"message": text}], request_id)


class EndorsedAuth(httpx.Auth):
    """Client credentials as an ``httpx.Auth`` flow: a cached bearer token, refreshed before it expires
    and once after a 401. ``token_url`` is absolute (``EndorsedClient`` builds it from its base URL)."""

    requires_response_body = True

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        token_url: str,
        *,
        scopes: Iterable[str] = (READ, WRITE),
        refresh_margin: float = 60.0,
        clock: Callable[[], float] = time.time,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_url = token_url
        self.scopes = " ".join(scopes)
        self.refresh_margin = refresh_margin
        self.clock = clock
        self.policy = policy or RetryPolicy()
        self.access_token: str | None = None
        self.expires_at = 0.0
        self.granted: list[str] = []

    def forget(self) -> None:
        self.access_token = None
        self.expires_at = 0.0

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self.access_token is None or self.clock() >= self.expires_at - self.refresh_margin:
            yield from self._fetch()
        request.headers["Authorization"] = f"Bearer {self.access_token}"
        response = yield request
        if response.status_code == 401:
            self.forget()
            yield from self._fetch()
            request.headers["Authorization"] = f"Bearer {self.access_token}"
            yield request

    def _fetch(self) -> Generator[httpx.Request, httpx.Response, None]:
        """POST the form (Endorsed's default encoding); retried on 429 and 5xx like any safe call."""
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "scope": self.scopes,
        }
        attempt = 0
        while True:
            attempt += 1
            started = self.clock()
            response = yield httpx.Request("POST", self.token_url, data=form, headers={"Accept": "application/json"})
            if response.is_success:
                break
            log.warning(
                "POST %s answered %d (X-Request-Id %s, attempt %d): %s",
                self.token_url,
                response.status_code,
                response.headers.get("x-request-id", "-"),
                attempt,
                response.text[:500],
            )
            if attempt >= self.policy.attempts or not self.policy.retryable(response):
                raise EndorsedError.from_response(response)
            self.policy.sleep(self.policy.delay(attempt, response))
        try:
            body = response.json()
            token, lifetime = str(body["access_token"]), float(body["expires_in"])
        except (ValueError, KeyError, TypeError) as exc:
            raise TransportError(f"POST {self.token_url}: the token answer is not readable ({exc})") from exc
        self.access_token = token
        self.expires_at = started + lifetime
        self.granted = list(body.get("scope") or [])


class EndorsedClient:
    """Endorsed over any ``httpx.Client`` whose base URL is the API host root (``https://endorsed.ai``)."""

    def __init__(
        self,
        http: httpx.Client,
        client_id: str,
        client_secret: str,
        *,
        scopes: Iterable[str] = (READ, WRITE),
        policy: RetryPolicy | None = None,
        storage_http: httpx.Client | None = None,
        refresh_margin: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.http = http
        self.storage_http = storage_http or http
        self.policy = policy or RetryPolicy()
        token_url = str(http.build_request("POST", TOKEN_PATH).url)
        self.auth = EndorsedAuth(
            client_id,
            client_secret,
            token_url,
            scopes=scopes,
            refresh_margin=refresh_margin,
            clock=clock,
            policy=self.policy,
        )

    # -- the API -----------------------------------------------------------------------------------

    def _call(self, method: str, path: str, *, idempotent: bool, **content: Any) -> tuple[Any, int]:
        """One API call with the token flow; the envelope's ``result`` and the status, or EndorsedError."""
        url = f"/api/v1/{path}"

        def build() -> httpx.Request:
            return self.http.build_request(method, url, headers={"Accept": "application/json"}, **content)

        response = exchange(
            self.http, build, policy=self.policy, idempotent=idempotent, expect_json=True, auth=self.auth
        )
        if not response.is_success:
            raise EndorsedError.from_response(response)
        try:
            return response.json()["result"], response.status_code
        except (ValueError, KeyError, TypeError):
            raise TransportError(f"{method} {url}: answered {response.status_code} without a result") from None

    # candidates

    def create_candidate(self, *, first_name: str, remote_id: str, **fields: Any) -> str:
        """``POST /candidates``; ``fields`` are last_name, title, company_name, location, phone_numbers,
        email_addresses, links (lists of ``{"value", "type"}``). The new candidate's UUID."""
        body = {"first_name": first_name, "remote_id": remote_id, **_present(fields)}
        result, _ = self._call("POST", "candidates", idempotent=False, json=body)
        return str(result["id"])

    def candidate(self, ref: str) -> dict[str, Any]:
        result, _ = self._call("GET", f"candidates/{ref}", idempotent=True)
        return dict(result)

    def update_candidate(self, ref: str, *, first_name: str, remote_id: str, **fields: Any) -> str:
        """``PUT /candidates/{id}`` with the whole candidate (every field it sends replaces the old one)."""
        body = {"first_name": first_name, "remote_id": remote_id, **_present(fields)}
        result, _ = self._call("PUT", f"candidates/{ref}", idempotent=True, json=body)
        return str(result["id"])

    # attachments

    def upload(
        self,
        source: Source,
        *,
        remote_id: str,
        type: str,
        candidate_id: str | None = None,
        file_name: str | None = None,
        content_type: str = "application/octet-stream",
    ) -> str:
        """``POST /attachments`` as multipart with the ``file`` part; the new attachment's UUID.

        ``file_name`` defaults to the path's name (and is the part's filename); it is required for
        other sources.
        """
        fields = _attachment_fields(remote_id, type, candidate_id, file_name)
        with _FilePart(source, file_name) as (name, stream):
            files = {"file": (name, stream, content_type)}
            result, _ = self._call("POST", "attachments", idempotent=False, data=fields, files=files)
        return str(result["id"])

    def upload_from_url(
        self,
        public_file_url: str,
        *,
        remote_id: str,
        type: str,
        candidate_id: str | None = None,
        file_name: str | None = None,
    ) -> str:
        """``POST /attachments`` as JSON: Endorsed downloads ``public_file_url``. The new attachment's UUID."""
        body = {"public_file_url": public_file_url, **_attachment_fields(remote_id, type, candidate_id, file_name)}
        result, _ = self._call("POST", "attachments", idempotent=False, json=body)
        return str(result["id"])

    def upsert(
        self,
        remote_id: str,
        source: Source | None = None,
        *,
        type: str,
        public_file_url: str | None = None,
        candidate_id: str | None = None,
        file_name: str | None = None,
        content_type: str = "application/octet-stream",
    ) -> tuple[str, bool]:
        """``PUT /attachments/remote.<remote_id>`` with a file or a URL (exactly one); ``(UUID, created)``."""
        if (source is None) == (public_file_url is None):
            raise ValueError("upsert needs a source or a public_file_url, not both")
        path = f"attachments/{remote(remote_id)}"
        fields = _attachment_fields(remote_id, type, candidate_id, file_name)
        if public_file_url is not None:
            result, status = self._call(
                "PUT", path, idempotent=True, json={"public_file_url": public_file_url, **fields}
            )
        else:
            assert source is not None
            with _FilePart(source, file_name) as (name, stream):
                files = {"file": (name, stream, content_type)}
                result, status = self._call("PUT", path, idempotent=True, data=fields, files=files)
        return str(result["id"]), status == 201

    def attachment(self, ref: str) -> dict[str, Any]:
        """``GET /attachments/{id}``: the record and a short-lived ``ephemeral_url``."""
        result, _ = self._call("GET", f"attachments/{ref}", idempotent=True)
        return dict(result)

    def delete_attachment(self, ref: str) -> str:
        result, _ = self._call("DELETE", f"attachments/{ref}", idempotent=True)
        return str(result["id"])

    def download(self, ref: str) -> bytes:
        """The attachment's bytes from its ``ephemeral_url``; a link that expired before use is fetched afresh once."""
        for attempt in (1, 2):
            url = self.attachment(ref)["ephemeral_url"]

            def build(url: str = url) -> httpx.Request:
                return self.storage_http.build_request("GET", url)

            response = exchange(self.storage_http, build, policy=self.policy, idempotent=True)
            if response.is_success:
                return response.content
            if response.status_code != 403 or attempt == 2:
                break
        raise storage_error(response)


def _present(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def _attachment_fields(remote_id: str, type: str, candidate_id: str | None, file_name: str | None) -> dict[str, str]:
    return _present({"remote_id": remote_id, "type": type, "candidate_id": candidate_id, "file_name": file_name})


class _FilePart:
    """``(part filename, binary stream)`` for a source; a path is opened (and closed) here."""

    def __init__(self, source: Source, file_name: str | None) -> None:
        self.source = source
        self.file_name = file_name
        self._opened: IO[bytes] | None = None

    def __enter__(self) -> tuple[str, IO[bytes] | bytes]:
        source = self.source
        if isinstance(source, str | os.PathLike):
            path = Path(source)
            self._opened = path.open("rb")
            return self.file_name or path.name, self._opened
        if self.file_name is None:
            raise ValueError("file_name is required unless the source is a path")
        return self.file_name, bytes(source) if isinstance(source, bytes | bytearray) else source

    def __exit__(self, *exc: object) -> None:
        if self._opened is not None:
            self._opened.close()
