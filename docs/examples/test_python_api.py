"""atsmock from Python without pytest: a live server for a block, and the ASGI app factory."""

import httpx

import mockservers


def test_a_live_server_for_a_block():
    with mockservers.running() as server:
        print(server.url)  # http://127.0.0.1:<ephemeral port>
        base = server.vendor_url("ashby")
        key = server.credentials("ashby")[0].id  # atsmock-ashby
        answer = httpx.post(f"{base}/candidate.list", json={}, auth=(key, ""))
        assert answer.json()["success"] is True
        server.admin.assert_request_made("ashby", "candidateList", times=1, status=200)


def test_the_asgi_app_for_any_asgi_server_or_in_process():
    from mockservers.testing import in_process_client, make_app

    app = mockservers.create_app()  # an ASGI app: uvicorn.run(app), or mount it in your own
    assert app.platform.vendors  # every served vendor, the embedded S3 and the admin API
    # The URLs it hands out (presigned uploads) name 127.0.0.1:8000; on another port or host, say where:
    on_9000 = mockservers.create_app(mockservers.load_settings().with_server(port=9000))  # or public_url=...
    assert on_9000.platform.vendor_url("pageup") == "http://127.0.0.1:9000/pageup"

    in_process = make_app()  # the same app, its public URLs pointing at the in-process client
    with in_process_client(in_process) as http:  # httpx, no socket
        assert http.get("/__admin/health").status_code == 200
