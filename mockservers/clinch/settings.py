"""PageUp Recruitment Marketing (Clinch) settings and default HMAC credentials (the ``[clinch]`` section).

Every bound below is the mock's own (Clinch publishes no limits; ``shared/vendors.md`` §4 "Errors,
limits"): each keeps a hostile CI job from growing the server without limit, and each is answered
with a JSON:API 422 naming it when reached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mockservers.core.vendor import Credential


@dataclass(frozen=True)
class ClinchSettings:
    access_id: str = "atsmock-clinch"
    secret: str = "atsmock-clinch-secret"
    clock_skew_seconds: int = 900
    """How far the signed date may be from the mock clock (api_auth's default: 15 minutes)."""
    time_zone: str = "UTC"
    """The account's time zone: the ``local`` and ``local_epoch`` of every date object (an IANA name)."""
    region: str = "us-east-1"
    """Region of the bucket candidate files are kept in (the US data centre's; inferred)."""
    max_file_bytes: int = 10 * 1024 * 1024
    """Largest candidate file, in decoded bytes (inferred: Clinch publishes no limit)."""
    download_ttl_seconds: int = 300
    """Lifetime of a candidate file's presigned ``url`` (Rails Active Storage's default: 5 minutes)."""
    default_page_size: int = 25
    """``per_page`` when none is given (inferred: Kaminari's default)."""
    max_page_size: int = 100
    """Largest ``per_page`` honoured; a larger one is capped (inferred: Kaminari ``max_per_page``)."""
    max_candidates: int = 10_000
    """Candidates one app keeps; creating one more is a 422 (a mock bound)."""
    max_tags_per_candidate: int = 100
    """Tags one candidate holds; one more is a 422 (a mock bound)."""
    max_files: int = 1_000
    """Candidate files one app keeps, over every candidate; one more is a 422 (a mock bound)."""
    max_total_file_bytes: int = 256 * 1024 * 1024
    """Decoded bytes of every candidate file together; a file past it is a 422 (a mock bound)."""


def credentials(settings: ClinchSettings) -> Sequence[Credential]:
    return [Credential("access id", settings.access_id, settings.secret, "all")]
