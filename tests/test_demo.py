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


@pytest.mark.parametrize("base_url", ["127.0.0.1:8000", "ftp://127.0.0.1:8000"])
def test_a_base_url_that_is_not_http_is_a_usage_error(base_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """It ran every vendor's first step against it, each failing with httpx's protocol error (PageUp's
    after four retries), and exited 1 as if the mock had failed."""
    with pytest.raises(SystemExit) as exit_:
        cli.main(["demo", "--base-url", base_url])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"--base-url must be an http:// or https:// URL, not {base_url!r}" in err
