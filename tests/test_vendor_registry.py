"""The registry and what each registered vendor must provide, read from the registry itself (so a vendor
that lands is checked with no change here)."""

from __future__ import annotations

import dataclasses
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

from mockservers.core.errors import KINDS
from mockservers.core.vendor import Credential, Vendor
from mockservers.testing import in_process_client, make_app
from mockservers.vendors import MODULES, registered, served

ROOT = Path(__file__).resolve().parent.parent
VENDORS = registered()
SERVED = [v.name for v in served()]


def test_the_registry_lists_each_vendor_folder_once_in_mount_order() -> None:
    assert [f"mockservers.{v.name}" for v in VENDORS] == list(MODULES)
    assert all((ROOT / "mockservers" / v.name / "settings.py").is_file() for v in VENDORS)


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda v: v.name)
def test_each_vendor_has_default_settings_credentials_and_lower_case_secret_headers(vendor: Vendor) -> None:
    settings = vendor.settings()
    assert dataclasses.is_dataclass(settings)
    assert dataclasses.fields(settings)  # something a user can configure
    rows = list(vendor.credentials(settings))
    assert rows and all(isinstance(r, Credential) and r.id for r in rows)
    headers = vendor.secret_headers
    assert headers == {h.lower() for h in headers}


@pytest.mark.parametrize("name", SERVED)
def test_each_served_vendor_renders_every_kind_of_error(name: str) -> None:
    status = importlib.import_module(f"mockservers.{name}.errors").STATUS
    assert set(status) == KINDS
    assert all(isinstance(code, int) and 200 <= code <= 599 for code in status.values())


def test_listing_the_vendors_imports_no_vendor_routes() -> None:
    """The registry is imported by config at start-up: it must cost settings dataclasses, not vendor apps."""
    code = (
        "import sys; from mockservers.vendors import registered; registered(); "
        "print(sorted(m for m in sys.modules if m.startswith('mockservers.') and m.count('.') > 1 "
        "and not m.startswith('mockservers.core.') and not m.endswith(('.settings',))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out == "[]\n"
    assert (
        "starlette"
        not in subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from mockservers.vendors import registered; registered(); print(sorted(sys.modules))",
            ],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
    )


@pytest.mark.parametrize("prefix", [*(f"/{name}" for name in SERVED), "/__admin"])
def test_contracts_are_served_after_the_package_can_no_longer_be_imported(
    prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``pip install -e`` beside a running server used to make the first /openapi.json answer 500."""
    app = make_app()
    monkeypatch.setitem(sys.modules, "contracts", None)  # any import of it now raises ImportError
    with in_process_client(app) as http:
        response = http.get(f"{prefix}/openapi.json")
    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")
    assert response.json()["openapi"].startswith("3.")
