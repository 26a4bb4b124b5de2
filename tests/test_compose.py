"""docker-compose.yml and the Dockerfile, checked without a Docker engine.

The compose command is parsed by the real CLI, and the health check's own command is run against a
live server, so neither can drift from what ``atsmock serve`` accepts and answers.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockservers import cli
from mockservers.config import Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def service() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert list(compose["services"]) == ["atsmock"]
    atsmock: dict[str, Any] = compose["services"]["atsmock"]
    return atsmock


def interpolate(value: str, environ: dict[str, str]) -> str:
    """Compose's ``${NAME:-default}`` (default when unset or empty), ``${NAME-default}`` (default when
    unset only) and ``${NAME}`` substitution."""

    def one(match: re.Match[str]) -> str:
        name, operator, default = match.group(1), match.group(2) or "", match.group(3) or ""
        if operator == ":-":
            return environ.get(name) or default
        return environ.get(name, default)

    return re.sub(r"\$\{(\w+)(:?-)?([^}]*)\}", one, value)


@pytest.fixture
def settings_from(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The settings ``atsmock ARGV`` would serve with (the server itself is not started)."""
    for name in [n for n in os.environ if n.startswith("ATSMOCK_")]:
        monkeypatch.delenv(name)

    def parse(argv: list[str]) -> Settings:
        seen: list[Settings] = []
        monkeypatch.setattr("mockservers.server.serve", lambda settings, announce, **_: seen.append(settings))
        assert cli.main(argv) == 0
        return seen[0]

    return parse


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    rows = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(row.split(None, 1)[0].upper(), row.split(None, 1)[1]) for row in rows]


def test_the_service_builds_here_and_publishes_port_8000_on_loopback_only(service: dict[str, Any]) -> None:
    """An admin API anyone on the network could reset is not a default: loopback unless asked for."""
    assert service["build"] == "."
    assert [interpolate(p, {}) for p in service["ports"]] == ["127.0.0.1:8000:8000"]
    assert [interpolate(p, {"COMPOSE_ATSMOCK_BIND": "0.0.0.0"}) for p in service["ports"]] == ["0.0.0.0:8000:8000"]


def test_the_command_serves_everything_on_port_8000_for_the_host(service: dict[str, Any], settings_from: Any) -> None:
    argv = [interpolate(str(arg), {}) for arg in service["command"]]
    assert argv[0] == "serve"
    settings = settings_from(argv)
    assert (settings.server.host, settings.server.port) == ("0.0.0.0", 8000)
    assert settings.server.vendor == ""  # every vendor, under its prefix
    assert settings.base_url == "http://localhost:8000"
    # The public URL follows the host's choice when one is given.
    host_choice = {"ATSMOCK_SERVER_PUBLIC_URL": "http://mock.test:18000"}
    argv = [interpolate(str(arg), host_choice) for arg in service["command"]]
    assert settings_from(argv).base_url == "http://mock.test:18000"


