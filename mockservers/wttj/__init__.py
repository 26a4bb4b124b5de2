"""Welcome to the Jungle (WelcomeKit) Solutions API: candidates and their documents, attached by URL."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockservers.core.vendor import Vendor
from mockservers.wttj.settings import WttjSettings, credentials

if TYPE_CHECKING:
    from mockservers.core.platform import Platform
    from mockservers.core.vendor import VendorMount


def _create(platform: Platform, settings: WttjSettings) -> VendorMount:
    from mockservers.wttj.routes import create_vendor

    return create_vendor(platform, settings)


VENDOR = Vendor("wttj", "Welcome to the Jungle documents", WttjSettings, credentials, _create)
