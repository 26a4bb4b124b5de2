"""``atsmock demo``: every served vendor's workflow through its reference client; exit 0 only if all bytes match."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mockservers import cli
from mockservers.vendors import served

DEMOS = [v.name for v in served() if v.demo is not None]
STEP = re.compile(r"(\S+)\s+(.+?)\s+(\d{3}|-)\s+[0-9.]+ ms  (ok|FAILED)(  .*)?")


def steps(out: str) -> list[tuple[str, str, str]]:
    return [(m[1], m[3], m[4]) for line in out.splitlines() if (m := STEP.fullmatch(line))]


def test_every_served_vendor_has_a_demo() -> None:
    assert DEMOS == [v.name for v in served()]


def test_the_demo_against_an_embedded_server_passes_for_every_vendor(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo"]) == 0
    out = capsys.readouterr().out
    found = steps(out)
    assert [v for v, _, _ in found] == sorted((v for v, _, _ in found), key=DEMOS.index)  # vendor by vendor
    assert {v for v, _, _ in found} == set(DEMOS)
    assert {result for _, _, result in found} == {"ok"}
    assert out.count(", the same as uploaded") >= len(DEMOS)
    assert (
        out.splitlines()[-1]
        == f"every downloaded file equals what was uploaded ({len(DEMOS)} vendors, {len(found)} steps)"
    )


@pytest.mark.live
def test_against_a_running_server_and_failing_when_a_download_differs(
    live: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    vendor = DEMOS[0]
    assert cli.main(["demo", "--vendor", vendor, "--base-url", live.url]) == 0
    assert live.platform.journal.find(vendor=vendor)[1] > 0
    capsys.readouterr()
    live.admin.add_fault("malformed_body", vendor="s3", operation="get_object", times=0)
    assert cli.main(["demo", "--vendor", vendor, "--base-url", live.url + "/"]) == 1
    out = capsys.readouterr().out
    assert steps(out)[-1][2] == "FAILED"
    assert out.splitlines()[-1].startswith(f"FAILED: {vendor} (")


def test_an_unknown_vendor_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo", "--vendor", "nope"]) == 2
    assert capsys.readouterr().err.startswith("atsmock: invalid config --vendor: 'nope' has no demo here (available: ")
