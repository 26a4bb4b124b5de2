"""Files without HTTP: signed file handles shaped like Ashby's, safe S3 keys, Content-Disposition."""

from __future__ import annotations

import base64
import json

import pytest

from mockservers.ashby.files import FileHandleSigner, is_mime_type, sanitize_filename
from mockservers.core.filenames import content_disposition


def test_file_handle_has_ashbys_shape_and_verifies() -> None:
    signer = FileHandleSigner(b"k" * 32)
    handle = signer.sign("f-1", "c-1")
    decoded = json.loads(base64.urlsafe_b64decode(handle + "=" * (-len(handle) % 4)))
    assert decoded["handle"] == {"type": "CandidateFile", "fileId": "f-1", "ownerId": "c-1"}
    assert decoded["version"] == "1"
    assert len(base64.b64decode(decoded["signature"])) == 32
    assert signer.file_id(handle) == "f-1"


def test_forged_or_garbled_file_handles_do_not_verify() -> None:
    signer = FileHandleSigner(b"k" * 32)
    handle = signer.sign("f-1", "c-1")
    decoded = json.loads(base64.urlsafe_b64decode(handle + "=" * (-len(handle) % 4)))
    decoded["handle"]["fileId"] = "f-2"
    forged = base64.urlsafe_b64encode(json.dumps(decoded).encode()).decode()
    assert signer.file_id(forged) is None
    assert FileHandleSigner(b"x" * 32).file_id(handle) is None
    for garbage in ("", "!!!", "bm90IGpzb24", base64.b64encode(b"[1,2]").decode(), "eyJoYW5kbGUiOjF9"):
        assert signer.file_id(garbage) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("resume.pdf", "resume.pdf"),
        ("../../etc/passwd", "etc_passwd"),
        ("..", "file"),
        ("", "file"),
        ("résumé final.pdf", "resume_final.pdf"),
        ('a"b\nc\r\nd.pdf', "a_b_c_d.pdf"),
        ("履歴書.pdf", "pdf"),
        ("C:\\Users\\x\\cv.docx", "C_Users_x_cv.docx"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_sanitize_filename(name: str, expected: str) -> None:
    assert sanitize_filename(name) == expected


def test_content_disposition_survives_quotes_and_newlines() -> None:
    assert content_disposition('a"\nb.pdf') == "attachment; filename=\"a__b.pdf\"; filename*=UTF-8''a%22%0Ab.pdf"


def test_a_name_of_no_ascii_keeps_one_placeholder_per_character_in_the_fallback() -> None:
    """``文件.pdf`` must not fall back to ``pdf`` (the S3-key rule): the fallback is a display name."""
    assert content_disposition("文件.pdf") == "attachment; filename=\"__.pdf\"; filename*=UTF-8''%E6%96%87%E4%BB%B6.pdf"


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("application/pdf", True),
        ("text/plain; charset=utf-8", True),
        ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", True),
        ("pdf", False),
        ("text/plain\r\nX: 1", False),
        ("application/pdf\n", False),
        ("text/plä", False),
        ("", False),
    ],
)
def test_mime_types(value: str, ok: bool) -> None:
    assert is_mime_type(value) is ok
