"""What both schemathesis runs over Clinch share: one app, seeded records, and a signer for ``requests``.

Schemathesis sends through ``requests``, so its auth hook is a ``requests`` auth: it signs each
prepared request (the final body bytes, the path and query as sent) with the reference client's
own canonical string and HMAC (``client.clinch``), every other request with the HTTP method in
front, so both canonical string forms are exercised. The date is the app's mock clock.
"""

from __future__ import annotations

import itertools
from email.utils import formatdate
from typing import Any

import requests

from client.clinch import ClinchClient, body_md5, canonical_string, hmac_signature
from mockservers.testing import in_process_client, make_app

ACCESS_ID, SECRET = "atsmock-clinch", "atsmock-clinch-secret"
BASE_URL = "http://testserver/clinch/v1"


class ApiAuthSigner(requests.auth.AuthBase):
    """api_auth signing of a ``requests.PreparedRequest``, alternating the two canonical string forms."""

    def __init__(self, clock: Any) -> None:
        self.clock = clock
        self._turn = itertools.count()
        self.signed = 0
        """How many requests it has signed (the run's generated requests)."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
        date = formatdate(self.clock.now(), usegmt=True)
        md5 = body_md5(raw)
        request.headers["Date"] = date
        request.headers["Content-MD5"] = md5
        self.signed += 1
        with_method = next(self._turn) % 2 == 1
        canonical = canonical_string(
            str(request.method),
            request.headers.get("Content-Type", ""),
            md5,
            request.path_url,
            date,
            with_method=with_method,
        )
        request.headers["Authorization"] = f"APIAuth {ACCESS_ID}:{hmac_signature(SECRET, canonical)}"
        return request


class Seeded:
    """An app with two candidates (one tagged, with a file) that generated cases aim at."""

    def __init__(self) -> None:
        self.app = make_app()
        with in_process_client(self.app, base_url=BASE_URL) as http:
            clinch = ClinchClient(http, ACCESS_ID, SECRET, clock=self.app.platform.clock.now)
            first = clinch.create_candidate("seed.one@example.com", first_name="Seed", tag_values=["alpha"])
            second = clinch.create_candidate("seed.two@example.com")
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
