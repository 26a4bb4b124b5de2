"""POST policies (browser-form uploads, as Ashby hands out): decoding and evaluating them like S3.

A policy is base64 JSON ``{"expiration": ..., "conditions": [...]}``. S3 checks the expiration
against its clock (ours: the mock clock), every condition against the submitted form fields
(exact match objects, ``["eq", ...]``, ``["starts-with", ...]``, ``["content-length-range", min, max]``),
and that no form field is left uncovered. AWS documents this in "Creating a POST policy"
(AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html); failures are 403 AccessDenied
"Invalid according to Policy: ..." and a malformed document is 400 InvalidPolicyDocument.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mockservers.s3 import errors

EXEMPT_FIELDS = frozenset({"policy", "x-amz-signature", "signature", "awsaccesskeyid", "file"})
"""Form fields a policy need not mention (plus any ``x-ignore-*``)."""


@dataclass(frozen=True, slots=True)
class Condition:
    """One condition. ``field`` is the lower-case form field name (without ``$``); ``shown`` is how S3 quotes it."""

    op: str
    field: str
    value: str
    shown: str

    def holds(self, fields: Mapping[str, str], bucket: str) -> bool:
        actual = bucket if self.field == "bucket" else fields.get(self.field, "")
        if self.op == "eq":
            return actual == self.value
        if self.field == "content-type" and "," in actual:
            return all(part.strip().startswith(self.value) for part in actual.split(","))
        return actual.startswith(self.value)


@dataclass(frozen=True, slots=True)
class PostPolicy:
    expiration: float
    conditions: tuple[Condition, ...]
    length_range: tuple[int, int] | None
    """The ``content-length-range`` (inclusive), if the policy sets one."""

    def check(self, fields: Mapping[str, str], bucket: str, now: float) -> None:
        """Raise S3's AccessDenied when expired, when a condition fails, or when a field is not covered.

        ``fields`` are the submitted form fields with lower-case names.
        """
        if now > self.expiration:
            raise errors.policy_failure("Policy expired.")
        for condition in self.conditions:
            if not condition.holds(fields, bucket):
                raise errors.policy_failure(f"Policy Condition failed: {condition.shown}")
        covered = {c.field for c in self.conditions}
        extra = [
            name
            for name in fields
            if name not in covered and name not in EXEMPT_FIELDS and not name.startswith("x-ignore-")
        ]
        if extra:
            raise errors.policy_failure(f"Extra input fields: {', '.join(extra)}")


def decode_policy(encoded: str) -> PostPolicy:
    """The policy in a form's ``policy`` field, or S3's 400 InvalidPolicyDocument."""
    try:
        document = json.loads(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError, RecursionError):  # RecursionError: nested too deeply for the parser
        raise errors.invalid_policy("Invalid JSON.") from None
    if not isinstance(document, dict):
        raise errors.invalid_policy("Invalid JSON.")
    if "expiration" not in document:
        raise errors.invalid_policy("Policy missing expiration.")
    expiration = _parse_expiration(document["expiration"])
    if "conditions" not in document:
        raise errors.invalid_policy("Policy missing conditions.")
    raw = document["conditions"]
    if not isinstance(raw, list):
        raise errors.invalid_policy("Invalid 'conditions' value: must be a List.")
    conditions: list[Condition] = []
    low, high = 0, -1
    ranged = False
    for item in raw:
        if isinstance(item, list) and item and isinstance(item[0], str) and item[0].lower() == "content-length-range":
            lo, hi = _length_range(item)
            low, high = (lo, hi) if not ranged else (max(low, lo), min(high, hi))
            ranged = True
        else:
            conditions.extend(_conditions(item))
    return PostPolicy(expiration, tuple(conditions), (low, high) if ranged else None)


def _parse_expiration(value: Any) -> float:
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            if moment.tzinfo is not None:
                return moment.timestamp()
        except ValueError:
            pass
    raise errors.invalid_policy(f"Invalid 'expiration' value: '{value}'")


def _conditions(item: Any) -> list[Condition]:
    if isinstance(item, dict):
        if len(item) != 1:
            raise errors.invalid_policy(
                "Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."
            )
        found = []
        for name, value in item.items():
            if not isinstance(value, str):
                raise errors.invalid_policy("Invalid Simple-Condition: value must be a string.")
            found.append(Condition("eq", name.lower(), value, _show("eq", f"${name}", value)))
        return found
    if isinstance(item, list) and len(item) == 3 and all(isinstance(part, str) for part in item):
        op, name, value = item
        op = op.lower()
        if op in ("eq", "starts-with") and name.startswith("$"):
            return [Condition(op, name[1:].lower(), value, _show(op, name, value))]
    raise errors.invalid_policy(f"Invalid Condition: {json.dumps(item)}")


def _length_range(item: list[Any]) -> tuple[int, int]:
    if len(item) == 3:
        low, high = _whole_number(item[1]), _whole_number(item[2])
        if low is not None and high is not None and 0 <= low <= high:
            return low, high
    raise errors.invalid_policy("Invalid content-length-range: expecting two non-negative integers, min <= max.")


def _whole_number(value: Any) -> int | None:
    """A ``content-length-range`` bound: a JSON integer or a string of digits (S3 takes both); else None.

    Fractions (``0.5``), booleans, ``Infinity`` and ``NaN`` are not byte counts.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.isascii() and value.strip().isdigit():
        return int(value)
    return None


def _show(op: str, name: str, value: str) -> str:
    """A condition the way S3 quotes it in 'Policy Condition failed: [...]'."""
    return json.dumps([op, name, value])
