"""Endorsed's settings and default OAuth clients (the ``[endorsed]`` TOML section, ``ATSMOCK_ENDORSED_*``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mockservers.core.vendor import Credential, refuse_duplicates


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
    """Client credentials of one organization: every client sees the same candidates and attachments."""
    token_ttl_seconds: int = 1_209_600
    """Access token lifetime on the mock clock; Endorsed's example answers ``"expires_in": "1209600"`` (14 days)."""
    download_ttl_seconds: int = 900
    """Lifetime of an attachment's ``ephemeral_url`` (inferred: the AWS SDK's presigned-URL default, 15 minutes)."""
    max_file_size: int = 50 * 1024 * 1024
    """Largest attachment, uploaded or fetched from ``public_file_url`` (inferred; Endorsed publishes none)."""
    max_candidates: int = 10_000
    max_attachments: int = 10_000
    max_stored_bytes: int = 1024 * 1024 * 1024
    """The mock's bounds: past them a create answers 409 CONFLICT naming the setting (reset or raise it)."""
    region: str = "us-east-1"

    def __post_init__(self) -> None:
        refuse_duplicates("clients", [c.client_id for c in self.clients])
        for name in ("token_ttl_seconds", "download_ttl_seconds", "max_file_size"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.download_ttl_seconds > 604_800:
            raise ValueError("download_ttl_seconds must be at most 604800 (a presigned URL lives a week at most)")


def credentials(settings: EndorsedSettings) -> Sequence[Credential]:
    return [Credential("client_id", c.client_id, c.client_secret, " ".join(c.scopes)) for c in settings.clients]
