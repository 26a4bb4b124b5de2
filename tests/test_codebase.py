"""The code base keeps its own rules: ruff and mypy clean, and imports flow one way.

core/ never imports a vendor, no vendor imports another, and client/ imports neither mockservers
nor contracts (STYLE.md: "one request, one direction").
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mockservers.app import IMPLEMENTED

ROOT = Path(__file__).resolve().parent.parent
VENDORS = tuple(IMPLEMENTED)


def _imports(package: Path) -> dict[str, set[str]]:
    """Module path → the absolute module names it imports."""
    found: dict[str, set[str]] = {}
    for path in package.rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


def _offending(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{module} imports {name}"
        for module, names in _imports(ROOT / package).items()
        for name in names
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    )


def test_core_imports_no_vendor() -> None:
    forbidden = tuple(f"mockservers.{v}" for v in VENDORS)
    assert _offending("mockservers/core", forbidden) == []


@pytest.mark.parametrize("vendor", VENDORS)
def test_no_vendor_imports_another(vendor: str) -> None:
    others = tuple(f"mockservers.{v}" for v in VENDORS if v != vendor)
    assert _offending(f"mockservers/{vendor}", others) == []


def test_reference_clients_import_httpx_only() -> None:
    assert _offending("client", ("mockservers", "contracts", "starlette", "moto", "botocore", "boto3")) == []


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=240, check=False)


def test_ruff_is_clean() -> None:
    if shutil.which("ruff") is None:
        pytest.fail("ruff is part of the test extra; install with pip install -e '.[test]'")
    lint = _run("ruff", "check", ".")
    assert (lint.returncode, lint.stdout) == (0, "All checks passed!\n")
    fmt = _run("ruff", "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout


def test_mypy_strict_is_clean() -> None:
    result = _run(sys.executable, "-m", "mypy")
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("Success: no issues found")
