"""Pages of a list, as grape-kaminari cuts them and announces them in headers.

WTTJ's lists take ``page`` (default 1) and ``per_page`` (default 100) and answer a bare JSON array
(every list page of the docs); the FAQ ("Get published jobs count?") shows the headers:
``X-Total``, ``X-Total-Pages``, ``X-Per-Page``, ``X-Page``, ``X-Offset`` — grape-kaminari's, which
also sends ``X-Next-Page`` / ``X-Prev-Page`` when there is one (empty otherwise, and Puma sends no
empty header, so the FAQ's single page shows neither). Kaminari's rules, applied here: a ``page``
below 1 is page 1; ``offset`` pads the list; a page past the end is empty, with neither neighbour.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from mockservers.wttj.params import Params

T = TypeVar("T")

DEFAULT_PER_PAGE = 100
"""The docs' default ``per_page`` on every list (WTTJ/wk-api-docs, ``_candidates.md``, ``_documents.md``)."""


@dataclass(frozen=True, slots=True)
class PageRequest:
    page: int
    per_page: int
    offset: int


def read_paging(params: Params) -> PageRequest:
    """``page``, ``per_page`` and ``offset``; a ``per_page`` below 1 or a negative ``offset`` is refused
    (inferred: Kaminari cannot count pages of ``per(0)``, so the real service would fail with a 500)."""
    page = params.integer("page", default=1)
    per_page = params.integer("per_page", default=DEFAULT_PER_PAGE)
    offset = params.integer("offset", default=0)
    if per_page is not None and per_page < 1:
        params.problems.append("per_page does not have a valid value")
    if offset is not None and offset < 0:
        params.problems.append("offset does not have a valid value")
    return PageRequest(max(page or 1, 1), per_page or DEFAULT_PER_PAGE, max(offset or 0, 0))


def paginate(items: Sequence[T], request: PageRequest) -> tuple[list[T], dict[str, str]]:
    """The requested page of ``items`` and its headers."""
    start = (request.page - 1) * request.per_page + request.offset
    rows = list(items[start : start + request.per_page])
    total = len(items)
    pages = math.ceil(max(total - request.offset, 0) / request.per_page)
    page = request.page
    headers = {
        "X-Total": str(total),
        "X-Total-Pages": str(pages),
        "X-Per-Page": str(request.per_page),
        "X-Page": str(page),
    }
    in_range = page <= pages
    if in_range and page < pages:
        headers["X-Next-Page"] = str(page + 1)
    if in_range and page > 1:
        headers["X-Prev-Page"] = str(page - 1)
    headers["X-Offset"] = str(request.offset)
    return rows, headers
