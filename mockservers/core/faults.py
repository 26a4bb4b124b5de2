"""Fault plans: which scenario fires on which request, how often and with what probability.

With a durable state store the scheduled faults are kept in the ``faults.scheduled`` table, their
counters included (``fired``, and ``draws``: how many times a probabilistic fault drew, so its
random sequence resumes where it stopped). Each fault comes back once its scenario is registered
again after a restart; in memory nothing is encoded.
"""

from __future__ import annotations

import math
import random
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mockservers.core.codecs import JSON
from mockservers.core.errors import AdminError
from mockservers.core.scenarios import TRANSPORT, TRANSPORT_SCENARIOS, Scenario
from mockservers.core.state import StateStore, Table

MAX_FAULTS = 1000
"""Faults that can be scheduled at once: a CI job that keeps adding them cannot grow the server."""


def shown(value: object, limit: int = 80) -> str:
    """A user's value as an admin error message shows it: at most ``limit`` characters, never the whole body."""
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


@dataclass(slots=True)
class Fault:
    """A scheduled scenario. ``times`` 0 fires until removed; ``remaining`` counts down otherwise."""

    id: str
    scenario: Scenario
    vendor: str | None
    operation: str | None
    times: int
    probability: float
    seed: int | None
    delay_ms: int
    fired: int = 0
    rng: random.Random = field(default_factory=random.Random)
    rng_seed: int = 0
    """What ``rng`` was seeded with (``seed``, or a random one), so a restart can rebuild it."""
    draws: int = 0
    """Numbers ``rng`` has given so far."""

    def applies_to(self, vendor: str, operation: str | None) -> bool:
        if self.vendor is not None and self.vendor != vendor:
            return False
        return self.operation is None or self.operation == operation

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "scenario": self.scenario.name,
            "vendor": self.vendor,
            "operation": self.operation,
            "times": self.times,
            "remaining": None if self.times == 0 else self.times - self.fired,
            "fired": self.fired,
            "probability": self.probability,
            "seed": self.seed,
            "delay_ms": self.delay_ms,
        }


