"""Welcome to the Jungle (WelcomeKit) documents: planned; its settings and credentials are reserved."""

from __future__ import annotations

from mockservers.core.vendor import Vendor
from mockservers.wttj.settings import WttjSettings, credentials

VENDOR = Vendor("wttj", "Welcome to the Jungle documents", WttjSettings, credentials)
