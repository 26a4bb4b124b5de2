"""Candidates over HTTP: create, read by UUID or remote id, update, with exact statuses and envelopes."""

from __future__ import annotations

from typing import Any

import pytest
from endorsed_support import FORBIDDEN, NOT_FOUND, RO, Endorsed, created, envelope, fails, issue

from mockservers.config import Settings
from mockservers.endorsed.settings import EndorsedSettings
from mockservers.testing import AdminClient, in_process_client, make_app

FULL = {
    "first_name": "John",
    "last_name": "Doe",
    "title": "Software Engineer",
    "company_name": "Endorsed",
    "location": "San Francisco, CA",
    "phone_numbers": [{"value": "+1 555 0100", "type": "mobile"}, {"value": "555 0101"}],
    "email_addresses": [{"value": "john@example.com", "type": "work"}],
    "links": [{"value": "https://github.com/john", "type": "github"}],
    "remote_id": "remote-candidate-1",
}


def test_create_then_read_by_uuid_and_by_remote_id(endorsed: Endorsed, admin: AdminClient) -> None:
    admin.freeze()
    candidate = created(endorsed.call("POST", "candidates", json=FULL))
    response = endorsed.call("GET", f"candidates/{candidate}")
    assert response.status_code == 200
    result = response.json()["result"]
    assert result == {
        "id": candidate,
        "remote_id": "remote-candidate-1",
        "first_name": "John",
        "last_name": "Doe",
        "title": "Software Engineer",
        "company_name": "Endorsed",
        "location": "San Francisco, CA",
        "phone_numbers": [{"value": "+1 555 0100", "type": "mobile"}, {"value": "555 0101", "type": None}],
        "email_addresses": [{"value": "john@example.com", "type": "work"}],
        "links": [{"value": "https://github.com/john", "type": "github"}],
        "created_at": admin.clock()["now"],
        "modified_at": admin.clock()["now"],
    }
    assert endorsed.call("GET", "candidates/remote.remote-candidate-1").json() == {"is_error": False, "result": result}


def test_only_first_name_and_remote_id_are_needed(endorsed: Endorsed) -> None:
    candidate = created(
        endorsed.call("POST", "candidates", json={"first_name": "Ada", "remote_id": "a", "title": None})
    )
    result = endorsed.call("GET", f"candidates/{candidate}").json()["result"]
    assert {k: result[k] for k in ("last_name", "title", "phone_numbers", "links")} == {
        "last_name": None,
        "title": None,
        "phone_numbers": [],
        "links": [],
    }


def test_every_invalid_field_is_its_own_issue(endorsed: Endorsed) -> None:
    body = {
        "last_name": 3,
        "phone_numbers": [{"value": "1", "type": "pager"}, "555", {"type": "home"}],
        "email_addresses": {"value": "x"},
        "links": [{"value": "x", "type": "twitter"}],
    }
    fails(
        endorsed.call("POST", "candidates", json=body),
        400,
        envelope(
            "BAD_REQUEST",
            issue("Required", "first_name"),
            issue("Expected string, received number", "last_name"),
            issue(
                "Invalid enum value. Expected 'home' | 'work' | 'mobile' | 'other', received 'pager'",
                "phone_numbers",
                0,
                "type",
            ),
            issue("Expected object, received string", "phone_numbers", 1),
            issue("Required", "phone_numbers", 2, "value"),
            issue("Expected array, received object", "email_addresses"),
            issue(
                "Invalid enum value. Expected 'personal' | 'portfolio' | 'blog' | 'social_media' | 'linkedin' | "
                "'github', received 'twitter'",
                "links",
                0,
                "type",
            ),
            issue("Required", "remote_id"),
        ),
    )
    email = {"first_name": "A", "remote_id": "r", "email_addresses": [{"value": "x", "type": "home"}]}
    fails(
        endorsed.call("POST", "candidates", json=email),
        400,
        envelope(
            "BAD_REQUEST",
            issue("Invalid enum value. Expected 'personal' | 'work', received 'home'", "email_addresses", 0, "type"),
        ),
    )


def test_json_only_and_no_content_type_means_json(endorsed: Endorsed) -> None:
    fails(
        endorsed.call("POST", "candidates", data={"first_name": "A", "remote_id": "r"}),
        415,
        envelope(
            "UNSUPPORTED_MEDIA_TYPE",
            issue("Content-Type must be application/json, not application/x-www-form-urlencoded"),
        ),
    )
    response = endorsed.call("POST", "candidates", content=b'{"first_name": "A", "remote_id": "r"}')
    assert "content-type" not in response.request.headers
    created(response)
    empty = endorsed.call("POST", "candidates", content=b"")
    fails(empty, 400, envelope("BAD_REQUEST", issue("Required", "first_name"), issue("Required", "remote_id")))


