"""Welcome to the Jungle (WelcomeKit) Solutions API: candidates and their documents, attached by URL."""

from __future__ import annotations

from mockservers.core.vendor import Vendor, lazy
from mockservers.wttj.settings import WttjSettings, credentials

VENDOR = Vendor(
    "wttj",
    "Welcome to the Jungle documents",
    WttjSettings,
    credentials,
    create=lazy("mockservers.wttj.routes", "create_vendor"),
    demo=lazy("mockservers.wttj.demo", "demo"),
    api_path="/api/v1/external",
)
