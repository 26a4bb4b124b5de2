"""The ``atsmock`` command: credentials, config errors (exit 2, one line), serve's banner, and a real process."""

from __future__ import annotations

import gc
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from echo_vendor import ECHO, EchoSettings

from mockservers import cli
from mockservers.app import create_app
from mockservers.config import Settings
from mockservers.core.vendor import Credential, Vendor
from mockservers.vendors import registered

ROOT = Path(__file__).resolve().parent.parent

DEFAULT_CREDENTIALS = """\
vendor    credential                       id                                    secret                            grants
--------  -------------------------------  ------------------------------------  --------------------------------  ------------------------------------------------------
pageup    client_id                        atsmock-pageup                        atsmock-pageup-secret             tenant 218, Public.Document.Read Public.Document.Write
pageup    client_id                        atsmock-pageup-readonly               atsmock-pageup-readonly-secret    tenant 218, Public.Document.Read
pageup    client_id                        atsmock-pageup-219                    atsmock-pageup-219-secret         tenant 219, Public.Document.Read Public.Document.Write
ashby     api key (Basic, empty password)  atsmock-ashby                                                           candidatesRead candidatesWrite
ashby     api key (Basic, empty password)  atsmock-ashby-readonly                                                  candidatesRead
ashby     api key (Basic, empty password)  atsmock-ashby-jobboard                                                  jobsRead candidatesWrite
wttj      bearer token                     atsmock-wttj                                                            documents_r documents_rw candidates_r candidates_rw
wttj      bearer token                     atsmock-wttj-readonly                                                   documents_r candidates_r
clinch    access id                        atsmock-clinch                        atsmock-clinch-secret             all
endorsed  client_id                        00000000-0000-4000-8000-000000000001  atsmock-endorsed-secret           all:read all:write
endorsed  client_id                        00000000-0000-4000-8000-000000000002  atsmock-endorsed-readonly-secret  all:read
s3        access key                       AKIAATSMOCKLOCALS3ID                  atsmock-s3-secret-key             presigning (mock)
"""  # noqa: E501 - the table is as wide as it prints


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI reads os.environ: no stray ATSMOCK_* variable from the caller may change its answers."""
    for name in list(os.environ):
        if name.startswith("ATSMOCK_"):
            monkeypatch.delenv(name)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _cells(table: str) -> list[list[str]]:
    return [re.split(r"  +", line.strip()) for line in table.splitlines()]


def test_credentials_prints_the_default_table(capsys: pytest.CaptureFixture[str]) -> None:
    """Every default credential, in registry order; a planned vendor's rows say it is not served yet."""
    planned = {v.name for v in registered() if v.planned}
    expected = [
        [*row[:-1], row[-1] + (cli.NOT_SERVED if row[0] in planned else "")] for row in _cells(DEFAULT_CREDENTIALS)
    ]
    code, out, err = run(capsys, "credentials")
    assert (code, err) == (0, "")
    assert _cells(out)[0] == expected[0]
    assert _cells(out)[2:] == expected[2:]


PLANNED = Vendor("later", "Later (tests)", EchoSettings, lambda s: [Credential("key", "later-key", "", "read write")])


def test_credentials_table_is_aligned_and_marks_planned_vendors(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["credentials"], vendors=[ECHO, PLANNED])
    assert (code, *capsys.readouterr()) == (
        0,
        "vendor  credential  id                    secret                 grants\n"
        "------  ----------  --------------------  ---------------------  ---------------------------\n"
        "echo    echo key    echo-key              echo-secret            everything\n"
        "later   key         later-key                                    read write (not served yet)\n"
        "s3      access key  AKIAATSMOCKLOCALS3ID  atsmock-s3-secret-key  presigning (mock)\n",
        "",
    )


