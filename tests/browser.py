"""Real browsers for the tests of the HTML page and of TimelineJS 3 compatibility:
Debian's `chromium` driven by Playwright (its own browser download is not used),
Debian's `firefox-esr` driven by puppeteer-core over WebDriver BiDi (no geckodriver
needed), and TimelineJS 3's dist files; the npm packages are installed into a cache
directory. Without them the tests skip, saying what is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

CHROMIUM = Path(os.environ.get("TIMELINE_CHROMIUM", "/usr/bin/chromium"))
FIREFOX = Path(os.environ.get("TIMELINE_FIREFOX", "/usr/bin/firefox-esr"))
TIMELINEJS = "@knight-lab/timelinejs@3.9.11"
PUPPETEER = "puppeteer-core@24.43.1"
ROOT = Path(__file__).resolve().parent.parent
REQUIRED = os.environ.get("TIMELINE_REQUIRE_BROWSER") == "1"  # set by .ci/run: fail, not skip
ARTIFACTS = Path(os.environ.get("TIMELINE_TEST_ARTIFACTS", ROOT / "build" / "test-artifacts"))


def _missing(reason: str) -> NoReturn:
    if REQUIRED:
        pytest.fail(f"{reason}, and TIMELINE_REQUIRE_BROWSER=1", pytrace=False)
    pytest.skip(reason)


def require() -> None:
    """Skip (or, in CI, fail) saying what is missing when there is no browser to drive."""
    if not CHROMIUM.exists():
        _missing(f"no Chromium at {CHROMIUM} (Debian: apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("the playwright package is not installed (pip install '.[test]')")


def launch() -> Iterator[Any]:
    """A browser, or a skip that says why there is none."""
    require()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def _npm_prefix(name: str) -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return cache / "timeline-tests" / name


def _npm_install(prefix: Path, package: str) -> None:
    npm = shutil.which("npm")
    if npm is None:
        _missing(f"npm is not installed, so {package} cannot be fetched")
    prefix.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", "--prefix",
         str(prefix), package],
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip
    if done.returncode != 0:
        _missing(f"npm could not install {package}: {done.stderr.strip()[-300:]}")


def timelinejs_dist() -> Path:
    """TimelineJS 3's dist directory, installed once into the cache by npm."""
    prefix = Path(os.environ.get("TIMELINE_TIMELINEJS_DIR", _npm_prefix("timelinejs")))
    dist = prefix / "node_modules" / "@knight-lab" / "timelinejs" / "dist"
    if not (dist / "js" / "timeline.js").exists():
        _npm_install(prefix, TIMELINEJS)
    return dist


def firefox_driver() -> tuple[str, Path, Path]:
    """node, Firefox and the npm prefix holding puppeteer-core (installed once), or a
    skip that says what is missing."""
    if not FIREFOX.exists():
        _missing(f"no Firefox at {FIREFOX} (Debian: apt-get install -y firefox-esr)")
    node = shutil.which("node")
    if node is None:
        _missing("node is not installed, so Firefox cannot be driven")
    prefix = _npm_prefix("puppeteer")
    if not (prefix / "node_modules" / "puppeteer-core" / "package.json").exists():
        _npm_install(prefix, PUPPETEER)
    return node, FIREFOX, prefix
