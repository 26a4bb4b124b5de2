"""The OpenAPI documents atsmock implements (one folder per vendor) and their contract suites.

``load_openapi(name)`` parses ``contracts/<name>/openapi.yaml`` once; importing this package has
no side effects.
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any


@functools.cache
def load_openapi(name: str) -> dict[str, Any]:
    import yaml  # lazy: only needed when a document is served or tested

    text = resources.files(__name__).joinpath(name, "openapi.yaml").read_text(encoding="utf-8")
    document = yaml.safe_load(text)
    if not isinstance(document, dict):
        raise ValueError(f"contracts/{name}/openapi.yaml is not a mapping")
    return document
