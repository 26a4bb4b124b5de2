"""File names and types handed back with stored bytes: always a legal header, the exact name in ``filename*``."""

from __future__ import annotations

import pytest

from mockservers.core.filenames import content_disposition, filename_from_url, media_type_or_default


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cv.pdf", "attachment; filename=\"cv.pdf\"; filename*=UTF-8''cv.pdf"),
        ("Müller CV.pdf", "attachment; filename=\"Muller CV.pdf\"; filename*=UTF-8''M%C3%BCller%20CV.pdf"),
        ('a"b\\c\n.txt', "attachment; filename=\"a_b_c_.txt\"; filename*=UTF-8''a%22b%5Cc%0A.txt"),
        ("履歴書.pdf", "attachment; filename=\"___.pdf\"; filename*=UTF-8''%E5%B1%A5%E6%AD%B4%E6%9B%B8.pdf"),
    ],
)
def test_content_disposition_has_an_ascii_fallback_and_the_exact_name(name: str, expected: str) -> None:
    value = content_disposition(name)
    assert value == expected
    assert value.isascii() and value.isprintable()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://files.example/cv/Ada%20Lovelace.pdf?sig=1", "Ada Lovelace.pdf"),
        ("https://files.example/cv/resume.pdf/", "resume.pdf"),
        ("https://files.example/", None),
        ("https://files.example", None),
        ("https://files.example/a/..", None),
        ("https://files.example/a%2Fb%5Cc.txt", "c.txt"),
        ("https://files.example/x%0Ay.txt", "xy.txt"),
        ("http://[::1/x", None),
    ],
)
def test_filename_from_url(url: str, expected: str | None) -> None:
    assert filename_from_url(url) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("application/pdf", "application/pdf"),
        (" text/plain; charset=utf-8 ", "text/plain; charset=utf-8"),
        (None, "application/octet-stream"),
        ("pdf", "application/octet-stream"),
        ("text/plain\r\nX-Evil: 1", "application/octet-stream"),
        ("täxt/plain", "application/octet-stream"),
    ],
)
def test_media_type_or_default(value: str | None, expected: str) -> None:
    assert media_type_or_default(value) == expected
