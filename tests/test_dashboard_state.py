"""``GET /__admin/vendors`` and file downloads: what each vendor holds, read through ``VendorMount.inventory``.

A throwaway ``shelf`` vendor proves the interface (any vendor that declares an inventory appears,
with no change to the admin API); the two built vendors prove their own inventories through
their real upload flows. A download serves only what the vendor lists, as an attachment.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import jsonschema
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from contracts import load_openapi
from mockservers.config import Settings
from mockservers.core.demo import DemoRun
from mockservers.core.operations import OperationTable
from mockservers.core.vendor import HeldFile, Inventory, Vendor, VendorMount
from mockservers.testing import IN_PROCESS_URL, InProcessTransport, in_process_client, make_app
from mockservers.vendors import served

BUCKET = "shelf-files"
S3_OPERATIONS = ["delete_object", "get_object", "head_object", "post_object", "put_object"]
S3_ENTRY = {
    "name": "s3",
    "title": "S3 (presigned uploads and downloads)",
    "operations": S3_OPERATIONS,
    "counts": {},
    "files": [],
    "filesTotal": 0,
}
DOWNLOAD = "/__admin/vendors/shelf/files/download"


@dataclass(frozen=True)
class ShelfSettings:
    region: str = "eu-west-1"


@dataclass
class Shelf:
    """What the shelf vendor holds: the files it says it has (a test puts them there)."""

    held: list[HeldFile] = field(default_factory=list)

    def inventory(self) -> Inventory:
        return Inventory({"books": len(self.held), "loans": 0}, list(self.held))


async def list_books(request: Any) -> JSONResponse:
    return JSONResponse([])


def create_shelf(platform: Any, settings: ShelfSettings) -> VendorMount:
    platform.s3.ensure_bucket(BUCKET, settings.region)
    shelf = Shelf()
    routes = [Route("/books", list_books, methods=["GET"])]
    return VendorMount(
        "shelf",
        Starlette(routes=routes),
        OperationTable.from_routes(routes),
        reset=shelf.held.clear,
        inventory=shelf.inventory,
    )


SHELF = Vendor("shelf", "Shelf (tests)", ShelfSettings, create=create_shelf)


@pytest.fixture
def shelf_app() -> Any:
    return make_app(Settings(registry=[SHELF]), vendors=[SHELF])


@pytest.fixture
def shelf(shelf_app: Any) -> Shelf:
    state = shelf_app.platform.vendors["shelf"].inventory.__self__
    assert isinstance(state, Shelf)
    return state


@pytest.fixture
def client(shelf_app: Any) -> Iterator[httpx.Client]:
    with in_process_client(shelf_app) as c:
        yield c


def put(app: Any, shelf: Shelf, key: str, data: bytes, name: str, content_type: str = "text/plain") -> HeldFile:
    app.platform.s3.put_bytes(BUCKET, key, data, content_type)
    held = HeldFile(name, len(data), content_type, BUCKET, key)
    shelf.held.append(held)
    return held


def test_vendors_lists_every_mounted_vendor_then_s3(client: httpx.Client, shelf_app: Any, shelf: Shelf) -> None:
    put(shelf_app, shelf, "a/one file.txt", b"hello", "one file.txt")
    response = client.get("/__admin/vendors")
    assert response.status_code == 200
    assert response.json() == {
        "vendors": [
            {
                "name": "shelf",
                "title": "Shelf (tests)",
                "operations": ["list_books"],
                "counts": {"books": 1, "loans": 0},
                "files": [
                    {
                        "name": "one file.txt",
                        "size": 5,
                        "contentType": "text/plain",
                        "bucket": BUCKET,
                        "key": "a/one file.txt",
                        "download": f"{DOWNLOAD}?bucket=shelf-files&key=a%2Fone+file.txt",
                    }
                ],
                "filesTotal": 1,
            },
            S3_ENTRY,
        ]
    }
    document = load_openapi("admin")
    schema = document["paths"]["/vendors"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    jsonschema.Draft202012Validator({**schema, "components": document["components"]}).validate(response.json())


def test_a_vendor_without_an_inventory_holds_nothing(echo_client: httpx.Client) -> None:
    echo = echo_client.get("/__admin/vendors").json()["vendors"][0]
    assert echo == {
        "name": "echo",
        "title": "Echo (tests)",
        "operations": ["crash", "create_thing", "get_blob", "get_thing", "refuse"],
        "counts": {},
        "files": [],
        "filesTotal": 0,
    }


def test_at_most_500_files_are_listed(client: httpx.Client, shelf: Shelf) -> None:
    shelf.held.extend(HeldFile(f"f{n}", 1, "text/plain", BUCKET, f"k{n}") for n in range(501))
    listed = client.get("/__admin/vendors").json()["vendors"][0]
    assert (len(listed["files"]), listed["filesTotal"], listed["files"][-1]["key"]) == (500, 501, "k499")


def test_the_download_link_serves_the_file_as_an_attachment(client: httpx.Client, shelf_app: Any, shelf: Shelf) -> None:
    put(shelf_app, shelf, "a/cv.html", b"<script>alert(1)</script>", "Müller CV.html", "text/html")
    link = client.get("/__admin/vendors").json()["vendors"][0]["files"][0]["download"]
    response = client.get(link)
    assert (response.status_code, response.content) == (200, b"<script>alert(1)</script>")
    assert dict(response.headers) == {
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        "content-security-policy": "default-src 'none'; sandbox",
        "content-type": "text/html",
        "content-length": "25",
        "content-disposition": "attachment; filename=\"Muller CV.html\"; filename*=UTF-8''M%C3%BCller%20CV.html",
    }
    head = client.head(link)
    assert (head.status_code, head.content, head.headers["content-length"]) == (200, b"", "25")


def test_a_large_file_is_sent_in_pieces(client: httpx.Client, shelf_app: Any, shelf: Shelf) -> None:
    data = bytes(range(256)) * 4096  # 1 MiB: four of the store's pieces
    put(shelf_app, shelf, "big.bin", data, "big.bin", "application/octet-stream")
    response = client.get(DOWNLOAD, params={"bucket": BUCKET, "key": "big.bin"})
    assert (response.status_code, response.content == data) == (200, True)


def test_a_content_type_that_is_not_a_plain_media_type_is_sent_as_octet_stream(
    client: httpx.Client, shelf_app: Any, shelf: Shelf
) -> None:
    put(shelf_app, shelf, "x", b"x", "x", "text/plain; charset=utf-8")
    shelf.held[0] = HeldFile("x", 1, "text/html\r\nX-Evil: 1", BUCKET, "x")
    response = client.get(DOWNLOAD, params={"bucket": BUCKET, "key": "x"})
    assert (response.status_code, response.headers["content-type"]) == (200, "application/octet-stream")


def not_found(message: str) -> dict[str, Any]:
    return {"error": {"code": "not_found", "message": message}}


def test_only_objects_the_vendor_lists_are_served(client: httpx.Client, shelf_app: Any, shelf: Shelf) -> None:
    put(shelf_app, shelf, "listed", b"ok", "listed")
    shelf_app.platform.s3.put_bytes(BUCKET, "unlisted", b"secret")  # in the vendor's bucket, but not held
    refusals = [
        ({"bucket": BUCKET, "key": "unlisted"}, "vendor 'shelf' holds no file shelf-files/unlisted"),
        ({"bucket": "other", "key": "listed"}, "vendor 'shelf' holds no file other/listed"),
        ({"bucket": BUCKET, "key": "listed/"}, "vendor 'shelf' holds no file shelf-files/listed/"),
    ]
    for params, message in refusals:
        response = client.get(DOWNLOAD, params=params)
        assert (response.status_code, response.json()) == (404, not_found(message))
    response = client.get("/__admin/vendors/s3/files/download", params={"bucket": BUCKET, "key": "unlisted"})
    assert (response.status_code, response.json()) == (404, not_found("no vendor 's3' is mounted"))
    assert client.get(DOWNLOAD, params={"bucket": BUCKET, "key": "listed"}).content == b"ok"


def test_a_listed_file_whose_object_is_gone_is_404(client: httpx.Client, shelf: Shelf) -> None:
    shelf.held.append(HeldFile("gone", 1, "text/plain", BUCKET, "gone"))
    response = client.get(DOWNLOAD, params={"bucket": BUCKET, "key": "gone"})
    assert (response.status_code, response.json()) == (
        404,
        not_found("the object shelf-files/gone is no longer stored"),
    )


@pytest.mark.parametrize("query", ["", "?bucket=shelf-files", "?key=x", "?bucket=&key=x"])
def test_bucket_and_key_are_required(client: httpx.Client, query: str) -> None:
    response = client.get(f"{DOWNLOAD}{query}")
    expected = {"error": {"code": "invalid_request", "message": "bucket and key are required"}}
    assert (response.status_code, response.json()) == (400, expected)


def test_resetting_a_vendor_empties_what_it_holds(client: httpx.Client, shelf_app: Any, shelf: Shelf) -> None:
    put(shelf_app, shelf, "k", b"v", "k")
    assert client.post("/__admin/reset", params={"vendor": "shelf"}).json() == {"reset": "shelf"}
    assert client.get("/__admin/vendors").json()["vendors"][0]["counts"] == {"books": 0, "loans": 0}


# --- the built vendors' inventories, through their own flows ---------------------------------------------------


def by_name(client: httpx.Client) -> dict[str, dict[str, Any]]:
    return {v["name"]: v for v in client.get("/__admin/vendors").json()["vendors"]}


@pytest.fixture
def built_app() -> Any:
    return make_app()


@pytest.fixture
def app_client(built_app: Any) -> Iterator[httpx.Client]:
    with in_process_client(built_app) as c:
        yield c


def pageup_token(client: httpx.Client) -> dict[str, str]:
    form = {
        "grant_type": "client_credentials",
        "client_id": "atsmock-pageup",
        "client_secret": "atsmock-pageup-secret",
        "scope": "Public.Document.Read Public.Document.Write",
    }
    return {"Authorization": f"Bearer {client.post('/pageup/connect/token', data=form).json()['access_token']}"}


def test_pageup_holds_documents_and_temp_uploads(app_client: httpx.Client) -> None:
    auth = pageup_token(app_client)
    documents = "/pageup/v3/218/recruitment/document"

    def prepare(filename: str) -> dict[str, Any]:
        return dict(
            app_client.get(f"{documents}/prepareTempDirectUpload", params={"filename": filename}, headers=auth).json()
        )

    def upload(prepared: dict[str, Any], data: bytes) -> None:
        headers = {**prepared["headers"], "Content-Type": prepared["contentType"]}
        assert app_client.put(prepared["url"], content=data, headers=headers).status_code == 200

    filed = prepare("cv.txt")
    upload(filed, b"filed bytes")
    body = {"title": "CV", "fileName": "cv.txt", "physicalFile": filed["physicalFile"], "documentCategoryId": 7}
    document = app_client.post(f"{documents}/moveFromTemp", json=body, headers=auth).json()
    staged = prepare("letter.pdf")
    upload(staged, b"%PDF staged")
    prepare("never-sent.txt")

    pageup = by_name(app_client)["pageup"]
    assert pageup["counts"] == {"documents": 1, "temp uploads": 2}
    assert [(f["name"], f["size"], f["contentType"], f["bucket"]) for f in pageup["files"]] == [
        ("cv.txt", 11, "text/plain", "pageup-storage-au"),
        ("letter.pdf", 11, "application/pdf", "pageup-storage-temp-au"),
    ]
    assert pageup["files"][0]["key"] == f"218/Document/{document['physicalFile']}"
    assert pageup["files"][1]["key"] == f"218/Document/{staged['physicalFile']}"
    assert [app_client.get(f["download"]).content for f in pageup["files"]] == [b"filed bytes", b"%PDF staged"]


def test_ashby_holds_candidates_upload_handles_files_and_applications(app_client: httpx.Client) -> None:
    auth = httpx.BasicAuth("atsmock-ashby", "")

    def ok(method: str, body: dict[str, Any]) -> Any:
        payload = app_client.post(f"/ashby/{method}", json=body, auth=auth).json()
        assert payload["success"] is True, payload
        return payload["results"]

    data = b"%PDF-1.4 resume"
    target = ok(
        "file.createFileUploadHandle",
        {"fileUploadContext": "CandidateResume", "filename": "Ada CV.pdf", "contentType": "application/pdf"}
        | {"contentLength": len(data)},
    )
    files = {"file": ("Ada CV.pdf", data, "application/pdf")}
    assert app_client.post(target["url"], data=target["fields"], files=files).status_code in (200, 201, 204)
    candidate = ok("candidate.create", {"name": "Ada Lovelace"})
    ok("candidate.uploadResume", {"candidateId": candidate["id"], "resumeHandle": target["handle"]})
    ok("candidate.create", {"name": "Grace Hopper"})

    ashby = by_name(app_client)["ashby"]
    assert ashby["counts"] == {"candidates": 2, "upload handles": 1, "files": 1, "applications": 0}
    assert [(f["name"], f["size"], f["contentType"], f["bucket"]) for f in ashby["files"]] == [
        ("Ada CV.pdf", len(data), "application/pdf", "ashby-candidate-files"),
        ("Ada CV.pdf", len(data), "application/pdf", "ashby-file-uploads"),
    ]
    assert {app_client.get(f["download"]).content for f in ashby["files"]} == {data}
    assert app_client.post("/__admin/reset", params={"vendor": "ashby"}).status_code == 200
    emptied = by_name(app_client)["ashby"]
    assert (emptied["counts"], emptied["files"]) == (
        {"candidates": 0, "upload handles": 0, "files": 0, "applications": 0},
        [],
    )


def test_every_fault_target_is_listed_with_its_operations(built_app: Any, app_client: httpx.Client) -> None:
    listed = by_name(app_client)
    targets = built_app.platform.faults.targets
    assert list(listed) == [*built_app.platform.vendors, "s3"]
    assert {name: v["operations"] for name, v in listed.items()} == {n: sorted(ops) for n, ops in targets.items()}


@pytest.mark.parametrize("vendor", [v.name for v in served()])
def test_after_its_demo_every_vendor_lists_what_it_holds_and_serves_those_very_bytes(
    vendor: str, built_app: Any, app_client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every served vendor declares an inventory (a vendor without one would show QA an empty State tab):
    after its whole workflow, it counts something, lists files, and each download is bytes it was sent."""
    uploaded: list[bytes] = []
    same_bytes = DemoRun.same_bytes

    def keep(self: DemoRun, step: Any, sent: bytes, downloaded: bytes) -> None:
        uploaded.append(sent)
        same_bytes(self, step, sent, downloaded)

    monkeypatch.setattr(DemoRun, "same_bytes", keep)
    registered = next(v for v in served() if v.name == vendor)
    assert registered.demo is not None
    run = DemoRun(vendor, f"{IN_PROCESS_URL}/{vendor}", io.StringIO(), transport=InProcessTransport(built_app))
    try:
        registered.demo(run, built_app.platform.settings.vendor(vendor))
    finally:
        run.close()
    assert run.ok and uploaded

    held = by_name(app_client)[vendor]
    assert sum(held["counts"].values()) > 0, held
    assert held["files"] and held["filesTotal"] == len(held["files"])
    for listed in held["files"]:
        download = app_client.get(listed["download"])
        assert download.status_code == 200
        assert download.content in uploaded
        assert len(download.content) == listed["size"]
        assert download.headers["content-type"].split(";")[0] == listed["contentType"]

    assert app_client.post("/__admin/reset", params={"vendor": vendor}).status_code == 200
    emptied = by_name(app_client)[vendor]
    with in_process_client(make_app()) as fresh:
        seeded = by_name(fresh)[vendor]  # what a vendor seeds (WTTJ's example candidate) stays
    assert (emptied["counts"], emptied["files"]) == (seeded["counts"], [])
    assert seeded["files"] == []