def test_the_container_warns_that_its_admin_api_is_open_until_a_token_is_set(
    service: dict[str, Any], settings_from: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It binds 0.0.0.0 inside the container (published on the host's loopback only): the start-up warning
    is expected there, and the README says so and names the variable that silences it."""
    argv = [interpolate(str(arg), {}) for arg in service["command"]]
    assert cli.exposed_admin_warning(settings_from(argv)) == (
        "atsmock: warning: listening on 0.0.0.0 with no admin token: anyone who can reach port 8000 can reset state, "
        "schedule faults and read the journal; set one with --admin-token or ATSMOCK_SERVER_ADMIN_TOKEN"
    )
    token = interpolate(service["environment"]["ATSMOCK_SERVER_ADMIN_TOKEN"], {"ATSMOCK_SERVER_ADMIN_TOKEN": "t0k"})
    monkeypatch.setenv("ATSMOCK_SERVER_ADMIN_TOKEN", token)
    assert cli.exposed_admin_warning(settings_from(argv)) is None
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "prints a warning that its admin API has no token" in readme


def test_the_variables_it_reads_are_atsmock_settings_or_compose_own(service: dict[str, Any]) -> None:
    """Exported in a shell for compose, they must not stop a local ``atsmock serve`` as unknown keys."""
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    names = set(re.findall(r"\$\{(\w+)", text))
    assert names == {
        "ATSMOCK_SERVER_PUBLIC_URL",
        "ATSMOCK_SERVER_ADMIN_TOKEN",
        "ATSMOCK_SERVER_STATE_DIR",
        "COMPOSE_ATSMOCK_BIND",
    }
    names.discard("COMPOSE_ATSMOCK_BIND")  # compose's own (the published address), not read by atsmock
    settings = load_settings(environ={n: "http://localhost:9000" for n in names})
    assert (settings.server.public_url, settings.server.admin_token, settings.server.state_dir) == (
        "http://localhost:9000",
        "http://localhost:9000",
        "http://localhost:9000",
    )


def test_the_environment_it_sets_is_valid_config(service: dict[str, Any]) -> None:
    environ = {name: interpolate(str(value), {}) for name, value in service.get("environment", {}).items()}
    assert all(name.startswith("ATSMOCK_") for name in environ)
    settings = load_settings(environ=environ)
    assert settings.server.admin_token == ""
    assert load_settings(environ={**environ, "ATSMOCK_SERVER_ADMIN_TOKEN": "t"}).server.admin_token == "t"


def test_state_lives_in_a_named_volume_unless_the_host_asks_for_memory_only(service: dict[str, Any]) -> None:
    """A container restart (or crash) keeps what the team's manual tests set up (issue 17)."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert service["volumes"] == ["atsmock-state:/var/lib/atsmock"]
    assert compose["volumes"] == {"atsmock-state": None}
    state_dir = service["environment"]["ATSMOCK_SERVER_STATE_DIR"]
    assert load_settings(environ={"ATSMOCK_SERVER_STATE_DIR": interpolate(state_dir, {})}).server.state_dir == (
        "/var/lib/atsmock"
    )
    memory_only = interpolate(state_dir, {"ATSMOCK_SERVER_STATE_DIR": ""})
    assert memory_only == ""
    assert load_settings(environ={"ATSMOCK_SERVER_STATE_DIR": memory_only}).server.state_dir == ""


def contained(part: Any, whole: Any) -> bool:
    """Whether every key of ``part`` is in ``whole`` with a value it contains (mappings), or the same value."""
    if isinstance(part, dict):
        return isinstance(whole, dict) and all(k in whole and contained(v, whole[k]) for k, v in part.items())
    return bool(part == whole)


def test_the_persistence_page_quotes_the_compose_file() -> None:
    """docs/persistence.md shows how compose keeps state: its yaml is docker-compose.yml's, not an older layout."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    page = (ROOT / "docs" / "persistence.md").read_text(encoding="utf-8")
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", page, re.S)]
    assert [sorted(b["services"]["atsmock"]) for b in blocks] == [["environment", "volumes"]]
    assert [contained(b, compose) for b in blocks] == [True]
    assert set(re.findall(r"atsmock-state:([\w/.-]+)", page)) == {"/var/lib/atsmock"}  # prose too


def test_the_healthcheck_polls_admin_health(service: dict[str, Any]) -> None:
    check = service["healthcheck"]
    test = check["test"]
    assert test[0] == "CMD"
    assert "http://127.0.0.1:8000/__admin/health" in " ".join(test)
    for key in ("interval", "timeout", "retries"):
        assert key in check


@pytest.mark.live
def test_the_healthcheck_command_passes_against_a_live_server_and_fails_without_one(
    service: dict[str, Any], live: Any
) -> None:
    test = service["healthcheck"]["test"][1:]
    assert test[:2] == ["python", "-c"]
    code = test[2].replace("http://127.0.0.1:8000", live.url)
    assert subprocess.run([sys.executable, "-c", code], timeout=20).returncode == 0
    with socket_closed_port() as port:
        code = test[2].replace("http://127.0.0.1:8000", f"http://127.0.0.1:{port}")
        assert subprocess.run([sys.executable, "-c", code], timeout=20, capture_output=True).returncode != 0


@contextmanager
def socket_closed_port() -> Iterator[int]:
    """A port nothing listens on: bound but never listening, for the duration of the block."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_the_dockerfile_runs_atsmock_serve_on_port_8000(settings_from: Any) -> None:
    instructions = dockerfile_instructions()
    first = dict(instructions)
    assert first["FROM"].startswith("python:3.11")
    assert first["EXPOSE"] == "8000"
    assert json.loads(first["ENTRYPOINT"]) == ["atsmock"]
    cmd = json.loads(first["CMD"])
    assert cmd[0] == "serve"
    settings = settings_from(cmd)
    assert (settings.server.host, settings.server.port) == ("0.0.0.0", 8000)
    healthcheck = first["HEALTHCHECK"]
    assert "/__admin/health" in healthcheck and "127.0.0.1:8000" in healthcheck
    # Everything the package needs at run time is copied in before the install.
    copied = [shlex.split(args)[0] for name, args in instructions if name == "COPY"]
    assert {"mockservers", "contracts", "pyproject.toml"} <= set(copied)
