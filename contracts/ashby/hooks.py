"""Ashby's adaptations of the shared checks to its documented error convention.

Ashby answers errors that "would be 4XX" with **HTTP 200** and ``{"success": false, "errors",
"errorInfo"}`` (its docs, "Errors"). Schemathesis' ``negative_data_rejection`` expects a 4xx, so
on Ashby it would flag every correct rejection (a known false positive of the status convention,
not of the mock). Here it counts a 200 failure envelope as the rejection and still fails a 200
``success: true`` (schema-violating data accepted). ``positive_data_acceptance`` is tightened the
same way: a 200 failure envelope on schema-valid data is a rejection unless its code says the
thing asked for does not exist (the 404 the stock check allows).

``install`` drops a generated ``cursor`` or ``syncToken`` from ``candidate.list``: both are opaque
tokens only the API hands out, so a generated one can only be a stranger the API rightly refuses.
A multipart ``applicationForm.submit`` carries its form as a JSON document inside a text part,
which no schema keyword constrains; a positive multipart case whose JSON the vendor cannot read
is therefore not held to acceptance (the JSON variant is, and contracts/ashby/test_workflow.py
submits multipart forms with real JSON).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contracts.adapt import excusing

NOT_FOUND_SUFFIX = "_not_found"
"""Ashby's error codes for a missing thing: ``candidate_not_found``, ``file_handle_not_found``…"""


def failure_code(response: Any) -> str | None:
    """The ``errorInfo.code`` of a 200 ``success: false`` envelope; None for anything else."""
    if response.status_code != 200:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict) or body.get("success") is not False:
        return None
    info = body.get("errorInfo")
    code = info.get("code") if isinstance(info, dict) else None
    return code if isinstance(code, str) else ""


def install(schema: Any, target: Any, credentials: Mapping[str, str]) -> None:
    """Generated ``candidate.list`` bodies go without the API's own opaque tokens."""

    @schema.hook("map_body")
    def no_strange_tokens(context: Any, body: Any) -> Any:
        if isinstance(body, dict) and context.operation.definition.raw.get("operationId") == "candidateList":
            # Only string tokens (a schema-valid one); a wrong type stays, it is a negative case's point.
            return {k: v for k, v in body.items() if not (k in ("cursor", "syncToken") and isinstance(v, str))}
        return body


def adapt_checks(functions: Mapping[str, Any]) -> dict[str, Any]:
    """The shared checks with Ashby's HTTP 200 errors read as the rejections they are."""
    from schemathesis import GenerationMode
    from schemathesis.specs.openapi.checks import RejectedPositiveData

    adapted = excusing(functions, "negative_data_rejection", lambda response, case: failure_code(response) is not None)
    positive = functions["positive_data_acceptance"]

    def positive_data_acceptance(ctx: Any, response: Any, case: Any) -> bool | None:
        code = failure_code(response)
        meta = case.meta
        positive_case = meta is not None and meta.generation.mode == GenerationMode.POSITIVE
        multipart_json = "is not valid JSON" in response.text and case.media_type == "multipart/form-data"
        if code is not None and positive_case and not code.endswith(NOT_FOUND_SUFFIX) and not multipart_json:
            raise RejectedPositiveData(
                operation=case.operation.label,
                message=f"Valid data should have been accepted\nAnswered: 200 success false, {code}",
                status_code=response.status_code,
                allowed_statuses=["200 success true"],
            )
        result: bool | None = positive(ctx, response, case)
        return result

    return {**adapted, "positive_data_acceptance": positive_data_acceptance}