def test_the_default_table_holds_every_credential_of_the_issue() -> None:
    rows = [line.split("  ") for line in DEFAULT_CREDENTIALS.splitlines()[2:]]
    cells = [[c.strip() for c in row if c.strip()] for row in rows]
    assert ["pageup", "client_id", "atsmock-pageup", "atsmock-pageup-secret"] == cells[0][:4]
    assert cells[0][4] == "tenant 218, Public.Document.Read Public.Document.Write"
    assert cells[1][2:] == [
        "atsmock-pageup-readonly",
        "atsmock-pageup-readonly-secret",
        "tenant 218, Public.Document.Read",
    ]
    assert cells[2][2:] == [
        "atsmock-pageup-219",
        "atsmock-pageup-219-secret",
        "tenant 219, Public.Document.Read Public.Document.Write",
    ]
    assert cells[3][2:] == ["atsmock-ashby", "candidatesRead candidatesWrite"]
    assert cells[4][2:] == ["atsmock-ashby-readonly", "candidatesRead"]
    assert cells[5][2:] == ["atsmock-ashby-jobboard", "jobsRead candidatesWrite"]
    assert cells[6][2:] == ["atsmock-wttj", "documents_r documents_rw candidates_r candidates_rw"]
    assert cells[7][2:] == ["atsmock-wttj-readonly", "documents_r candidates_r"]
    assert cells[8][2:] == ["atsmock-clinch", "atsmock-clinch-secret", "all"]
    assert cells[9][2:] == ["00000000-0000-4000-8000-000000000001", "atsmock-endorsed-secret", "all:read all:write"]
    assert cells[10][2:] == ["00000000-0000-4000-8000-000000000002", "atsmock-endorsed-readonly-secret", "all:read"]


