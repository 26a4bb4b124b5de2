"""Endorsed: access tokens, candidates and attachments (multipart or a public URL) under ``/api/v1``."""

from __future__ import annotations

from mockservers.core.vendor import Vendor, lazy
from mockservers.endorsed.settings import EndorsedSettings, credentials

VENDOR = Vendor(
    "endorsed",
    "Endorsed attachments",
    EndorsedSettings,
    credentials,
    create=lazy("mockservers.endorsed.routes", "create_vendor"),
    demo=lazy("mockservers.endorsed.demo", "demo"),
    api_path="/api/v1",
)
