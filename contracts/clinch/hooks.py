"""What both schemathesis runs over Clinch share: one app, seeded records, and a signer for ``requests``.

Schemathesis sends through ``requests``, so its auth hook is a ``requests`` auth: it signs each
prepared request (the final body bytes, the path and query as sent) with the reference client's
own canonical string and HMAC (``client.clinch``), every other request with the HTTP method in
front, so both canonical string forms are exercised. The date is the app's mock clock.
"""

from __future__ import annotations

from typing import Any

from client.clinch import ClinchClient
from contracts.auth import ApiAuthSigner as SharedSigner
from mockservers.testing import in_process_client, make_app

ACCESS_ID, SECRET = "atsmock-clinch", "atsmock-clinch-secret"
BASE_URL = "http://testserver/clinch/v1"


def ApiAuthSigner(clock: Any) -> SharedSigner:
    """The shared api_auth signer (contracts/auth.py) with the mock's credentials, dated by ``clock``."""
    return SharedSigner(ACCESS_ID, SECRET, clock.now)


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
