"""atsmock: faithful local mocks of ATS vendors' document/file APIs.

Public API: ``create_app`` (the ASGI app), ``running`` (a live server for a block),
``AdminClient`` (the admin API from Python), ``load_settings``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["AdminClient", "create_app", "load_settings", "running"]

if TYPE_CHECKING:
    from mockservers.app import create_app
    from mockservers.config import load_settings
    from mockservers.testing import AdminClient, running


def __getattr__(name: str) -> Any:
    # Lazy, so `import mockservers.cli` stays cheap for start-up time.
    if name == "create_app":
        from mockservers.app import create_app

        return create_app
    if name == "load_settings":
        from mockservers.config import load_settings

        return load_settings
    if name in ("AdminClient", "running"):
        from mockservers import testing

        return getattr(testing, name)
    raise AttributeError(name)
