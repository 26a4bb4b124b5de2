"""Ashby: RPC-style ``POST /<category>.<method>`` API with presigned file upload handles."""

from __future__ import annotations

from mockservers.ashby.settings import AshbySettings, credentials
from mockservers.core.vendor import Vendor, lazy

VENDOR = Vendor(
    "ashby",
    "Ashby file upload handles",
    AshbySettings,
    credentials,
    create=lazy("mockservers.ashby.routes", "create_vendor"),
    demo=lazy("mockservers.ashby.demo", "demo"),
)
