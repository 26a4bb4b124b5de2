"""One headless Chromium for the dashboard's browser tests (Debian's ``chromium`` and ``chromium-driver``).

Selenium drives it through the chromedriver that Debian builds with the same Chromium, so the two
always match and nothing is downloaded (Selenium Manager is skipped when the driver path is given).
Where no browser can be had the tests skip, saying how to get one; ``.ci/run`` installs it.

``CHROMIUM_BIN`` / ``CHROMEDRIVER_BIN`` point at other binaries. ``DASHBOARD_SCREENSHOTS=docs``
writes the screenshots the tests take into ``docs/`` (the README shows them); by default they go
to a temporary folder, so a test run leaves the checkout as it was. (Not ``ATSMOCK_*`` names: the
config loader reads every ``ATSMOCK_*`` variable as a setting.)
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--no-default-browser-check",
    "--no-pings",
    # Nothing but loopback, even by accident: every other host name fails to resolve.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
    "--window-size=1280,900",
)
WINDOW = (1280, 900)


def _binary(variable: str, *candidates: str) -> str | None:
    chosen = os.environ.get(variable)
    for candidate in (chosen,) if chosen else candidates:
        found = shutil.which(candidate)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.skip("selenium is not installed: python3 -m pip install -e '.[test]'")
    chromium = _binary("CHROMIUM_BIN", "/usr/bin/chromium", "chromium", "chromium-browser")
    driver = _binary("CHROMEDRIVER_BIN", "/usr/bin/chromedriver", "chromedriver")
    if chromium is None or driver is None:
        pytest.skip(
            "no headless Chromium here (need chromium and chromedriver): apt-get install -y chromium "
            "chromium-driver on Debian (.ci/run does), or set CHROMIUM_BIN and CHROMEDRIVER_BIN"
        )
    options = Options()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    session = webdriver.Chrome(service=Service(driver), options=options)
    session.set_window_size(*WINDOW)
    try:
        yield session
    finally:
        session.quit()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("DASHBOARD_SCREENSHOTS")
    if chosen:
        folder = Path(chosen)
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("screenshots")
