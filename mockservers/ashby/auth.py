"""API keys: HTTP Basic with the key as the username, and the permission each endpoint needs.

Ashby, "Authentication" (developers.ashbyhq.com/reference/authentication): a missing key answers
401, a wrong or deactivated key 403, and a key without the endpoint's permission 403 with the
error ``missing_endpoint_permission``; each with a human-readable message.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping

from mockservers.config import AshbyKey
from mockservers.core.errors import VendorError

PERMISSIONS: Mapping[str, str] = {
    "fileCreateFileUploadHandle": "candidatesWrite",
    "candidateCreate": "candidatesWrite",
    "candidateUploadResume": "candidatesWrite",
    "candidateUploadFile": "candidatesWrite",
    "applicationformsubmit": "candidatesWrite",
    "candidateInfo": "candidatesRead",
    "candidateList": "candidatesRead",
    "fileInfo": "candidatesRead",
    "jobPostingInfo": "jobsRead",
    "jobPostingList": "jobsRead",
}
"""operationId → the permission it needs, from each endpoint's "Requires the ... permission" note."""

WWW_AUTHENTICATE = {"WWW-Authenticate": 'Basic realm="Ashby API"'}


class KeyRing:
    """The configured API keys, looked up by the key string."""

    def __init__(self, keys: Iterable[AshbyKey]) -> None:
        self._keys = {k.api_key: k for k in keys}

    def authorize(self, authorization: str | None, operation: str) -> AshbyKey:
        """The key behind an ``Authorization`` header, if it may call ``operation``; else VendorError.

        The password half of the Basic credentials is ignored (Ashby says to leave it blank); a
        header that is not Basic, not base64, or has an empty username counts as missing.
        """
        api_key = basic_username(authorization)
        if not api_key:
            raise VendorError(
                401,
                "unauthenticated",
                "Missing API key: send it as the username of HTTP Basic authentication, with an empty password",
                headers=WWW_AUTHENTICATE,
            )
        key = self._keys.get(api_key)
        if key is None:
            raise VendorError(403, "invalid_api_key", "The API key provided is invalid")
        if not key.active:
            raise VendorError(403, "invalid_api_key", "The API key provided has been deactivated")
        needed = PERMISSIONS[operation]
        if needed not in key.permissions:
            raise VendorError(
                403,
                "missing_endpoint_permission",
                f"The API key does not have the {needed} permission required by this endpoint",
            )
        return key


def basic_username(authorization: str | None) -> str:
    """The username of a ``Basic`` Authorization header, or ``""`` when there is none to read."""
    if not authorization:
        return ""
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ""
    username, _, _password = decoded.partition(":")
    return username
