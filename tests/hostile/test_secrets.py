"""No secret reaches the request log, the journal or an error message, after every vendor's whole workflow.

Secrets: every configured credential secret and key, every access token the mock issued, every HMAC
signature a client sent, every presigned-URL and POST-policy signature the mock handed out.
"""

from __future__ import annotations

import io
import json
import logging
import re
from typing import Any

import httpx
import pytest

from mockservers import cli
from mockservers.core.demo import DemoRun
from mockservers.core.logs import LOGGER
from mockservers.testing import running
from mockservers.vendors import served

SIGNATURES = re.compile(r"(?i)(?:x-amz-signature[=\"':\s]+|Signature=)([0-9a-f]{64}|[A-Za-z0-9%+/=]{20,})")
HMAC = re.compile(r"APIAuth(?:-HMAC-[A-Z0-9]+)? [^:]+:(\S+)")


@pytest.mark.live
@pytest.mark.parametrize("log_format", ["json", "text"])
def test_no_secret_in_logs_journal_or_errors(
    log_format: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    exchanges: list[httpx.Response] = []
    seen = DemoRun._seen

    def record(self: DemoRun, response: httpx.Response) -> None:
        response.read()
        exchanges.append(response)
        seen(self, response)

    monkeypatch.setattr(DemoRun, "_seen", record)
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    logger = logging.getLogger(LOGGER)
    monkeypatch.setattr(logger, "handlers", [handler])
    # setLevel, not the attribute: it clears logging's isEnabledFor cache, which an earlier test's
    # ``--log-format off`` (level WARNING) may have filled with "INFO is disabled".
    monkeypatch.setattr(logger, "level", logger.level)  # restored afterwards
    logger.setLevel(logging.INFO)
    monkeypatch.setattr(logger, "propagate", False)
    from mockservers.config import Settings

    with running(Settings().with_server(log_format=log_format)) as server:
        assert cli.main(["demo", "--base-url", server.url]) == 0
        refusals = _refused_everywhere(server)
        journal = httpx.get(f"{server.url}/__admin/requests", params={"limit": 100_000}).text
        secrets = _secrets(server, exchanges)
    capsys.readouterr()
    assert len(lines.getvalue().splitlines()) > 20
    errors = "\n".join(r.text for r in [*exchanges, *refusals] if r.status_code >= 400)
    leaks = {
        place: sorted(s for s in secrets if s in text)
        for place, text in (("log", lines.getvalue()), ("journal", journal), ("errors", errors))
    }
    assert leaks == {"log": [], "journal": [], "errors": []}
    kinds = {"token": 0, "signature": 0}
    for secret in secrets:
        kinds["token" if secret.count(".") == 2 else "signature"] += 1
    assert kinds["token"] >= 2 and kinds["signature"] >= 10  # the run really held secrets to look for


def _secrets(server: Any, exchanges: list[httpx.Response]) -> set[str]:
    found: set[str] = {server.settings.s3.secret_key, "wrong-secret-123456", "wrong-token-1234567890"}
    for vendor in served():
        for credential in server.credentials(vendor.name):
            found.update(
                v
                for v in (credential.secret, credential.id if credential.kind.startswith(("api", "bearer")) else "")
                if v
            )
    found.update(t.token for t in server.platform.tokens._issued.values())
    for response in exchanges:
        text = response.text
        found.update(SIGNATURES.findall(text))
        found.update(SIGNATURES.findall(str(response.request.url)))
        for field in ("x-amz-signature", "signature", "policy"):
            try:
                body = json.loads(text)
            except ValueError:
                break
            found.update(_values(body, field))
        auth = response.request.headers.get("authorization", "")
        found.update(HMAC.findall(auth))
        if auth.lower().startswith("bearer "):
            found.add(auth[7:])
    return {s for s in found if len(s) >= 8}


def _values(document: Any, key: str) -> list[str]:
    if isinstance(document, dict):
        out = [v for k, v in document.items() if k.lower() == key and isinstance(v, str)]
        for value in document.values():
            out += _values(value, key)
        return out
    if isinstance(document, list):
        return [v for item in document for v in _values(item, key)]
    return []


def _refused_everywhere(server: Any) -> list[httpx.Response]:
    """Wrong secrets and tokens sent to every vendor: their refusals must not echo what was sent."""
    answers = []
    with httpx.Client(base_url=server.url, timeout=10) as http:
        for vendor in served():
            base = server.vendor_url(vendor.name).removeprefix(server.url)
            for path in ("/connect/token", "/auth/tokens", "/api/v1/auth/tokens", "/candidates", "/v1/candidates"):
                answers.append(
                    http.post(
                        base + path,
                        data={"client_id": "wrong-id-123456", "client_secret": "wrong-secret-123456"},
                        headers={"Authorization": "Bearer wrong-token-1234567890"},
                    )
                )
    return answers
