"""What a vendor is to the platform (``Vendor``), and what a built vendor hands it (``VendorMount``).

A vendor is one folder, ``mockservers/<name>/``, whose ``__init__`` exports ``VENDOR``; the
registry (``mockservers/vendors.py``) lists those folders in mount order. Everything outside the
folder (config, the CLI, the app, the journal's redaction, the admin API) reads the ``Vendor``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from mockservers.core.demo import DemoRun
    from mockservers.core.operations import OperationTable
    from mockservers.core.platform import Platform
    from mockservers.core.scenarios import Scenario
    from mockservers.s3.storage import Storage


@dataclass(frozen=True, slots=True)
class Credential:
    """One row of ``atsmock credentials``: what kind of credential, its id, its secret, what it may do."""

    kind: str
    id: str
    secret: str
    grants: str


def refuse_duplicates(field: str, ids: Sequence[str]) -> None:
    """``ValueError`` naming the first id ``field`` lists twice (for a settings ``__post_init__``): the later
    entry would silently win, and ``atsmock credentials`` would print both (``[[x.extra_<field>]]`` repeating a
    default is the usual way to get there)."""
    seen: set[str] = set()
    for value in ids:
        if value in seen:
            raise ValueError(f"{field} lists {value!r} twice")
        seen.add(value)


def lazy(module: str, function: str) -> Callable[..., Any]:
    """``module.function``, imported when first called: a vendor's routes and demo stay unimported while
    the registry is only listed (config, ``atsmock credentials``, start-up)."""

    def call(*args: Any) -> Any:
        return getattr(importlib.import_module(module), function)(*args)

    call.__qualname__ = f"lazy({module}.{function})"
    return call


def _no_credentials(settings: Any) -> Sequence[Credential]:
    return ()


@dataclass(frozen=True)
class Vendor:
    """A vendor atsmock knows: its name (the URL prefix, TOML section and ``ATSMOCK_<NAME>_*`` prefix), its
    settings, its credentials, the header names it treats as secrets, and how to build it.

    ``settings`` is a frozen dataclass whose defaults are the vendor's defaults; the config loader
    builds it from the vendor's TOML section and environment variables, field by field. ``create``
    builds the mounted vendor from the platform and those settings; it imports the vendor's routes
    when called, so listing vendors stays cheap. A vendor without ``create`` is *planned*: its
    settings and credentials are reserved, but nothing is served.
    """

    name: str
    title: str
    settings: type[Any]
    credentials: Callable[[Any], Sequence[Credential]] = _no_credentials
    create: Callable[[Platform, Any], VendorMount] | None = None
    secret_headers: frozenset[str] = frozenset()
    demo: Callable[[DemoRun, Any], None] | None = None
    """The vendor's whole document workflow through its reference client (``atsmock demo``)."""
    api_path: str = ""
    """Where the API a connector is configured with sits below the vendor's mount, as the vendor documents its
    base URL: ``/api/v1/external`` for WTTJ's ``https://www.welcomekit.co/api/v1/external``; empty when the
    mount is that base (``Platform.api_url``)."""

    @property
    def planned(self) -> bool:
        return self.create is None


@dataclass(frozen=True, slots=True)
class HeldFile:
    """One stored object a vendor holds now: what the admin API lists and lets QA download (from ``bucket``/``key``
    in the platform's S3)."""

    name: str
    size: int
    content_type: str
    bucket: str
    key: str


@dataclass(frozen=True, slots=True)
class Inventory:
    """What a vendor holds now, for the admin API and the dashboard: counts by noun in the vendor's own words
    (``{"documents": 3, "temp uploads": 1}``) and the stored files. Only listed files can be downloaded."""

    counts: Mapping[str, int] = field(default_factory=dict)
    files: Sequence[HeldFile] = ()


def staged_file(objects: Storage, name: str, content_type: str, bucket: str, key: str) -> HeldFile | None:
    """An upload a vendor handed out a URL for, as a ``HeldFile`` once its object is stored (None before)."""
    info = objects.head_object(bucket, key)
    if info is None:
        return None
    return HeldFile(name, info.size, info.content_type or content_type, bucket, key)


def _always() -> bool:
    return True


def _nothing() -> None:
    return None


def _empty() -> Inventory:
    return Inventory()


@dataclass(frozen=True)
class VendorMount:
    """One mounted vendor. ``reset`` wipes its domain state and its S3 buckets; ``inventory`` tells what it holds
    (read when the admin API asks, never on the request path)."""

    name: str
    app: ASGIApp
    operations: OperationTable
    scenarios: tuple[Scenario, ...] = ()
    reset: Callable[[], None] = _nothing
    ready: Callable[[], bool] = _always
    inventory: Callable[[], Inventory] = _empty
