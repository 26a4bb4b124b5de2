"""``atsmock contract``: run the suites against an embedded mock or a base URL, report, exit code.

Embedded (no ``--base-url``): one in-process app, the mock's own credentials, dates from its clock.
With ``--base-url``: without ``--vendor`` it is an atsmock root (each vendor under ``/<vendor>``);
with ``--vendor`` it is that vendor's own API root (a real UAT), and ``--credentials`` supplies the
fields its auth needs. Nothing is sent anywhere but the target.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from contracts import auth, report, suite
from contracts import credentials as credentials_file
from contracts.checks import NAMES
from contracts.document import api_path
from contracts.target import Target


def run(
    vendors: Sequence[str],
    *,
    base_url: str | None = None,
    single: bool = False,
    credentials: str | None = None,
    max_examples: int | None = None,
    junit: str | None = None,
    checks: Sequence[str] = NAMES,
    out: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True),
) -> int:
    """Run each vendor's suite; print the summary on stdout; 0 when nothing failed, 1 otherwise."""
    from mockservers.config import Settings
    from mockservers.testing import make_app

    tables = credentials_file.load(credentials) if credentials else {}
    app: Any = make_app() if base_url is None else None
    settings = app.platform.settings if app is not None else Settings()
    now = app.platform.clock.now if app is not None else time.time
    outcomes = []
    for vendor in vendors:
        if base_url is None:
            target = Target(f"http://testserver/{vendor}{api_path(vendor)}", app)
        elif single:
            target = Target(base_url.rstrip("/"))
        else:
            target = Target(f"{base_url.rstrip('/')}/{vendor}{api_path(vendor)}")
        creds = tables.get(vendor) or auth.mock_credentials(vendor, settings)
        out(f"{vendor}: {target.base_url}")
        schema = suite.build(vendor, target, creds, now=now)
        outcome = suite.run(vendor, schema, target, max_examples=max_examples, checks=checks, progress=out)
        stateful = suite.run_stateful(vendor, schema, target, max_examples=max_examples, checks=checks, progress=out)
        outcome.absorb(stateful)
        out(f"{vendor}: {outcome.requests} requests in {outcome.seconds:.1f} s, {len(outcome.failures)} failures")
        outcomes.append(outcome)
    sys.stdout.write(report.summary(outcomes))
    if junit:
        Path(junit).write_bytes(report.junit(outcomes))
    return 0 if all(o.ok for o in outcomes) else 1
