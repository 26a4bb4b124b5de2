"""PageUp Recruitment Marketing (formerly Clinch Talent): an HMAC-signed (api_auth) JSON:API under ``/v1``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockservers.clinch.settings import ClinchSettings, credentials
from mockservers.core.vendor import Vendor

if TYPE_CHECKING:
    from mockservers.core.platform import Platform
    from mockservers.core.vendor import VendorMount


def _create(platform: Platform, settings: ClinchSettings) -> VendorMount:
    from mockservers.clinch.routes import create_vendor

    return create_vendor(platform, settings)


VENDOR = Vendor(
    "clinch",
    "PageUp Recruitment Marketing (Clinch)",
    ClinchSettings,
    credentials,
    _create,
    secret_headers=frozenset({"x-hmac-authorization", "x-authorization"}),
)
