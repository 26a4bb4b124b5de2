"""create_app: one Platform, the registered vendors mounted in registry order, S3 and admin."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from mockservers.admin import create_admin_app
from mockservers.config import ConfigError, Settings
from mockservers.core.dispatch import Dispatcher, Target
from mockservers.core.platform import Platform
from mockservers.core.state import StateError
from mockservers.core.vendor import Vendor
from mockservers.vendors import registered

log = logging.getLogger("atsmock")


def create_app(settings: Settings | None = None, *, vendors: Sequence[Vendor] | None = None) -> Dispatcher:
    """The whole atsmock ASGI app; ``app.platform`` is its shared state.

    ``vendors`` replaces the registry (a test's throwaway vendor); by default every registered
    vendor that is not planned is mounted, in registry order.
    """
    known = tuple(registered() if vendors is None else vendors)
    settings = settings or Settings(registry=known)
    mountable = [v for v in known if not v.planned]
    only = settings.server.vendor
    if only:
        chosen = next((v for v in known if v.name == only), None)
        if chosen is None or chosen.planned:
            available = ", ".join(v.name for v in mountable)
            problem = "is not a vendor" if chosen is None else "is not emulated yet"
            raise ConfigError("--vendor", f"'{only}' {problem} (available: {available})")
        mountable = [chosen]
    try:
        platform = Platform(settings, known)
    except _DAMAGE as exc:
        raise damaged(settings.server.state_dir, exc) from None
    try:
        for vendor in mountable:
            assert vendor.create is not None
            platform.add_vendor(vendor.create(platform, settings.vendor(vendor.name)))
        if platform.state.durable and not settings.s3.endpoint:
            platform.s3.store()  # reads the stored objects now, so a damaged state dir is refused at start
    except BaseException as exc:
        platform.close()
        if isinstance(exc, _DAMAGE):
            raise damaged(settings.server.state_dir, exc) from None
        raise
    s3 = platform.s3
    targets = {"s3": Target("s3", s3.app, s3.operation_for)}
    root = None
    for name, mount in platform.vendors.items():
        target = Target(name, mount.app, mount.operations.resolve)
        if only:
            root = target
        else:
            targets[name] = target
    return Dispatcher(platform, create_admin_app(platform), targets, root, on_startup=_warm_up(platform))


_DAMAGE = (ValueError, TypeError, KeyError, IndexError, AttributeError, OSError)
"""What reading a state record of the wrong shape raises (a cell, a fault, a vendor's derived index)."""


def damaged(state_dir: str, exc: Exception) -> Exception:
    """With a state dir, an error reading it at start is one line naming the directory (``atsmock serve``
    exits 2), not a traceback; without one it is a bug, raised as it is."""
    if not state_dir or isinstance(exc, StateError):
        return exc
    what = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
    return StateError(
        f"cannot read state dir {state_dir} ({what}): damaged, or written by an incompatible atsmock; "
        "restore it, or choose another --state-dir"
    )


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
