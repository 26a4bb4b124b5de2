"""The dashboard's page and files at ``/__admin/ui``: what is served, with which headers, and behind which token.

The page and its two files load without the admin token (static bytes, no data); everything they
call needs it. The files themselves are checked for what the Content-Security-Policy promises: no
inline script or event handler, nothing from another host, no value ever parsed as HTML, and no
vendor named (everything comes from the admin API).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from importlib import resources
from typing import Any

import httpx
import pytest

from contracts import load_openapi
from mockservers import ui
from mockservers.admin import OPEN_PATHS
from mockservers.testing import in_process_client
from mockservers.vendors import names

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
UNAUTHORIZED = {"error": {"code": "unauthorized", "message": "the admin API needs Authorization: Bearer <admin token>"}}


def packaged(name: str) -> bytes:
    return resources.files("mockservers.ui").joinpath(name).read_bytes()


@pytest.mark.parametrize(
    ("path", "name", "content_type"),
    [
        ("/__admin/ui", "index.html", "text/html; charset=utf-8"),
        ("/__admin/ui/app.js", "app.js", "text/javascript; charset=utf-8"),
        ("/__admin/ui/app.css", "app.css", "text/css; charset=utf-8"),
    ],
)
def test_the_page_and_its_files_are_served_with_a_strict_policy(
    echo_client: httpx.Client, path: str, name: str, content_type: str
) -> None:
    response = echo_client.get(path)
    assert (response.status_code, response.content) == (200, packaged(name))
    assert response.headers["content-type"] == content_type
    assert response.headers["content-security-policy"] == CSP
    assert (response.headers["x-content-type-options"], response.headers["x-frame-options"]) == ("nosniff", "DENY")
    assert (response.headers["referrer-policy"], response.headers["cache-control"]) == ("no-referrer", "no-cache")


def test_the_page_with_a_trailing_slash_redirects_so_its_relative_links_resolve(echo_client: httpx.Client) -> None:
    response = echo_client.get("/__admin/ui/", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (307, "http://testserver/__admin/ui")


def test_an_unknown_dashboard_file_is_an_admin_404(echo_client: httpx.Client) -> None:
    for name in ("index.html", "__init__.py", "..", "app.js.map"):
        response = echo_client.get(f"/__admin/ui/{name}")
        assert response.status_code == 404, name
    response = echo_client.get("/__admin/ui/__init__.py")
    assert response.json() == {"error": {"code": "not_found", "message": "the dashboard has no file '__init__.py'"}}


@pytest.fixture
def guarded(make_echo_app: Callable[..., Any]) -> httpx.Client:
    return in_process_client(make_echo_app(admin_token="s3cret-admin"))


def test_with_a_token_the_page_loads_without_it_and_nothing_else_does(guarded: httpx.Client) -> None:
    for path in ("/__admin/ui", "/__admin/ui/app.js", "/__admin/ui/app.css", "/__admin/health"):
        assert guarded.get(path).status_code == 200, path
    assert guarded.get("/__admin/ui/", follow_redirects=False).status_code == 307
    refused = [
        "/__admin/ui/other.js",
        "/__admin/ui/app.js/x",
        "/__admin/uix",
        "/__admin/requests/stream",
        "/__admin/vendors",
        "/__admin/vendors/echo/files/download?bucket=b&key=k",
        "/__admin/requests/ui",
    ]
    for path in refused:
        response = guarded.get(path)
        assert (response.status_code, response.json()) == (401, UNAUTHORIZED), path
    token = {"Authorization": "Bearer s3cret-admin"}
    assert guarded.get("/__admin/vendors", headers=token).status_code == 200
    assert guarded.get("/__admin/requests/stream?status=x", headers=token).status_code == 400


def test_the_open_paths_are_exactly_those_documented_as_needing_no_token() -> None:
    paths = load_openapi("admin")["paths"]
    documented = {p for p, item in paths.items() if all(op.get("security") == [{}] for op in item.values())}
    assert documented == {"/health", "/ui", "/ui/{asset}"}
    assert OPEN_PATHS == {"/health", "/ui", "/ui/", "/ui/app.js", "/ui/app.css"}
    assert sorted(paths["/ui/{asset}"]["get"]["parameters"][0]["schema"]["enum"]) == sorted(ui.ASSETS)


# --- what the files hold ---------------------------------------------------------------------------------------


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.script_text.append(data)


def page_tags() -> Tags:
    parser = Tags()
    parser.feed(packaged("index.html").decode())
    return parser


def test_the_page_has_no_inline_script_style_or_event_handler() -> None:
    parsed = page_tags()
    scripts = [attrs for tag, attrs in parsed.tags if tag == "script"]
    assert scripts == [{"type": "module", "src": "ui/app.js"}]
    assert parsed.script_text == []
    handlers = [(tag, name) for tag, attrs in parsed.tags for name in attrs if name.startswith("on")]
    assert handlers == []
    assert [tag for tag, attrs in parsed.tags if "style" in attrs or tag == "style"] == []


def test_the_page_loads_nothing_from_another_host() -> None:
    links = [
        value
        for _, attrs in page_tags().tags
        for name, value in attrs.items()
        if name in ("src", "href", "action") and value is not None
    ]
    assert links  # the stylesheet, the script and the section links
    assert [v for v in links if not (v.startswith(("ui/", "#")) or v == "data:,")] == []
    everything = b"".join(packaged(n) for n in ("index.html", "app.js", "app.css")).decode()
    assert re.findall(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", everything) == []


def test_every_control_on_the_page_is_labelled() -> None:
    tags = page_tags().tags
    labelled = {attrs["for"] for tag, attrs in tags if tag == "label"}
    controls = [attrs.get("id") for tag, attrs in tags if tag in ("input", "select", "textarea")]
    assert controls and [c for c in controls if c not in labelled] == []


def test_the_script_never_parses_a_value_as_html() -> None:
    script = packaged("app.js").decode()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function", "srcdoc"):
        assert sink not in script, sink


def test_the_dashboard_names_no_vendor() -> None:
    text = b" ".join(packaged(n) for n in ("index.html", "app.js", "app.css")).decode().lower()
    words = set(re.findall(r"[a-z0-9]+", text))
    assert words & set(names()) == set()


def test_the_page_and_its_files_are_held_in_memory_so_a_reinstall_under_the_server_keeps_them(
    echo_client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's test command replaces the serve command's install with an editable one; a
    server started before it read its dashboard from files that were gone (500 FileNotFoundError)."""
    paths = {"/__admin/ui": "index.html", "/__admin/ui/app.js": "app.js", "/__admin/ui/app.css": "app.css"}
    shipped = {path: packaged(name) for path, name in paths.items()}

    def gone(*args: object) -> None:
        raise FileNotFoundError("the package was reinstalled")

    monkeypatch.setattr(resources, "files", gone)
    for path, body in shipped.items():
        response = echo_client.get(path)
        assert (response.status_code, response.content) == (200, body), path
