"""The platform's own state across a restart (clock, faults, tokens) and what a reset leaves on disk."""

from __future__ import annotations

import pytest
from state_support import Restarts

from mockservers.core.tokens import TokenError
from mockservers.testing import AdminClient
from mockservers.vendors import registered

SERVED = [v.name for v in registered() if not v.planned]


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


def test_tokens_and_their_signing_key_survive_a_restart(restarts: Restarts) -> None:
    issued = restarts.platform.tokens.issue("pageup", "atsmock-pageup", ["Public.Document.Read"], 300)
    restarts.restart()
    assert restarts.platform.tokens.verify("pageup", issued.token) == issued
    restarts.platform.tokens.forget()
    restarts.restart()
    with pytest.raises(TokenError):
        restarts.platform.tokens.verify("pageup", issued.token)


def upload_everywhere(restarts: Restarts) -> None:
    """Something stored by every served vendor, objects included (a new vendor adds its own lines)."""
    from client.ashby import AshbyClient
    from client.pageup import PageUpClient

    PageUpClient(restarts.http("pageup"), "atsmock-pageup", "atsmock-pageup-secret", tenant="218").upload(
        b"doc", filename="a.txt", document_category_id=7
    )
    ashby = AshbyClient(restarts.http("ashby"), "atsmock-ashby")
    candidate = ashby.create_candidate("Ada")
    ashby.upload_resume(candidate["id"], b"cv", "cv.pdf", "application/pdf")
    admin(restarts).add_fault("delay", delay_ms=1, times=5)
    admin(restarts).advance(10)


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
    admin(restarts).reset(vendor)
    assert [t for t, _ in restarts.rows() if t.startswith(f"{vendor}.")] == []
    assert [t for t, _ in restarts.rows() if t.startswith("faults.")] == ["faults.scheduled"]  # not a vendor's fault
    assert {t.split(".")[0] for t, _ in restarts.rows()} >= set(SERVED) - {vendor}


def test_every_served_vendor_is_covered_by_upload_everywhere(restarts: Restarts) -> None:
    """A vendor that lands adds itself to ``upload_everywhere`` (and gets a restart test of its own)."""
    upload_everywhere(restarts)
    assert {t.split(".")[0] for t, _ in restarts.rows()} >= set(SERVED)
