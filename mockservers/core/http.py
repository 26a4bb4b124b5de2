"""The HTTP plumbing every vendor shares: capped bodies, strict JSON, forms, media types, credentials,
exception handlers built from the vendor's one render function, canned fault replies, its contract.

Nothing here knows a vendor's envelope: each vendor passes its ``render(error, scope)`` (its
``errors.py``) and its own error constructors, and this module only decides *when* they apply.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import AsyncIterator, Callable, MutableMapping, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from mockservers.core.errors import INTERNAL, INVALID_INPUT, METHOD_NOT_ALLOWED, NO_ROUTE, VendorError
from mockservers.core.numbers import DIGIT_LIMIT
from mockservers.core.scenarios import Scenario

if TYPE_CHECKING:
    from starlette.datastructures import FormData
    from starlette.routing import BaseRoute

Render = Callable[[VendorError, MutableMapping[str, Any]], Response]
"""A vendor's one renderer: a VendorError (and the request's scope) to the vendor's exact answer."""

RouteErrors = Callable[[Request, HTTPException], VendorError]
"""How a vendor words Starlette's own refusals (no route, wrong method, a form the parser refused)."""

# -- media types and credentials ----------------------------------------------------------------------


def media_type(content_type: str | None) -> str:
    """``type/subtype`` of a Content-Type header, lower-cased, without parameters (``""`` when absent)."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_json_media_type(media: str) -> bool:
    """``application/json`` or a structured ``application/*+json`` type (RFC 6839)."""
    return media == "application/json" or (media.startswith("application/") and media.endswith("+json"))


def auth_scheme(authorization: str | None) -> str:
    """The lower-cased scheme of an Authorization header (``basic``, ``bearer``...); ``""`` when absent."""
    if not authorization:
        return ""
    return authorization.strip().partition(" ")[0].lower()


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    """``(user, password)`` of ``Basic base64(user:password)`` (UTF-8), or None when not Basic or unreadable
    (not base64, not UTF-8, or without the colon RFC 7617 requires)."""
    if auth_scheme(authorization) != "basic":
        return None
    assert authorization is not None
    encoded = authorization.strip().partition(" ")[2].strip()
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    user, colon, password = decoded.partition(":")
    if not colon:
        return None
    return user, password


def bearer_token(authorization: str | None) -> str | None:
    """The token of ``Authorization: Bearer <token>``; None when there is none (other schemes included)."""
    if auth_scheme(authorization) != "bearer":
        return None
    assert authorization is not None
    return authorization.strip().partition(" ")[2].strip() or None


# -- bodies -----------------------------------------------------------------------------------------------


def declared_length(request: Request) -> int | None:
    """The Content-Length a request declares; None when absent. ``ValueError`` when it is not a number."""
    raw = request.headers.get("content-length")
    if raw is None:
        return None
    if not raw.isascii() or not raw.strip().isdigit():
        raise ValueError(f"Content-Length {raw!r} is not a number")
    return int(raw)


async def read_body(request: Request, limit: int, too_large: Callable[[], Exception]) -> bytes:
    """The whole body, refusing with ``too_large()`` past ``limit`` bytes without reading them all.

    A declared Content-Length over the limit is refused before a byte is read; a chunked body as
    soon as the limit is passed. Memory stays within ``limit`` plus one chunk.
    """
    try:
        declared = declared_length(request)
    except ValueError:
        declared = None  # the server (h11, httptools) refuses a garbled length before we see it
    if declared is not None and declared > limit:
        raise too_large()
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large()
        chunks.append(chunk)
    return b"".join(chunks)


class InvalidJSON(ValueError):
    """A body that is not strict JSON; ``reason`` says why in a few words (for the vendor's message)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def parse_json(raw: bytes, *, bom: bool = False, integers: Callable[[str], Any] | None = None) -> Any:
    """Strict JSON from UTF-8 bytes, or ``InvalidJSON``.

    Refused: bytes that are not UTF-8 (a lone surrogate written as UTF-8, ``ED A0 80``, included;
    ``json.loads`` on bytes would let it through), lone surrogate escapes (``\\ud800``, which no
    UTF-8 store can hold), ``NaN`` / ``Infinity`` and nesting deep enough to exhaust the parser.
    ``bom`` accepts a leading UTF-8 byte order mark, as .NET readers do.

    An integer of more digits than Python's ``int`` reads (4300) is valid JSON: ``integers`` reads every
    integer literal as the vendor's parser does (``core.numbers.long_integer`` for Ruby and .NET,
    ``js_number`` for JavaScript); without it (the mock's own admin API) such a body is refused, saying so.
    """
    try:
        text = raw.decode("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError:
        raise InvalidJSON("the body is not UTF-8") from None
    read_int = _refuse_long_integer if integers is None else integers
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_int=read_int)
    except _LongInteger:
        raise InvalidJSON(f"the body has an integer of more than {DIGIT_LIMIT} digits") from None
    except RecursionError:
        raise InvalidJSON("the body is nested too deeply") from None
    except ValueError:
        raise InvalidJSON("the body is not valid JSON") from None
    if _SURROGATE_ESCAPE.search(raw):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidJSON("the body contains a lone UTF-16 surrogate") from None
        except RecursionError:  # pragma: no cover - json.loads refuses what dumps could not write
            raise InvalidJSON("the body is nested too deeply") from None
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class _LongInteger(Exception):
    """An integer ``int()`` cannot read, where no reader for one was given."""


def _refuse_long_integer(literal: str) -> int:
    if len(literal) > DIGIT_LIMIT:
        raise _LongInteger
    return int(literal)


def capped_receive(receive: Receive, limit: int, too_large: Callable[[], Exception]) -> Receive:
    """``receive`` that raises ``too_large()`` once more than ``limit`` body bytes have arrived."""
    seen = 0

    async def capped() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise too_large()
        return message

    return capped


@asynccontextmanager
async def multipart_form(
    request: Request,
    *,
    limit: int,
    too_large: Callable[[], VendorError],
    malformed: Callable[[str], VendorError],
    max_files: int = 20,
    max_fields: int = 100,
    max_part_size: int = 1024 * 1024,
) -> AsyncIterator[FormData]:
    """A multipart form parsed with a cap on the whole body, the number of parts and each text field.

    The parser's own refusals (no boundary, a part header too large, too many parts) become
    ``malformed(detail)``; spooled files are closed when the block ends. File names are read as
    UTF-8, or from RFC 5987 ``filename*`` (``core/multipart.py``).
    """
    try:
        declared = declared_length(request)
    except ValueError:
        declared = None
    if declared is not None and declared > limit:
        raise too_large()
    from starlette.formparsers import MultiPartException

    from mockservers.core.multipart import UTF8FormParser

    capped = Request(request.scope, capped_receive(request.receive, limit, too_large))
    parser = UTF8FormParser(
        capped.headers, capped.stream(), max_files=max_files, max_fields=max_fields, max_part_size=max_part_size
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise malformed(exc.message) from None
    try:
        yield form
    finally:
        await form.close()


# -- exception handlers -------------------------------------------------------------------------------------


def route_error(request: Request, exc: HTTPException) -> VendorError:
    """Starlette's own refusals as facts: no route, a method the route does not take, a refused form."""
    if exc.status_code == 404:
        return VendorError(NO_ROUTE, f"Unknown endpoint: {request.method} {request.url.path}")
    if exc.status_code == 405:
        return VendorError(
            METHOD_NOT_ALLOWED,
            f"{request.method} is not allowed on {request.url.path}",
            headers=dict(exc.headers or {}),
        )
    return VendorError(INVALID_INPUT, str(exc.detail))


def internal_error() -> VendorError:
    return VendorError(INTERNAL)


def exception_handlers(
    render: Render,
    route_errors: RouteErrors = route_error,
    unexpected_error: Callable[[], VendorError] = internal_error,
) -> dict[Any, Any]:
    """The trio every vendor registers: its VendorErrors, Starlette's refusals, and anything unexpected,
    each answered by the vendor's one ``render`` (the unexpected as ``unexpected_error()``, never a trace)."""

    async def vendor_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, VendorError)
        return render(exc, request.scope)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return render(route_errors(request, exc), request.scope)

    async def unexpected(request: Request, exc: Exception) -> Response:
        return render(unexpected_error(), request.scope)

    return {VendorError: vendor_error, HTTPException: http_error, Exception: unexpected}


def vendor_app(
    routes: Sequence[BaseRoute],
    render: Render,
    state: object,
    route_errors: RouteErrors = route_error,
    unexpected_error: Callable[[], VendorError] = internal_error,
) -> VendorApp:
    """A vendor's ASGI app: its routes, the handler trio, no slash redirects, ``state`` on ``app.state.vendor``."""
    return VendorApp(routes, exception_handlers(render, route_errors, unexpected_error), state)


class VendorApp:
    """Starlette's routes and exception handlers without Starlette's application around them.

    Every request to a vendor passes here, so this is the part of Starlette's stack a vendor needs and
    no more: the first matching ``Route`` handles the request (its endpoint's exceptions go to the
    vendor's handlers, as Starlette's ``ExceptionMiddleware`` would send them), a path no route takes
    is the vendor's 404 and a method it does not take its 405. Starlette's two middlewares and its
    router loop cost about a third of an authenticated read; the handlers, ``Request`` and the
    responses are Starlette's own, so endpoints are written as for a Starlette app
    (``request.app.state.vendor``).
    """

    def __init__(self, routes: Sequence[BaseRoute], handlers: dict[Any, Any], state: object) -> None:
        from starlette.datastructures import State
        from starlette.routing import Match, Route

        self.routes = list(routes)
        self.state = State({"vendor": state})
        self._handlers: tuple[dict[Any, Any], dict[int, Any]] = (handlers, {})
        self._http_error = handlers[HTTPException]
        self._full, self._partial = Match.FULL, Match.PARTIAL
        self._candidates: tuple[tuple[re.Pattern[str] | None, BaseRoute], ...] = tuple(
            (route.path_regex if type(route) is Route else None, route) for route in self.routes
        )
        """Each route with the path regex a plain ``Route`` matches first (None: ask the route): a route whose
        regex misses is skipped without ``Route.matches``, which re-derives the path and builds scopes to say so."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # the dispatcher sends only HTTP here
            return
        scope["app"] = self
        scope["starlette.exception_handlers"] = self._handlers
        route_path = _route_path(scope)
        allowed: set[str] = set()
        for regex, route in self._candidates:
            if regex is not None and regex.match(route_path) is None:
                continue  # what Route.matches answers (Match.NONE), without its work
            match, child = route.matches(scope)
            if match is self._full:
                scope.update(child)
                await route.handle(scope, receive, send)
                return
            if match is self._partial:
                allowed.update(getattr(route, "methods", None) or ())
        if allowed:
            exc = HTTPException(405, headers={"Allow": ", ".join(sorted(allowed))})
        else:
            exc = HTTPException(404)
        response = await self._http_error(Request(scope, receive, send), exc)
        await response(scope, receive, send)


def _route_path(scope: Scope) -> str:
    """The path below ``root_path``, as Starlette's routes match it (``starlette._utils.get_route_path``)."""
    path: str = scope["path"]
    root_path: str = scope.get("root_path", "")
    if not root_path or not path.startswith(root_path):
        return path
    if path == root_path:
        return ""
    return path[len(root_path) :] if path[len(root_path)] == "/" else path


# -- fault replies -------------------------------------------------------------------------------------------


class ErrorReply:
    """A scenario's canned error: ``make()`` rendered by the vendor when sent, so per-request facts (its
    journal id, the mock clock) are the request's own."""

    def __init__(self, make: Callable[[], VendorError], render: Render) -> None:
        self.make = make
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.render(self.make(), scope)(scope, receive, send)


def error_scenario(
    name: str,
    vendor: str,
    description: str,
    make: Callable[[], VendorError],
    render: Render,
    *,
    status: int,
) -> Scenario:
    """A vendor scenario that answers ``make()`` in the vendor's envelope with HTTP ``status``."""
    reply = ErrorReply(make, render)
    return Scenario(name, vendor, description, status=status, error_code=make().code, respond=lambda: reply)


# -- the contract ---------------------------------------------------------------------------------------------


class OpenApiEndpoint:
    """Serves a vendor's OpenAPI document as JSON (an ASGI app, for a ``Route``).

    The YAML text is read when the app is built (so reinstalling the package beside a running
    server cannot make it vanish), parsed and rendered on the first request, then served as bytes.
    ``adjust`` edits the parsed document once (the vendor's base URL, configured limits).
    """

    def __init__(self, name: str, adjust: Callable[[dict[str, Any]], None] | None = None) -> None:
        from contracts import parse_openapi, read_openapi

        self._text = read_openapi(name)
        self._parse = parse_openapi  # bound now: no import of the package on the request path
        self._name = name
        self._adjust = adjust
        self._body: bytes | None = None

    def document(self) -> dict[str, Any]:
        document = self._parse(self._text, self._name)
        if self._adjust is not None:
            self._adjust(document)
        return document

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # An ASGI app (Starlette's Route runs it as one): the same bytes for every request.
        if self._body is None:
            self._body = json.dumps(self.document()).encode()
        await Response(self._body, media_type="application/json")(scope, receive, send)


def servers(url: str) -> Callable[[dict[str, Any]], None]:
    """An ``adjust`` for ``OpenApiEndpoint`` that points the document's ``servers`` at ``url``."""

    def adjust(document: dict[str, Any]) -> None:
        document["servers"] = [{"url": url}]

    return adjust
