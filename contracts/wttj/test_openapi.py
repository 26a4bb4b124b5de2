"""WTTJ's contract suite (contracts/suite.py) against the in-process app; zero failures allowed.

All eleven checks (contracts/checks.py), authenticated from the document's ``x-atsmock-auth``,
aimed by contracts/wttj/hooks.py at the seeded job and candidate; every ``remote_file_urls`` URL of
an aimed case is a PDF this module serves on 127.0.0.1 (as ``files.test``, the credentials'
``file_url``), so attaching succeeds too.

The app's fetcher reaches ``files.test`` only (loopback is otherwise refused, and no other name
resolves): the generated URLs are refused with 400 ``validation_failed``, as a real service refuses a
URL it cannot download, and no generated URL reaches anything.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.routing import Route

from contracts import auth, checks, load_openapi, suite
from contracts.target import Target
from mockservers.config import Settings
from mockservers.core.fetch import Fetcher, FetchPolicy
from mockservers.testing import make_app
from tests.core.fetch_support import ScriptedServer, answer, names

SEEDED = "wttj-d655345409a6097309156b05"
PDF = b"%PDF-1.4\n%%EOF\n"

_POLICY = FetchPolicy(allow_loopback=False, allow_hosts=("files.test",), connect_timeout=2, total_timeout=5)
APP = make_app(Settings(fetch=_POLICY))
APP.platform.fetcher = Fetcher(_POLICY, resolve=names({"files.test": ["127.0.0.1"]}))
TARGET = Target("http://testserver/wttj", APP)


@pytest.fixture(scope="module")
def file_url() -> Iterator[str]:
    files = ScriptedServer()
    files.route("/resume.pdf", answer(200, PDF, {"Content-Type": "application/pdf"}))
    yield f"http://files.test:{files.port}/resume.pdf"
    files.close()


def test_wttj_conforms_to_its_contract(file_url: str) -> None:
    credentials = {**auth.mock_credentials("wttj", APP.platform.settings), "file_url": file_url}
    schema = suite.build("wttj", TARGET, credentials, now=APP.platform.clock.now)
    outcome = suite.run("wttj", schema, TARGET)
    assert outcome.failures == []
    assert outcome.requests > 80
    assert set(outcome.passed) == {(op, check) for op, _ in outcome.passed for check in checks.NAMES}
    # The hooks did their job: the run attached documents and created candidates.
    vendor = APP.platform.vendors["wttj"].app.state.vendor
    seeded = vendor.candidates.find(SEEDED)
    assert seeded is not None and vendor.documents.of(seeded)
    assert len(vendor.candidates) > 1


ROUTES = [r for r in APP.platform.vendors["wttj"].app.routes if isinstance(r, Route)]
"""The routes the mounted vendor serves (its contract's own route included)."""


def test_route_names_are_the_operation_ids() -> None:
    document = load_openapi("wttj")
    operation_ids = [op["operationId"] for path in document["paths"].values() for op in path.values()]
    assert sorted(route.name for route in ROUTES) == sorted(operation_ids)


def test_every_route_is_documented_at_its_path() -> None:
    document = load_openapi("wttj")
    documented = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    assert {
        (route.path, method) for route in ROUTES for method in route.methods or () if method != "HEAD"
    } == documented


def test_every_api_operation_documents_its_error_statuses() -> None:
    for path, item in load_openapi("wttj")["paths"].items():
        for method, operation in item.items():
            if path.startswith("/api/"):
                assert {"200" if method == "get" else "201", "400", "401", "403", "404", "500", "503"} <= set(
                    operation["responses"]
                ), (method, path)


def test_the_seeded_things_are_the_documented_examples() -> None:
    from mockservers.wttj.models import JOBS, ORGANIZATION_REFERENCE, SEEDED_CANDIDATE

    text = str(load_openapi("wttj"))
    for reference in (ORGANIZATION_REFERENCE, SEEDED_CANDIDATE, *(job.reference for job in JOBS)):
        assert reference in text
    for stage in (s for job in JOBS for s in job.stages):
        assert f"{stage.id} {stage.name}" in text