def test_credentials_follow_the_config_file_and_the_environment(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "atsmock.toml"
    config.write_text(
        '[clinch]\naccess_id = "my-clinch"\n\n[[ashby.api_keys]]\napi_key = "k1"\npermissions = ["candidatesRead"]\n'
        "active = false\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("ATSMOCK_S3_SECRET_KEY", "from-env")
    code, out, err = run(capsys, "credentials", "--config", str(config))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert [line.split()[0] for line in lines[2:]] == ["pageup"] * 3 + ["ashby"] + ["wttj"] * 2 + [
        "clinch",
        "endorsed",
        "endorsed",
        "s3",
    ]
    assert lines[5].split("  ")[-1] == "candidatesRead (deactivated)"
    assert "my-clinch" in lines[8] and "atsmock-clinch-secret" in lines[8]
    assert lines[-1].split() == ["s3", "access", "key", "AKIAATSMOCKLOCALS3ID", "from-env", "presigning", "(mock)"]


def test_atsmock_config_variable_names_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[clinch]\nsecret = "via-env-file"\n', encoding="utf-8")
    monkeypatch.setenv("ATSMOCK_CONFIG", str(config))
    code, out, _ = run(capsys, "credentials")
    assert code == 0
    assert "via-env-file" in out


@pytest.mark.parametrize(
    ("toml", "env", "argv", "message"),
    [
        ("[server]\nport = 'x'\n", {}, ["credentials"], "invalid config server.port: expected an integer"),
        ("[server]\nnope = 1\n", {}, ["credentials"], "invalid config server.nope: unknown key"),
        ("[clinch\n", {}, ["credentials"], None),
        (
            None,
            {"ATSMOCK_SERVER_JOURNAL_SIZE": "many"},
            ["credentials"],
            "invalid config ATSMOCK_SERVER_JOURNAL_SIZE: expected an integer",
        ),
        (
            None,
            {"ATSMOCK_WTTJ_TOKENS": "t"},
            ["credentials"],
            "invalid config ATSMOCK_WTTJ_TOKENS: cannot be set from the environment; use the TOML file",
        ),
        (None, {"ATSMOCK_SERVER_PORT": "x"}, ["serve"], "invalid config ATSMOCK_SERVER_PORT: expected an integer"),
        ("[server]\nport = 70000\n", {}, ["serve"], "invalid config server.port: 70000 is not a TCP port (0..65535)"),
        (None, {}, ["serve", "--port", "65536"], "invalid config server.port: 65536 is not a TCP port (0..65535)"),
        (
            None,
            {},
            ["serve", "--vendor", "nope"],
            "invalid config --vendor: 'nope' is not a vendor (pageup, ashby, wttj, clinch, endorsed)",
        ),
        (
            None,
            {},
            ["serve", "--public-url", "localhost:8000"],
            "invalid config server.public_url: 'localhost:8000' must start with http:// or https://",
        ),
        (
            None,
            {"ATSMOCK_SERVER_HOST": ""},
            ["serve"],
            "invalid config server.host: must not be empty (0.0.0.0 listens on every interface)",
        ),
        (
            None,
            {"ATSMOCK_S3_ENDPOINT": "minio:9000"},
            ["serve"],
            "invalid config s3.endpoint: 'minio:9000' must start with http:// or https://",
        ),
    ],
)
def test_invalid_config_is_one_line_naming_the_key_and_exit_2(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    toml: str | None,
    env: dict[str, str],
    argv: list[str],
    message: str | None,
) -> None:
    served: list[Any] = []
    monkeypatch.setattr("mockservers.server.serve", lambda *a: served.append(a))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if toml is not None:
        config = tmp_path / "atsmock.toml"
        config.write_text(toml, encoding="utf-8")
        argv = [*argv, "--config", str(config)]
    code, out, err = run(capsys, *argv)
    assert (code, out, served) == (2, "", [])
    if message is None:
        assert err.startswith(f"atsmock: invalid config --config: {tmp_path / 'atsmock.toml'} is not valid TOML (")
    else:
        assert err == f"atsmock: {message}\n"
    assert err.count("\n") == 1


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys)
    assert code == 2
    assert out.startswith("usage: atsmock")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        cli.main(["--version"])
    assert raised.value.code == 0
    assert capsys.readouterr().out == "atsmock 0.1.0\n"


# --- serve, without a server: the flags and the banner ------------------------------------------------------


@pytest.fixture
def banner(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, Settings]]:
    """Run ``atsmock serve ARGS`` with the echo vendor, printing the banner instead of serving."""
    seen: list[Settings] = []

    def fake_serve(settings: Settings, announce: Callable[[Any], None], *, vendors: Any) -> None:
        seen.append(settings)
        announce(create_app(settings, vendors=vendors))

    monkeypatch.setattr("mockservers.server.serve", fake_serve)
    for name in [n for n in os.environ if n.startswith("ATSMOCK_")]:
        monkeypatch.delenv(name)  # an admin token in the shell would change what serve prints

    def serve(*argv: str, stderr: str = "") -> tuple[int, str, Settings]:
        code = cli.main(["serve", *argv], vendors=[ECHO])
        out, err = capsys.readouterr()
        assert err == stderr
        return code, out, seen[-1]

    return serve


def test_serve_prints_every_base_url_and_the_admin_url(banner: Callable[..., tuple[int, str, Settings]]) -> None:
    code, out, settings = banner()
    assert code == 0
    assert out == (
        "atsmock 0.1.0 listening on http://127.0.0.1:8000\n"
        "  echo      http://127.0.0.1:8000/echo\n"
        "  s3        http://127.0.0.1:8000/s3\n"
        "  admin     http://127.0.0.1:8000/__admin\n"
        "Press Ctrl-C to stop.\n"
    )
    assert settings == Settings(registry=[ECHO])


def test_serve_builds_urls_on_the_public_url(banner: Callable[..., tuple[int, str, Settings]]) -> None:
    code, out, settings = banner(
        "--host",
        "0.0.0.0",
        "--port",
        "8000",
        "--public-url",
        "http://localhost:18000/",
        stderr=EXPOSED_WITHOUT_A_TOKEN.format(host="0.0.0.0"),
    )
    assert code == 0
    assert out.splitlines()[:4] == [
        "atsmock 0.1.0 listening on http://0.0.0.0:8000 (public URL http://localhost:18000)",
        "  echo      http://localhost:18000/echo",
        "  s3        http://localhost:18000/s3",
        "  admin     http://localhost:18000/__admin",
    ]
    assert (settings.server.host, settings.server.public_url) == ("0.0.0.0", "http://localhost:18000/")


