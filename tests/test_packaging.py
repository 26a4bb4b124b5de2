"""What ``pip install .`` installs: the packages and their documents, no test modules."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from mockservers.vendors import served

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The names in a wheel built from the tracked files (a copy, so no build/ is left in the checkout)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to know which files are tracked")
    source = tmp_path_factory.mktemp("source")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out), "."]
    subprocess.run(command, cwd=source, capture_output=True, check=True, timeout=120)
    [path] = out.glob("*.whl")
    return path


@pytest.fixture(scope="module")
def wheel(built: Path) -> list[str]:
    with zipfile.ZipFile(built) as archive:
        return archive.namelist()


def test_no_test_module_is_installed(wheel: list[str]) -> None:
    assert [n for n in wheel if Path(n).name.startswith("test_") or n.startswith(("tests/", "docs/"))] == []


def test_every_served_contract_and_the_admin_one_is_installed(wheel: list[str]) -> None:
    documents = {n for n in wheel if n.startswith("contracts/") and n.endswith(".yaml")}
    assert {f"contracts/{v.name}/openapi.yaml" for v in served()} | {"contracts/admin/openapi.yaml"} <= documents


def test_every_vendor_hooks_module_the_suite_imports_is_installed(wheel: list[str]) -> None:
    """``atsmock contract`` imports contracts.<vendor>.hooks: an installed atsmock must have each one."""
    hooks = {f"contracts/{p.parent.name}/hooks.py" for p in (ROOT / "contracts").glob("*/hooks.py")}
    assert len(hooks) == len(served())
    assert hooks | {f"contracts/{p.parent.name}/__init__.py" for p in (ROOT / "contracts").glob("*/hooks.py")} <= set(
        wheel
    )


def test_the_command_and_the_pytest_plugin_are_entry_points(built: Path, wheel: list[str]) -> None:
    [name] = [n for n in wheel if n.endswith(".dist-info/entry_points.txt")]
    with zipfile.ZipFile(built) as archive:
        text = archive.read(name).decode()
    assert "[console_scripts]\natsmock = mockservers.cli:main\n" in text
    assert "[pytest11]\natsmock = mockservers.pytest_plugin\n" in text


def test_every_tracked_python_module_of_the_installed_packages_is_in_the_wheel(wheel: list[str]) -> None:
    """A package folder without ``__init__.py`` is silently left out (``namespaces = false``): ``pip install .``
    then gives an ``atsmock`` that cannot import ``mockservers.core``. Every module must ship."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    modules = {
        name
        for name in tracked.decode().split("\0")
        if name.endswith(".py") and name.startswith(("mockservers/", "client/")) and (ROOT / name).is_file()
    }
    assert modules and sorted(modules - set(wheel)) == []
    assert "mockservers/core/__init__.py" in wheel
