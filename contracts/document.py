"""Load an OpenAPI document and prove it is one: every contract passes openapi-spec-validator.

A document that parses but is not valid OpenAPI (a YAML slip turning a description into a stray
key, as once happened in Clinch's) makes schemathesis test something other than what we
implement, so the suites and ``atsmock contract`` load documents through ``validated``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from contracts import load_openapi

DOCUMENTS = ("pageup", "ashby", "wttj", "clinch", "endorsed", "admin")
"""Every OpenAPI document under contracts/ (the five vendors and the admin API)."""


def validated(name: str) -> dict[str, Any]:
    """``contracts/<name>/openapi.yaml``, parsed and validated; raises on an invalid document."""
    from openapi_spec_validator import validate  # lazy: heavy, only a contract run needs it

    document = load_openapi(name)
    validate(document)
    return document


def api_path(name: str) -> str:
    """Where the vendor's paths start below its atsmock mount ``/<name>``: ``/v1`` for Clinch
    (its ``servers`` URL is ``.../clinch/v1``), empty for vendors whose paths start at the mount."""
    servers = load_openapi(name).get("servers") or [{}]
    path = urlsplit(str(servers[0].get("url", ""))).path.rstrip("/")
    mount = f"/{name}"
    return path[len(mount) :] if path.startswith(mount) else ""
