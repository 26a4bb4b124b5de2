"""The OpenAPI documents atsmock implements (one folder per vendor) and their contract suites.

``read_openapi(name)`` reads ``contracts/<name>/openapi.yaml`` as text, ``parse_openapi`` parses
such a text, and ``load_openapi(name)`` does both once per process (for tests and tools). Importing
this package has no side effects.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any


def read_openapi(name: str) -> str:
    """The YAML text of ``contracts/<name>/openapi.yaml`` (package data)."""
    return resources.files(__name__).joinpath(name, "openapi.yaml").read_text(encoding="utf-8")


def parse_openapi(text: str, name: str = "document") -> dict[str, Any]:
    """An OpenAPI document's YAML text as a mapping (libyaml's loader where it is built in)."""
    import yaml  # lazy: only needed when a document is served or tested

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    document = yaml.load(text, Loader=loader)
    if not isinstance(document, dict):
        raise ValueError(f"contracts/{name}/openapi.yaml is not a mapping")
    return document


@functools.cache
def load_openapi(name: str) -> dict[str, Any]:
    """``parse_openapi(read_openapi(name))``, cached: treat the answer as read-only."""
    return parse_openapi(read_openapi(name), name)
