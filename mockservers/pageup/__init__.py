"""PageUp Document API mock: OAuth client credentials, prepareTempDirectUpload, moveFromTemp, download."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockservers.core.vendor import Vendor
from mockservers.pageup.settings import PageUpSettings, credentials

if TYPE_CHECKING:
    from mockservers.core.demo import DemoRun
    from mockservers.core.platform import Platform
    from mockservers.core.vendor import VendorMount


def _create(platform: Platform, settings: PageUpSettings) -> VendorMount:
    from mockservers.pageup.routes import create_vendor

    return create_vendor(platform, settings)


def _demo(run: DemoRun, settings: PageUpSettings) -> None:
    from mockservers.pageup.demo import demo

    demo(run, settings)


VENDOR = Vendor("pageup", "PageUp Document API", PageUpSettings, credentials, _create, demo=_demo)
