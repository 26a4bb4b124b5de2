"""API keys: HTTP Basic with the key as the username, and the permission each endpoint needs.

Ashby, "Authentication" (developers.ashbyhq.com/reference/authentication): a missing key answers
401, a wrong or deactivated key 403, and a key without the endpoint's permission 403 with the
error ``missing_endpoint_permission``; each with a human-readable message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mockservers.ashby.settings import AshbyKey
from mockservers.core import errors as kinds
from mockservers.core.errors import VendorError
from mockservers.core.http import basic_credentials

PERMISSIONS: Mapping[str, str] = {
    "fileCreateFileUploadHandle": "candidatesWrite",
    "candidateCreate": "candidatesWrite",
    "candidateUploadResume": "candidatesWrite",
    "candidateUploadFile": "candidatesWrite",
    "applicationFormSubmit": "candidatesWrite",
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
                kinds.UNAUTHENTICATED,
                "Missing API key: send it as the username of HTTP Basic authentication, with an empty password",
                headers=WWW_AUTHENTICATE,
            )
        key = self._keys.get(api_key)
        if key is None:
            raise VendorError(kinds.FORBIDDEN, "The API key provided is invalid", code="invalid_api_key")
        if not key.active:
            raise VendorError(kinds.FORBIDDEN, "The API key provided has been deactivated", code="invalid_api_key")
        needed = PERMISSIONS[operation]
        if needed not in key.permissions:
            raise VendorError(
                kinds.FORBIDDEN,
                f"The API key does not have the {needed} permission required by this endpoint",
                code="missing_endpoint_permission",
            )
        return key


def basic_username(authorization: str | None) -> str:
    """The username of a ``Basic`` Authorization header, or ``""`` when there is none to read."""
    pair = basic_credentials(authorization)
    return "" if pair is None else pair[0]
