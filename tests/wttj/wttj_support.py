"""Shared helpers for the WTTJ tests: apps with a table resolver, the seeded names, and exact envelopes."""

from __future__ import annotations

import functools
import re
from typing import Any

import httpx
from fetch_support import names

from mockservers.config import Settings
from mockservers.core.fetch import Fetcher, FetchPolicy
from mockservers.testing import make_app
from mockservers.wttj.settings import WttjSettings

TOKEN = "atsmock-wttj"
READONLY = "atsmock-wttj-readonly"
ORGANIZATION = "Pg4eV6k"
JOB = "WTTJ_KmqkD1Y"
OTHER_JOB = "WTTJ_gld0A7L"
NEW_STAGE = 14598
REFUSED_STAGE = 14600
SEEDED = "wttj-d655345409a6097309156b05"
API = "/wttj/api/v1/external"
DEFAULT: Any = object()
"""Stands for "the helper's own token" in ``Wttj`` calls (None sends no credentials)."""

NAMES = {
    "files.test": ["127.0.0.1"],
    "internal.test": ["10.0.0.1"],
    "metadata.test": ["169.254.169.254"],
    "public.test": ["93.184.216.34"],
    "mixed.test": ["127.0.0.1", "10.0.0.5"],
}
"""What the tests' resolver answers; any other name does not resolve, and nothing asks the system's."""

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def app_with(
    *, fetch: FetchPolicy | None = None, wttj: WttjSettings | None = None, resolve: Any = None, **server: Any
) -> Any:
    """A fresh in-process app whose fetcher follows ``fetch`` and resolves ``NAMES`` (or ``resolve``)."""
    settings = Settings(fetch=fetch or FetchPolicy())
    if wttj is not None:
        settings = settings.replace(wttj=wttj)
    if server:
        settings = settings.with_server(**server)
    app = make_app(settings)
    app.platform.fetcher = Fetcher(settings.fetch, resolve=resolve or names(NAMES))
    return app


def new_candidate(**fields: Any) -> dict[str, Any]:
    """The required fields of ``POST /candidates`` (on the seeded job's first stage), with ``fields`` added."""
    return {
        "organization_reference": ORGANIZATION,
        "job_reference": JOB,
        "job_stage_id": NEW_STAGE,
        "email": "ada@example.com",
        "firstname": "Ada",
        "lastname": "Lovelace",
        **fields,
    }


def envelope(code: str, description: str) -> dict[str, str]:
    return {"error": code, "error_description": description}


def fails(response: httpx.Response, status: int, code: str, description: str) -> None:
    """Assert the exact status and WTTJ envelope, and that the contract documents the answer."""
    assert (response.status_code, response.json()) == (status, envelope(code, description))
    conforms(response)


@functools.cache
def contract() -> Any:
    """The WTTJ OpenAPI document as schemathesis reads it."""
    import schemathesis

    from contracts import load_openapi

    return schemathesis.openapi.from_dict(load_openapi("wttj"))


def conforms(response: httpx.Response) -> None:
    """Fail unless the contract documents ``response`` for its operation (paths under the vendor prefix)."""
    request = response.request
    path = request.url.path.removeprefix("/wttj")
    document = contract()
    for template in document.raw_schema["paths"]:
        pattern = template.replace("{reference}", "[^/]+")
        if re.fullmatch(pattern, path) and request.method.lower() in document.raw_schema["paths"][template]:
            document[template][request.method].validate_response(response)
            return


class Wttj:
    """Calls the WTTJ mock over an httpx client at ``prefix`` (``/wttj/api/v1/external``, or the root's)."""

    def __init__(self, http: httpx.Client, prefix: str = API, token: str = TOKEN) -> None:
        self.http = http
        self.prefix = prefix
        self.token = token

    def _auth(self, token: Any) -> dict[str, str]:
        chosen = self.token if token is DEFAULT else token
        return {} if chosen is None else {"Authorization": f"Bearer {chosen}"}

    def post(self, path: str, body: Any, *, token: Any = DEFAULT, **kwargs: Any) -> httpx.Response:
        return self.http.post(f"{self.prefix}{path}", json=body, headers=self._auth(token), **kwargs)

    def get(self, path: str, params: Any = None, *, token: Any = DEFAULT) -> httpx.Response:
        return self.http.get(f"{self.prefix}{path}", params=params, headers=self._auth(token))

    def create(self, token: Any = DEFAULT, **fields: Any) -> dict[str, Any]:
        """A new candidate (201 checked); ``fields`` override or add to ``new_candidate()``."""
        response = self.post("/candidates", new_candidate(**fields), token=token)
        assert response.status_code == 201, response.text
        conforms(response)
        return dict(response.json())

    def attach(self, reference: str, *entries: tuple[str, str], token: Any = DEFAULT) -> httpx.Response:
        """``POST /documents`` with ``(filename, url)`` pairs."""
        body = {"candidate_reference": reference, "remote_file_urls": [{"filename": f, "url": u} for f, u in entries]}
        return self.post("/documents", body, token=token)

    def documents(self, reference: str, **params: Any) -> httpx.Response:
        return self.get("/documents", {"candidate_reference": reference, **params})

    def download(self, url: str) -> httpx.Response:
        return self.http.get(url)
