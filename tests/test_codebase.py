"""The code base keeps its own rules: ruff and mypy clean, and imports flow one way.

core/ never imports a vendor, no vendor imports another, client/ imports neither mockservers
nor contracts (STYLE.md: "one request, one direction"), and outside the vendor folders only the
registry names a vendor.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mockservers.vendors import names

ROOT = Path(__file__).resolve().parent.parent
VENDORS = names()
SOURCES = ("mockservers", "client", "contracts", "tests", "bench", "docs", "conftest.py")
"""What ruff checks: the project's own folders, so a virtual environment inside the checkout (whatever its
name) is never linted."""


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


def _code_words(path: Path) -> set[str]:
    """Identifiers and string literals of a module; docstrings (a string standing alone as a statement,
    attribute docstrings included) and comments left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    }
    words: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            words.update(re.findall(r"[a-z0-9]+", node.value.lower()))
        elif isinstance(node, ast.Name):
            words.update(node.id.lower().split("_"))
        elif isinstance(node, ast.Attribute):
            words.update(node.attr.lower().split("_"))
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            words.update(node.name.lower().split("_"))
        elif isinstance(node, ast.alias):
            words.update(re.findall(r"[a-z0-9]+", node.name.lower()))
    return words


def test_only_the_registry_names_a_vendor_outside_the_vendor_folders() -> None:
    vendor_folders = {ROOT / "mockservers" / v for v in VENDORS}
    offending = sorted(
        f"{path.relative_to(ROOT)} names {', '.join(sorted(found))}"
        for path in (ROOT / "mockservers").rglob("*.py")
        if not vendor_folders & set(path.parents)
        and path != ROOT / "mockservers" / "vendors.py"
        and (found := _code_words(path) & set(VENDORS))
    )
    assert offending == []


def test_reference_clients_import_httpx_only() -> None:
    assert _offending("client", ("mockservers", "contracts", "starlette", "moto", "botocore", "boto3")) == []


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=240, check=False)


def test_ruff_is_clean() -> None:
    if shutil.which("ruff") is None:
        pytest.fail("ruff is part of the test extra; install with pip install -e '.[test]'")
    lint = _run("ruff", "check", *SOURCES)
    assert (lint.returncode, lint.stdout) == (0, "All checks passed!\n")
    fmt = _run("ruff", "format", "--check", *SOURCES)
    assert fmt.returncode == 0, fmt.stdout


def test_mypy_strict_is_clean() -> None:
    result = _run(sys.executable, "-m", "mypy")
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("Success: no issues found")
