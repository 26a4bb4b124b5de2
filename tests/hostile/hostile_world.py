"""The live server after a demo run of every served vendor: the ids each created and a credential for each operation.

The hostile corpora send their bodies to real records (``url``), so what the mock judges is the body.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import httpx
from hostile_access import Operation, all_operations, authorize, credentials

from mockservers.core.demo import DemoRun, run_demo
from mockservers.vendors import served


def json_type(op: Operation) -> str | None:
    return next((t for t in op.content_types if "json" in t), None)


JSON_OPS = [op for op in all_operations() if op.secured and json_type(op)]
MULTIPART_OPS = [op for op in all_operations() if op.secured and "multipart/form-data" in op.content_types]


def make_world(live_server: Any) -> Iterator[dict[str, Any]]:
    """The live server after one demo run per vendor: the ids each created, by kind, and each vendor's auth."""
    live_server.platform.reset()
    created: dict[str, dict[str, str]] = {}
    original = DemoRun.created

    def keep(self: DemoRun, kind: str, identifier: object) -> None:
        value = identifier.get("id") if isinstance(identifier, dict) else identifier
        created.setdefault(self.vendor, {}).setdefault(kind, str(value))
        original(self, kind, identifier)

    DemoRun.created = keep  # type: ignore[method-assign]
    try:
        for vendor in served():
            assert vendor.demo is not None
            run = run_demo(
                vendor, live_server.settings.vendor(vendor.name), live_server.vendor_url(vendor.name), io.StringIO()
            )
            assert run.ok, vendor.name
    finally:
        DemoRun.created = original  # type: ignore[method-assign]
    http = httpx.Client(base_url=live_server.url, timeout=30)
    auths = {
        v.name: [
            authorize(http, v.name, c, live_server.platform.clock.now)
            for c in credentials(v.name, live_server.settings.vendor(v.name))
        ]
        for v in served()
    }
    world: dict[str, Any] = {"created": created, "auths": auths, "auth": {}, "http": http, "server": live_server}
    for op in all_operations():
        if op.secured:
            world["auth"][op.id] = permitted(world, op)
    yield world
    http.close()
    live_server.platform.reset()


def permitted(world: dict[str, Any], op: Operation) -> httpx.Auth:
    """The first of the vendor's credentials that may call ``op`` (a job-board key for job postings...); a DELETE
    is not probed (it would delete the demo's record) and takes the first, full-access credential."""
    if op.method == "delete":
        return world["auths"][op.vendor][0]
    for auth in world["auths"][op.vendor]:
        probe = world["http"].request(
            op.method.upper(),
            url(op, world),
            content=b"{}",
            headers={"Content-Type": json_type(op) or "application/json"},
            auth=auth,
        )
        if probe.status_code not in (401, 403):
            return auth
    raise AssertionError(f"no default credential of {op.vendor} may call {op.id}")


def url(op: Operation, world: dict[str, Any]) -> str:
    """The operation's path with real ids: each ``{param}`` is what the demo created under the segment before it
    (``/candidates/{id}`` a candidate), a tenant the default credential's."""
    made = world["created"].get(op.vendor, {})
    params = {}
    segments = op.path.split("/")
    for i, segment in enumerate(segments):
        if segment.startswith("{"):
            name = segment[1:-1]
            if name == "tenant":
                grants = credentials(op.vendor)[0].grants
                params[name] = grants.split(",")[0].removeprefix("tenant ").strip()
                continue
            noun = segments[i - 1].rstrip("s") if name in ("id", "reference") else name.removesuffix("Id")
            params[name] = made.get(noun, "1")
    return op.url(**params)


def send(world: dict[str, Any], op: Operation, body: bytes | Iterator[bytes], content_type: str) -> httpx.Response:
    return world["http"].request(
        op.method.upper(),
        url(op, world),
        content=body,
        headers={"Content-Type": content_type},
        auth=world["auth"][op.id],
    )
