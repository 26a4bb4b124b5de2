"""Endorsed: access tokens, candidates and attachments (multipart or a public URL) under ``/api/v1``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockservers.core.vendor import Vendor
from mockservers.endorsed.settings import EndorsedSettings, credentials

if TYPE_CHECKING:
    from mockservers.core.platform import Platform
    from mockservers.core.vendor import VendorMount


def _create(platform: Platform, settings: EndorsedSettings) -> VendorMount:
    from mockservers.endorsed.routes import create_vendor

    return create_vendor(platform, settings)


VENDOR = Vendor("endorsed", "Endorsed attachments", EndorsedSettings, credentials, _create)
