"""One vendor's contract suite: every operation's generated cases, each answer run through every check.

``build`` makes the schemathesis schema from the vendor's validated document, with the auth its
``x-atsmock-auth`` names and the vendor's aiming hooks (``contracts/<vendor>/hooks.py``'s
``install``, when it has one). ``run`` sends positive and negative cases per operation (Hypothesis
``max_examples`` each), validates every answer with each check separately, so a failure names its
check, and collects failures with the request and answer that show them rather than stopping at
the first: a drift report against a real vendor wants all of them.
"""

from __future__ import annotations

import copy
import importlib
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from contracts import auth as auth_kinds
from contracts import checks as check_names
from contracts.document import validated
from contracts.target import Target

EXCERPT = 400
CI_MAX_EXAMPLES = 10
"""Generated cases per operation and mode when neither ``--max-examples`` nor a profile says."""
BEFORE_STEP = "atsmock_before_step"
"""Where ``build`` keeps the vendor's ``before_step`` on the schema, for ``run_stateful``."""
"""Characters of a request or answer body kept in a failure."""
ATSMOCK_ONLY = ("openapi",)
"""operationIds every document has for atsmock's own routes (the document itself at ``/openapi.json``),
which a vendor does not serve: ``build(..., vendor_root=True)`` leaves them out."""


@dataclass(frozen=True)
class Failure:
    """One check that failed on one answer: enough to reproduce it by hand."""

    vendor: str
    operation: str
    check: str
    message: str
    request: str
    response: str


@dataclass
class Outcome:
    """A vendor's run: counts per (operation, check), failures (first per operation and check), cost."""

    vendor: str
    requests: int = 0
    seconds: float = 0.0
    passed: dict[tuple[str, str], int] = field(default_factory=dict)
    failed: dict[tuple[str, str], int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    links: dict[tuple[str, str, int], int] = field(default_factory=dict)
    """Stateful runs: linked steps taken, per (from operation, to operation, answer status)."""
    succeeded: dict[tuple[str, str], int] = field(default_factory=dict)
    """Stateful runs: linked steps the vendor answered as done, per (from operation, to operation):
    a 2xx, unless the vendor's hooks read success otherwise (``succeeded``; Ashby's HTTP 200
    ``success: false`` is an error)."""
    accepted: int = 0
    """Answers to operations that need the credentials (no ``security: []``) the vendor answered as
    done, both phases. None at all means the run checked only refusals: wrong credentials or root."""
    refusals: dict[int, int] = field(default_factory=dict)
    """Answers to those operations that were not done, per status."""
    refused: tuple[str, str] | None = None
    """The first of them: its request and answer, as a ``Failure`` shows them."""

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def walked(self) -> set[tuple[str, str]]:
        """Stateful runs: the (from operation, to operation) links taken at least once to a done answer."""
        return {pair for pair, n in self.succeeded.items() if n}

    @property
    def checks_passed(self) -> set[str]:
        """The checks that passed on at least one operation."""
        return {check for (_, check) in self.passed}

    def absorb(self, other: Outcome) -> None:
        """Add another run of the same vendor (the stateful phase after the per-operation one)."""
        self.requests += other.requests
        self.seconds += other.seconds
        for mine, theirs in ((self.passed, other.passed), (self.failed, other.failed)):
            for key, count in theirs.items():
                mine[key] = mine.get(key, 0) + count
        known = {(f.operation, f.check) for f in self.failures}
        self.failures += [f for f in other.failures if (f.operation, f.check) not in known]
        for step, count in other.links.items():
            self.links[step] = self.links.get(step, 0) + count
        for pair, count in other.succeeded.items():
            self.succeeded[pair] = self.succeeded.get(pair, 0) + count
        self.accepted += other.accepted
        for status, count in other.refusals.items():
            self.refusals[status] = self.refusals.get(status, 0) + count
        self.refused = self.refused or other.refused


def _hooks(vendor: str) -> Any:
    """``contracts/<vendor>/hooks.py``, or None when the vendor needs no aiming."""
    try:
        return importlib.import_module(f"contracts.{vendor}.hooks")
    except ModuleNotFoundError:
        return None


def check_functions(vendor: str) -> dict[str, Any]:
    """Each check's function for ``vendor``: schemathesis' own, unless the vendor's hooks module
    adapts one to a documented vendor convention (``adapt_checks``; e.g. Ashby's HTTP 200 errors)."""
    functions = check_names.functions()
    adapt = getattr(_hooks(vendor), "adapt_checks", None)
    return dict(adapt(functions)) if adapt is not None else functions


def build(
    vendor: str,
    target: Target,
    credentials: Mapping[str, str],
    *,
    now: Callable[[], float] = time.time,
    vendor_root: bool = False,
) -> Any:
    """The vendor's schemathesis schema, authenticated and aimed at ``target``.

    A vendor's ``install`` may answer a ``before_step(case)`` function: the stateful phase calls it
    right before each step is sent, after the links have set its values (schemathesis dispatches
    ``before_call`` hooks only globally, which would reach every vendor's schema). PageUp's PUTs the
    bytes to a linked temporary upload, as a client does between ``prepareTempDirectUpload`` and
    ``moveFromTemp``. ``vendor_root``: the target is the vendor's own API root (a real UAT), so the
    operations of atsmock's own routes (``ATSMOCK_ONLY``) are left out."""
    import schemathesis

    document = validated(vendor)
    # A copy: the stateful phase writes into the document it was given (its link bookkeeping), and
    # the parsed document is cached and shared (the mocks serve it).
    schema: Any = schemathesis.openapi.from_dict(copy.deepcopy(document))
    if vendor_root:
        schema = schema.exclude(operation_id=list(ATSMOCK_ONLY))
    # In process the schema carries the app: checks that re-send a probe (ignored_auth) use the
    # schema's transport, which is only the ASGI one when the schema knows the app.
    schema.app = target.app
    schema.auth.set_from_requests(auth_kinds.for_document(document, credentials, post_form=target.post_form, now=now))
    install = getattr(_hooks(vendor), "install", None)
    before_step = install(schema, target, credentials) if install is not None else None
    setattr(schema, BEFORE_STEP, before_step)
    return schema


def default_max_examples() -> int:
    """``CI_MAX_EXAMPLES``, unless ``HYPOTHESIS_PROFILE`` names a registered Hypothesis profile (conftest.py
    registers ``dev``, ``ci`` and ``nightly``): then that profile's ``max_examples``. An unregistered
    name (the CLI outside pytest registers none) falls back to ``CI_MAX_EXAMPLES``."""
    name = os.environ.get("HYPOTHESIS_PROFILE")
    if not name:
        return CI_MAX_EXAMPLES
    from hypothesis import settings
    from hypothesis.errors import InvalidArgument

    try:
        return int(settings.get_profile(name).max_examples)
    except InvalidArgument:
        return CI_MAX_EXAMPLES


def _excerpt(data: Any) -> str:
    if data is None:
        return ""
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data)
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "…"


