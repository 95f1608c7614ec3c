"""A real browser for the report tests: Debian's headless Chromium driven through its
ChromeDriver (`.ci/run` installs both when missing). Without them the tests say why they
skipped; they never pass without having looked at the page."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ARTIFACTS = Path(os.environ.get("POLICY_ENGINE_ARTIFACTS",
                                Path(__file__).parents[2] / ".artifacts"))


def _browser_paths() -> tuple[str, str] | str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium is None or driver is None:
        return ("no browser: install Debian's chromium and chromium-driver "
                "(apt-get install chromium chromium-driver; .ci/run does this)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (it is in the dev extra)"
    return chromium, driver


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    found = _browser_paths()
    if isinstance(found, str):
        pytest.skip(found)
    chromium, driver_path = found
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    profile = tempfile.mkdtemp(prefix="policy-engine-chromium-")
    # The machine's network is closed: without these Chromium keeps trying to reach
    # Google's services at start.
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--window-size=1280,800",
                 f"--user-data-dir={profile}", "--disable-dev-shm-usage"):
        options.add_argument(flag)
    try:
        driver = webdriver.Chrome(service=Service(executable_path=driver_path),
                                  options=options)
    except Exception as error:  # a browser that cannot start is a reason to skip, named
        pytest.skip(f"headless Chromium did not start: {type(error).__name__}: {error}")
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
