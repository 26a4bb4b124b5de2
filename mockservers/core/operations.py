"""Map a request to its OpenAPI operationId before it reaches the vendor's router.

The journal and fault matching need the operation up front; the table is compiled once from the
vendor's Starlette routes, whose names are the operationIds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence

from starlette.routing import BaseRoute, Route


class OperationTable:
    """operationIds by (method, path), and ``aliases``: the vendor's own names for them where they differ
    (Ashby's ``file.createFileUploadHandle`` for ``fileCreateFileUploadHandle``), which fault targets accept."""

    def __init__(
        self,
        entries: Sequence[tuple[str, re.Pattern[str], frozenset[str], str]],
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        self._exact: dict[tuple[str, str], str] = {}
        self._patterns: list[tuple[re.Pattern[str], frozenset[str], str]] = []
        for path, regex, methods, name in entries:
            if "{" not in path:
                for method in methods:
                    self._exact.setdefault((method, path), name)
            else:
                self._patterns.append((regex, methods, name))
        self.names = frozenset(name for *_, name in entries)
        self.aliases: Mapping[str, str] = {a: n for a, n in (aliases or {}).items() if a != n}
        unknown = set(self.aliases.values()) - self.names
        if unknown:
            raise ValueError(f"aliases name unknown operations: {sorted(unknown)}")

    @classmethod
    def from_routes(
        cls,
        routes: Iterable[BaseRoute],
        *,
        exclude: Iterable[str] = (),
        aliases: Callable[[Route], str | None] | None = None,
        former: Mapping[str, str] | None = None,
    ) -> OperationTable:
        """Every ``Route`` whose name is not excluded (e.g. the OpenAPI document's own route); ``aliases``
        gives a route's vendor name (e.g. from its path) where the vendor calls it something else;
        ``former`` maps operationIds the mock used before a rename to the current ones, accepted the same way."""
        skip = set(exclude)
        entries = []
        names: dict[str, str] = {}
        for route in routes:
            if isinstance(route, Route) and route.name not in skip:
                methods = frozenset(route.methods or {"GET"})
                entries.append((route.path, route.path_regex, methods, route.name))
                alias = aliases(route) if aliases is not None else None
                if alias:
                    names[alias] = route.name
        for old, current in (former or {}).items():
            names.setdefault(old, current)  # after the vendor's own names: error messages show those
        return cls(entries, names)

    def resolve(self, method: str, path: str) -> str | None:
        name = self._exact.get((method, path))
        if name is not None:
            return name
        if method == "HEAD":
            name = self._exact.get(("GET", path))
            if name is not None:
                return name
        for regex, methods, name in self._patterns:
            if method in methods and regex.match(path):
                return name
        return None
