"""Mapping a request to its operationId before the vendor's router runs."""

from __future__ import annotations

import pytest
from starlette.responses import Response
from starlette.routing import Mount, Route

from mockservers.core.operations import OperationTable


async def endpoint(request: object) -> Response:  # pragma: no cover - never called
    return Response()


def documents_list() -> None: ...


ROUTES = [
    Route("/openapi.json", endpoint, name="openapi"),
    Route("/documents", endpoint, methods=["GET"], name="listDocuments"),
    Route("/documents", endpoint, methods=["POST"], name="createDocument"),
    Route("/documents/search", endpoint, methods=["GET"], name="searchDocuments"),
    Route("/documents/{id}", endpoint, methods=["GET"], name="getDocument"),
    Route("/documents/{id}", endpoint, methods=["DELETE"], name="deleteDocument"),
    Route("/files/{path:path}", endpoint, methods=["PUT"], name="putFile"),
    Mount("/static", routes=[]),
]


@pytest.fixture
def table() -> OperationTable:
    return OperationTable.from_routes(ROUTES, exclude=["openapi"])


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    [
        ("GET", "/documents", "listDocuments"),
        ("HEAD", "/documents", "listDocuments"),
        ("POST", "/documents", "createDocument"),
        ("GET", "/documents/search", "searchDocuments"),
        ("GET", "/documents/42", "getDocument"),
        ("HEAD", "/documents/42", "getDocument"),
        ("DELETE", "/documents/42", "deleteDocument"),
        ("PUT", "/files/a/b/c.pdf", "putFile"),
        ("PUT", "/documents/42", None),
        ("GET", "/documents/42/extra", None),
        ("GET", "/openapi.json", None),
        ("GET", "/static/x", None),
        ("GET", "/", None),
    ],
)
def test_resolve(table: OperationTable, method: str, path: str, operation: str | None) -> None:
    assert table.resolve(method, path) == operation


def test_names_are_the_operation_ids(table: OperationTable) -> None:
    assert table.names == {
        "listDocuments",
        "createDocument",
        "searchDocuments",
        "getDocument",
        "deleteDocument",
        "putFile",
    }


def test_head_falls_back_to_get_on_exact_paths_without_an_explicit_head() -> None:
    table = OperationTable([("/ping", Route("/ping", endpoint).path_regex, frozenset({"GET"}), "ping")])
    assert table.resolve("HEAD", "/ping") == "ping"
    assert table.resolve("POST", "/ping") is None
