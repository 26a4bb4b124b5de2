"""The checks every contract suite runs (issue 14's list), by schemathesis 4's own names."""

from __future__ import annotations

from typing import Any

NAMES = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "ignored_auth",
    "use_after_free",
    "ensure_resource_availability",
)


def functions() -> dict[str, Any]:
    """Each name's check function (schemathesis is imported here, lazily: it is heavy)."""
    import schemathesis.checks

    return {name: getattr(schemathesis.checks, name) for name in NAMES}
