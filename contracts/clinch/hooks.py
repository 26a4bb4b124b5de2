"""What every schemathesis run over Clinch shares: candidates to aim at, and a signer for ``requests``.

Schemathesis sends through ``requests``, so its auth is a ``requests`` auth: the shared api_auth
signer (contracts/auth.py) signs each prepared request (the final body bytes, the path and query as
sent) with the reference client's own canonical string and HMAC (``client.clinch``), every other
request with the HTTP method in front, so both canonical string forms are exercised. The date is
the app's mock clock in process.

For the shared suite (contracts/suite.py) ``install`` creates two candidates on the target (the
first tagged, with a file) and aims about half the generated ids at them, so cases reach the rules;
``adapt_checks`` reads Clinch's 422 ``taken`` (an email another candidate already has: Hypothesis
generates the same address twice) as the state conflict it is, not as rejected positive data.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from client.clinch import ClinchClient
from contracts.adapt import excusing, in_stateful_phase, last_value, query_valid_as_read
from contracts.auth import ApiAuthSigner as SharedSigner
from contracts.target import Target

ACCESS_ID, SECRET = "atsmock-clinch", "atsmock-clinch-secret"
BASE_URL = "http://testserver/clinch/v1"
TAKEN = '"code":"taken"'


def ApiAuthSigner(clock: Any) -> SharedSigner:
    """The shared api_auth signer (contracts/auth.py) with the mock's credentials, dated by ``clock``."""
    return SharedSigner(ACCESS_ID, SECRET, clock.now)


class Seeded:
    """Two candidates created on ``target`` (the first tagged, with a file) that generated cases aim at."""

    def __init__(self, target: Target, access_id: str, secret: str, now: Callable[[], float]) -> None:
        run = uuid.uuid4().hex[:12]  # fresh addresses: a target may already hold an earlier run's
        with target.client() as http:
            clinch = ClinchClient(http, access_id, secret, clock=now)
            first = clinch.create_candidate(f"seed.one.{run}@example.com", first_name="Seed", tag_values=["alpha"])
            second = clinch.create_candidate(f"seed.two.{run}@example.com")
            clinch.upload_file(first["id"], b"%PDF-1.4 seeded", "cv.pdf")
            self.candidate_ids = [str(first["id"]), str(second["id"])]
            self.tag_ids = [str(t["id"]) for t in clinch.tags(first["id"])]

    def aim(self, path_parameters: dict[str, Any] | None) -> dict[str, Any] | None:
        """About half the generated ids become a seeded candidate's (and its tag's), so cases reach the rules."""
        if not path_parameters:
            return path_parameters
        if "candidateId" in path_parameters and len(str(path_parameters["candidateId"])) % 2 == 0:
            path_parameters["candidateId"] = self.candidate_ids[0]
            if "tagId" in path_parameters and len(str(path_parameters["tagId"])) % 2 == 0 and self.tag_ids:
                path_parameters["tagId"] = self.tag_ids[0]
        return path_parameters


def install(schema: Any, target: Target, credentials: Mapping[str, str]) -> None:
    """Seed two candidates on the target and aim about half the generated ids at them."""
    now = target.app.platform.clock.now if target.app is not None else time.time
    seeded = Seeded(target, credentials["access_id"], credentials["secret"], now)

    @schema.hook("map_case")
    def aim_with_the_same_id_as_the_url(context: Any, case: Any) -> Any:
        # A link's ids stay: the workflow reads and tags the candidate it just created.
        if not in_stateful_phase(case):
            seeded.aim(case.path_parameters)
        # JSON:API: a PATCH document's ``data.id`` must be the URL's id (a rule between two parts
        # of a request that no schema states); a generated string id is set to it, any other stays.
        body = case.body
        if case.method.upper() == "PATCH" and isinstance(body, dict) and isinstance(body.get("data"), dict):
            data = body["data"]
            if isinstance(data.get("id"), str) and case.path_parameters:
                data["id"] = str(case.path_parameters.get("candidateId", data["id"]))
        return case


ZERO_PER_PAGE = '"code":"zero_per_page"'
"""The 500 Kaminari's ``per(0)`` gives (``ZeroPerPageOperation``): the vendor's own failure, documented."""


def zero_per_page(response: Any, case: Any) -> bool:
    """A list asked for ``per_page`` that Kaminari reads as 0, answered with its documented 500."""
    return response.status_code == 500 and ZERO_PER_PAGE in response.text.replace(" ", "")


def adapt_checks(functions: Mapping[str, Any]) -> dict[str, Any]:
    """``positive_data_acceptance`` that lets 422 ``taken`` pass: a conflict with state, not bad data;
    ``not_a_server_error`` and ``positive_data_acceptance`` that let the documented ``zero_per_page`` 500 pass;
    ``negative_data_rejection`` that lets a query pass whose violation did not survive the wire, read
    as Rails reads it (the last of a repeated name; ``include`` split on commas): ``page: [false]``
    is ``page=false``, text ``page`` takes (``contracts.adapt.query_valid_as_read``)."""
    adapted = excusing(
        functions,
        "positive_data_acceptance",
        lambda response, case: (
            (response.status_code == 422 and TAKEN in response.text) or zero_per_page(response, case)
        ),
    )
    adapted = excusing(adapted, "not_a_server_error", zero_per_page)
    return excusing(adapted, "negative_data_rejection", query_valid_as_read(last_value))
