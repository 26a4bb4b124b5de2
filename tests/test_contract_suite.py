"""The shared contract suite's own mechanics (contracts/suite.py), on a toy API it fully controls:
a server that keeps its document passes, one that accepts a violation fails, and the failure says
which component was invalid (what a QA engineer needs to reproduce a negative case by hand)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
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


THINGS: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "things", "version": "1"},
    "paths": {
        "/things": {
            "post": {
                "operationId": "createThing",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "responses": {
                    "201": {
                        "description": "made",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["id"],
                                    "properties": {"id": {"type": "string"}},
                                }
                            }
                        },
                        "links": {
                            "Get": {"operationId": "getThing", "parameters": {"id": "$response.body#/id"}},
                            "Delete": {"operationId": "deleteThing", "parameters": {"id": "$response.body#/id"}},
                        },
                    },
                    "400": {"description": "refused"},
                },
            }
        },
        "/things/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {
                "operationId": "getThing",
                "responses": {"200": {"description": "the thing"}, "404": {"description": "none"}},
            },
            "delete": {
                "operationId": "deleteThing",
                "responses": {
                    "204": {
                        "description": "gone",
                        "links": {"GetDeleted": {"operationId": "getThing", "parameters": {"id": "$request.path.id"}}},
                    },
                    "404": {"description": "none"},
                },
            },
        },
    },
}


def things_app(*, forgets_deletes: bool) -> Starlette:
    """Things that a delete removes, or (``forgets_deletes``) that a delete answers 204 for and keeps."""
    store: set[str] = set()

    async def create(request: Request) -> JSONResponse:
        try:
            body = json.loads(await request.body())
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return JSONResponse({}, status_code=400)
        thing = f"t{len(store) + 1}-{id(body)}"
        store.add(thing)
        return JSONResponse({"id": thing}, status_code=201)

    async def read(request: Request) -> JSONResponse:
        thing = request.path_params["id"]
        return JSONResponse({}, status_code=200 if thing in store else 404)

    async def delete(request: Request) -> Response:
        thing = request.path_params["id"]
        if thing not in store:
            return JSONResponse({}, status_code=404)
        if not forgets_deletes:
            store.discard(thing)
        return Response(status_code=204)

    return Starlette(
        routes=[
            Route("/things", create, methods=["POST"]),
            Route("/things/{id}", read, methods=["GET"]),
            Route("/things/{id}", delete, methods=["DELETE"]),
        ]
    )


@pytest.mark.parametrize("forgets_deletes", [False, True], ids=["deletes", "forgets-deletes"])
def test_the_stateful_phase_follows_links_and_catches_a_use_after_free(forgets_deletes: bool) -> None:
    import schemathesis

    app = things_app(forgets_deletes=forgets_deletes)
    schema = schemathesis.openapi.from_dict(THINGS)
    schema.app = app
    outcome = suite.run_stateful("toy", schema, Target("http://testserver", app), max_examples=30)
    walked = {(src, dst, status) for src, dst, status in outcome.links}
    assert ("POST /things", "DELETE /things/{id}", 204) in walked
    failed = sorted({(f.operation, f.check) for f in outcome.failures})
    assert failed == ([("GET /things/{id}", "use_after_free")] if forgets_deletes else [])


def test_a_document_without_links_has_no_stateful_phase() -> None:
    outcome = suite.run_stateful("toy", schema_for(APP), TARGET, max_examples=5)
    assert (outcome.requests, outcome.failures, outcome.links) == (0, [], {})
