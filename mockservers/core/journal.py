"""The request journal: a bounded record of every request to a vendor or to S3.

Entries keep the raw ASGI header list; redaction and JSON rendering happen when the admin API
reads them, so the request path only appends.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus

from mockservers.core.clock import format_iso

SCOPE_KEY = "atsmock"
"""Key of the per-request ``Entry`` in the ASGI scope; vendors note their error codes on it."""

REDACTED = "[redacted]"
JOURNAL_HEADER_BYTES = 8 * 1024
"""Header bytes an entry keeps; beyond, each value is cut (``clip_headers``), so a hostile client cannot grow the
journal by sending large headers: at most ``journal_size`` entries of this much."""
CLIPPED_VALUE_BYTES = 256
_SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-amz-security-token",
        "x-api-key",
    }
)
"""Always redacted; each vendor adds its own (``Vendor.secret_headers``)."""
_SECRET_WORDS = (
    "token",
    "secret",
    "signature",
    "password",
    "api-key",
    "api_key",
    "apikey",
    "auth-key",
    "access-key",
    "customer-key",  # x-amz-server-side-encryption-customer-key (SSE-C)
)


@dataclass(slots=True)
class Entry:
    """One journaled request. Mutated while the request runs, read-only after."""

    id: str
    time: float
    vendor: str
    operation: str | None
    method: str
    path: str
    query: bytes
    headers: list[tuple[bytes, bytes]]
    status: int | None = None
    duration_ms: float = 0.0
    body_size: int = 0
    error_code: str | None = None
    fault: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def _declared_length(self) -> int:
        """The request's Content-Length: what ``bodySize`` reports when a fault answered before the body was read."""
        for name, value in self.headers:
            if name.lower() == b"content-length":
                return int(value) if value.isdigit() else 0
        return 0

    def as_json(self, secret_headers: frozenset[str] = frozenset()) -> dict[str, Any]:
        """The admin API's view, with ``secret_headers`` (besides the built-in ones) redacted."""
        return {
            "id": self.id,
            "loggedDate": format_iso(self.time),
            "vendor": self.vendor,
            "operation": self.operation,
            "request": {
                "method": self.method,
                "url": self.path + ("?" + redact_query(self.query) if self.query else ""),
                "path": self.path,
                "query": redact_query(self.query),
                "headers": redact_headers(self.headers, secret_headers),
                "bodySize": max(self.body_size, self._declared_length()),
            },
            "response": {"status": self.status, "errorCode": self.error_code},
            "durationMs": round(self.duration_ms, 3),
            "fault": self.fault,
        }


def clip_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """A copy of ``headers`` within ``JOURNAL_HEADER_BYTES``: long values cut to ``CLIPPED_VALUE_BYTES`` with a
    note of their length; headers past the budget dropped, with a count."""
    kept: list[tuple[bytes, bytes]] = []
    budget = JOURNAL_HEADER_BYTES
    for index, (name, value) in enumerate(headers):
        if len(value) > CLIPPED_VALUE_BYTES:
            value = value[:CLIPPED_VALUE_BYTES] + f"...[{len(value)} bytes]".encode()
        name = name[:CLIPPED_VALUE_BYTES]
        budget -= len(name) + len(value)
        if budget < 0:
            kept.append((b"x-atsmock-journal", f"{len(headers) - index} more headers not kept".encode()))
            break
        kept.append((name, value))
    return kept


def note_error(scope: MutableMapping[str, Any], code: str) -> None:
    """Record the error code a vendor answered with on the request's journal entry (if any)."""
    entry = scope.get(SCOPE_KEY)
    if entry is not None:
        entry.error_code = code


def redact_headers(headers: list[tuple[bytes, bytes]], secret: frozenset[str] = frozenset()) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw_name, raw_value in headers:
        name = raw_name.decode("latin-1").lower()
        value = REDACTED if name in secret or _is_secret(name) else raw_value.decode("latin-1")
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def _is_secret(name: str) -> bool:
    return name in _SECRET_HEADERS or any(word in name for word in _SECRET_WORDS)


def redact_query(query: bytes) -> str:
    if not query:
        return ""
    parts = []
    for part in query.decode("latin-1").split("&"):
        name, eq, _ = part.partition("=")
        # Same rule as headers (any token, secret, signature...), on the name as the server decodes it.
        if eq and _is_secret(unquote_plus(name).lower()):
            parts.append(f"{name}={REDACTED}")
        else:
            parts.append(part)
    return "&".join(parts)


class Journal:
    """Newest entries win; at most ``size`` are kept (oldest dropped first)."""

    def __init__(self, size: int = 1000, secret_headers: frozenset[str] = frozenset()) -> None:
        self.size = max(1, size)
        self.secret_headers = frozenset(h.lower() for h in secret_headers)
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._listeners: tuple[Callable[[Entry], None], ...] = ()

    def render(self, entry: Entry) -> dict[str, Any]:
        """An entry as the admin API shows it, with every secret header redacted."""
        return entry.as_json(self.secret_headers)

    def record(self, entry: Entry) -> None:
        entries = self._entries
        entries[entry.id] = entry
        if len(entries) > self.size:
            entries.popitem(last=False)
        if self._listeners:  # the whole cost on the request path while nobody listens
            for listener in self._listeners:
                listener(entry)

    def subscribe(self, listener: Callable[[Entry], None]) -> Callable[[], None]:
        """Call ``listener`` with each entry ``record`` takes from now on; returns the function that stops it.

        It runs on the request path, as the request starts (the entry has no status yet): keep it cheap.
        """
        self._listeners = (*self._listeners, listener)

        def unsubscribe() -> None:
            self._listeners = tuple(known for known in self._listeners if known is not listener)

        return unsubscribe

    def get(self, entry_id: str) -> Entry | None:
        return self._entries.get(entry_id)

    def __len__(self) -> int:
        return len(self._entries)

    def newest_first(self) -> Iterator[Entry]:
        return reversed(self._entries.values())

    def find(
        self,
        vendor: str | None = None,
        operation: str | None = None,
        status: int | None = None,
        limit: int | None = None,
    ) -> tuple[list[Entry], int]:
        """Matching entries, newest first, cut to ``limit``; and how many matched in all."""
        matched = [
            e
            for e in self.newest_first()
            if (vendor is None or e.vendor == vendor)
            and (operation is None or e.operation == operation)
            and (status is None or e.status == status)
        ]
        total = len(matched)
        return (matched if limit is None else matched[:limit]), total

    def clear(self, vendor: str | None = None) -> None:
        if vendor is None:
            self._entries.clear()
        else:
            for key in [k for k, e in self._entries.items() if e.vendor == vendor]:
                del self._entries[key]
