"""``atsmock contract``: embedded run, a run against another atsmock, the report, and the failing exit."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from mockservers import cli

GREEN = ["--check", "not_a_server_error", "--check", "status_code_conformance", "--check", "ignored_auth"]
"""Checks PageUp passes today (positive_data_acceptance still finds document gaps)."""


def test_embedded_run_passes_and_writes_junit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junit = tmp_path / "junit.xml"
    argv = ["contract", "--vendor", "pageup", "--max-examples", "2", "--report", str(junit), *GREEN]
    assert cli.main(argv) == 0
    out = capsys.readouterr()
    assert "pageup     ignored_auth" in out.out
    assert "pageup: GET /v3/{tenant}/recruitment/document/{id}" in out.err
    root = ET.parse(junit).getroot()
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "pageup" and suite.get("failures") == "0"
    cases = {(c.get("classname"), c.get("name")) for c in suite.iter("testcase")}
    assert ("pageup.POST /connect/token", "ignored_auth") in cases
    assert len(cases) == int(suite.get("tests") or 0) == 3 * 5  # five operations x three checks


@pytest.mark.live
def test_against_another_atsmock_and_failing_on_a_fault(
    live: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = f"{live.url}/pageup"
    assert cli.main(["contract", "--vendor", "pageup", "--base-url", base, "--max-examples", "2", *GREEN]) == 0
    assert live.platform.journal.find(vendor="pageup")[1] > 0
    capsys.readouterr()
    live.admin.add_fault("pageup.server_error", operation="getDocument", times=0)
    junit = tmp_path / "junit.xml"
    argv = ["contract", "--vendor", "pageup", "--base-url", base, "--max-examples", "2", "--report", str(junit)]
    assert cli.main([*argv, *GREEN]) == 1
    out = capsys.readouterr().out
    assert "FAILED pageup GET /v3/{tenant}/recruitment/document/{id} [not_a_server_error]" in out
    failures = ET.parse(junit).getroot().findall(".//failure")
    assert failures and all("500" in (f.text or "") for f in failures)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--vendor", "nope"], "unknown vendor 'nope'"),
        (["--check", "nope"], "unknown check 'nope'"),
        (["--max-examples", "0"], "--max-examples must be at least 1"),
    ],
)
def test_bad_flags_are_usage_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["contract", *argv])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_without_the_contract_extra_it_says_what_to_install_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A plain ``pip install .`` has no schemathesis: one line naming the extra, not a traceback."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "schemathesis" else real(name, *a)
    )
    assert cli.main(["contract", "--vendor", "pageup"]) == 2
    assert capsys.readouterr().err == (
        "atsmock contract needs schemathesis, which a plain install leaves out: "
        "python3 -m pip install 'atsmock[contract]' (or '.[contract]' in a checkout)\n"
    )


def test_max_examples_follow_a_registered_hypothesis_profile_else_ten(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --max-examples the suites run 10 cases per operation and mode (CI), or the named
    profile's count (conftest.py registers nightly, 1000); an unknown profile name is still 10."""
    from contracts.suite import CI_MAX_EXAMPLES, default_max_examples

    monkeypatch.delenv("HYPOTHESIS_PROFILE", raising=False)
    assert (CI_MAX_EXAMPLES, default_max_examples()) == (10, 10)
    monkeypatch.setenv("HYPOTHESIS_PROFILE", "nightly")
    assert default_max_examples() == 1000
    monkeypatch.setenv("HYPOTHESIS_PROFILE", "no-such-profile")
    assert default_max_examples() == 10
