"""``atsmock demo``: each vendor's whole document workflow through its reference client, step by step.

A vendor that has a demo gives ``Vendor.demo(run, settings)``; it calls its reference client inside
``run.step(name)`` blocks and reports what it downloaded with ``run.same_bytes``. The run prints
one line per step (vendor, step, the last HTTP status, the time taken) and passes only when
every step finished and every downloaded file equals what was uploaded.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

import httpx


@dataclass
class Step:
    vendor: str
    name: str
    status: int | None = None
    ms: float = 0.0
    ok: bool = True
    note: str = ""


@dataclass
class DemoRun:
    """One vendor's demo against ``base_url`` (the vendor's base URL on a running atsmock)."""

    vendor: str
    base_url: str
    out: IO[str]
    steps: list[Step] = field(default_factory=list)
    _status: int | None = None

    def __post_init__(self) -> None:
        self.http = httpx.Client(
            base_url=self.base_url, timeout=30, event_hooks={"response": [self._seen]}, follow_redirects=False
        )

    def _seen(self, response: httpx.Response) -> None:
        self._status = response.status_code

    @contextmanager
    def step(self, name: str) -> Iterator[Step]:
        """A step: timed, its last HTTP status kept; an exception fails it (and ends the vendor's demo)."""
        record = Step(self.vendor, name)
        self._status = None
        started = time.perf_counter()
        try:
            yield record
        except Exception as exc:
            record.ok = False
            record.note = record.note or f"{type(exc).__name__}: {exc}"
            raise
        finally:
            record.ms = (time.perf_counter() - started) * 1000
            record.status = self._status
            self.steps.append(record)
            self._print(record)

    def same_bytes(self, step: Step, uploaded: bytes, downloaded: bytes) -> None:
        """Mark ``step`` by whether the download equals the upload."""
        if downloaded == uploaded:
            step.note = f"{len(downloaded)} bytes, the same as uploaded"
        else:
            step.ok = False
            step.note = f"downloaded {len(downloaded)} bytes that differ from the {len(uploaded)} uploaded"

    def _print(self, step: Step) -> None:
        status = "-" if step.status is None else str(step.status)
        mark = "ok" if step.ok else "FAILED"
        self.out.write(f"{step.vendor:<9} {step.name:<34} {status:>4} {step.ms:8.1f} ms  {mark}  {step.note}".rstrip())
        self.out.write("\n")
        self.out.flush()

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(s.ok for s in self.steps)

    def close(self) -> None:
        self.http.close()


def run_demo(vendor: Any, settings: Any, base_url: str, out: IO[str]) -> DemoRun:
    """Run ``vendor``'s demo (a ``Vendor`` with ``demo``) with its ``settings`` against ``base_url``."""
    run = DemoRun(vendor.name, base_url, out)
    try:
        vendor.demo(run, settings)
    except Exception:  # the failing step has been printed and marked; other vendors still run
        pass
    finally:
        run.close()
    return run
