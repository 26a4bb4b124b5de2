"""The docs tell the truth: code blocks quote files pytest runs, and fidelity rows name real tests."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from mockservers.config import load_settings
from mockservers.vendors import names

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "docs" / "examples"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
CHECKED_LANGUAGES = ("python", "toml")
VENDORS = ("s3", *names())


def _blocks(path: Path) -> list[tuple[str, str]]:
    return re.findall(r"```(\w+)\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


def _example_texts() -> set[str]:
    return {p.read_text(encoding="utf-8").strip() for p in EXAMPLES.rglob("*") if p.is_file()}


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_code_block_quotes_an_example_file(doc: Path) -> None:
    """Each python or toml block is one whole file under docs/examples/ (which pytest runs or loads)."""
    examples = _example_texts()
    missing = [body for lang, body in _blocks(doc) if lang in CHECKED_LANGUAGES and body.strip() not in examples]
    assert missing == []


def test_readme_opens_with_the_install_and_serve_then_test_commands() -> None:
    blocks = _blocks(ROOT / "README.md")
    assert blocks[0] == ("sh", "python3 -m pip install . && atsmock serve\n")
    assert blocks[1] == ("sh", "python3 -m pip install -e '.[test]' && python3 -m pytest\n")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "python3 -m pip install -q -e '.[test]'" in ci
    assert "\npython3 -m pytest\n" in ci


def test_readme_config_example_loads() -> None:
    settings = load_settings(EXAMPLES / "atsmock.toml", environ={})
    assert settings.pageup.daily_quota == 500
    assert settings.pageup.categories == {"218": ("Reference Check", "Police Check")}
    assert [k.api_key for k in settings.ashby.api_keys] == [
        "atsmock-ashby",
        "atsmock-ashby-readonly",
        "atsmock-ashby-jobboard",
        "my-key",
    ]


def _fidelity_rows() -> list[list[str]]:
    rows = []
    for line in (ROOT / "docs" / "fidelity.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 4 and cells[0] not in ("vendor", "") and not set(cells[0]) <= {"-"}:
            rows.append(cells)
    return rows


def _defined_tests(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    names.add(f"{node.name}::{item.name}")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
    return names


def test_fidelity_rows_have_a_source_and_name_an_existing_test() -> None:
    rows = _fidelity_rows()
    assert len(rows) > 20
    problems = []
    for vendor, behaviour, source, test in rows:
        if vendor not in VENDORS:
            problems.append(f"{behaviour}: vendor {vendor!r}")
        if not (source.startswith("doc") or source.startswith("inferred")):
            problems.append(f"{behaviour}: source {source!r}")
        for node_id in re.findall(r"`([^`]+::[^`]+)`", test) or [test.strip("`")]:
            file, _, name = node_id.partition("::")
            path = ROOT / file
            if not path.is_file():
                problems.append(f"{behaviour}: no file {file}")
                continue
            name = re.sub(r"\[.*\]$", "", name)
            if name not in _defined_tests(path):
                problems.append(f"{behaviour}: no test {node_id}")
    assert problems == []


@pytest.mark.parametrize("vendor", names())
def test_the_faults_page_links_every_vendors_page_for_its_scenarios(vendor: str) -> None:
    """A QA engineer looking for a vendor's failures starts at the faults page; no vendor is missing from it."""
    text = (ROOT / "docs" / "faults-and-clock.md").read_text(encoding="utf-8")
    assert f"]({vendor}.md)" in text
    assert (ROOT / "docs" / f"{vendor}.md").is_file()
