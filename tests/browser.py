"""A headless Chromium for the tests of the HTML page and of TimelineJS 3 compatibility:
Debian's `chromium` driven by Playwright (its own browser download is not used), and
TimelineJS 3's dist files installed by npm into a cache directory. Without them the
tests skip, saying what is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

CHROMIUM = Path(os.environ.get("TIMELINE_CHROMIUM", "/usr/bin/chromium"))
TIMELINEJS = "@knight-lab/timelinejs@3.9.11"
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


def timelinejs_dist() -> Path:
    """TimelineJS 3's dist directory, installed once into the cache by npm."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    prefix = Path(
        os.environ.get("TIMELINE_TIMELINEJS_DIR", cache / "timeline-tests" / "timelinejs")
    )
    dist = prefix / "node_modules" / "@knight-lab" / "timelinejs" / "dist"
    if not (dist / "js" / "timeline.js").exists():
        npm = shutil.which("npm")
        if npm is None:
            _missing("npm is not installed, so TimelineJS 3 cannot be fetched")
        prefix.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", "--prefix",
             str(prefix), TIMELINEJS],
            capture_output=True,
            text=True,
            timeout=300,
        )  # fmt: skip
        if done.returncode != 0:
            _missing(f"npm could not install {TIMELINEJS}: {done.stderr.strip()[-300:]}")
    return dist
