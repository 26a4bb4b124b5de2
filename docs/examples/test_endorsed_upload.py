"""Runs ``endorsed_upload.py`` (quoted by docs/endorsed.md) against an in-process app."""

from __future__ import annotations

from endorsed_upload import upload_resume

from mockservers.testing import in_process_client, make_app


def test_the_example_uploads_replaces_and_downloads() -> None:
    with in_process_client(make_app(), base_url="http://testserver/endorsed") as http:
        assert upload_resume(http, b"%PDF-1.4 resume") == b"%PDF-1.4 resume\n%v2"
