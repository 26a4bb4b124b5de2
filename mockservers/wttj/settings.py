"""Welcome to the Jungle's settings and default API tokens (the ``[wttj]`` TOML section, ``ATSMOCK_WTTJ_*``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mockservers.core.vendor import Credential, refuse_duplicates

MIB = 1024 * 1024


@dataclass(frozen=True)
class BearerToken:
    token: str
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class WttjSettings:
    tokens: tuple[BearerToken, ...] = (
        BearerToken("atsmock-wttj", ("documents_r", "documents_rw", "candidates_r", "candidates_rw")),
        BearerToken("atsmock-wttj-readonly", ("documents_r", "candidates_r")),
    )
    max_document_size: int = 10 * MIB
    """Largest file one ``remote_file_urls`` entry may download (inferred: WTTJ states no limit for
    documents; 10 MB is its largest stated file limit, the portfolio's)."""
    max_resume_size: int = 5 * MIB
    """``remote_resume_url``: "PDF, DOC, DOCX, ODT maximum file size: 5MB" (Create a candidate)."""
    max_portfolio_size: int = 10 * MIB
    """``remote_portfolio_url``: "PDF, maximum file size: 10MB" (Create a candidate)."""
    max_image_size: int = 5 * MIB
    """``remote_image_url`` (inferred: WTTJ states no avatar limit)."""
    download_ttl_seconds: int = 600
    """Lifetime of ``file_url``, ``resume_url``... (inferred: CarrierWave's default authenticated URL expiry)."""
    region: str = "eu-west-1"
    """Region of the bucket the files live in (inferred)."""
    max_candidates: int = 1000
    """Candidates the mock keeps (a bound on its memory; the real service has none)."""
    max_documents_per_candidate: int = 50
    """Documents one candidate may hold (a bound on the mock; the real service states none)."""
    max_stored_bytes: int = 512 * MIB
    """Bytes of files (documents, resumes, portfolios, avatars) the mock keeps in its S3 at once."""

    def __post_init__(self) -> None:
        refuse_duplicates("tokens", [t.token for t in self.tokens])


def credentials(settings: WttjSettings) -> Sequence[Credential]:
    return [Credential("bearer token", t.token, "", " ".join(t.scopes)) for t in settings.tokens]
