"""Every ``sh`` block of the README and docs/ runs, as written, against a live server: none can rot.

A document's blocks run in order in one bash shell (``set -euo pipefail``), in a scratch folder,
so a block can use the variables and files of the blocks before it. ``http://127.0.0.1:8000`` (the
address ``atsmock serve`` answers on by default) is rewritten to the test server's address; the
server is reset before each document. Not run: the README's first two blocks (install and test,
which a fresh clone checks) and blocks that need Docker.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sysconfig
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DEFAULT_BASE = "http://127.0.0.1:8000"


def shell_blocks(doc: Path) -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
    if doc.name == "README.md":
        blocks = blocks[2:]  # install + serve, install + test: checked from a fresh clone
    return [b for b in blocks if not re.search(r"^\s*docker\b", b, re.M)]


RUNNABLE = [doc for doc in DOCS if shell_blocks(doc)]


def test_the_vendor_pages_have_commands_to_run() -> None:
    assert {"pageup.md", "ashby.md"} <= {doc.name for doc in RUNNABLE}


def run_doc(doc: Path, live: Any, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The document's ``sh`` blocks in one bash shell against ``live``, in ``cwd``; skips without the tools."""
    missing = [tool for tool in ("bash", "curl", "jq") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"the documented commands need {', '.join(missing)} (Debian: apt-get install {' '.join(missing)})")
    script = "set -euo pipefail\n" + "\n".join(shell_blocks(doc)).replace(DEFAULT_BASE, live.url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATSMOCK_")}
    # `atsmock` itself (docs/contracts.md), from this interpreter's scripts even when they are not on PATH
    env["PATH"] = os.pathsep.join([sysconfig.get_path("scripts"), env.get("PATH", "")])
    return subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.live
@pytest.mark.parametrize("doc", RUNNABLE, ids=lambda p: p.name)
def test_every_command_of_the_doc_runs(doc: Path, live: Any, tmp_path: Path) -> None:
    done = run_doc(doc, live, tmp_path)
    assert done.returncode == 0, f"{doc.name}: a command failed\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def numbered_uuids(text: str) -> str:
    """``text`` with each distinct UUID replaced by ``<uuid N>``, in order of first appearance."""
    seen: dict[str, int] = {}
    return UUID.sub(lambda m: f"<uuid {seen.setdefault(m.group(), len(seen) + 1)}>", text)


@pytest.mark.live
def test_the_endorsed_walkthrough_runs_again_on_the_same_server_and_prints_what_the_page_shows(
    live: Any, tmp_path: Path
) -> None:
    """Re-run without a reset, it finds its candidate and replaces its attachments (PUT 200 instead of 201)
    rather than creating a second candidate and printing refusals."""
    doc = ROOT / "docs" / "endorsed.md"
    shown = re.search(r"Run twice against one server.*?```text\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
    assert shown is not None
    first, second = run_doc(doc, live, tmp_path), run_doc(doc, live, tmp_path)
    assert (first.returncode, first.stderr, second.returncode, second.stderr) == (0, "", 0, "")
    expected = numbered_uuids(shown.group(1))
    assert numbered_uuids(first.stdout) == expected
    assert numbered_uuids(first.stdout + second.stdout) == expected + expected.replace(" HTTP 201", " HTTP 200")