class FaultPlan:
    """The scenario catalogue and the faults scheduled from it, checked in the order they were added."""

    def __init__(self, state: StateStore | None = None) -> None:
        self._scenarios: dict[str, Scenario] = {s.name: s for s in TRANSPORT_SCENARIOS}
        self._operations: dict[str, frozenset[str]] = {}
        self._aliases: dict[str, Mapping[str, str]] = {}
        self._faults: list[Fault] = []
        self._saved: Table[str, Any] | None = None
        """The faults as JSON in a durable store; None in memory (nothing to encode per request)."""
        if state is not None and state.durable:
            self._saved = state.table("faults.scheduled", JSON)

    def register_target(
        self,
        vendor: str,
        operations: Iterable[str],
        scenarios: Iterable[Scenario],
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        """Make a vendor (or ``s3``) targetable, with its operationIds, the vendor's own names for them
        (``aliases``: name -> operationId) and its own scenarios."""
        self._operations[vendor] = frozenset(operations)
        self._aliases[vendor] = dict(aliases or {})
        for s in scenarios:
            self._scenarios[s.name] = s
        if self._saved is not None:
            self._restore(self._saved)

    def _restore(self, saved: Table[str, Any]) -> None:
        """The stored faults whose scenario and vendor are known by now, in the order they were added."""
        active = {f.id: f for f in self._faults}
        restored = []
        for fault_id, row in saved.items():
            fault = active.get(fault_id)
            if fault is None:
                scenario = self._scenarios.get(row["scenario"])
                if scenario is None or (row["vendor"] is not None and row["vendor"] not in self._operations):
                    continue
                if row["operation"] is not None:  # saved under a former operationId: the current one
                    row = {**row, "operation": self.operation(row["vendor"], row["operation"]) or row["operation"]}
                fault = _decode(row, scenario)
            restored.append(fault)
        self._faults = restored

    def _save(self, fault: Fault) -> None:
        if self._saved is not None:
            self._saved.put(fault.id, _encode(fault))

    def operation(self, vendor: str | None, name: str) -> str | None:
        """The operationId ``name`` stands for (itself, or a vendor's own name for it) on ``vendor`` (any
        vendor when None); None when no such operation exists."""
        for target in (vendor,) if vendor is not None else self._operations:
            known = self._operations.get(target, frozenset())
            if name in known:
                return name
            found = self._aliases.get(target, {}).get(name)
            if found is not None:
                return found
        return None

    def valid_operations(self, vendor: str | None) -> str:
        """The operation names ``vendor`` (every vendor when None) accepts, for an error message."""
        targets = (vendor,) if vendor is not None else tuple(self._operations)
        shown: list[str] = []
        for target in targets:
            aliases: dict[str, str] = {}
            for alias, op in self._aliases.get(target, {}).items():
                aliases.setdefault(op, alias)  # the vendor's own name, listed first, not a former operationId
            for op in sorted(self._operations.get(target, ())):
                shown.append(f"{op} ({aliases[op]})" if op in aliases else op)
        return ", ".join(shown) or "none"

    @property
    def scenarios(self) -> list[Scenario]:
        return list(self._scenarios.values())

    @property
    def targets(self) -> Mapping[str, frozenset[str]]:
        return self._operations

    def add(self, spec: Mapping[str, Any]) -> Fault:
        """Validate an admin request body and schedule it; ``AdminError`` names what is wrong."""
        if not isinstance(spec, Mapping):
            raise AdminError(400, "invalid_request", "body must be a JSON object")
        unknown = set(spec) - {"scenario", "vendor", "operation", "times", "probability", "seed", "delay_ms"}
        if unknown:
            raise AdminError(
                400, "invalid_request", f"unknown field(s): {', '.join(shown(u) for u in sorted(unknown))}"
            )
        if len(self._faults) >= MAX_FAULTS:
            raise AdminError(409, "too_many_faults", f"{MAX_FAULTS} faults are scheduled already; remove some first")
        name = spec.get("scenario")
        if not isinstance(name, str) or not name:
            raise AdminError(400, "invalid_request", "scenario is required")
        scenario = self._scenarios.get(name)
        if scenario is None:
            raise AdminError(400, "unknown_scenario", f"unknown scenario '{shown(name)}'")
        vendor = spec.get("vendor")
        if vendor is not None and (not isinstance(vendor, str) or vendor not in self._operations):
            raise AdminError(400, "unknown_vendor", f"unknown vendor '{shown(vendor)}'")
        if scenario.vendor != TRANSPORT:
            if vendor is not None and vendor != scenario.vendor:
                raise AdminError(
                    400, "invalid_request", f"scenario '{name}' belongs to vendor '{scenario.vendor}', not '{vendor}'"
                )
            vendor = scenario.vendor
        operation = spec.get("operation")
        if operation is not None:
            canonical = self.operation(vendor, operation) if isinstance(operation, str) else None
            if canonical is None:
                where = f" for vendor '{vendor}'" if vendor else ""
                raise AdminError(
                    400,
                    "unknown_operation",
                    f"unknown operation '{shown(operation)}'{where}; valid: {self.valid_operations(vendor)}",
                )
            operation = canonical
        times = _number(spec, "times", 1, int, 0, None)
        probability = _number(spec, "probability", 1.0, float, 0.0, 1.0)
        seed = spec.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise AdminError(400, "invalid_request", "seed must be an integer")
        delay_ms = _number(spec, "delay_ms", 0, int, 0, 600_000)
        if name == "delay" and "delay_ms" not in spec:
            raise AdminError(400, "invalid_request", "scenario 'delay' needs delay_ms")
        rng_seed = seed if seed is not None else secrets.randbits(64)
        fault = Fault(
            id=str(uuid.uuid4()),
            scenario=scenario,
            vendor=vendor,
            operation=operation,
            times=int(times),
            probability=float(probability),
            seed=seed,
            delay_ms=int(delay_ms),
            rng=random.Random(rng_seed),
            rng_seed=rng_seed,
        )
        self._save(fault)
        self._faults.append(fault)
        return fault

    def match(self, vendor: str, operation: str | None) -> Fault | None:
        """The first fault that fires for this request, counting it; None (fast) when none is set."""
        if not self._faults:
            return None
        for fault in self._faults:
            if not fault.applies_to(vendor, operation):
                continue
            # Every eligible request draws once, so a seed replays the same schedule.
            if fault.probability < 1.0:
                fault.draws += 1
                if fault.rng.random() >= fault.probability:
                    self._save(fault)
                    continue
            fault.fired += 1
            if fault.times and fault.fired >= fault.times:
                self._forget(fault)
            else:
                self._save(fault)
            return fault
        return None

    def _forget(self, fault: Fault) -> None:
        self._faults.remove(fault)
        if self._saved is not None:
            self._saved.delete(fault.id)

    def list(self) -> list[Fault]:
        return list(self._faults)

    def remove(self, fault_id: str) -> bool:
        for fault in self._faults:
            if fault.id == fault_id:
                self._forget(fault)
                return True
        return False

    def clear(self, vendor: str | None = None) -> None:
        saved = self._saved
        if vendor is None:
            self._faults.clear()
            if saved is not None:
                saved.clear()
            return
        self._faults = [f for f in self._faults if f.vendor != vendor]
        if saved is not None:
            for fault_id in [i for i, row in saved.items() if row["vendor"] == vendor]:
                saved.delete(fault_id)


_STORED = ("id", "vendor", "operation", "times", "probability", "seed", "delay_ms", "fired", "rng_seed", "draws")


def _encode(fault: Fault) -> dict[str, Any]:
    return {"scenario": fault.scenario.name, **{name: getattr(fault, name) for name in _STORED}}


def _decode(row: Mapping[str, Any], scenario: Scenario) -> Fault:
    fault = Fault(scenario=scenario, **{name: row[name] for name in _STORED})
    fault.rng = random.Random(fault.rng_seed)
    for _ in range(fault.draws):  # the same point in the sequence as before the restart
        fault.rng.random()
    return fault


def _number(spec: Mapping[str, Any], key: str, default: float, kind: type, low: float, high: float | None) -> Any:
    value = spec.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        ok = False
    elif isinstance(value, float):
        # NaN passes every bound check below (it compares false), so refuse it here with the infinities.
        ok = math.isfinite(value) and (kind is float or value.is_integer())
    else:
        ok = True  # an int of any size: float() of a huge one would overflow
    if not ok or value < low or (high is not None and value > high):
        bound = f"{low}..{high}" if high is not None else f">= {low}"
        raise AdminError(400, "invalid_request", f"{key} must be {'an integer' if kind is int else 'a number'} {bound}")
    return value
