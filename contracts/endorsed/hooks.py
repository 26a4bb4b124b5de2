"""Endorsed's aiming hooks and its reading of a URL it could not download.

``install`` creates one candidate and one attachment on the target through the documented calls;
about half the generated path ids become theirs (by UUID or ``remote.<id>``) and about half the
``candidate_id`` values the candidate's. With a ``file_url`` in the credentials (a file the target
can download) about half the ``public_file_url`` values are it, the rest a private address a safe
fetcher refuses without connecting. Only values already of the right kind are replaced, so a
negative case keeps its violation. A PUT by ``remote.<id>`` whose body's ``remote_id`` differs is
refused by a rule between path and body no schema states, so a generated ``remote_id`` is set to
the path's.

Endorsed downloads ``public_file_url`` during the request and answers 400 "Could not download ...":
a statement about the remote URL, not the request's shape (like the 404 ``positive_data_acceptance``
allows), so that answer is not counted as rejected positive data. A negative multipart upload the
server accepts is the known multipart false positive (``contracts.adapt.multipart_negative``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from contracts.adapt import excusing, in_stateful_phase, multipart_negative
from contracts.target import Target

NOT_DOWNLOADED = "Could not download"
EMPTY_FILE = "The file is empty"
REMOTE = "remote."
PDF = b"%PDF-1.4 contract resume"
URL = re.compile(r"^[hH][tT][tT][pP][sS]?://[^/?#]+")
"""The document's ``public_file_url`` pattern: only a URL it accepts is re-aimed."""
ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|remote\..+")
"""The document's path ``id`` pattern, unanchored for ``fullmatch``: only an id it accepts is re-aimed."""


def _an_id(value: Any) -> bool:
    """A value the document's id rule accepts (a UUID or ``remote.<id>``): only those are re-aimed."""
    return isinstance(value, str) and ID.fullmatch(value) is not None


def _token(target: Target, credentials: Mapping[str, str]) -> str:
    form = {
        "grant_type": "client_credentials",
        "client_id": credentials["client_id"],
        "client_secret": credentials["client_secret"],
    }
    return str(target.post_form("/api/v1/auth/tokens", form)["access_token"])


def seed(target: Target, credentials: Mapping[str, str]) -> tuple[str, str, str]:
    """One candidate and one attachment through the documented calls: their ids and the remote id."""
    remote = f"seed-{uuid.uuid4().hex[:12]}"  # fresh: a target may hold an earlier run's
    auth = {"Authorization": f"Bearer {_token(target, credentials)}"}
    with target.client() as http:
        made = http.post(
            f"{target.base_url}/api/v1/candidates", json={"first_name": "Ada", "remote_id": remote}, headers=auth
        )
        made.raise_for_status()
        candidate = str(made.json()["result"]["id"])
        attached = http.post(
            f"{target.base_url}/api/v1/attachments",
            data={"remote_id": remote, "type": "resume", "candidate_id": candidate},
            files={"file": ("cv.pdf", PDF, "application/pdf")},
            headers=auth,
        )
        attached.raise_for_status()
        return candidate, str(attached.json()["result"]["id"]), remote


class Aim:
    """The aiming ``map_case`` hook, given the seeded ids: about half the generated values become
    real ones, and only values the document already accepts, so a negative case keeps its violation
    (the suite does not re-judge a case a ``map_case`` hook edits in place)."""

    def __init__(self, candidate_id: str, attachment_id: str, remote: str, file_url: str | None) -> None:
        self.candidate_id = candidate_id
        self.attachment_id = attachment_id
        self.remote = remote
        self.file_url = file_url

    def __call__(self, context: Any, case: Any) -> Any:
        body = case.body if isinstance(case.body, dict) else None
        if case.path_parameters and _an_id(case.path_parameters.get("id")):
            raw = case.path_parameters["id"]
            if len(raw) % 2 == 0 and not in_stateful_phase(case):  # a link's id stays
                own = self.attachment_id if "attachments" in case.operation.label else self.candidate_id
                case.path_parameters["id"] = own if len(raw) % 4 == 0 else REMOTE + self.remote
            path_id = case.path_parameters["id"]
            if case.method.upper() == "PUT" and path_id.startswith(REMOTE) and body is not None:
                if isinstance(body.get("remote_id"), str) and body["remote_id"]:  # minLength 1
                    body["remote_id"] = unquote(path_id[len(REMOTE) :])
        if body is not None:
            if (
                _an_id(body.get("candidate_id"))
                and not body["candidate_id"].startswith(REMOTE)
                and len(body["candidate_id"]) % 2
            ):
                body["candidate_id"] = self.candidate_id
            url = body.get("public_file_url")
            if self.file_url and isinstance(url, str) and URL.match(url):
                body["public_file_url"] = self.file_url if len(url) % 2 else "http://10.0.0.1/cv.pdf"
        return case


def install(schema: Any, target: Target, credentials: Mapping[str, str]) -> None:
    """Aim ids, ``candidate_id`` and ``public_file_url`` at real things; keep PUT's ``remote_id`` the path's."""
    schema.hook("map_case")(Aim(*seed(target, credentials), credentials.get("file_url")))


def adapt_checks(functions: Mapping[str, Any]) -> dict[str, Any]:
    """``positive_data_acceptance`` that lets a URL Endorsed could not download pass as a 404 would;
    ``negative_data_rejection`` that lets a multipart form whose parts are all text pass (see
    ``contracts.adapt.multipart_negative``: its type violations do not survive serialization)."""
    functions = excusing(functions, "negative_data_rejection", multipart_negative)
    return excusing(functions, "positive_data_acceptance", _not_the_requests_shape)


def _not_the_requests_shape(response: Any, case: Any) -> bool:
    """A URL Endorsed could not download, or an empty ``file`` part: the multipart binary false
    positive (schemathesis draws ``format: binary`` parts from fixed samples, the empty one too, and
    no keyword makes a binary part non-empty); test_openapi.py uploads generated non-empty bytes and
    reads them back instead."""
    if response.status_code != 400:
        return False
    empty_file = case.media_type == "multipart/form-data" and EMPTY_FILE in response.text
    return NOT_DOWNLOADED in response.text or empty_file
