"""Fault scenarios: named, canned misbehaviours that the admin API can schedule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp

TRANSPORT = "*"
"""Vendor name of the transport scenarios, which apply to every vendor and to S3."""


@dataclass(frozen=True, slots=True)
class Scenario:
    """One scenario. Vendor scenarios carry ``respond``, which builds the ASGI app that sends the vendor's
    exact answer (called with the request's scope, so it can read the journal entry).

    ``status`` is the HTTP status the scenario answers with (None for transport scenarios, which
    misbehave below HTTP), ``error_code`` the code the journal records for it.
    """

    name: str
    vendor: str
    description: str
    status: int | None = None
    error_code: str | None = None
    respond: Callable[[], ASGIApp] | None = None

    def as_json(self) -> dict[str, object]:
        return {"name": self.name, "vendor": self.vendor, "description": self.description, "status": self.status}


TRANSPORT_SCENARIOS: tuple[Scenario, ...] = (
    Scenario("delay", TRANSPORT, "Wait delay_ms, then answer normally."),
    Scenario("connection_reset", TRANSPORT, "Close the socket with a TCP reset, sending no response."),
    Scenario("empty_response", TRANSPORT, "Close the socket cleanly without sending a byte."),
    Scenario(
        "truncated_body",
        TRANSPORT,
        "Send status and headers with a Content-Length larger than the body sent, then close.",
    ),
    Scenario("malformed_body", TRANSPORT, "Answer 200 with a body that is not valid JSON."),
)
