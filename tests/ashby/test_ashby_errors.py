"""The one envelope renderer: request ids, journal notes, success bodies."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any

from mockservers.ashby.errors import render, request_id, success
from mockservers.core.errors import NOT_FOUND, RATE_LIMITED, VendorError
from mockservers.core.journal import SCOPE_KEY


def test_request_id_is_the_journal_entry_id() -> None:
    entry = SimpleNamespace(id="req-1", error_code=None)
    scope: dict[str, Any] = {SCOPE_KEY: entry}
    response = render(VendorError(NOT_FOUND, "No candidate", code="candidate_not_found"), scope)
    assert json.loads(response.body) == {
        "success": False,
        "errors": ["candidate_not_found"],
        "errorInfo": {"code": "candidate_not_found", "message": "No candidate", "requestId": "req-1"},
    }
    assert entry.error_code == "candidate_not_found"
    assert response.status_code == 200


def test_request_id_outside_the_core_is_ulid_like() -> None:
    first, second = request_id({}), request_id({})
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", first)
    assert first != second


def test_headers_and_status_are_kept() -> None:
    response = render(VendorError(RATE_LIMITED, "slow", code="rate_limit_exceeded", headers={"Retry-After": "1"}), {})
    assert (response.status_code, response.headers["retry-after"]) == (429, "1")


def test_success_body() -> None:
    assert json.loads(success([1], moreDataAvailable=False).body) == {
        "success": True,
        "results": [1],
        "moreDataAvailable": False,
    }