def _explain(failure: Any) -> str:
    """A check failure's title and, when it has one, its message: schemathesis names the invalid
    component there (``Invalid component: ...``), which is what makes a negative case reproducible."""
    message = str(getattr(failure, "message", "") or "").strip()
    return f"{failure.title}: {message}" if message else str(failure.title)


def _describe_request(response: Any) -> str:
    request = response.request
    return f"{request.method} {request.url}\n{_excerpt(request.body)}".rstrip()


def _describe_response(response: Any) -> str:
    return f"{response.status_code}\n{_excerpt(response.content)}".rstrip()


class _Checker:
    """Runs each chosen check on one answer and records it in an ``Outcome``: a failure (the first
    per operation and check keeps its request and answer) or a pass."""

    def __init__(self, vendor: str, checks: Sequence[str], outcome: Outcome) -> None:
        functions = check_functions(vendor)
        self.vendor = vendor
        self.chosen = {name: functions[name] for name in checks}
        self.outcome = outcome
        self.seen: set[tuple[str, str]] = set()
        self.succeeded = getattr(_hooks(vendor), "succeeded", _is_2xx)

    def record(self, label: str, name: str, message: str, response: Any, request_text: str | None = None) -> None:
        key = (label, name)
        self.outcome.failed[key] = self.outcome.failed.get(key, 0) + 1
        if key not in self.seen:
            self.seen.add(key)
            self.outcome.failures.append(
                Failure(
                    self.vendor,
                    label,
                    name,
                    message.strip(),
                    request_text if request_text is not None else _describe_request(response),
                    _describe_response(response) if response is not None else "",
                )
            )

    def no_answer(self, case: Any, exc: BaseException) -> None:
        """A transport failure is the server's, not a check's."""
        request = f"{case.method} {case.path}"
        self.record(case.operation.label, "not_a_server_error", f"no answer: {exc!r}", None, request)

    def check(self, case: Any, response: Any, kwargs: Mapping[str, Any], recorder: Any = None) -> None:
        """Every chosen check on ``response``; ``recorder`` (the stateful phase's) lets
        ``use_after_free`` and ``ensure_resource_availability`` see the steps before this one."""
        from schemathesis.core.failures import Failure as CheckFailure
        from schemathesis.core.failures import FailureGroup

        here = case.operation.label
        extra = {"recorder": recorder} if recorder is not None else {}
        if case.operation.definition.raw.get("security") != []:
            if self.succeeded(response):
                self.outcome.accepted += 1
            else:
                status = int(response.status_code)
                self.outcome.refusals[status] = self.outcome.refusals.get(status, 0) + 1
                if self.outcome.refused is None:
                    self.outcome.refused = (_describe_request(response), _describe_response(response))
        for name, check in self.chosen.items():
            try:
                case.validate_response(response, checks=[check], transport_kwargs=dict(kwargs), **extra)
            except FailureGroup as group:
                self.record(here, name, "\n".join(_explain(f) for f in group.exceptions), response)
            except CheckFailure as failure:
                self.record(here, name, _explain(failure), response)
            else:
                self.outcome.passed[(here, name)] = self.outcome.passed.get((here, name), 0) + 1


