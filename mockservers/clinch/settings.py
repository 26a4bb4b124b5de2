"""PageUp Recruitment Marketing (Clinch) settings and default HMAC credentials (the ``[clinch]`` section)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mockservers.core.vendor import Credential


@dataclass(frozen=True)
class ClinchSettings:
    access_id: str = "atsmock-clinch"
    secret: str = "atsmock-clinch-secret"


def credentials(settings: ClinchSettings) -> Sequence[Credential]:
    return [Credential("access id", settings.access_id, settings.secret, "all")]
