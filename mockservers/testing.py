"""Test helpers: an in-process client, a live server, and a small admin API client."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import httpx

from mockservers.config import Settings
from mockservers.core.dispatch import Dispatcher
from mockservers.core.vendor import Vendor

IN_PROCESS_URL = "http://testserver"


def in_process_settings(settings: Settings | None = None) -> Settings:
    """Settings whose public URL is the in-process client's base, so presigned URLs resolve."""
    return (settings or Settings()).with_server(public_url=IN_PROCESS_URL)


def in_process_client(app: Any, base_url: str = IN_PROCESS_URL, **kwargs: Any) -> httpx.Client:
    """A sync httpx client that calls ``app`` in-process (no socket). The one place that chooses how."""
    return httpx.Client(transport=InProcessTransport(app), base_url=base_url, **kwargs)


class InProcessTransport(httpx.BaseTransport):
    """Runs each request through httpx's own ASGI transport on one shared event-loop thread.

    ASGI end to end, so the app sees the raw path and header bytes as a server would hand them over
    (a WSGI bridge re-decodes them and fails on a non-ASCII path such as ``/s3/b/Müller.pdf``).
    Exceptions the app raises, such as a fault's ``ConnectionDropped``, reach the caller.
    """

    def __init__(self, app: Any) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._loop = _shared_loop()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            # The app itself calling in: waiting here would block the loop that must answer.
            raise RuntimeError("in_process_client cannot be used from inside the app it calls")
        request.read()  # the body as one piece; the ASGI transport reads it back as an async stream
        timeout = request.extensions.get("timeout", {}).get("read")
        future = asyncio.run_coroutine_threadsafe(self._call(request), self._loop)
        try:
            return future.result(timeout=timeout)
        except TimeoutError:
            future.cancel()
            raise httpx.ReadTimeout("in-process app did not answer within the read timeout", request=request) from None

    async def _call(self, request: httpx.Request) -> httpx.Response:
        response = await self._asgi.handle_async_request(request)
        content = b"".join([chunk async for chunk in response.aiter_raw()])
        return httpx.Response(
            response.status_code, headers=response.headers.raw, stream=httpx.ByteStream(content), request=request
        )


_loop: asyncio.AbstractEventLoop | None = None
_loop_lock = threading.Lock()


def _shared_loop() -> asyncio.AbstractEventLoop:
    """One event loop thread for every in-process client and every request."""
    global _loop
    with _loop_lock:
        if _loop is None:
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="atsmock-in-process", daemon=True).start()
        return _loop


@contextmanager
def running(settings: Settings | None = None, *, vendors: Sequence[Vendor] | None = None) -> Iterator[Any]:
    """A live server on 127.0.0.1:<ephemeral> for the duration of the block; ``vendors`` replaces the registry."""
    from mockservers.server import LiveServer

    with LiveServer(settings, vendors=vendors) as server:
        yield server


