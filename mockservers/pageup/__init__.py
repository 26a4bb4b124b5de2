"""PageUp Document API mock: OAuth client credentials, prepareTempDirectUpload, moveFromTemp, download."""

from __future__ import annotations

from mockservers.core.vendor import Vendor, lazy
from mockservers.pageup.settings import PageUpSettings, credentials

VENDOR = Vendor(
    "pageup",
    "PageUp Document API",
    PageUpSettings,
    credentials,
    create=lazy("mockservers.pageup.routes", "create_vendor"),
    demo=lazy("mockservers.pageup.demo", "demo"),
)
