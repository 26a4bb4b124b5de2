"""The pytest plugin, run as a user's test suite would run it (pytester): fixtures, reset, admin helpers."""

from __future__ import annotations

import pytest

# pytester's in-process run drops every module first imported during it. PyYAML's C extension cannot
# be loaded twice, so a ``yaml`` first imported by a user's suite here came back as a new module beside
# the old ``_yaml``, and every later CSafeLoader parse (the served /openapi.json) failed with "could not
# determine a constructor for the tag None". Imported before any run, it is kept.
import yaml  # noqa: F401

USER_TESTS = """
import httpx
import pytest


def token(base_url, credential):
    form = {"grant_type": "client_credentials", "client_id": credential.id, "client_secret": credential.secret}
    response = httpx.post(f"{base_url}/connect/token", data=form)
    assert response.status_code == 200
    return response.json()["access_token"]


def test_in_process_app_client_and_admin(atsmock_client, atsmock_admin):
    response = atsmock_client.get("/pageup/v3/218/recruitment/document/1")
    assert response.status_code == 401
    atsmock_admin.assert_request_made("pageup", "getDocument", times=1, status=401, error_code="invalid_token")


def test_the_live_server_and_a_vendor_fixture(atsmock_server, atsmock_pageup):
    assert atsmock_pageup.base_url == atsmock_server.url + "/pageup"
    credential = atsmock_pageup.credential
    assert (credential.id, credential.secret) == ("atsmock-pageup", "atsmock-pageup-secret")
    token(atsmock_pageup.base_url, atsmock_pageup.credential)
    atsmock_server.admin.assert_request_made("pageup", "requestToken", times=1, method="POST", status=200)


def test_state_is_reset_between_tests(atsmock_server):
    assert atsmock_server.admin.requests() == []


def test_faults_and_the_clock_from_python(atsmock_server, atsmock_pageup):
    access = token(atsmock_pageup.base_url, atsmock_pageup.credential)
    url = f"{atsmock_pageup.base_url}/v3/218/recruitment/document/8621"
    headers = {"Authorization": f"Bearer {access}"}
    atsmock_server.admin.add_fault("pageup.rate_limited", operation="getDocument")
    assert httpx.get(url, headers=headers).status_code == 429
    assert httpx.get(url, headers=headers).status_code == 404
    atsmock_server.admin.advance(301)
    assert httpx.get(url, headers=headers).status_code == 401
    atsmock_server.admin.assert_request_made("pageup", "getDocument", times=1, fault="pageup.rate_limited")
    with pytest.raises(AssertionError) as failed:
        atsmock_server.admin.assert_request_made("pageup", "getDocument", times=2, status=404)
    lines = str(failed.value).splitlines()
    assert lines[0] == "expected 2 pageup getDocument request(s) with status=404"
    assert lines[1] == "found 1 among 3 to pageup getDocument:"
    assert lines[2].endswith("/document/8621 -> 429 rate_limit_exceeded (fault pageup.rate_limited)")
    assert lines[4].endswith("-> 401 invalid_token")
"""


def test_a_users_suite_gets_every_fixture_with_no_configuration(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=4)


def test_each_served_vendor_has_a_fixture(pytester: pytest.Pytester) -> None:
    from mockservers.vendors import served

    names = [v.name for v in served()]
    pytester.makepyfile(
        test_vendors=f"""
import pytest

@pytest.mark.parametrize("name", {names!r})
def test_vendor(request, atsmock_server, name):
    endpoint = request.getfixturevalue(f"atsmock_{{name}}")
    assert endpoint.base_url == f"{{atsmock_server.url}}/{{name}}"
    assert endpoint.credentials == atsmock_server.credentials(name) and endpoint.credential.id
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=len(names))


API_URLS = """
import httpx
import pytest

# What the README's vendor table gives as each vendor's base URL, and one endpoint under it.
API = {
    "pageup": ("/pageup", "GET", "/v3/218/recruitment/document/1", "getDocument"),
    "ashby": ("/ashby", "POST", "/candidate.list", "candidateList"),
    "wttj": ("/wttj/api/v1/external", "GET", "/candidates/x", "getCandidate"),
    "clinch": ("/clinch/v1", "GET", "/candidates/1", "getCandidate"),
    "endorsed": ("/endorsed/api/v1", "GET", "/candidates/remote.x", "getCandidate"),
}


@pytest.mark.parametrize("name", sorted(API))
def test_api_url_is_what_a_connector_configures(request, atsmock_server, name):
    mount, method, path, operation = API[name]
    endpoint = request.getfixturevalue(f"atsmock_{name}")
    assert (endpoint.base_url, endpoint.api_url) == (f"{atsmock_server.url}/{name}", atsmock_server.url + mount)
    assert atsmock_server.api_url(name) == endpoint.api_url
    assert httpx.request(method, endpoint.api_url + path).status_code == 401  # the vendor's own "sign in first"
    atsmock_server.admin.assert_request_made(name, operation, times=1, status=401)
"""


def test_each_vendor_fixture_has_the_api_url_a_connector_configures(pytester: pytest.Pytester) -> None:
    from mockservers.vendors import served

    pytester.makepyfile(test_api_urls=API_URLS)
    result = pytester.runpytest("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=len(served()))


def test_a_users_conftest_configures_the_session_server_by_overriding_its_fixture(pytester: pytest.Pytester) -> None:
    """What the README says to do for your own settings; ``ATSMOCK_CONFIG`` in the shell is not read."""
    pytester.makefile(
        ".toml", atsmock='[[ashby.extra_api_keys]]\napi_key = "my-key"\npermissions = ["candidatesRead"]\n'
    )
    pytester.makeconftest(
        """
import pytest
import mockservers

@pytest.fixture(scope="session")
def atsmock_live_server():
    with mockservers.running(mockservers.load_settings("atsmock.toml")) as server:
        yield server
"""
    )
    pytester.makepyfile(
        test_configured="""
import httpx

def test_my_key(atsmock_server, atsmock_ashby):
    assert atsmock_ashby.credentials[-1].id == "my-key"
    answer = httpx.post(f"{atsmock_ashby.base_url}/candidate.list", json={}, auth=("my-key", ""))
    assert answer.json()["success"] is True
    atsmock_server.admin.assert_request_made("ashby", "candidate.list", times=1, status=200)
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=1)


def test_the_session_server_does_not_read_atsmock_config_from_the_shell(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATSMOCK_CONFIG", str(pytester.path / "absent.toml"))
    pytester.makepyfile(
        test_defaults="def test_defaults(atsmock_ashby):\n    assert len(atsmock_ashby.credentials) == 3\n"
    )
    pytester.runpytest("-p", "no:cacheprovider", "-q").assert_outcomes(passed=1)


def test_the_readme_vendor_table_gives_each_vendors_api_url() -> None:
    """The ``base URL (default)`` column is what ``.api_url`` answers on the default address."""
    import re
    from pathlib import Path

    from mockservers import create_app
    from mockservers.vendors import served

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| [^|]+ \| `(http://127\.0\.0\.1:8000/(\w+)[^`]*)` \|", readme, re.M)
    listed = {name: url for url, name in rows}
    platform = create_app().platform
    assert {v.name: listed[v.name] for v in served()} == {v.name: platform.api_url(v.name) for v in served()}