class AdminClient:
    """The admin API from Python, over any httpx client pointed at the server root (in-process or live).

    Every method is one admin call; an admin refusal raises ``httpx.HTTPStatusError``.
    """

    def __init__(self, http: httpx.Client, token: str | None = None) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.http.request(method, f"/__admin{path}", headers=self.headers, **kwargs)
        if response.is_error:  # the admin API's message (which names the valid values), not only the status
            message = f"{method} /__admin{path} -> {response.status_code}: {response.text}"
            raise httpx.HTTPStatusError(message, request=response.request, response=response)
        return response.json() if response.content else None

    # -- the clock -------------------------------------------------------------------------------------

    def clock(self) -> dict[str, Any]:
        return dict(self._call("GET", "/clock"))

    def advance(self, seconds: float) -> dict[str, Any]:
        """Move the mock clock ``seconds`` forward (negative: back); every expiry follows it."""
        return dict(self._call("POST", "/clock/advance", json={"seconds": seconds}))

    def freeze(self) -> dict[str, Any]:
        return dict(self._call("POST", "/clock/freeze"))

    def unfreeze(self) -> dict[str, Any]:
        return dict(self._call("POST", "/clock/unfreeze"))

    def reset_clock(self) -> dict[str, Any]:
        return dict(self._call("POST", "/clock/reset"))

    # -- state, journal, faults ----------------------------------------------------------------------------

    def reset(self, vendor: str | None = None) -> None:
        """Wipe everything (clock included), or one vendor's state, tokens, journal and faults."""
        self._call("POST", "/reset", params={"vendor": vendor} if vendor else None)

    def requests(self, **filters: Any) -> list[dict[str, Any]]:
        """Journal entries, newest first; filters: ``vendor``, ``operation``, ``status``, ``limit``."""
        params = {k: v for k, v in filters.items() if v is not None}
        return list(self._call("GET", "/requests", params=params)["requests"])

    def clear_requests(self) -> None:
        self._call("DELETE", "/requests")

    def add_fault(self, scenario: str, **options: Any) -> str:
        """Schedule a scenario (``vendor``, ``operation``, ``times``, ``probability``, ``seed``,
        ``delay_ms``); its id."""
        return str(self._call("POST", "/faults", json={"scenario": scenario, **options})["id"])

    def faults(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/faults")["faults"])

    def remove_fault(self, fault_id: str) -> None:
        self._call("DELETE", f"/faults/{fault_id}")

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def scenarios(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/scenarios")["scenarios"])

    def assert_request_made(
        self, vendor: str, operation: str | None = None, *, times: int | None = None, **fields: Any
    ) -> list[dict[str, Any]]:
        """Assert the journal holds requests to ``vendor`` (and ``operation``) matching ``fields``, ``times``
        of them if given (else at least one); the matching entries, oldest first.

        ``fields`` compare with the entry: ``status``, ``error_code``, ``fault``, ``method``, ``path``,
        and ``query`` / ``headers`` as subsets (``headers={"content-type": "application/json"}``).
        In the spirit of pytest-httpserver's ``assert_request_made``; the message lists what was seen.

        It cannot match the request body: the journal keeps only its size (``request.bodySize``), never
        its bytes (it is bounded, and recording is on every request's path), so ``body=``, ``json=`` and
        the like are a ``TypeError`` saying so. Assert on what the request did instead: read the resource
        it created or changed back through the vendor's API (PageUp's document, Ashby's ``candidate.info``,
        the uploaded bytes from the download URL), and use this method for how often, and with what
        answer, the connector called.
        """
        unknown = set(fields) - _MATCHERS.keys()
        if unknown & _BODY_FIELDS:
            raise TypeError(f"assert_request_made cannot match on {', '.join(sorted(unknown))}: {_NO_BODIES}")
        if unknown:
            raise TypeError(f"assert_request_made cannot match on {', '.join(sorted(unknown))}")
        seen = list(reversed(self.requests(vendor=vendor, operation=operation)))
        matched = [e for e in seen if all(_MATCHERS[k](e, v) for k, v in fields.items())]
        expected = "at least one" if times is None else str(times)
        if (times is None and not matched) or (times is not None and len(matched) != times):
            described = ", ".join(f"{k}={v!r}" for k, v in fields.items())
            lines = [
                f"expected {expected} {vendor} {operation or '*'} request(s) with {described or 'any fields'}",
                f"found {len(matched)} among {len(seen)} to {vendor} {operation or '*'}:",
            ]
            lines += [f"  {_summary(e)}" for e in seen[-20:]]
            raise AssertionError("\n".join(lines))
        return matched


def _query(entry: dict[str, Any]) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(entry["request"]["query"], keep_blank_values=True))


_MATCHERS: dict[str, Any] = {
    "status": lambda e, v: e["response"]["status"] == v,
    "error_code": lambda e, v: e["response"]["errorCode"] == v,
    "fault": lambda e, v: e["fault"] == v,
    "method": lambda e, v: e["request"]["method"] == v.upper(),
    "path": lambda e, v: e["request"]["path"] == v,
    "query": lambda e, v: all(_query(e).get(k) == str(x) for k, x in v.items()),
    "headers": lambda e, v: all(e["request"]["headers"].get(k.lower()) == x for k, x in v.items()),
}


_BODY_FIELDS = frozenset({"body", "json", "data", "content", "files", "form"})
"""Names a caller reaches for to match a request body, which the journal does not keep."""
_NO_BODIES = (
    "the journal keeps no request bodies (only their size, request.bodySize); assert on what the request did "
    "instead, by reading the resource it created or changed back through the vendor's API"
)


def _summary(entry: dict[str, Any]) -> str:
    request, response = entry["request"], entry["response"]
    code = f" {response['errorCode']}" if response["errorCode"] else ""
    fault = f" (fault {entry['fault']})" if entry["fault"] else ""
    return f"{request['method']} {request['url']} -> {response['status']}{code}{fault}"


def make_app(settings: Settings | None = None, *, vendors: Sequence[Vendor] | None = None) -> Dispatcher:
    """A fresh in-process app (its own Platform) with in-process public URLs; ``vendors`` replaces the registry."""
    from mockservers.app import create_app

    if settings is None:
        settings = Settings(registry=vendors)
    return create_app(in_process_settings(settings), vendors=vendors)
