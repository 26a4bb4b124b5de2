"""PageUp Recruitment Marketing (formerly Clinch): planned; its settings and credentials are reserved."""

from __future__ import annotations

from mockservers.clinch.settings import ClinchSettings, credentials
from mockservers.core.vendor import Vendor

VENDOR = Vendor(
    "clinch",
    "PageUp Recruitment Marketing (Clinch)",
    ClinchSettings,
    credentials,
    secret_headers=frozenset({"x-hmac-authorization", "x-authorization"}),
)
