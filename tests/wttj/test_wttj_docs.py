"""The WTTJ page's configuration example loads as it says."""

from __future__ import annotations

from pathlib import Path

from mockservers.config import load_settings
from mockservers.core.fetch import FetchPolicy
from mockservers.wttj.settings import BearerToken

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "wttj.toml"


def test_the_config_example_loads() -> None:
    settings = load_settings(EXAMPLE, environ={})
    assert settings.fetch == FetchPolicy(
        allow_hosts=("files", "*.corp.test", "10.1.0.0/16"), total_timeout=10.0, connect_timeout=2.0
    )
    wttj = settings.wttj
    assert (wttj.max_document_size, wttj.download_ttl_seconds, wttj.max_candidates) == (10 * 1024 * 1024, 600, 1000)
    assert wttj.tokens == (
        BearerToken("my-token", ("documents_r", "documents_rw", "my_candidates_r", "my_candidates_rw")),
    )


def test_the_fetch_allow_list_comes_from_the_environment_comma_separated() -> None:
    settings = load_settings(
        environ={"ATSMOCK_FETCH_ALLOW_HOSTS": "files, docs.test", "ATSMOCK_WTTJ_MAX_CANDIDATES": "5"}
    )
    assert (settings.fetch.allow_hosts, settings.wttj.max_candidates) == (("files", "docs.test"), 5)
