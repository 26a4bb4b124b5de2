"""The shared contract suite's own mechanics (contracts/suite.py), on a toy API it fully controls:
a server that keeps its document passes, one that accepts a violation fails, and the failure says
which component was invalid (what a QA engineer needs to reproduce a negative case by hand)."""

from __future__ import annotations

import json
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from contracts import suite
from contracts.target import Target

DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "toy", "version": "1"},
    "paths": {
        "/things": {
            "post": {
                "operationId": "createThing",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["n"],
                                "properties": {"n": {"type": "integer", "minimum": 0}},
                                "additionalProperties": False,
                            }
                        }
                    },
                },
                "responses": {
                    "201": {"description": "made"},
                    "400": {"description": "refused"},
                },
            }
        }
    },
}


async def create_thing(request: Request) -> JSONResponse:
    """Exactly the document's rule: an object with only ``n``, an integer of at least 0."""
    try:
        body = json.loads(await request.body())
    except ValueError:
        return JSONResponse({"error": "bad json"}, status_code=400)
    n = body.get("n") if isinstance(body, dict) else None
    valid = isinstance(body, dict) and set(body) == {"n"} and type(n) is int and n >= 0
    return JSONResponse({"n": n} if valid else {"error": "invalid"}, status_code=201 if valid else 400)


APP = Starlette(routes=[Route("/things", create_thing, methods=["POST"])])
TARGET = Target("http://testserver", APP)


def schema_for(app: Any) -> Any:
    import schemathesis

    schema = schemathesis.openapi.from_dict(DOCUMENT)
    schema.app = app
    return schema


def test_a_server_that_keeps_its_document_passes() -> None:
    outcome = suite.run("toy", schema_for(APP), TARGET, max_examples=30, checks=["negative_data_rejection"])
    assert outcome.failures == []
    assert outcome.passed[("POST /things", "negative_data_rejection")] == outcome.requests > 30


def test_a_server_that_accepts_a_violation_fails_and_the_failure_names_the_invalid_component() -> None:
    async def accept_all(request: Request) -> JSONResponse:
        return JSONResponse({}, status_code=201)

    lax = Starlette(routes=[Route("/things", accept_all, methods=["POST"])])
    outcome = suite.run(
        "toy", schema_for(lax), Target("http://testserver", lax), max_examples=30, checks=["negative_data_rejection"]
    )
    assert [(f.operation, f.check) for f in outcome.failures] == [("POST /things", "negative_data_rejection")]
    message = outcome.failures[0].message
    assert message.startswith("Schema-violating request accepted: ")
    assert "Invalid component: " in message
