"""The one retry policy and failure log every reference client uses."""

from __future__ import annotations

import dataclasses
import email.utils
import logging
import random
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from client.errors import StorageError, TransportError

log = logging.getLogger("atsmock.client")

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
TRANSIENT_ERRORS: tuple[type[httpx.TransportError], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)
"""Transport failures another attempt may get past: a timeout, a connection refused, reset or cut, a server
that hung up. The rest fail the same way every time and are raised at once: ``UnsupportedProtocol`` (a URL
whose scheme is not http or https), ``LocalProtocolError`` (a request httpx finds malformed before sending
it), ``ProxyError`` (the proxy refused the tunnel)."""


def transient(exc: httpx.TransportError) -> bool:
    """Whether retrying could help (``TRANSIENT_ERRORS``)."""
    return isinstance(exc, TRANSIENT_ERRORS)


@dataclass
class RetryPolicy:
    """Exponential backoff with jitter, capped; ``Retry-After`` wins when the server sends it.

    ``sleep`` is injectable so tests check the waits without waiting.
    """

    attempts: int = 4
    base_delay: float = 0.2
    max_delay: float = 10.0
    sleep: Callable[[float], None] = field(default=time.sleep)

    def retryable(self, response: httpx.Response) -> bool:
        """429 and 5xx are worth another try, unless the server asks for a longer wait than
        ``max_delay`` (a daily quota, a 503 for maintenance): then the caller is told at once."""
        if response.status_code not in RETRYABLE_STATUSES:
            return False
        after = retry_after(response)
        return after is None or after <= self.max_delay

    def delay(self, attempt: int, response: httpx.Response | None) -> float:
        if response is not None:
            after = retry_after(response)
            if after is not None:
                return min(after, self.max_delay)
        backoff: float = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return backoff * (0.5 + random.random() / 2)


def retry_after(response: httpx.Response) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date), or None."""
    raw = response.headers.get("retry-after")
    if not raw:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def send(
    client: httpx.Client,
    build: Callable[[], httpx.Request],
    *,
    policy: RetryPolicy,
    retry_safe: bool,
    auth: httpx.Auth | None = None,
) -> httpx.Response:
    """Send the request ``build`` makes, retrying 429/5xx and transient transport failures (``transient``:
    timeouts, dropped connections) when ``retry_safe``.

    Every failed attempt is logged with its ``X-Request-Id``. The final response is returned as
    is (the caller turns errors into its vendor's exception); connection failures after the last
    attempt raise ``TransportError``. ``auth`` (an ``httpx.Auth`` flow, such as a token refresher)
    applies to every attempt; without it the client's own auth does.
    """
    attempt = 0
    while True:
        attempt += 1
        request = build()
        try:
            response = client.send(request, auth=httpx.USE_CLIENT_DEFAULT if auth is None else auth)
            response.read()
        except httpx.TransportError as exc:
            log.warning("%s %s failed: %s (attempt %d)", request.method, _safe_url(request), exc, attempt)
            if not retry_safe or attempt >= policy.attempts or not transient(exc):
                raise TransportError(f"{request.method} {_safe_url(request)}: {exc}") from exc
            policy.sleep(policy.delay(attempt, None))
            continue
        if response.is_success:
            return response
        log.warning(
            "%s %s answered %d (X-Request-Id %s, attempt %d): %s",
            request.method,
            _safe_url(request),
            response.status_code,
            response.headers.get("x-request-id", "-"),
            attempt,
            response.text[:500],
        )
        if retry_safe and attempt < policy.attempts and policy.retryable(response):
            policy.sleep(policy.delay(attempt, response))
            continue
        return response


def exchange(
    client: httpx.Client,
    build: Callable[[], httpx.Request],
    *,
    policy: RetryPolicy,
    idempotent: bool,
    expect_json: bool = False,
    auth: httpx.Auth | None = None,
) -> httpx.Response:
    """``send`` with one budget of attempts, plus the two retries ``send`` leaves to its caller: a
    429 on a call that is not idempotent (vendors answer it before doing anything), and a success
    whose body is not JSON on one that is (logged like any failed answer)."""
    used = 0

    def counted() -> httpx.Request:
        nonlocal used
        used += 1
        return build()

    while True:
        remaining = dataclasses.replace(policy, attempts=max(1, policy.attempts - used))
        response = send(client, counted, policy=remaining, retry_safe=idempotent, auth=auth)
        unreadable = expect_json and response.is_success and not has_json_body(response)
        if unreadable:  # ``send`` logs only error statuses; this answer failed too
            log.warning(
                "%s %s answered %d with a body that is not JSON (X-Request-Id %s, attempt %d): %s",
                response.request.method,
                _safe_url(response.request),
                response.status_code,
                response.headers.get("x-request-id", "-"),
                used,
                response.text[:500],
            )
        retry = (not idempotent and response.status_code == 429 and policy.retryable(response)) or (
            idempotent and unreadable
        )
        if not retry or used >= policy.attempts:
            return response
        policy.sleep(policy.delay(used, response))


def has_json_body(response: httpx.Response) -> bool:
    """Whether the body is JSON other than ``null`` (neither vendor answers a bare null)."""
    try:
        return response.json() is not None
    except ValueError:
        return False


def storage_error(response: httpx.Response) -> StorageError:
    """An S3 ``<Error><Code/><Message/></Error>`` answer (or any other body) as a ``StorageError``."""
    code: str | None = None
    message = response.text[:500]
    try:
        root = ET.fromstring(response.content)
        code = root.findtext("Code")
        message = root.findtext("Message") or message
    except ET.ParseError:
        pass
    request_id = response.headers.get("x-amz-request-id") or response.headers.get("x-request-id")
    return StorageError(response.status_code, code, message, request_id)


def _safe_url(request: httpx.Request) -> str:
    # Presigned URLs carry signatures; log them without the query.
    return str(request.url.copy_with(query=None))
