"""The vendor registry: every vendor atsmock knows, one line each, in mount order.

The only module outside the vendor folders that names a vendor. Each line is a folder whose
``__init__`` exports ``VENDOR`` (a ``mockservers.core.vendor.Vendor``); importing it costs a
settings dataclass, not the vendor's routes, so start-up stays fast. Planned vendors are listed
too: their settings and credentials are reserved, and their ``VENDOR`` has no ``create`` yet.
"""

from __future__ import annotations

import functools
import importlib

from mockservers.core.vendor import Vendor

MODULES: tuple[str, ...] = (
    "mockservers.pageup",
    "mockservers.ashby",
    "mockservers.wttj",
    "mockservers.clinch",
    "mockservers.endorsed",
)


@functools.cache
def registered() -> tuple[Vendor, ...]:
    """Every registered vendor, served or planned, in mount order."""
    vendors = tuple(_load(module) for module in MODULES)
    names = [v.name for v in vendors]
    if len(set(names)) != len(names):
        raise RuntimeError(f"two registered vendors share a name: {names}")
    return vendors


def _load(module: str) -> Vendor:
    vendor = importlib.import_module(module).VENDOR
    if not isinstance(vendor, Vendor):
        raise TypeError(f"{module}.VENDOR is not a Vendor")
    return vendor


def names(vendors: tuple[Vendor, ...] | None = None) -> tuple[str, ...]:
    return tuple(v.name for v in (registered() if vendors is None else vendors))


def served(vendors: tuple[Vendor, ...] | None = None) -> tuple[Vendor, ...]:
    """The vendors that are built and mounted (not planned)."""
    return tuple(v for v in (registered() if vendors is None else vendors) if not v.planned)
