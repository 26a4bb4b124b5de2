"""API keys: Basic credentials, 401/403 and endpoint permissions."""

from __future__ import annotations

import base64

import pytest

from mockservers.ashby.auth import PERMISSIONS, KeyRing, basic_username
from mockservers.ashby.errors import STATUS
from mockservers.ashby.settings import AshbyKey, AshbySettings
from mockservers.core.errors import VendorError


def basic(user: str, password: str = "") -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.fixture
def ring() -> KeyRing:
    return KeyRing(
        (
            AshbyKey("rw", ("candidatesRead", "candidatesWrite", "jobsRead")),
            AshbyKey("ro", ("candidatesRead",)),
            AshbyKey("off", ("candidatesRead", "candidatesWrite"), active=False),
        )
    )


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer rw", basic(""), "Basic", "Basic !!!notbase64", "Basic " + base64.b64encode(b"\xff").decode()],
)
def test_missing_key_is_401(ring: KeyRing, header: str | None) -> None:
    with pytest.raises(VendorError) as exc:
        ring.authorize(header, "candidateInfo")
    assert (STATUS[exc.value.kind], exc.value.code) == (401, "unauthenticated")
    assert exc.value.message == (
        "Missing API key: send it as the username of HTTP Basic authentication, with an empty password"
    )
    assert exc.value.headers == {"WWW-Authenticate": 'Basic realm="Ashby API"'}


def test_unknown_key_is_403(ring: KeyRing) -> None:
    with pytest.raises(VendorError) as exc:
        ring.authorize(basic("nope"), "candidateInfo")
    assert (STATUS[exc.value.kind], exc.value.code, exc.value.message) == (
        403,
        "invalid_api_key",
        "The API key provided is invalid",
    )


def test_deactivated_key_is_403(ring: KeyRing) -> None:
    with pytest.raises(VendorError) as exc:
        ring.authorize(basic("off"), "candidateInfo")
    assert (STATUS[exc.value.kind], exc.value.code, exc.value.message) == (
        403,
        "invalid_api_key",
        "The API key provided has been deactivated",
    )


def test_missing_permission_is_403(ring: KeyRing) -> None:
    with pytest.raises(VendorError) as exc:
        ring.authorize(basic("ro"), "fileCreateFileUploadHandle")
    assert (STATUS[exc.value.kind], exc.value.code, exc.value.message) == (
        403,
        "missing_endpoint_permission",
        "The API key does not have the candidatesWrite permission required by this endpoint",
    )


def test_password_is_ignored_and_scheme_case_insensitive(ring: KeyRing) -> None:
    assert ring.authorize(basic("rw", "whatever"), "candidateCreate").api_key == "rw"
    assert ring.authorize(basic("rw").replace("Basic", "basic"), "jobPostingList").api_key == "rw"


def test_permission_table_matches_ashbys_docs() -> None:
    assert PERMISSIONS == {
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


def test_default_keys() -> None:
    keys = {k.api_key: k.permissions for k in AshbySettings().api_keys}
    assert keys == {
        "atsmock-ashby": ("candidatesRead", "candidatesWrite"),
        "atsmock-ashby-readonly": ("candidatesRead",),
        "atsmock-ashby-jobboard": ("jobsRead", "candidatesWrite"),
    }


def test_basic_username_keeps_colons_in_the_password() -> None:
    assert basic_username(basic("key", "a:b")) == "key"
