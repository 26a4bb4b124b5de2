"""Every served vendor's workflow against a server whose S3 store is full (``s3.max_stored_bytes`` reached):
client uploads are refused with S3's 403 ``QuotaExceeded``, no request anywhere answers 5xx, and once the
store is reset every workflow completes again (issue 13: bounded temp objects, the server keeps serving)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest

from mockservers.config import S3Settings, Settings
from mockservers.core.demo import run_demo
from mockservers.vendors import served

pytestmark = pytest.mark.live

BUDGET = 64
"""Bytes: every demo file is larger, so the first client upload of each vendor passes the budget."""


@pytest.fixture(scope="module")
def full() -> Iterator[Any]:
    from mockservers.server import LiveServer

    with LiveServer(Settings(s3=S3Settings(max_stored_bytes=BUDGET))) as server:
        yield server


@pytest.mark.parametrize("vendor", [v.name for v in served()])
def test_a_full_store_refuses_uploads_and_never_answers_5xx(full: Any, vendor: str) -> None:
    full.platform.reset()
    [entry] = [v for v in served() if v.name == vendor]
    run_demo(entry, full.settings.vendor(vendor), full.vendor_url(vendor), io.StringIO())
    entries, _ = full.platform.journal.find()
    assert entries, vendor
    assert [(e.vendor, e.operation, e.status) for e in entries if (e.status or 500) >= 500] == []
    uploads = [e for e in entries if e.vendor == "s3" and e.operation in ("put_object", "post_object")]
    assert [(e.status, e.error_code) for e in uploads] == [(403, "QuotaExceeded")] * len(uploads)
    full.platform.reset()
    assert full.platform.s3.budget is None or full.platform.s3.budget.bytes == 0


def test_the_full_store_is_the_budget_not_a_broken_server(full: Any) -> None:
    """Some vendor's workflow uploads to S3 itself and is refused; with room again (a bigger budget), every
    vendor's demo completes on the same server."""
    full.platform.reset()
    for vendor in served():
        run_demo(vendor, full.settings.vendor(vendor.name), full.vendor_url(vendor.name), io.StringIO())
    entries, _ = full.platform.journal.find()
    assert any(e.error_code == "QuotaExceeded" for e in entries), "the budget was never tried"
    budget = full.platform.s3.budget
    assert budget is not None
    budget.max_bytes = 64 * 1024 * 1024
    try:
        for vendor in served():
            full.platform.reset()
            run = run_demo(vendor, full.settings.vendor(vendor.name), full.vendor_url(vendor.name), io.StringIO())
            assert run.ok, vendor.name
    finally:
        budget.max_bytes = BUDGET
