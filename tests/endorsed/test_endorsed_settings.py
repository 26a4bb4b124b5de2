"""The ``[endorsed]`` section: its defaults, a TOML file, ``ATSMOCK_ENDORSED_*`` and refused values."""

from __future__ import annotations

from pathlib import Path

import pytest

from mockservers.config import ConfigError, load_settings
from mockservers.endorsed.settings import EndorsedClient


def test_toml_and_environment(tmp_path: Path) -> None:
    config = tmp_path / "atsmock.toml"
    config.write_text(
        "[endorsed]\ntoken_ttl_seconds = 3600\n\n[[endorsed.clients]]\n"
        'client_id = "11111111-1111-4111-8111-111111111111"\nclient_secret = "s"\nscopes = ["all:read"]\n',
        encoding="utf-8",
    )
    settings = load_settings(config, environ={"ATSMOCK_ENDORSED_DOWNLOAD_TTL_SECONDS": "60"}).endorsed
    assert (settings.token_ttl_seconds, settings.download_ttl_seconds, settings.max_file_size) == (3600, 60, 52428800)
    assert settings.clients == (EndorsedClient("11111111-1111-4111-8111-111111111111", "s", ("all:read",)),)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ATSMOCK_ENDORSED_TOKEN_TTL_SECONDS", "0", "token_ttl_seconds must be at least 1"),
        ("ATSMOCK_ENDORSED_DOWNLOAD_TTL_SECONDS", "604801", "download_ttl_seconds must be at most 604800"),
    ],
)
def test_values_the_mock_cannot_serve_are_config_errors(variable: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(environ={variable: value})