def test_remote_ids_are_unique(endorsed: Endorsed) -> None:
    endorsed.candidate("dup")
    message = "A candidate with remote_id 'dup' already exists."
    response = endorsed.call("POST", "candidates", json={"first_name": "B", "remote_id": "dup"})
    fails(response, 409, envelope("CONFLICT", issue(message, "remote_id")))


def test_update_replaces_every_field(endorsed: Endorsed, admin: AdminClient) -> None:
    admin.freeze()
    candidate = created(endorsed.call("POST", "candidates", json=FULL))
    before = endorsed.call("GET", f"candidates/{candidate}").json()["result"]
    admin.advance(60)
    body = {"first_name": "Johnny", "remote_id": "remote-candidate-1", "links": []}
    assert created(endorsed.call("PUT", "candidates/remote.remote-candidate-1", json=body), 200) == candidate
    after = endorsed.call("GET", f"candidates/{candidate}").json()["result"]
    assert after == {
        **before,
        "first_name": "Johnny",
        "last_name": None,
        "title": None,
        "company_name": None,
        "location": None,
        "phone_numbers": [],
        "email_addresses": [],
        "links": [],
        "modified_at": admin.clock()["now"],
    }


def test_update_rules(endorsed: Endorsed) -> None:
    first = endorsed.candidate("one")
    endorsed.candidate("two")
    assert created(endorsed.call("PUT", f"candidates/{first}", json={"first_name": "A", "remote_id": "uno"}), 200)
    fails(endorsed.call("GET", "candidates/remote.one"), 404, NOT_FOUND)
    conflict = envelope("CONFLICT", issue("A candidate with remote_id 'two' already exists.", "remote_id"))
    fails(endorsed.call("PUT", f"candidates/{first}", json={"first_name": "A", "remote_id": "two"}), 409, conflict)
    mismatch = envelope("BAD_REQUEST", issue("remote_id must equal the remote id of the path (uno)", "remote_id"))
    fails(endorsed.call("PUT", "candidates/remote.uno", json={"first_name": "A", "remote_id": "x"}), 400, mismatch)
    body = {"first_name": "A", "remote_id": "new"}
    fails(endorsed.call("PUT", "candidates/remote.new", json=body), 404, NOT_FOUND)
    fails(endorsed.call("PUT", "candidates/5b8a5a9e-0000-4000-8000-000000000000", json=body), 404, NOT_FOUND)
    fails(
        endorsed.call("PUT", f"candidates/{first}", json={"remote_id": "uno"}),
        400,
        envelope("BAD_REQUEST", issue("Required", "first_name")),
    )


@pytest.mark.parametrize("ref", ["nope", "remote.", "5b8a5a9e"])
def test_ids_that_are_neither_uuid_nor_remote_are_400(endorsed: Endorsed, ref: str) -> None:
    expected = envelope("BAD_REQUEST", issue("Invalid id: expected a UUID or remote.<remote_id>", "id"))
    fails(endorsed.call("GET", f"candidates/{ref}"), 400, expected)


def test_unknown_candidates_are_not_found(endorsed: Endorsed) -> None:
    fails(endorsed.call("GET", "candidates/remote.nobody"), 404, NOT_FOUND)
    fails(endorsed.call("GET", "candidates/5b8a5a9e-0000-4000-8000-000000000000"), 404, NOT_FOUND)


def test_the_read_only_client_reads_but_cannot_write(endorsed: Endorsed) -> None:
    candidate = endorsed.candidate("r")
    assert endorsed.call("GET", f"candidates/{candidate}", RO).status_code == 200
    fails(endorsed.call("POST", "candidates", RO, json={"first_name": "A", "remote_id": "b"}), 403, FORBIDDEN)
    fails(
        endorsed.call("PUT", f"candidates/{candidate}", RO, json={"first_name": "A", "remote_id": "r"}), 403, FORBIDDEN
    )


def test_at_most_max_candidates() -> None:
    app: Any = make_app(Settings().replace(endorsed=EndorsedSettings(max_candidates=2)))
    with in_process_client(app) as http:
        endorsed = Endorsed(http)
        endorsed.candidate("a")
        endorsed.candidate("b")
        message = "The mock holds at most 2 candidates (endorsed.max_candidates); reset it or raise the limit."
        response = endorsed.call("POST", "candidates", json={"first_name": "C", "remote_id": "c"})
        fails(response, 409, envelope("CONFLICT", issue(message)))
        AdminClient(http).reset("endorsed")
        assert Endorsed(http).candidate("c")


def test_bodies_over_64_kib_are_413(endorsed: Endorsed) -> None:
    body = {"first_name": "A" * 70_000, "remote_id": "r"}
    expected = envelope("PAYLOAD_TOO_LARGE", issue("The request body is larger than 65536 bytes"))
    fails(endorsed.call("POST", "candidates", json=body), 413, expected)
