"""``atsmock contract``: run the suites against an embedded mock or a base URL, report, exit code.

Embedded (no ``--base-url``): one in-process app, the mock's own credentials, dates from its clock.
With ``--base-url``: without ``--vendor`` it is an atsmock root (each vendor under ``/<vendor>``);
with ``--vendor`` it is that vendor's own API root (a real UAT), and ``--credentials`` supplies the
fields its auth needs. Nothing is sent anywhere but the target.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import httpx

from client.errors import ClientError
from contracts import auth, report, suite
from contracts import credentials as credentials_file
from contracts.checks import NAMES
from contracts.document import api_path
from contracts.target import Target


class SetupError(ValueError):
    """The suite could not be set up on the target (no answer, or the credentials refused): nothing was
    checked, so ``atsmock contract`` says it in one line and exits 2."""


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

    tables = credentials_file.load(credentials) if credentials else {}
    if credentials and single and vendors[0] not in tables:
        # Falling back to atsmock's defaults would send them to the vendor's UAT.
        raise ValueError(f"credentials file {credentials} has no [{vendors[0]}] table")
    app: Any = in_process_app() if base_url is None else None
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
        try:
            schema = suite.build(vendor, target, creds, now=now, vendor_root=single and base_url is not None)
        except (httpx.HTTPError, ClientError) as exc:
            raise SetupError(f"{vendor}: cannot set up the suite against {target.base_url}: {_refusal(exc)}") from exc
        outcome = suite.run(vendor, schema, target, max_examples=max_examples, checks=checks, progress=out)
        stateful = suite.run_stateful(vendor, schema, target, max_examples=max_examples, checks=checks, progress=out)
        outcome.absorb(stateful)
        _fail_if_nothing_was_accepted(outcome)
        outcome.failures = [_redacted(f, creds) for f in outcome.failures]
        out(f"{vendor}: {outcome.requests} requests in {outcome.seconds:.1f} s, {len(outcome.failures)} failures")
        outcomes.append(outcome)
    sys.stdout.write(report.summary(outcomes))
    if junit:
        Path(junit).write_bytes(report.junit(outcomes))
    return 0 if all(o.ok for o in outcomes) else 1


def in_process_app() -> Any:
    """The app an in-process run checks: atsmock's defaults, with a fetcher that resolves no name but
    ``localhost`` (``core.fetch.resolve_offline``), so a generated ``remote_file_urls`` host such as
    ``a.com`` is refused as not resolving, as in the pytest suites, instead of being looked up in DNS."""
    from mockservers.core.fetch import resolve_offline
    from mockservers.testing import make_app

    app = make_app()
    app.platform.fetcher.resolve = resolve_offline  # the fetcher WTTJ and Endorsed were built with
    return app


def _refusal(exc: Exception) -> str:
    """What the target answered (or why there was no answer), in one line."""
    if isinstance(exc, httpx.HTTPStatusError):
        request, response = exc.request, exc.response
        body = " ".join(response.text.split())[:200]
        return f"{request.method} {request.url} -> {response.status_code} {body}".rstrip()
    return f"{type(exc).__name__}: {exc}"


def _fail_if_nothing_was_accepted(outcome: suite.Outcome) -> None:
    """Wrong credentials or a wrong root make every answer a 401 or 404 the document allows, which every
    check passes: a green run that checked nothing the vendor does. That is a failure of its own."""
    if outcome.accepted or not outcome.refusals:
        return
    statuses = ", ".join(f"{status} x{count}" for status, count in sorted(outcome.refusals.items()))
    message = (
        f"no request that needs the credentials succeeded (answers: {statuses}); "
        "check that --base-url is the vendor's API root (docs/contracts.md) and the credentials are valid"
    )
    request, response = outcome.refused or ("", "")
    key = ("(every operation)", "accepted_nothing")
    outcome.failed[key] = outcome.failed.get(key, 0) + 1
    outcome.failures.append(suite.Failure(outcome.vendor, *key, message, request, response))


SECRET_FIELDS = re.compile(r"secret|key|token|password", re.I)
"""Credentials fields whose values a report never shows (ids such as ``client_id`` it may)."""
TOKEN_VALUES = re.compile(r'("(?:access_token|refresh_token|id_token|token)"\s*:\s*)"[^"]*"')
"""A token an answer hands out, as JSON."""


def _redacted(failure: suite.Failure, credentials: Mapping[str, str]) -> suite.Failure:
    """``failure`` with the credentials' secret values (as sent: plain, form- or URL-encoded, JSON) and
    any token an answer carries replaced by ``<redacted>``: a report goes to CI logs and artifacts,
    and PageUp's requestToken cases carry the real client_secret."""
    secrets = {
        form
        for name, value in credentials.items()
        if SECRET_FIELDS.search(name) and len(value) >= 4  # a shorter one would blank out ordinary text
        for form in (value, quote_plus(value), quote(value, safe=""), json.dumps(value)[1:-1])
    }

    def clean(text: str) -> str:
        for secret in sorted(secrets, key=len, reverse=True):
            text = text.replace(secret, "<redacted>")
        return TOKEN_VALUES.sub(r'\1"<redacted>"', text)

    return dataclasses.replace(
        failure, message=clean(failure.message), request=clean(failure.request), response=clean(failure.response)
    )
