"""The dashboard at ``/__admin/ui``: one HTML page, its stylesheet and its script, shipped as package data.

No build step and no network: three plain files beside this module, read into memory when the
admin API is built, so a server keeps its dashboard when the package is reinstalled under it (the
README's test command replaces the serve command's install with an editable one). The page holds no
data and no secret, so it loads without the admin token; every call it makes goes to the admin
API with the token, which the page asks for when the API first answers 401 (kept in session
storage). A Content-Security-Policy allows nothing but these files and calls to this origin: no
inline script, no inline event handler, no other host.
"""

from __future__ import annotations

from importlib import resources

from starlette.requests import Request
from starlette.responses import Response

from mockservers.core.errors import AdminError

PAGE = "index.html"
ASSETS = {"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}
OPEN_PATHS = frozenset({"/ui", "/ui/", *(f"/ui/{name}" for name in ASSETS)})
"""Admin paths that need no token (the page and its files; ``/ui/`` only redirects to ``/ui``)."""

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


FILES = {name: resources.files(__name__).joinpath(name).read_bytes() for name in (PAGE, *ASSETS)}
"""The page and its assets, read once at import (45 KB): no request reads the disk."""


async def ui_page(request: Request) -> Response:
    return Response(FILES[PAGE], headers=HEADERS, media_type="text/html; charset=utf-8")


async def ui_asset(request: Request) -> Response:
    name = request.path_params["asset"]
    media_type = ASSETS.get(name)
    if media_type is None:
        raise AdminError(404, "not_found", f"the dashboard has no file '{name}'")
    return Response(FILES[name], headers=HEADERS, media_type=media_type)
