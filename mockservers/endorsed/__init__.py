"""Endorsed attachments: planned; its settings and credentials are reserved."""

from __future__ import annotations

from mockservers.core.vendor import Vendor
from mockservers.endorsed.settings import EndorsedSettings, credentials

VENDOR = Vendor("endorsed", "Endorsed attachments", EndorsedSettings, credentials)
