"""Ashby: RPC-style ``POST /<category>.<method>`` API with presigned file upload handles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mockservers.ashby.settings import AshbySettings, credentials
from mockservers.core.vendor import Vendor

if TYPE_CHECKING:
    from mockservers.core.demo import DemoRun
    from mockservers.core.platform import Platform
    from mockservers.core.vendor import VendorMount


def _create(platform: Platform, settings: AshbySettings) -> VendorMount:
    from mockservers.ashby.routes import create_vendor

    return create_vendor(platform, settings)


def _demo(run: DemoRun, settings: AshbySettings) -> None:
    from mockservers.ashby.demo import demo

    demo(run, settings)


VENDOR = Vendor("ashby", "Ashby file upload handles", AshbySettings, credentials, _create, demo=_demo)
