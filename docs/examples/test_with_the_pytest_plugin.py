"""Your connector's tests against atsmock with the pytest plugin: no configuration, installing atsmock is enough."""

import httpx


def test_my_connector_survives_a_rate_limit(atsmock_server, atsmock_pageup):
    credential = atsmock_pageup.credential  # atsmock-pageup / atsmock-pageup-secret
    form = {"grant_type": "client_credentials", "client_id": credential.id, "client_secret": credential.secret}
    token = httpx.post(f"{atsmock_pageup.base_url}/connect/token", data=form).json()["access_token"]

    atsmock_server.admin.add_fault("pageup.rate_limited", operation="getDocument")
    documents = f"{atsmock_pageup.base_url}/v3/218/recruitment/document"
    answer = httpx.get(f"{documents}/8621", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 429  # your connector would back off here

    atsmock_server.admin.advance(301)  # the token's 300 s are over on the mock clock
    answer = httpx.get(f"{documents}/8621", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401

    atsmock_server.admin.assert_request_made("pageup", "getDocument", times=2)
    atsmock_server.admin.assert_request_made("pageup", "getDocument", times=1, status=429)


def test_in_process_is_fastest_when_your_client_takes_an_httpx_client(atsmock_client, atsmock_admin):
    answer = atsmock_client.get("/pageup/v3/218/recruitment/document/8621")
    assert answer.status_code == 401
    atsmock_admin.assert_request_made("pageup", "getDocument", times=1, error_code="invalid_token")
