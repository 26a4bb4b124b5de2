"""The platform's own state across a restart (clock, faults, tokens) and what a reset leaves on disk."""

from __future__ import annotations

import io
import json

import pytest
from state_support import Restarts

from mockservers.core.demo import DemoRun
from mockservers.core.tokens import TokenError
from mockservers.testing import IN_PROCESS_URL, AdminClient, InProcessTransport
from mockservers.vendors import served

SERVED = [v.name for v in served()]


def admin(restarts: Restarts) -> AdminClient:
    return AdminClient(restarts.http())


def test_the_clock_offset_survives_a_restart(restarts: Restarts) -> None:
    advanced = admin(restarts).advance(3 * 86_400)["offset_seconds"]
    restarts.restart()
    assert admin(restarts).clock()["offset_seconds"] == pytest.approx(advanced, abs=1.0)
    assert advanced == pytest.approx(3 * 86_400, abs=1.0)


def test_a_frozen_clock_is_still_frozen_at_the_same_instant(restarts: Restarts) -> None:
    client = admin(restarts)
    client.freeze()
    frozen = client.advance(60)["now"]
    restarts.restart()
    assert {k: v for k, v in admin(restarts).clock().items() if k != "offset_seconds"} == {
        "now": frozen,
        "frozen": True,
    }


def test_scheduled_faults_and_their_counters_survive_a_restart(restarts: Restarts) -> None:
    client = admin(restarts)
    kept = client.add_fault("pageup.server_error", times=3)
    seeded = client.add_fault("malformed_body", vendor="ashby", times=0, probability=0.5, seed=7)
    http = restarts.http("pageup")
    assert http.get("/v3/218/recruitment/document/1").status_code == 500
    ashby = restarts.http("ashby")
    before = [ashby.post("/candidate.list").status_code for _ in range(5)]
    restarts.restart()
    faults = {f["id"]: f for f in admin(restarts).faults()}
    assert (list(faults), faults[kept]["remaining"], faults[kept]["fired"]) == ([kept, seeded], 2, 1)
    ashby = restarts.http("ashby")
    after = [ashby.post("/candidate.list").status_code for _ in range(7)]
    # The seeded draws carry on where they stopped: together they are what 12 draws in one run give.
    fresh = Restarts(restarts.directory.parent / "fresh")
    try:
        AdminClient(fresh.http()).add_fault("malformed_body", vendor="ashby", times=0, probability=0.5, seed=7)
        one_run = [fresh.http("ashby").post("/candidate.list").status_code for _ in range(12)]
    finally:
        fresh.stop()
    assert before + after == one_run
    assert before[-1] == 401  # the last draw before the restart did not fire: its count was kept all the same
    assert set(one_run) == {200, 401}  # both outcomes occur (200: the malformed body), so the comparison bites


def test_a_fault_saved_under_a_former_operation_id_is_restored_under_the_current_one(restarts: Restarts) -> None:
    """A state dir written when Ashby's ``applicationFormSubmit`` was ``applicationformsubmit`` still fires."""
    import sqlite3

    fault = admin(restarts).add_fault("ashby.server_error", operation="applicationForm.submit")
    restarts.stop()
    db = sqlite3.connect(restarts.directory / "state.sqlite3")
    with db:
        (row,) = db.execute("SELECT value FROM records WHERE tbl = 'faults.scheduled'").fetchall()
        saved = json.loads(row[0])
        assert saved["operation"] == "applicationFormSubmit"
        saved["operation"] = "applicationformsubmit"
        db.execute("UPDATE records SET value = ? WHERE tbl = 'faults.scheduled'", (json.dumps(saved),))
    db.close()
    restarts.start()
    assert [(f["id"], f["operation"]) for f in admin(restarts).faults()] == [(fault, "applicationFormSubmit")]
    assert restarts.http("ashby").post("/applicationForm.submit", json={}).status_code == 500


def test_tokens_and_their_signing_key_survive_a_restart(restarts: Restarts) -> None:
    issued = restarts.platform.tokens.issue("pageup", "atsmock-pageup", ["Public.Document.Read"], 300)
    restarts.restart()
    assert restarts.platform.tokens.verify("pageup", issued.token) == issued
    restarts.platform.tokens.forget()
    restarts.restart()
    with pytest.raises(TokenError):
        restarts.platform.tokens.verify("pageup", issued.token)


def upload_everywhere(restarts: Restarts) -> None:
    """Every served vendor's demo (its whole document workflow through its reference client, objects
    included) against the app in process, so a new vendor is covered by its demo; then a fault and the clock."""
    transport = InProcessTransport(restarts.app)
    for vendor in served():
        assert vendor.demo is not None, f"{vendor.name} has no demo (every served vendor has one: tests/test_demo.py)"
        out = io.StringIO()
        run = DemoRun(vendor.name, f"{IN_PROCESS_URL}/{vendor.name}", out, transport=transport)
        try:
            vendor.demo(run, restarts.settings.vendor(vendor.name))
        finally:
            run.close()
        assert run.ok, out.getvalue()
    admin(restarts).add_fault("delay", delay_ms=1, times=5)
    admin(restarts).advance(10)


def buckets(restarts: Restarts) -> set[str]:
    """The buckets that hold an object (``s3.objects`` is keyed by ``[bucket, key]``)."""
    return {json.loads(key)[0] for table, key in restarts.rows() if table == "s3.objects"}


def owner(bucket: str) -> str:
    """The vendor whose bucket it is: every vendor's bucket names begin with ``<vendor>-``."""
    return bucket.split("-", 1)[0]


def test_reset_wipes_the_state_directory(restarts: Restarts) -> None:
    upload_everywhere(restarts)
    assert restarts.files() and len(restarts.rows()) > 10
    admin(restarts).reset()
    assert restarts.files() == []
    assert restarts.rows() == [("cells", '"tokens.key"'), ("cells", '"ashby.file_handle_key"')]  # fresh keys only
    restarts.restart()
    assert (admin(restarts).faults(), admin(restarts).clock()["offset_seconds"]) == ([], 0.0)


@pytest.mark.parametrize("vendor", SERVED)
def test_a_vendor_reset_leaves_none_of_its_records_or_objects(restarts: Restarts, vendor: str) -> None:
    upload_everywhere(restarts)
    files = len(restarts.files())
    assert {owner(b) for b in buckets(restarts)} == set(SERVED)  # every vendor's demo stored objects
    admin(restarts).reset(vendor)
    assert [t for t, _ in restarts.rows() if t.startswith(f"{vendor}.")] == []
    assert [k for t, k in restarts.rows() if t == "cells" and k.startswith(f'"{vendor}.')] in (
        [],
        [f'"{vendor}.file_handle_key"'],  # a signing key, renewed by the reset (Ashby's)
    )
    assert [t for t, _ in restarts.rows() if t.startswith("faults.")] == ["faults.scheduled"]  # not a vendor's fault
    assert {t.split(".")[0] for t, _ in restarts.rows()} >= set(SERVED) - {vendor}
    assert {owner(b) for b in buckets(restarts)} == set(SERVED) - {vendor}
    assert 0 < len(restarts.files()) < files  # its object files were unlinked, the others' kept


def test_every_served_vendor_is_covered_by_upload_everywhere(restarts: Restarts) -> None:
    """A vendor's demo stores records of its own (and the vendor gets a restart test of its own)."""
    upload_everywhere(restarts)
    assert {t.split(".")[0] for t, _ in restarts.rows()} >= set(SERVED)
    assert {owner(b) for b in buckets(restarts)} == set(SERVED)
