"""The shared base of every vendor's Hypothesis state machine (issue 14, item 3).

Each vendor's ``contracts/<vendor>/test_stateful.py`` subclasses ``VendorMachine`` and adds only its
rules (upload, attach, replace, download, delete where the vendor has them; expiry by moving the
clock). This module holds what every machine shares:

- a fresh in-process app per example, its mock clock frozen, so an expiry moves only when a rule
  moves it through the admin API (``/__admin/clock/advance``); nothing sleeps;
- ``call(operationId, ...)``: one request built from the vendor's own contract document (method and
  path come from ``contracts/<vendor>/openapi.yaml``), its answer checked on the way back;
- the invariants, checked on every answer and after every step: the status is one the contract
  documents for the operation, the body of every error validates against the contract's schema for
  that status *and* the vendor's error component (the document, not a restatement of it), nothing
  answers 5xx unless a fault asked for it, ids are never handed out twice, and every download
  (``expect_download``) is exactly the bytes uploaded;
- ``faulted``: schedules one of the vendor's own fault scenarios for the next request and checks it
  fired and was consumed in the same rule, so no fault outlives the rule that injected it.

How deep a run goes follows the Hypothesis profile (``HYPOTHESIS_PROFILE``, registered in the root
conftest): ``machine_settings()`` scales examples and steps from it; see docs/contracts-stateful.md.
"""

from __future__ import annotations

import functools
import json
import unittest
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

import httpx
import yaml
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant
from openapi_schema_validator import OAS31Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from mockservers.testing import AdminClient, in_process_client, make_app

CONTRACTS = Path(__file__).parent
BASE_URI = "urn:atsmock-contract"

CONTENTS: st.SearchStrategy[bytes] = st.binary(min_size=1, max_size=512)
"""What the machines upload: any bytes, never empty (an empty file is its own documented refusal)."""


