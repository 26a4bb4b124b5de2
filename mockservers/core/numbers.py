"""Decimal integers from request text, read without Python's ``int`` limit on digits.

``int("9" * 5000)`` raises ``ValueError`` (CPython refuses more than 4300 digits, because converting
them costs quadratic time), so a query string or JSON string of many digits must not reach ``int``.
Ruby (WTTJ's Grape, Clinch's Rails) reads such a number as a Bignum; every use the mocks make of one
(a page, a page size, an offset, a record id) behaves the same for any value past ``LIMIT``.
"""

from __future__ import annotations

LIMIT = 10**18
"""Larger than any page, size or id the mocks hold, and still inside a signed 64-bit integer."""


def clamped_int(literal: str) -> int:
    """``literal`` (an optional sign and ASCII digits, already checked) as an int, clamped to ±``LIMIT``."""
    sign = -1 if literal.startswith("-") else 1
    digits = literal.lstrip("+-").lstrip("0") or "0"
    if len(digits) > len(str(LIMIT)):
        return sign * LIMIT
    return sign * min(int(digits), LIMIT)
