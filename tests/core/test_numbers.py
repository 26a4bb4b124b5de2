"""``core.numbers.clamped_int``: decimal text of any length, without Python's 4300-digit ``int`` limit."""

from __future__ import annotations

import pytest

from mockservers.core.numbers import LIMIT, clamped_int


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("0", 0),
        ("42", 42),
        ("+5", 5),
        ("-7", -7),
        ("007", 7),
        ("-000", 0),
        (str(LIMIT), LIMIT),
        (str(LIMIT + 1), LIMIT),
        ("9" * 19, LIMIT),
        ("9" * 5000, LIMIT),
        ("-" + "9" * 5000, -LIMIT),
        ("0" * 5000 + "12", 12),
    ],
)
def test_clamped_int(literal: str, expected: int) -> None:
    assert clamped_int(literal) == expected
