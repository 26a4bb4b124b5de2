"""Decimal integers from request text, read without Python's ``int`` limit on digits.

``int("9" * 5000)`` raises ``ValueError`` (CPython refuses more than 4300 digits, because converting
them costs quadratic time), so a query string or JSON string of many digits must not reach ``int``.
Ruby (WTTJ's Grape, Clinch's Rails) reads such a number as a Bignum; every use the mocks make of one
(a page, a page size, an offset, a record id) behaves the same for any value past ``LIMIT``.

A JSON *number* of that many digits is valid JSON to every vendor's parser, so ``parse_json`` hands
each one to a reader the vendor chooses: ``long_integer`` (Ruby's Bignum, .NET's number token) or
``js_number`` (JavaScript's ``JSON.parse``, which reads it as ``Infinity``).
"""

from __future__ import annotations

import sys

LIMIT = 10**18
"""Larger than any page, size or id the mocks hold, and still inside a signed 64-bit integer."""

DIGIT_LIMIT = sys.get_int_max_str_digits() or sys.maxsize
"""How many characters of an integer literal ``int()`` is sure to read (CPython's default: 4300 digits)."""


def clamped_int(literal: str) -> int:
    """``literal`` (an optional sign and ASCII digits, already checked) as an int, clamped to ±``LIMIT``."""
    sign = -1 if literal.startswith("-") else 1
    digits = literal.lstrip("+-").lstrip("0") or "0"
    if len(digits) > len(str(LIMIT)):
        return sign * LIMIT
    return sign * min(int(digits), LIMIT)


class LongInteger(int):
    """An integer literal too long for ``int()``: its value is ``clamped_int`` (±``LIMIT``, so arithmetic,
    comparisons and slices behave as for any value past the limit), its text the literal as sent (so a
    String parameter coerced from it, Grape's ``Integer#to_s``, is the number the client wrote)."""

    literal: str

    def __new__(cls, literal: str) -> LongInteger:
        number = super().__new__(cls, clamped_int(literal))
        number.literal = literal
        return number

    def __str__(self) -> str:
        return self.literal

    def __repr__(self) -> str:
        return self.literal

    def __format__(self, spec: str) -> str:
        return self.literal if not spec else super().__format__(spec)


def long_integer(literal: str) -> int:
    """A JSON integer as Ruby's JSON (a Bignum of any length) or .NET's ``Utf8JsonReader`` (a number token
    of any length) reads it: exact up to ``DIGIT_LIMIT`` characters, a ``LongInteger`` past them."""
    return int(literal) if len(literal) <= DIGIT_LIMIT else LongInteger(literal)


def js_number(literal: str) -> int | float:
    """A JSON integer as JavaScript's ``JSON.parse`` reads one too long for ``int()``: a double, so ±Infinity
    (Node's Express and Zod vendors); shorter ones stay exact, as the mocks have always read them."""
    return int(literal) if len(literal) <= DIGIT_LIMIT else float(literal)
