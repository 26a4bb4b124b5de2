"""Where the state dir comes from: ``--state-dir``, ``[server] state_dir``, ``ATSMOCK_SERVER_STATE_DIR``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mockservers import cli
from mockservers.app import create_app
from mockservers.config import Settings, load_settings


def test_the_toml_file_and_the_environment_set_it(tmp_path: Path) -> None:
    config = tmp_path / "atsmock.toml"
    config.write_text('[server]\nstate_dir = "/var/lib/atsmock"\n')
    assert load_settings(config, {}).server.state_dir == "/var/lib/atsmock"
    env = {"ATSMOCK_SERVER_STATE_DIR": "/data/atsmock"}
    assert load_settings(config, env).server.state_dir == "/data/atsmock"
    assert load_settings(None, {}).server.state_dir == ""


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[str, Any]]:
    """``atsmock serve ARGS`` building the app and printing the banner, without serving."""
    apps: list[Any] = []

    def fake_serve(settings: Settings, announce: Callable[[Any], None], *, vendors: Any) -> None:
        apps.append(create_app(settings, vendors=vendors))
        announce(apps[-1])

    monkeypatch.setattr("mockservers.server.serve", fake_serve)

    def run(*argv: str) -> tuple[str, Any]:
        assert cli.main(["serve", *argv]) == 0
        return capsys.readouterr().out, apps[-1]

    yield run
    for app in apps:
        app.platform.close()


def test_the_flag_wins_and_the_banner_names_the_directory(
    served: Callable[..., tuple[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATSMOCK_SERVER_STATE_DIR", str(tmp_path / "from-env"))
    out, app = served("--state-dir", str(tmp_path / "from-flag"))
    assert f"\n  state     {tmp_path / 'from-flag'}\n" in out
    assert (app.platform.state.directory, (tmp_path / "from-env").exists()) == (tmp_path / "from-flag", False)


def test_without_it_nothing_is_written(
    served: Callable[..., tuple[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out, app = served()
    assert ("  state " not in out, app.platform.state.durable, list(tmp_path.iterdir())) == (True, False, [])
