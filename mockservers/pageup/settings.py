"""PageUp's settings and default credentials (the ``[pageup]`` TOML section, ``ATSMOCK_PAGEUP_*``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mockservers.core.vendor import Credential, refuse_duplicates


@dataclass(frozen=True)
class PageUpClient:
    client_id: str
    client_secret: str
    tenant: str
    scopes: tuple[str, ...]


_READ_WRITE = ("Public.Document.Read", "Public.Document.Write")


@dataclass(frozen=True)
class PageUpSettings:
    clients: tuple[PageUpClient, ...] = (
        PageUpClient("atsmock-pageup", "atsmock-pageup-secret", "218", _READ_WRITE),
        PageUpClient("atsmock-pageup-readonly", "atsmock-pageup-readonly-secret", "218", ("Public.Document.Read",)),
        PageUpClient("atsmock-pageup-219", "atsmock-pageup-219-secret", "219", _READ_WRITE),
    )
    region: str = "ap-southeast-2"
    token_ttl_seconds: int = 300
    daily_quota: int = 0
    """Requests per client per mock-clock UTC day; 0 turns the quota off."""
    max_file_size: int = 50 * 1024 * 1024
    max_documents: int = 10_000
    """Documents the mock keeps (all tenants); past it a new document is a 400 naming this setting (inferred:
    PageUp publishes no limit; a hostile CI job must not grow the server without limit)."""
    categories: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Extra document category names per tenant, beyond the system categories."""

    def __post_init__(self) -> None:
        refuse_duplicates("clients", [c.client_id for c in self.clients])


def credentials(settings: PageUpSettings) -> Sequence[Credential]:
    return [
        Credential("client_id", c.client_id, c.client_secret, f"tenant {c.tenant}, {' '.join(c.scopes)}")
        for c in settings.clients
    ]
