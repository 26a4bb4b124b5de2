"""What a vendor hands the platform: its ASGI app, its operations, scenarios and reset."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp

from mockservers.core.operations import OperationTable
from mockservers.core.scenarios import Scenario


def _always() -> bool:
    return True


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class VendorMount:
    """One mounted vendor. ``reset`` wipes its domain state and its S3 buckets."""

    name: str
    app: ASGIApp
    operations: OperationTable
    scenarios: tuple[Scenario, ...] = ()
    reset: Callable[[], None] = _nothing
    ready: Callable[[], bool] = _always
