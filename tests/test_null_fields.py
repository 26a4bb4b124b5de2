"""Every served vendor's document says ``null`` wherever its mock reads ``null`` as left out.

The drift this catches made CI fail by chance, one field at a time (Ashby's ``website``, Endorsed's
``title``): schemathesis' negative mode drew ``null`` for a field the document typed without it, and
the mock, which reads ``null`` as absent (each vendor's fidelity row), accepted it.
``contracts.null_fields`` probes every such field at once; the toy below proves the probe finds one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from contracts import auth, null_fields, suite
from contracts.document import DOCUMENTS, api_path
from contracts.target import Target
from mockservers.testing import make_app
from mockservers.vendors import served
from tests.core.fetch_support import ScriptedServer, answer

VENDORS = [vendor.name for vendor in served() if vendor.name in DOCUMENTS]


def credential_sets(vendor: str, settings: Any) -> list[dict[str, str]]:
    """The suite's credentials, and for Ashby each other key too: job postings need its job-board key."""
    first = auth.mock_credentials(vendor, settings)
    if vendor != "ashby":
        return [first]
    return [first, *({"api_key": key.api_key} for key in settings.ashby.api_keys if key.api_key != first["api_key"])]


@pytest.fixture(scope="module")
def file_url() -> Iterator[str]:
    """A file on 127.0.0.1, for the credentials' ``file_url``: the aimed URL bodies (Endorsed's
    ``public_file_url``, WTTJ's ``remote_file_urls``) then download, so their probes are decided.
    Without it no such body was ever accepted and Endorsed's JSON ``candidate_id`` went unprobed."""
    files = ScriptedServer()
    files.route("/cv.pdf", answer(200, b"%PDF-1.4 probe", {"Content-Type": "application/pdf"}))
    yield files.url("/cv.pdf")
    files.close()


def _drift(vendor: str, file_url: str, value: Any) -> list[null_fields.Drift]:
    app = make_app()
    target = Target(f"http://testserver/{vendor}{api_path(vendor)}", app)
    found: list[null_fields.Drift] = []
    for credentials in credential_sets(vendor, app.platform.settings):
        schema = suite.build(vendor, target, {**credentials, "file_url": file_url}, now=app.platform.clock.now)
        found += null_fields.drift(schema, target, value=value)
    return found


@pytest.mark.parametrize("vendor", VENDORS)
def test_no_optional_field_the_document_types_without_null_is_accepted_as_null(vendor: str, file_url: str) -> None:
    found = _drift(vendor, file_url, None)
    assert [(d.operation, d.field) for d in found] == [], found[0].request if found else ""


@pytest.mark.parametrize("vendor", VENDORS)
def test_no_optional_field_the_document_refuses_empty_is_accepted_empty(vendor: str, file_url: str) -> None:
    """The same drift for ``""``, which mocks read as absent too (Endorsed's ``candidate_id``, WTTJ's
    ``remote_*_url`` and, as Grape's nil, ``archived``) and the negative mode draws for a field whose
    ``format`` (uuid, uri) or type refuses it: a random run found Endorsed's."""
    found = _drift(vendor, file_url, "")
    assert [(d.operation, d.field) for d in found] == [], found[0].request if found else ""


DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "toy", "version": "1"},
    "paths": {
        "/things": {
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "note": {"type": "string"},
                                    "tags": {"type": ["array", "null"], "items": {"type": "string"}},
                                    "owner": {
                                        "type": "object",
                                        "properties": {"email": {"type": "string"}},
                                    },
                                },
                            }
                        }
                    },
                },
                "responses": {"201": {"description": "made"}, "400": {"description": "refused"}},
            }
        }
    },
}


def toy(null_is_absent: set[str]) -> tuple[Any, Target]:
    """A toy API that validates its document except that ``null`` is absent for ``null_is_absent``."""

    async def create(request: Request) -> JSONResponse:
        body = json.loads(await request.body())
        nulls = {name for name, value in body.items() if value is None} - {"tags"}
        owner = body.get("owner")
        if isinstance(owner, dict) and "email" in owner and owner["email"] is None:
            nulls.add("owner.email")
        return JSONResponse({}, status_code=400 if nulls - null_is_absent else 201)

    import schemathesis

    app = Starlette(routes=[Route("/things", create, methods=["POST"])])
    schema = schemathesis.openapi.from_dict(DOCUMENT)
    schema.app = app
    return schema, Target("http://testserver", app)


def test_the_probe_finds_every_optional_field_a_mock_reads_null_as_absent_and_only_those() -> None:
    schema, target = toy({"note", "owner.email"})
    probes = {(p.field, p.drift is not None, p.refused) for p in null_fields.probes(schema, target)}
    assert probes == {("note", True, False), ("owner", False, True), ("owner.email", True, False)}


def test_null_is_allowed_by_each_form_a_document_can_write_it() -> None:
    document: dict[str, Any] = {"components": {"schemas": {"N": {"type": ["string", "null"]}}}}
    allowed = [
        {"type": ["string", "null"]},
        {"type": "string", "nullable": True},
        {"enum": ["a", None]},
        {"oneOf": [{"type": "string"}, {"type": "null"}]},
        {"$ref": "#/components/schemas/N"},
        {"allOf": [{"$ref": "#/components/schemas/N"}, {"enum": ["a", None]}]},
        {},
    ]
    refused = [{"type": "string"}, {"enum": ["a"]}, {"anyOf": [{"type": "string"}]}, {"allOf": [{}, {"enum": ["a"]}]}]
    assert [null_fields.allows_null(document, s) for s in allowed] == [True] * len(allowed)
    assert [null_fields.allows_null(document, s) for s in refused] == [False] * len(refused)


def test_empty_is_allowed_as_schemathesis_judges_it() -> None:
    """Formats asserted, as schemathesis' negative mode asserts them: an empty uuid or uri is a violation."""
    document: dict[str, Any] = {"components": {"schemas": {"E": {"type": "string", "maxLength": 0}}}}
    allowed = [
        {"type": "string"},
        {"anyOf": [{"format": "uuid"}, {"maxLength": 0}]},
        {"$ref": "#/components/schemas/E"},
    ]
    refused = [{"type": "string", "format": "uuid"}, {"format": "uri"}, {"type": "integer"}, {"minLength": 1}]
    assert [null_fields.allows(document, s, "") for s in allowed] == [True] * len(allowed)
    assert [null_fields.allows(document, s, "") for s in refused] == [False] * len(refused)
