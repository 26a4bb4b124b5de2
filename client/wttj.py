"""Welcome to the Jungle (WelcomeKit) reference client: candidates, documents attached by URL, downloads.

Usage::

    http = httpx.Client(base_url="http://127.0.0.1:8000/wttj/api/v1/external")  # real: https://www.welcomekit.co/api/v1/external
    wttj = WttjClient(http, "atsmock-wttj")
    candidate = wttj.create_candidate(
        organization_reference="Pg4eV6k", job_reference="WTTJ_KmqkD1Y", job_stage_id=14598,
        email="ada@example.com", firstname="Ada", lastname="Lovelace",
    )
    [document] = wttj.attach_documents(candidate["reference"], [("resume", "https://files.example/cv.pdf")])
    data = wttj.download(document)

WTTJ downloads each URL itself: the files must be reachable from the service (from atsmock: loopback,
or the hosts of its ``[fetch]`` config).

Errors: ``WttjError`` (an ``ApiError``) carries WTTJ's ``error`` and ``error_description``
(``validation_failed``, ``unauthorized``, ``invalid_scope``, ``not_found``...); ``StorageError`` (an
``ApiError``) is S3's ``<Error><Code>`` answer to a download; ``TransportError`` when no usable answer
came back. Every failed request is logged with its ``X-Request-Id``.

Retries (``client._http.exchange``): the safe steps — reading a candidate, the lists, the download —
retry 5xx and dropped connections, and the JSON reads also a success whose body is not JSON. Creating
a candidate and attaching documents are never retried: after a 500 or a dropped connection the
candidate or the documents may exist already (WTTJ has no idempotency key). WTTJ answers no 429.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import quote

import httpx

from client._http import RetryPolicy, exchange, storage_error
from client.errors import ApiError, TransportError

Files = Iterable[tuple[str, str]] | Mapping[str, str]
"""``(filename, url)`` pairs, or a mapping of filename to URL."""


class WttjError(ApiError):
    """WTTJ said no: ``error`` is its code, ``error_description`` its text."""

    def __init__(self, status: int, error: str | None, error_description: str, request_id: str | None) -> None:
        super().__init__(status, error, error_description, request_id)
        self.error = error
        self.error_description = error_description


class WttjClient:
    """WTTJ over any ``httpx.Client`` whose base URL is the API root (``.../api/v1/external``).

    ``download_http`` fetches ``file_url`` (presigned S3 URLs, absolute); it defaults to ``http``.
    """

    def __init__(
        self,
        http: httpx.Client,
        token: str,
        *,
        policy: RetryPolicy | None = None,
        download_http: httpx.Client | None = None,
    ) -> None:
        self.http = http
        self.download_http = download_http or http
        self.policy = policy or RetryPolicy()
        self._headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    # -- the calls ----------------------------------------------------------------------------------

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> httpx.Response:
        query = {k: _query_value(v) for k, v in (params or {}).items() if v is not None}

        def build() -> httpx.Request:
            return self.http.build_request("GET", path, params=query, headers=self._headers)

        return self._checked(exchange(self.http, build, policy=self.policy, idempotent=True, expect_json=True))

    def _post(self, path: str, body: Mapping[str, Any]) -> Any:
        def build() -> httpx.Request:
            return self.http.build_request("POST", path, json=dict(body), headers=self._headers)

        return self._json(self._checked(exchange(self.http, build, policy=self.policy, idempotent=False)))

    @staticmethod
    def _checked(response: httpx.Response) -> httpx.Response:
        if response.is_success:
            return response
        request_id = response.headers.get("x-request-id")
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            raise WttjError(response.status_code, body["error"], str(body.get("error_description", "")), request_id)
        raise WttjError(response.status_code, None, response.text[:500], request_id)

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise TransportError(
                f"{response.request.method} {response.request.url.path}: answered {response.status_code} "
                f"with a body that is not JSON (X-Request-Id {response.headers.get('x-request-id', '-')})"
            ) from None

    def _pages(self, path: str, params: Mapping[str, Any], per_page: int) -> Iterator[dict[str, Any]]:
        """Every item of a paged list: pages 1, 2, ... until ``X-Total-Pages`` (or a short page)."""
        page = 1
        while True:
            response = self._get(path, {**params, "per_page": per_page, "page": page})
            items = self._json(response)
            yield from items
            total_pages = response.headers.get("x-total-pages", "")
            last = page >= int(total_pages) if total_pages.isdigit() else len(items) < per_page
            if last or not items:
                return
            page += 1

    # -- candidates ----------------------------------------------------------------------------------

    def create_candidate(
        self,
        *,
        organization_reference: str,
        job_reference: str,
        job_stage_id: int,
        email: str,
        firstname: str,
        lastname: str,
        **optional: Any,
    ) -> dict[str, Any]:
        """``POST /candidates``; ``optional`` are WTTJ's fields (``tag_list``, ``remote_resume_url``, ...)."""
        body = {
            "organization_reference": organization_reference,
            "job_reference": job_reference,
            "job_stage_id": job_stage_id,
            "email": email,
            "firstname": firstname,
            "lastname": lastname,
            **optional,
        }
        return dict(self._post("/candidates", body))

    def candidate(self, reference: str, *, stage: bool = False, tags: bool = False) -> dict[str, Any]:
        path = f"/candidates/{quote(reference, safe='')}"  # one path segment, whatever the reference holds
        return dict(self._json(self._get(path, {"stage": stage, "tags": tags})))

    def candidates(self, job_reference: str, *, per_page: int = 100, **filters: Any) -> Iterator[dict[str, Any]]:
        """Every candidate of a job that passes ``filters`` (``email``, ``job_stage_id``, ``archived``...)."""
        return self._pages("/candidates", {"job_reference": job_reference, **filters}, per_page)

    # -- documents -----------------------------------------------------------------------------------

    def attach_documents(self, candidate_reference: str, files: Files) -> list[dict[str, Any]]:
        """``POST /documents``: WTTJ downloads every URL; all are attached, or ``WttjError`` and none."""
        pairs = files.items() if isinstance(files, Mapping) else files
        body = {
            "candidate_reference": candidate_reference,
            "remote_file_urls": [{"filename": name, "url": url} for name, url in pairs],
        }
        return list(self._post("/documents", body))

    def documents(self, candidate_reference: str, *, per_page: int = 100) -> Iterator[dict[str, Any]]:
        return self._pages("/documents", {"candidate_reference": candidate_reference}, per_page)

    def download(self, document: Mapping[str, Any] | str) -> bytes:
        """The bytes behind a document's ``file_url`` (or any such URL); ``StorageError`` if S3 refuses."""
        url = document if isinstance(document, str) else str(document["file_url"])

        def build() -> httpx.Request:
            return self.download_http.build_request("GET", url)

        response = exchange(self.download_http, build, policy=self.policy, idempotent=True)
        if not response.is_success:
            raise storage_error(response)
        return response.content


def _query_value(value: Any) -> Any:
    return ("true" if value else "false") if isinstance(value, bool) else value
