"""The request log: one line per journaled request, human-readable or JSON (``--log-format``).

The dispatcher hands each finished request's journal entry to ``RequestLog``; nothing is built
when the log is off. Lines go through the ``atsmock.requests`` logger, so an embedding program
can route them; ``configure`` (called by ``atsmock serve``) sends them to stderr.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Final

from mockservers.core.journal import Entry

FORMATS: Final = ("text", "json", "off")
LOGGER = "atsmock.requests"


def _wall_clock() -> str:
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"


def text_line(entry: Entry) -> str:
    """``<time> <id> <vendor> <operation> <METHOD> <path> -> <status> [<error code>] [fault <name>] <ms>ms``."""
    parts = [_wall_clock(), entry.id, entry.vendor, entry.operation or "-", entry.method, entry.path, "->"]
    parts.append(str(entry.status) if entry.status is not None else "-")
    if entry.error_code:
        parts.append(entry.error_code)
    if entry.fault:
        parts.append(f"fault={entry.fault}")
    parts.append(f"{entry.duration_ms:.1f}ms")
    return " ".join(parts)


def json_line(entry: Entry) -> str:
    """One JSON object: request id, vendor, operation, method, path, status, duration and, on errors,
    the envelope's code (and the fault that answered, if one did)."""
    record: dict[str, object] = {
        "time": _wall_clock(),
        "requestId": entry.id,
        "vendor": entry.vendor,
        "operation": entry.operation,
        "method": entry.method,
        "path": entry.path,
        "status": entry.status,
        "durationMs": round(entry.duration_ms, 3),
    }
    if entry.error_code:
        record["errorCode"] = entry.error_code
    if entry.fault:
        record["fault"] = entry.fault
    return json.dumps(record, ensure_ascii=False)


class RequestLog:
    """Writes one line per finished request in ``fmt`` through the ``atsmock.requests`` logger."""

    def __init__(self, fmt: str) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"log format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        self.format = fmt
        self._line = json_line if fmt == "json" else text_line
        self._logger = logging.getLogger(LOGGER)

    @property
    def enabled(self) -> bool:
        return self.format != "off" and self._logger.isEnabledFor(logging.INFO)

    def __call__(self, entry: Entry) -> None:
        self._logger.info(self._line(entry))


def configure(fmt: str) -> None:
    """Send request lines (and atsmock's warnings) to stderr, one per line, with no prefix of logging's own."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    requests = logging.getLogger(LOGGER)
    requests.handlers[:] = [handler]
    requests.setLevel(logging.INFO if fmt != "off" else logging.WARNING)
    requests.propagate = False
