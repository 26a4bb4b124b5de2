"""Welcome to the Jungle's settings and default API tokens (the ``[wttj]`` TOML section)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mockservers.core.vendor import Credential


@dataclass(frozen=True)
class BearerToken:
    token: str
    scopes: tuple[str, ...]


@dataclass(frozen=True)
class WttjSettings:
    tokens: tuple[BearerToken, ...] = (
        BearerToken("atsmock-wttj", ("documents_r", "documents_rw", "candidates_r", "candidates_rw")),
        BearerToken("atsmock-wttj-readonly", ("documents_r", "candidates_r")),
    )


def credentials(settings: WttjSettings) -> Sequence[Credential]:
    return [Credential("bearer token", t.token, "", " ".join(t.scopes)) for t in settings.tokens]
