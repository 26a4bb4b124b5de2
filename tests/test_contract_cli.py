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


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--base-url", "ftp://uat.example"], "--base-url must be an http:// or https:// URL, not 'ftp://uat.example'"),
        (["--base-url", "127.0.0.1:8000"], "--base-url must be an http:// or https:// URL, not '127.0.0.1:8000'"),
        (["--report", "/nonexistent/dir/junit.xml"], "--report: no directory /nonexistent/dir"),
        (["--report", "/"], "--report: / is a directory, not a file"),
    ],
)
def test_a_bad_target_or_report_path_is_a_usage_error_before_anything_runs(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found writing the report after a whole run (a FileNotFoundError traceback), and httpx's
    UnsupportedProtocol traceback for a base URL without its scheme."""
    with pytest.raises(SystemExit) as exit_:
        cli.main(["contract", "--vendor", "pageup", *argv])
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_target_that_does_not_answer_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    base = f"http://127.0.0.1:{_closed_port()}/pageup"
    assert cli.main(["contract", "--vendor", "pageup", "--base-url", base, "--max-examples", "1"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.splitlines()[-1].startswith(f"atsmock: pageup: cannot set up the suite against {base}: ")
    assert "ConnectError" in err.splitlines()[-1]


def _credentials(tmp_path: Path, text: str) -> str:
    path = tmp_path / "creds.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.live
@pytest.mark.parametrize(
    ("vendor", "root", "table", "refused"),
    [
        (
            "pageup",
            "/pageup",
            '[pageup]\nclient_id = "atsmock-pageup"\nclient_secret = "wrong"\ntenant = "218"\n',
            'POST {base}/connect/token -> 400 {{"error":"invalid_client","error_description":"The client '
            'credentials are invalid."}}',
        ),
        (
            "endorsed",
            "/endorsed",
            '[endorsed]\nclient_id = "00000000-0000-4000-8000-000000000001"\nclient_secret = "wrong"\n',
            "POST {base}/api/v1/auth/tokens -> 401 ",
        ),
        ("clinch", "/clinch/v1", '[clinch]\naccess_id = "wrong"\nsecret = "wrong"\n', "401 unknown_access_id"),
    ],
)
def test_refused_credentials_are_one_line_and_exit_2(
    vendor: str, root: str, table: str, refused: str, live: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real UAT's first run usually has a wrong secret: the answer that refused it, not a traceback."""
    base = f"{live.url}{root}"
    argv = ["contract", "--vendor", vendor, "--base-url", base, "--credentials", _credentials(tmp_path, table)]
    assert cli.main([*argv, "--max-examples", "1"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    last = err.splitlines()[-1]
    assert last.startswith(f"atsmock: {vendor}: cannot set up the suite against {base}: ")
    assert refused.format(base=base) in last


@pytest.mark.live
@pytest.mark.parametrize(
    ("vendor", "root", "table"),
    [
        ("ashby", "/ashby", '[ashby]\napi_key = "wrong"\n'),  # every answer an HTTP 401 the document allows
        ("wttj", "/wttj", '[wttj]\ntoken = "wrong"\n'),
        ("wttj", "/wttj/api/v1/external", None),  # the API root of the README, doubled by the paths: 404s
    ],
)
def test_a_run_in_which_nothing_that_needs_the_credentials_succeeded_fails(
    vendor: str, root: str, table: str | None, live: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Wrong credentials or a wrong root made every answer a documented 401 or 404, which every check
    passes: the run was green (exit 0) having checked nothing the vendor does."""
    argv = ["contract", "--vendor", vendor, "--base-url", f"{live.url}{root}", "--max-examples", "1"]
    if table is not None:
        argv += ["--credentials", _credentials(tmp_path, table)]
    assert cli.main(argv) == 1
    out = capsys.readouterr().out
    assert f"FAILED {vendor} (every operation) [accepted_nothing]: no request that needs the credentials" in out


@pytest.mark.live
def test_against_a_vendor_root_atsmocks_own_document_operation_is_left_out(
    live: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """A vendor does not serve atsmock's ``/openapi.json``: a drift run against a real UAT failed on it."""
    argv = ["contract", "--vendor", "pageup", "--base-url", f"{live.url}/pageup", "--max-examples", "1", *GREEN]
    assert cli.main(argv) == 0
    err = capsys.readouterr().err
    assert "pageup: GET /v3/{tenant}/recruitment/document/{id}" in err
    assert "pageup: GET /openapi.json" not in err
    assert cli.main(["contract", "--vendor", "pageup", "--max-examples", "1", *GREEN]) == 0
    assert "pageup: GET /openapi.json" in capsys.readouterr().err  # embedded, it is atsmock's own


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[page_up]\nclient_id = "x"\n', "[page_up] is not a vendor (pageup, ashby, wttj, clinch, endorsed)"),
        ('[ashby]\napi_key = "x"\n', "has no [pageup] table"),
    ],
)
def test_a_credentials_file_must_name_the_vendor_it_is_for(
    text: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A misspelt table fell back to atsmock's default credentials and sent them to the UAT."""
    argv = ["contract", "--vendor", "pageup", "--base-url", f"http://127.0.0.1:{_closed_port()}/pageup"]
    assert cli.main([*argv, "--credentials", _credentials(tmp_path, text)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "cannot set up" not in err  # refused before anything is sent


def test_the_junit_report_stays_well_formed_xml_whatever_the_failing_bytes() -> None:
    """A failing multipart case carries raw generated bytes (NUL, ESC, a lone surrogate): ElementTree
    wrote them as they were and a CI's JUnit reader refused the whole report exactly when it mattered."""
    from contracts import report, suite

    outcome = suite.Outcome("endorsed")
    key = ("POST /api/v1/attachments", "not_a_server_error")
    outcome.failed[key] = 1
    outcome.failures.append(
        suite.Failure("endorsed", *key, "Server error\x00\x1b[0m", "POST http://h/a\n--b\n\x00\x07\ud800", "500\n\x0b")
    )
    root = ET.fromstring(report.junit([outcome]))
    failure = root.find(".//failure")
    assert failure is not None
    assert failure.get("message") == "Server error\\x00\\x1b[0m"
    assert failure.text == (
        "Server error\\x00\\x1b[0m\n\nrequest:\nPOST http://h/a\n--b\n\\x00\\x07\\ud800\n\nresponse:\n500\n\\x0b"
    )


def test_a_failure_never_shows_the_credentials_it_was_sent_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """PageUp's hooks aim requestToken cases at the real client_secret (a token is what they test), so
    any failure on that operation printed the UAT's secret, and the token it got, to CI logs and JUnit."""
    from contracts import runner, suite

    secret, token = "atsmock-pageup-secret", "eyJhbGciOiJSUzI1NiJ9.payload.signature"
    failure = suite.Failure(
        "pageup",
        "POST /connect/token",
        "response_headers_conformance",
        "Missing header",
        f"POST http://testserver/pageup/connect/token\nclient_id=atsmock-pageup&client_secret={secret}",
        f'200\n{{"access_token": "{token}", "expires_in": 300}}',
    )

    def failing(vendor: str, *args: Any, **kwargs: Any) -> suite.Outcome:
        return suite.Outcome(vendor, requests=1, accepted=1, failures=[failure])

    monkeypatch.setattr(suite, "run", failing)
    monkeypatch.setattr(suite, "run_stateful", lambda vendor, *a, **k: suite.Outcome(vendor))
    junit = tmp_path / "junit.xml"
    assert runner.run(["pageup"], junit=str(junit), out=lambda line: None) == 1
    shown = capsys.readouterr().out + junit.read_text(encoding="utf-8")
    assert secret not in shown and token not in shown
    assert "client_id=atsmock-pageup&client_secret=<redacted>" in shown
    assert '"access_token": "<redacted>"' in shown


def test_an_embedded_run_looks_up_no_generated_host_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """WTTJ's generated ``remote_file_urls`` name random hosts; in process, the fetcher resolves them with
    ``resolve_offline`` (refused as not resolving, as in the pytest suites), never with a DNS query."""
    import socket

    from mockservers.core import fetch

    looked_up: list[str] = []
    real = socket.getaddrinfo

    def system_resolver(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in ("127.0.0.1", "::1", "localhost", "testserver"):
            looked_up.append(str(host))
            raise socket.gaierror(socket.EAI_NONAME, "no lookups in this test")
        return real(host, *args, **kwargs)

    offline: list[str] = []
    resolve_offline = fetch.resolve_offline

    async def counted(host: str, port: int) -> list[str]:
        offline.append(host)
        return await resolve_offline(host, port)

    monkeypatch.setattr(socket, "getaddrinfo", system_resolver)
    monkeypatch.setattr(fetch, "resolve_offline", counted)
    assert cli.main(["contract", "--vendor", "wttj", "--max-examples", "5", "--check", "not_a_server_error"]) == 0
    assert capsys.readouterr().err.endswith(" s, 0 failures\n")
    assert offline != [] and looked_up == []


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST", "localhost."])
def test_the_offline_resolver_knows_localhost(host: str) -> None:
    import anyio

    from mockservers.core.fetch import resolve_offline

    assert anyio.run(resolve_offline, host, 80) == ["127.0.0.1", "::1"]


@pytest.mark.parametrize("host", ["a.com", "files.test", "localhost.example"])
def test_the_offline_resolver_resolves_no_other_name(host: str) -> None:
    import socket

    import anyio

    from mockservers.core.fetch import resolve_offline

    with pytest.raises(socket.gaierror):
        anyio.run(resolve_offline, host, 80)
