"""create_app: one Platform, the vendors mounted (listed here, not discovered), S3 and admin."""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable

from mockservers.admin import create_admin_app
from mockservers.config import VENDOR_NAMES, ConfigError, Settings
from mockservers.core.dispatch import Dispatcher, Target
from mockservers.core.platform import Platform

log = logging.getLogger("atsmock")

IMPLEMENTED: dict[str, str] = {
    "pageup": "mockservers.pageup.routes",
    "ashby": "mockservers.ashby.routes",
}
"""Vendor name → module with ``create_vendor(platform) -> VendorMount``. Order is mount order."""


def create_app(settings: Settings | None = None) -> Dispatcher:
    """The whole atsmock ASGI app; ``app.platform`` is its shared state."""
    settings = settings or Settings()
    only = settings.server.vendor
    if only and only not in IMPLEMENTED:
        known = ", ".join(IMPLEMENTED)
        problem = "is not emulated yet" if only in VENDOR_NAMES else "is not a vendor"
        raise ConfigError("--vendor", f"'{only}' {problem} (available: {known})")
    platform = Platform(settings)
    for name, module in IMPLEMENTED.items():
        if only and name != only:
            continue
        platform.add_vendor(importlib.import_module(module).create_vendor(platform))
    s3 = platform.s3
    targets = {"s3": Target("s3", s3.app, s3.operation_for)}
    root = None
    for name, mount in platform.vendors.items():
        target = Target(name, mount.app, mount.operations.resolve)
        if only:
            root = target
        else:
            targets[name] = target
    dispatcher = Dispatcher(platform, create_admin_app(platform), targets, root, on_startup=_warm_up(platform))
    return dispatcher


def _warm_up(platform: Platform) -> Callable[[], None]:
    def warm() -> None:
        try:
            platform.s3.warm_up()
        except Exception as exc:  # an external store that is down now: built on first use instead
            log.warning("S3 store not reachable at start-up (%s); health answers 503 until it is", exc)

    def start() -> None:
        # Import moto and botocore (or reach the external store) off the request path once the server is up.
        threading.Thread(target=warm, name="atsmock-s3-warm-up", daemon=True).start()

    return start
