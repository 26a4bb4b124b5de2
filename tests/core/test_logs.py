"""The request log's lines, and that it costs nothing when off."""

from __future__ import annotations

import json
import logging

import pytest

from mockservers import cli
from mockservers.core.journal import Entry
from mockservers.core.logs import LOGGER, RequestLog, json_line, text_line


def entry(**changes: object) -> Entry:
    e = Entry("id-1", 0.0, "echo", "get_thing", "GET", "/echo/things/1", b"token=s3cr3t", [])
    e.status, e.duration_ms = 503, 1.25
    for name, value in changes.items():
        setattr(e, name, value)
    return e


def test_text_line_names_the_request_and_its_answer() -> None:
    line = text_line(entry(error_code="server_error", fault="echo.server_error"))
    assert (
        line.split(" ", 1)[1]
        == "id-1 echo get_thing GET /echo/things/1 -> 503 server_error fault=echo.server_error 1.2ms"
    )


def test_json_line_leaves_out_the_query_and_names_the_error_code_only_on_errors() -> None:
    ok = json.loads(json_line(entry(status=200)))
    ok.pop("time")
    assert ok == {
        "requestId": "id-1",
        "vendor": "echo",
        "operation": "get_thing",
        "method": "GET",
        "path": "/echo/things/1",
        "status": 200,
        "durationMs": 1.25,
    }
    failed = json.loads(json_line(entry(error_code="server_error")))
    assert (failed["status"], failed["errorCode"], "fault" in failed) == (503, "server_error", False)


def test_off_or_without_a_listener_the_log_is_disabled(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``off`` writes nothing whatever the logger; another format is on exactly when the
    ``atsmock.requests`` logger would emit an INFO line (``configure`` sets WARNING for ``off``)."""
    logger = logging.getLogger(LOGGER)
    monkeypatch.setattr(logger, "propagate", True)  # as before any ``configure``: caplog listens at the root
    logger.setLevel(logging.WARNING)
    assert (RequestLog("off").enabled, RequestLog("text").enabled, RequestLog("json").enabled) == (False, False, False)
    logger.setLevel(logging.INFO)
    assert (RequestLog("off").enabled, RequestLog("text").enabled, RequestLog("json").enabled) == (False, True, True)
    with caplog.at_level(logging.INFO, logger=LOGGER):
        RequestLog("json")(entry())
    assert [json.loads(record.getMessage())["requestId"] for record in caplog.records] == ["id-1"]
    with pytest.raises(ValueError, match="log format must be one of text, json, off, not 'xml'"):
        RequestLog("xml")


def test_an_unknown_log_format_from_the_environment_is_a_config_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATSMOCK_SERVER_LOG_FORMAT", "xml")
    assert cli.main(["serve", "--port", "0"]) == 2
    assert capsys.readouterr().err == "atsmock: invalid config server.log_format: 'xml' is not one of text, json, off\n"
