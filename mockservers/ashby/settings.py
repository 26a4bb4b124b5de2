"""Ashby's settings and default API keys (the ``[ashby]`` TOML section, ``ATSMOCK_ASHBY_*``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mockservers.core.vendor import Credential, refuse_duplicates


@dataclass(frozen=True)
class AshbyKey:
    api_key: str
    permissions: tuple[str, ...]
    active: bool = True


@dataclass(frozen=True)
class AshbySettings:
    api_keys: tuple[AshbyKey, ...] = (
        AshbyKey("atsmock-ashby", ("candidatesRead", "candidatesWrite")),
        AshbyKey("atsmock-ashby-readonly", ("candidatesRead",)),
        AshbyKey("atsmock-ashby-jobboard", ("jobsRead", "candidatesWrite")),
    )
    """The issue's two keys, plus a job-board key (as Ashby's "Job Board" keys) so the seeded postings
    can be read with the defaults: neither of the other two has ``jobsRead``."""
    region: str = "us-east-1"
    max_content_length: int = 100 * 1024 * 1024
    """Largest ``contentLength`` a file upload handle accepts, and the largest deprecated multipart file."""
    upload_ttl_seconds: int = 600
    """Lifetime of a presigned upload URL (Ashby: 10 minutes)."""
    handle_ttl_seconds: int = 24 * 3600
    """How long an upload handle can be attached after it was created (inferred; Ashby does not say)."""
    download_ttl_seconds: int = 300
    """Lifetime of the download URL ``file.info`` answers (inferred; Ashby says only "short-lived")."""
    max_candidates: int = 10_000
    max_files: int = 10_000
    """Candidates and stored files the mock keeps; past either, ``limit_reached`` naming the setting (inferred:
    Ashby publishes no limit; a hostile CI job must not grow the server without limit)."""
    max_stored_bytes: int = 1024 * 1024 * 1024
    """What the stored files' bytes may add up to; past it, ``limit_reached`` (one upload handle can be attached
    any number of times, each a copy of its bytes)."""

    def __post_init__(self) -> None:
        refuse_duplicates("api_keys", [k.api_key for k in self.api_keys])


def credentials(settings: AshbySettings) -> Sequence[Credential]:
    return [
        Credential(
            "api key (Basic, empty password)",
            k.api_key,
            "",
            " ".join(k.permissions) + ("" if k.active else " (deactivated)"),
        )
        for k in settings.api_keys
    ]
