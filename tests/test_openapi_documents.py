"""Every OpenAPI document under contracts/ is valid OpenAPI and names the auth its suite uses."""

from __future__ import annotations

import pytest

from contracts.document import DOCUMENTS, validated
from mockservers.vendors import served


def test_every_served_vendor_has_a_document() -> None:
    assert {vendor.name for vendor in served()} <= set(DOCUMENTS)


@pytest.mark.parametrize("name", DOCUMENTS)
def test_document_passes_the_openapi_validator(name: str) -> None:
    document = validated(name)
    assert document["openapi"] in {"3.0.3", "3.1.0"}  # Clinch keeps its published 3.0.3
