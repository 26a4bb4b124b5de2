"""The credentials file for a run against a real vendor: TOML, one table per vendor.

Each table holds the fields its document's ``x-atsmock-auth`` lists, e.g.::

    [pageup]
    client_id = "..."
    client_secret = "..."
    tenant = "..."
"""

from __future__ import annotations

import tomllib
from pathlib import Path


def load(path: str | Path) -> dict[str, dict[str, str]]:
    """Every vendor table of the file, values as strings; raises ``ValueError`` on a malformed file."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"credentials file {path}: {exc}") from exc
    from mockservers.vendors import names

    known = names()
    tables: dict[str, dict[str, str]] = {}
    for vendor, table in data.items():
        if vendor not in known:
            raise ValueError(f"credentials file {path}: [{vendor}] is not a vendor ({', '.join(known)})")
        if not isinstance(table, dict):
            raise ValueError(f"credentials file {path}: [{vendor}] must be a table")
        tables[vendor] = {str(key): str(value) for key, value in table.items()}
    return tables