def run(
    vendor: str,
    schema: Any,
    target: Target,
    *,
    max_examples: int | None = None,
    checks: Sequence[str] = check_names.NAMES,
    progress: Callable[[str], None] | None = None,
) -> Outcome:
    """Every operation of ``schema`` against ``target`` with every check; never raises on a failure.

    ``max_examples`` per operation and mode; None is ``default_max_examples()``."""
    from hypothesis import HealthCheck, given, settings
    from schemathesis import GenerationMode

    examples = default_max_examples() if max_examples is None else max_examples
    outcome = Outcome(vendor)
    checker = _Checker(vendor, checks, outcome)
    kwargs = {"base_url": target.base_url}
    started = time.perf_counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        if progress is not None:
            progress(f"{vendor}: {operation.label}")
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=examples,
                deadline=None,
                suppress_health_check=list(HealthCheck),
                database=None,
                derandomize=True,
            )
            def one(case: Any) -> None:
                outcome.requests += 1
                try:
                    response = case.call(**kwargs)
                except Exception as exc:
                    checker.no_answer(case, exc)
                    return
                checker.check(case, response, kwargs)

            try:
                one()
            except Exception as exc:  # generation could not produce a case (an unsatisfiable schema)
                if "Unsatisfiable" not in type(exc).__name__:
                    raise
    outcome.seconds = time.perf_counter() - started
    return outcome


STATEFUL_STEPS = 8
"""Steps per generated workflow in the stateful phase."""
STATEFUL_SCALE = 3
"""Workflows per run, as a multiple of the per-operation examples, when ``max_examples`` is not given:
a workflow walks one of the document's chains at random, and 30 of them reach delete-after-create."""
STATEFUL_ATTEMPTS = 5
"""Runs of the state machine at most, when a replay meets changed target state (``Flaky``)."""


def _is_2xx(response: Any) -> bool:
    return bool(200 <= response.status_code < 300)


def _required(operation: Any, slot: Any) -> bool:
    """Whether ``operation`` requires the input ``slot`` fills: a required parameter, or a top-level
    body field some body alternative requires. Nested or unreadable ones count as required."""
    from schemathesis.core.parameters import ParameterLocation

    if slot.parameter_location != ParameterLocation.BODY:
        for parameter in operation.iter_parameters():
            if parameter.location == slot.parameter_location and parameter.name == slot.parameter_name:
                return bool(parameter.is_required)
        return True
    if slot.body_path:
        return True
    for body in operation.body:
        required = body.optimized_schema.get("required", []) if isinstance(body.optimized_schema, dict) else []
        if slot.parameter_name in required:
            return True
    return False