def machine_settings() -> settings:
    """Examples and steps for a state machine, scaled from the loaded Hypothesis profile.

    The ``ci`` profile (30 examples) gives 10 runs of 15 steps per vendor; ``nightly`` (1000) gives
    333 runs of 40 steps. A machine's example is a whole workflow, so it costs far more than one
    generated request: the divisor keeps the five machines under 15 s in CI.
    """
    examples = settings.default.max_examples
    return settings(
        max_examples=max(5, examples // 3),
        stateful_step_count=15 if examples <= 50 else 40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _nullable_as_any_of(node: Any) -> Any:
    """An OpenAPI 3.0 document's schemas in 3.1's terms: ``nullable: true`` becomes ``anyOf [schema, null]``.

    How schemathesis reads 3.0 too; it also makes ``nullable`` beside ``allOf: [$ref]`` (Clinch's
    ``NullableDateTime``) accept null, which a strict 3.0.3 reading would not (nullable there only
    counts beside ``type``).
    """
    if isinstance(node, list):
        return [_nullable_as_any_of(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _nullable_as_any_of(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable") is True:
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


class Contract:
    """A vendor's OpenAPI document as the machines read it: operations, documented statuses, schemas."""

    def __init__(self, vendor: str) -> None:
        self.vendor = vendor
        self.document: dict[str, Any] = yaml.safe_load((CONTRACTS / vendor / "openapi.yaml").read_text())
        self.prefix = httpx.URL(self.document["servers"][0]["url"]).path.rstrip("/")
        self.operations: dict[str, tuple[str, str]] = {}
        for path, item in self.document["paths"].items():
            for method, operation in item.items():
                if isinstance(operation, dict) and "operationId" in operation:
                    self.operations[operation["operationId"]] = (method.upper(), path)
        schemas = (
            self.document if str(self.document["openapi"]).startswith("3.1") else _nullable_as_any_of(self.document)
        )
        resource = Resource.from_contents(schemas, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(BASE_URI, resource)
        self._validator = OAS31Validator

    def url(self, operation_id: str, **path: Any) -> tuple[str, str]:
        """The method and the path (under the server root) of an operation, its path parameters filled in."""
        method, template = self.operations[operation_id]
        for name, value in path.items():
            template = template.replace("{" + name + "}", quote(str(value), safe=""))
        return method, self.prefix + template

    def documented_statuses(self, operation_id: str) -> set[str]:
        method, path = self.operations[operation_id]
        return set(self._deref(f"#/paths/{_escape(path)}/{method.lower()}/responses")[1])

    def _deref(self, pointer: str) -> tuple[str, Any]:
        node: Any = self.document
        for part in pointer.lstrip("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        if isinstance(node, dict) and "$ref" in node:
            return self._deref(node["$ref"])
        return pointer, node

    def response(self, operation_id: str, status: int) -> tuple[str, dict[str, Any]]:
        """The documented response (its JSON pointer, its object) of ``operation_id`` for ``status``."""
        method, path = self.operations[operation_id]
        base = f"#/paths/{_escape(path)}/{method.lower()}/responses"
        documented = self._deref(base)[1]
        key = str(status) if str(status) in documented else f"{str(status)[0]}XX"
        assert key in documented, f"{self.vendor} {operation_id} answered {status}, which its contract does not list"
        return self._deref(f"{base}/{key}")

    def validate(self, pointer: str, instance: Any) -> None:
        """Validate ``instance`` against the schema at ``pointer`` in the document; AssertionError naming why."""
        validator = self._validator({"$ref": f"{BASE_URI}{pointer}"}, registry=self._registry)
        problems = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        assert not problems, f"{self.vendor} {pointer}: {problems[0].message} in {json.dumps(instance)[:400]}"

    def check(self, operation_id: str, response: httpx.Response) -> None:
        """The answer's status is documented, and its JSON body matches the documented schema for it."""
        pointer, documented = self.response(operation_id, response.status_code)
        content = documented.get("content") or {}
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if not content:
            return
        assert media in content, f"{self.vendor} {operation_id} {response.status_code}: {media!r} is not documented"
        if "schema" in content[media] and ("json" in media):
            self.validate(f"{pointer}/content/{_escape(media)}/schema", response.json())


@functools.cache
def contract(vendor: str) -> Contract:
    """Each vendor's document, loaded once per test session."""
    return Contract(vendor)


class VendorMachine(RuleBasedStateMachine):
    """One vendor's mock, fresh per example, with the invariants every vendor keeps.

    A subclass sets ``vendor`` and ``error_schemas`` (the names of the contract's error components:
    every error body must validate against one of them) and adds its rules. It calls the API with
    ``call`` (checked on the way back), records each id it is handed with ``new_id`` and each
    download with ``expect_download``. ``is_error`` says which answers are errors; Ashby overrides it
    (HTTP 200 with ``success: false``).
    """

    vendor: ClassVar[str]
    error_schemas: ClassVar[tuple[str, ...]]
    own_rule_scenarios: ClassVar[frozenset[str]] = frozenset()
    """Scenarios that answer normally on most requests (``wttj.remote_fetch_timeout``): a rule of their own."""

    def __init__(self) -> None:
        super().__init__()
        self.contract = contract(self.vendor)
        self.app = make_app()
        self.http = in_process_client(self.app)
        self.admin = AdminClient(self.http)
        self.admin.freeze()
        self.seen_ids: set[tuple[str, str]] = set()
        self.fault_armed = False
        self.answers = 0
        self._scenarios = {
            s["name"]: s["status"]
            for s in self.admin.scenarios()
            if s["name"].startswith(f"{self.vendor}.") and (s["status"] or 0) >= 400
        }

    def teardown(self) -> None:
        self.http.close()

    # -- requests ----------------------------------------------------------------------------------

    def call(self, operation_id: str, path: Mapping[str, Any] | None = None, **kwargs: Any) -> httpx.Response:
        """One request to ``operation_id`` (method and path from the contract); the answer, checked."""
        method, url = self.contract.url(operation_id, **(path or {}))
        response = self.http.request(method, url, **kwargs)
        self.check_answer(operation_id, response)
        return response

    def is_error(self, response: httpx.Response) -> bool:
        return response.status_code >= 400

    def check_answer(self, operation_id: str, response: httpx.Response) -> None:
        """Every answer: documented and schema-valid; an error in the vendor's envelope; no 5xx unless faulted."""
        self.answers += 1
        assert response.status_code < 500 or self.fault_armed, (
            f"{self.vendor} {operation_id} answered {response.status_code} with no fault scheduled: {response.text}"
        )
        self.contract.check(operation_id, response)
        if self.is_error(response):
            self.check_envelope(response.json())

    def check_envelope(self, body: Any) -> None:
        """The body is one of the vendor's error components, as its contract document defines them."""
        failures = []
        for name in self.error_schemas:
            try:
                self.contract.validate(f"#/components/schemas/{name}", body)
                return
            except AssertionError as failure:
                failures.append(str(failure))
        raise AssertionError(f"{self.vendor}: not the vendor's error envelope: {'; '.join(failures)}")

    def refused(self, response: httpx.Response, status: int) -> Any:
        """Assert the answer is an error with exactly ``status``; its body."""
        assert self.is_error(response) and response.status_code == status, (response.status_code, response.text)
        return response.json()

    def ok(self, response: httpx.Response, status: int = 200) -> Any:
        """Assert the answer succeeded with exactly ``status``; its JSON body."""
        assert response.status_code == status and not self.is_error(response), (response.status_code, response.text)
        return response.json()

    # -- ids, bytes, the clock -----------------------------------------------------------------------

    def new_id(self, kind: str, value: Any) -> str:
        """Record an id the vendor just handed out; it must never have been handed out before."""
        key = (kind, str(value))
        assert key not in self.seen_ids, f"{self.vendor} reused the {kind} id {value!r}"
        self.seen_ids.add(key)
        return str(value)

    def expect_download(self, url: str, expected: bytes) -> httpx.Response:
        """GET a download URL (presigned S3 or the vendor's own): exactly the bytes that were uploaded."""
        response = self.http.get(url)
        assert response.status_code == 200, (response.status_code, response.text)
        assert response.content == expected, f"{self.vendor}: downloaded {response.content!r}, uploaded {expected!r}"
        return response

    def expect_expired_link(self, url: str) -> None:
        """A presigned URL past its lifetime: S3's exact 403 AccessDenied "Request has expired"."""
        response = self.http.get(url)
        assert response.status_code == 403, (response.status_code, response.text)
        assert b"<Code>AccessDenied</Code>" in response.content, response.text
        assert b"<Message>Request has expired</Message>" in response.content, response.text

    def advance(self, seconds: float) -> None:
        self.admin.advance(seconds)

    # -- faults --------------------------------------------------------------------------------------

    @contextmanager
    def faulted(self, scenario: str, operation: str, status: int | None = None) -> Iterator[int]:
        """Schedule ``scenario`` once on ``operation`` for the block; yields the status it answers with.

        On leaving, the fault must have fired (nothing scheduled remains) and the journal must show it
        on exactly one request: a fault never outlives the rule that injected it.
        """
        status = self._scenarios[scenario] if status is None else status
        self.admin.add_fault(scenario, operation=operation, times=1)
        self.fault_armed = status >= 500
        try:
            yield status
        finally:
            self.fault_armed = False
            left = self.admin.faults()
            self.admin.clear_faults()
        assert left == [], f"{scenario} on {operation} did not fire: {left}"
        fired = [e for e in self.admin.requests(vendor=self.vendor) if e["fault"] == scenario]
        assert len(fired) >= 1, f"the journal shows no request answered by {scenario}"

    def scenario_names(self, operation: str | None = None) -> list[str]:
        """The vendor's own fault scenarios that answer with an error status (from ``/__admin/scenarios``); those
        that answer normally but hand out something broken (``ashby.upload_url_expired``) get their own rules."""
        names = set(self._scenarios) - self.own_rule_scenarios
        if operation is not None:  # only what the contract lists for it (clinch.unprocessable is no GET's answer)
            documented = self.contract.documented_statuses(operation)
            names = {n for n in names if str(self._scenarios[n]) in documented}
        return sorted(names)

    @invariant()
    def no_fault_outlives_its_rule(self) -> None:
        assert not self.fault_armed


def as_test(machine: type[VendorMachine]) -> type[unittest.TestCase]:
    """The machine as a test case pytest collects, run with ``machine_settings()``."""
    test: type[unittest.TestCase] = machine.TestCase
    test.settings = machine_settings()  # type: ignore[attr-defined]
    return test
