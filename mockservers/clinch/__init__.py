"""PageUp Recruitment Marketing (formerly Clinch Talent): an HMAC-signed (api_auth) JSON:API under ``/v1``."""

from __future__ import annotations

from mockservers.clinch.settings import ClinchSettings, credentials
from mockservers.core.vendor import Vendor, lazy

VENDOR = Vendor(
    "clinch",
    "PageUp Recruitment Marketing (Clinch)",
    ClinchSettings,
    credentials,
    create=lazy("mockservers.clinch.routes", "create_vendor"),
    demo=lazy("mockservers.clinch.demo", "demo"),
    api_path="/v1",
    secret_headers=frozenset({"x-hmac-authorization", "x-authorization"}),
)