def _optional_inputs_are_not_dependencies(schema: Any) -> None:
    """Let a creating operation start workflows although an optional field names a resource no
    operation produces (Ashby's ``candidate.create`` takes an optional ``sourceId``).

    Schemathesis starts workflows only from operations it judges "likely to succeed with random
    data", and it judges any input naming an unproduced resource a sure failure; that is only true
    of a required one. Without this the only root of Ashby's document was ``candidate.list`` and
    no workflow ever created a candidate. Links declared in the document are unchanged."""
    graph = schema.analysis.dependency_graph
    produced = {output.resource.name for node in graph.operations.values() for output in node.outputs}
    for label, node in graph.operations.items():
        operation = schema.find_operation_by_label(label)
        if operation is None:
            continue
        node.inputs = [
            slot
            for slot in node.inputs
            if slot.resource.name in produced or slot.resource_field is None or _required(operation, slot)
        ]


def run_stateful(
    vendor: str,
    schema: Any,
    target: Target,
    *,
    max_examples: int | None = None,
    checks: Sequence[str] = check_names.NAMES,
    progress: Callable[[str], None] | None = None,
) -> Outcome:
    """Schemathesis' stateful phase: workflows that follow the document's OpenAPI links (create,
    read, replace, delete, read again), each answer through every check; never raises on a failure.

    Only here do ``use_after_free`` (a read after a successful delete must be a 404) and
    ``ensure_resource_availability`` (a read right after a successful create must not be) see
    anything: they judge a step by the steps before it. ``outcome.links`` counts the linked steps
    taken, per (from, to, status), and ``outcome.succeeded`` those the vendor answered as done, so
    a test can prove the workflows were walked."""
    from hypothesis import HealthCheck, settings
    from hypothesis.errors import Flaky
    from schemathesis.core.errors import NoLinksFound

    examples = default_max_examples() * STATEFUL_SCALE if max_examples is None else max_examples
    outcome = Outcome(vendor)
    checker = _Checker(vendor, checks, outcome)
    kwargs = {"base_url": target.base_url}
    started = time.perf_counter()
    if progress is not None:
        progress(f"{vendor}: stateful workflows")

    _optional_inputs_are_not_dependencies(schema)
    before_step = getattr(schema, BEFORE_STEP, None)

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return dict(kwargs)

        def call(self, case: Any, **call_kwargs: Any) -> Any:
            outcome.requests += 1
            if before_step is not None:
                before_step(case)
            try:
                return case.call(**call_kwargs)
            except Exception as exc:
                checker.no_answer(case, exc)
                raise _NoAnswer from exc

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kw: Any) -> None:
            parent = self.recorder.find_parent(case_id=case.id)
            if parent is not None:
                pair = (parent.operation.label, case.operation.label)
                step = (*pair, response.status_code)
                outcome.links[step] = outcome.links.get(step, 0) + 1
                if checker.succeeded(response):
                    outcome.succeeded[pair] = outcome.succeeded.get(pair, 0) + 1
            checker.check(case, response, kwargs, recorder=self.recorder)

    scenarios = [0]
    setup = Workflow.setup

    def counted_setup(self: Any) -> None:
        scenarios[0] += 1
        setup(self)

    Workflow.setup = counted_setup
    for attempt in range(STATEFUL_ATTEMPTS):
        try:
            Workflow.run(
                settings=settings(
                    max_examples=examples - scenarios[0],
                    stateful_step_count=STATEFUL_STEPS,
                    deadline=None,
                    suppress_health_check=list(HealthCheck),
                    database=None,
                    derandomize=attempt == 0,
                )
            )
            break
        except _NoAnswer:
            break  # recorded as not_a_server_error; the workflow cannot go on without an answer
        except NoLinksFound:
            if progress is not None:
                progress(f"{vendor}: the document has no links and schemathesis infers none: no stateful phase")
            break
        except Flaky:
            # Hypothesis replayed a workflow's prefix and the target, keeping what the first pass
            # created, answered it differently (a 201 is now a 409 "taken"), so a link's
            # precondition flipped. Every answer so far is checked and recorded; explore on with
            # fresh random workflows for the rest of the budget, as schemathesis' own engine does.
            if progress is not None:
                progress(f"{vendor}: a replayed workflow met changed state; exploring on ({scenarios[0]} done)")
            if scenarios[0] >= examples:
                break
    outcome.seconds = time.perf_counter() - started
    return outcome


class _NoAnswer(Exception):
    """A stateful step got no answer (already recorded): ends the run."""