EXPOSED_WITHOUT_A_TOKEN = (
    "atsmock: warning: listening on {host} with no admin token: anyone who can reach port 8000 can reset state, "
    "schedule faults and read the journal; set one with --admin-token or ATSMOCK_SERVER_ADMIN_TOKEN\n"
)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.7", "mock.internal"])
def test_serve_warns_on_stderr_when_exposed_without_an_admin_token(
    banner: Callable[..., tuple[int, str, Settings]], host: str
) -> None:
    """The admin API can wipe state and inject faults: one line on stderr names the setting that locks it."""
    code, out, _ = banner("--host", host, "--port", "8000", stderr=EXPOSED_WITHOUT_A_TOKEN.format(host=host))
    assert code == 0
    assert "warning" not in out and out.endswith("\nPress Ctrl-C to stop.\n")


def test_serve_does_not_warn_with_an_admin_token_from_the_flag_or_the_environment(
    banner: Callable[..., tuple[int, str, Settings]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, out, settings = banner("--host", "0.0.0.0", "--admin-token", "t0k")
    assert "warning" not in out
    assert settings.server.admin_token == "t0k"
    monkeypatch.setenv("ATSMOCK_SERVER_ADMIN_TOKEN", "from-env")
    _, out, settings = banner("--host", "0.0.0.0")
    assert "warning" not in out
    assert settings.server.admin_token == "from-env"


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1"])
def test_serve_does_not_warn_on_loopback(banner: Callable[..., tuple[int, str, Settings]], host: str) -> None:
    code, out, _ = banner("--host", host)
    assert code == 0 and "warning" not in out


@pytest.mark.parametrize(
    ("argv", "usage"),
    [
        (["serve", "--prot", "8001"], "usage: atsmock serve [-h]"),
        (["credentials", "--vendor", "x"], "usage: atsmock credentials [-h]"),
        (["--nope"], "usage: atsmock [-h]"),
    ],
)
def test_an_unknown_flag_prints_its_commands_usage(
    capsys: pytest.CaptureFixture[str], argv: list[str], usage: str
) -> None:
    with pytest.raises(SystemExit) as raised:
        cli.main(argv)
    out, err = capsys.readouterr()
    assert (raised.value.code, out, err.splitlines()[0].startswith(usage)) == (2, "", True)
    assert err.splitlines()[-1].endswith(f"error: unrecognized arguments: {' '.join(argv[1:] or argv)}")


def test_serve_single_vendor_prints_the_root(banner: Callable[..., tuple[int, str, Settings]]) -> None:
    _, out, settings = banner("--vendor", "echo", "--port", "9001")
    assert out.splitlines()[1:4] == [
        "  echo      http://127.0.0.1:9001",
        "  s3        http://127.0.0.1:9001/s3",
        "  admin     http://127.0.0.1:9001/__admin",
    ]
    assert settings.server.vendor == "echo"


def test_serve_flags_override_the_file_and_environment(
    banner: Callable[..., tuple[int, str, Settings]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "atsmock.toml"
    config.write_text('[server]\nport = 9100\nhost = "127.0.0.2"\njournal_size = 9\n', encoding="utf-8")
    monkeypatch.setenv("ATSMOCK_SERVER_PORT", "9200")
    monkeypatch.setenv("ATSMOCK_SERVER_ADMIN_TOKEN", "from-env")
    _, _, settings = banner("--config", str(config), "--host", "127.0.0.3")
    server = settings.server
    assert (server.host, server.port, server.journal_size, server.admin_token) == ("127.0.0.3", 9200, 9, "from-env")
    _, _, settings = banner(
        "--s3-endpoint", "http://127.0.0.1:9000", "--s3-endpoint-access-key", "ak", "--s3-endpoint-secret-key", "sk"
    )
    s3 = settings.s3
    assert (s3.endpoint, s3.endpoint_access_key, s3.endpoint_secret_key, s3.endpoint_region) == (
        "http://127.0.0.1:9000",
        "ak",
        "sk",
        "us-east-1",
    )


def test_serve_on_a_port_in_use_or_an_address_not_here_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = run(capsys, "serve", "--port", str(port))
    gc.collect()  # the socket that failed to bind is closed, not left to a ResourceWarning
    assert (code, out, err) == (
        2,
        "",
        f"atsmock: cannot listen on 127.0.0.1:{port}: the port is in use (another atsmock?); "
        "choose another with --port (--port 0 picks a free one)\n",
    )
    # 192.0.2.1 (TEST-NET-1) is no address of this machine.
    code, out, err = run(capsys, "serve", "--host", "192.0.2.1", "--port", "0")
    assert (code, out, err) == (
        2,
        "",
        "atsmock: cannot listen on 192.0.2.1:0: Cannot assign requested address; "
        "--host must be an address of this machine (127.0.0.1, 0.0.0.0)\n",
    )


@pytest.mark.parametrize("vendor", [v.name for v in registered() if v.planned])
def test_serve_a_registered_vendor_not_emulated_yet_exits_2(capsys: pytest.CaptureFixture[str], vendor: str) -> None:
    # The real serve: it binds port 0 first, then refuses. Nothing may be left open behind.
    code, out, err = run(capsys, "serve", "--port", "0", "--vendor", vendor)
    gc.collect()  # an unclosed listening socket would surface here as an (error-level) ResourceWarning
    available = ", ".join(v.name for v in registered() if not v.planned)
    assert (code, out) == (2, "")
    assert err == f"atsmock: invalid config --vendor: '{vendor}' is not emulated yet (available: {available})\n"


def test_serve_a_planned_vendor_exits_2_naming_the_served_ones(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["serve", "--port", "0", "--vendor", "later"], vendors=[ECHO, PLANNED])
    gc.collect()
    assert (code, *capsys.readouterr()) == (
        2,
        "",
        "atsmock: invalid config --vendor: 'later' is not emulated yet (available: echo)\n",
    )


def test_single_vendor_pageup_is_served_at_the_root() -> None:
    pytest.importorskip("mockservers.pageup.routes", reason="mockservers/pageup has not landed yet")
    if not (ROOT / "contracts" / "pageup" / "openapi.yaml").is_file():
        pytest.skip("contracts/pageup/openapi.yaml has not landed yet")
    from contracts import load_openapi
    from mockservers.testing import AdminClient, in_process_client, make_app

    document = load_openapi("pageup")
    path, operation_id = next(
        (p, op["operationId"]) for p, item in document["paths"].items() for m, op in item.items() if m == "get"
    )
    concrete = path.replace("{", "").replace("}", "")
    prefixed_app, root_app = make_app(), make_app(Settings().with_server(vendor="pageup"))
    assert list(root_app.platform.vendors) == ["pageup"]
    with in_process_client(prefixed_app) as prefixed, in_process_client(root_app) as root:
        assert root.get("/__admin/health").json()["components"] == {"pageup": True, "s3": True}
        at_root = root.get(concrete)
        assert at_root.status_code == prefixed.get(f"/pageup{concrete}").status_code
        entry = AdminClient(root).requests()[0]
        assert (entry["vendor"], entry["operation"], entry["request"]["path"]) == ("pageup", operation_id, concrete)
        assert root.get("/ashby/").status_code == 404 or AdminClient(root).requests()[0]["vendor"] == "pageup"


# --- a real `atsmock serve` process ---------------------------------------------------------------------------


@pytest.fixture
def serve_process() -> Iterator[Callable[..., tuple[subprocess.Popen[str], list[str]]]]:
    started: list[subprocess.Popen[str]] = []

    def start(*argv: str) -> tuple[subprocess.Popen[str], list[str]]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ATSMOCK_")}
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        process = subprocess.Popen(
            [sys.executable, "-m", "mockservers.cli", "serve", "--port", "0", *argv],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        lines = read_banner(process)
        return process, lines

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def read_banner(process: subprocess.Popen[str], timeout: float = 15.0) -> list[str]:
    """The banner lines, up to "Press Ctrl-C to stop." (read in a thread: a pipe read cannot time out)."""
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in iter(process.stdout.readline, ""):
            lines.put(line.rstrip("\n"))
            if line.startswith("Press Ctrl-C"):
                return
        lines.put("<eof>")

    threading.Thread(target=pump, daemon=True).start()
    banner: list[str] = []
    deadline = time.monotonic() + timeout
    while not banner or not banner[-1].startswith("Press Ctrl-C"):
        try:
            banner.append(lines.get(timeout=max(0.0, deadline - time.monotonic())))
        except queue.Empty:
            break
        if banner[-1] == "<eof>":
            break
    else:
        return banner
    process.kill()
    _, err = process.communicate(timeout=5)
    raise AssertionError(f"no banner from atsmock serve: {banner!r}\n{err}")


@pytest.mark.live
def test_serve_logs_one_json_line_per_request(
    serve_process: Callable[..., tuple[subprocess.Popen[str], list[str]]],
) -> None:
    process, lines = serve_process("--log-format", "json")
    base = lines[0].removeprefix("atsmock 0.1.0 listening on ")
    refused = httpx.get(f"{base}/pageup/v3/218/recruitment/document/8621", timeout=5)
    assert refused.status_code == 401
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=10)
    [line] = err.splitlines()
    record = json.loads(line)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record.pop("time"))
    assert record.pop("durationMs") >= 0
    assert record == {
        "requestId": refused.headers["x-request-id"],
        "vendor": "pageup",
        "operation": "getDocument",
        "method": "GET",
        "path": "/pageup/v3/218/recruitment/document/8621",
        "status": 401,
        "errorCode": "invalid_token",
    }


@pytest.mark.live
def test_serve_logs_one_readable_line_per_request_by_default(
    serve_process: Callable[..., tuple[subprocess.Popen[str], list[str]]],
) -> None:
    process, lines = serve_process()
    base = lines[0].removeprefix("atsmock 0.1.0 listening on ")
    answer = httpx.post(f"{base}/ashby/candidate.list", json={}, auth=("atsmock-ashby", ""), timeout=5)
    assert answer.status_code == 200
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=10)
    [line] = err.splitlines()
    stamp, rest = line.split(" ", 1)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", stamp)
    assert re.fullmatch(
        re.escape(answer.headers["x-request-id"]) + r" ashby candidateList POST /ashby/candidate.list -> 200 [0-9.]+ms",
        rest,
    )


@pytest.mark.live
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serve_answers_then_stops_cleanly_on_a_signal(
    serve_process: Callable[..., tuple[subprocess.Popen[str], list[str]]], stop: signal.Signals
) -> None:
    process, lines = serve_process()
    base = lines[0].removeprefix("atsmock 0.1.0 listening on ")
    assert base.startswith("http://127.0.0.1:") and base != "http://127.0.0.1:0"
    assert lines[1:] == [
        *(f"  {v.name:<9} {base}/{v.name}" for v in registered() if not v.planned),
        f"  s3        {base}/s3",
        f"  admin     {base}/__admin",
        "Press Ctrl-C to stop.",
    ]
    health = httpx.get(f"{base}/__admin/health", timeout=5)
    assert (health.status_code, health.json()["status"]) == (200, "ok")
    process.send_signal(stop)
    out, err = process.communicate(timeout=10)
    assert (process.returncode, out, err) == (0, "", "")


@pytest.mark.live
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_right_after_the_banner_stops_it_cleanly(
    serve_process: Callable[..., tuple[subprocess.Popen[str], list[str]]], stop: signal.Signals
) -> None:
    # Between the banner and uvicorn's own handlers, a signal was lost (a server that never stopped) or killed it.
    process, lines = serve_process()
    assert lines[-1] == "Press Ctrl-C to stop."
    process.send_signal(stop)
    out, err = process.communicate(timeout=10)
    assert (process.returncode, out, err) == (0, "", "")
