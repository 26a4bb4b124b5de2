"""Endorsed's settings and default OAuth clients (the ``[endorsed]`` TOML section)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mockservers.core.vendor import Credential


@dataclass(frozen=True)
class EndorsedClient:
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class EndorsedSettings:
    clients: tuple[EndorsedClient, ...] = (
        EndorsedClient("00000000-0000-4000-8000-000000000001", "atsmock-endorsed-secret", ("all:read", "all:write")),
        EndorsedClient("00000000-0000-4000-8000-000000000002", "atsmock-endorsed-readonly-secret", ("all:read",)),
    )


def credentials(settings: EndorsedSettings) -> Sequence[Credential]:
    return [Credential("client_id", c.client_id, c.client_secret, " ".join(c.scopes)) for c in settings.clients]
