"""`timeline export --format html`: the page itself (its CSP, the escaped data, the
same bytes from either backend), then what a reader sees in a real browser (Debian's
Chromium, driven by Playwright): each event drawn at its precision, the filters and
the view kept in the URL, the evidence panel with the highlighted quote, no request
leaving the page, and a hostile title that stays text; then the same, in short, in
Firefox ESR (puppeteer-core over WebDriver BiDi). Screenshots are saved to
build/test-artifacts/ (or $TIMELINE_TEST_ARTIFACTS). Last, the TimelineJS export
opens in TimelineJS 3 itself."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import ARTIFACTS, firefox_driver, launch, timelinejs_dist
from conftest import PostgresServer, Templates, need_postgres, run
from sqlalchemy.engine import URL

HOSTILE = "</script><img src=x onerror=alert(1)>"
HOSTILE_SLUG = "script-img-src-x-onerror-alert-1"
# Sep 2025, 40 pixels a day: the article's week of 8 September and its days in view.
ZOOMED = "#group=none&zoom=40&at=20343"


def _with_hostile_event(url: URL, directory: Path) -> None:
    """The article plus one event whose title is markup, imported from TimelineJS."""
    path = directory / "hostile.json"
    headline = HOSTILE.replace("<", "&lt;").replace(">", "&gt;")
    slide = {"start_date": {"year": 2025, "month": 9, "day": 13}, "text": {"headline": headline}}
    path.write_text(json.dumps({"events": [slide]}), encoding="utf-8")
    result = run(url, "import", "--format", "timelinejs", str(path))
    assert result.exit_code == 0, result.stderr


def export_page(url: URL, path: Path, *args: str) -> str:
    result = run(url, "export", "--format", "html", "-o", str(path), *args)
    assert result.exit_code == 0, result.stderr
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page_file(templates: Templates, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("page")
    url = templates.copy("sqlite", "seeded", directory)
    _with_hostile_event(url, directory)
    path = directory / "timeline.html"
    export_page(url, path)
    return path


# ---------------------------------------------------------------- the file


def test_the_page_allows_only_its_own_script_and_style(page_file: Path) -> None:
    page = page_file.read_text(encoding="utf-8")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert csp is not None
    policy = html.unescape(csp.group(1))
    assert policy.startswith("default-src 'none'; ")
    script = page.split("<script>", 1)[1].split("</script>", 1)[0]
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    for kind, text in (("script", script), ("style", style)):
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"{kind}-src 'sha256-{digest}'" in policy
    assert "http://" not in script + style and "https://" not in script + style
    assert "@import" not in style and "url(" not in style


def test_the_data_cannot_close_its_script_element(page_file: Path) -> None:
    page = page_file.read_text(encoding="utf-8")
    start = page.index('<script type="application/json" id="timeline-data">')
    data = page[start:].split(">", 1)[1].split("</script>", 1)[0]
    assert "<" not in data and ">" not in data and "&" not in data
    titles = [e[1] for e in json.loads(data)["events"]]
    assert HOSTILE in titles and len(titles) == 18
    assert page.count("</script>") == 2  # the data's and the script's own


def test_the_page_is_the_same_from_both_backends(
    templates: Templates, tmp_path: Path, postgres: PostgresServer | None
) -> None:
    need_postgres(postgres)
    pages = []
    for backend in ("sqlite", "postgresql"):
        directory = tmp_path / backend
        directory.mkdir()
        url = templates.copy(backend, "seeded", directory)
        pages.append(export_page(url, directory / "timeline.html", "--actor", "coale"))
    assert pages[0] == pages[1]
    assert '"coale-visits-minsk"' in pages[0]


# ---------------------------------------------------------------- in the browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


class Reader:
    """A page opened from file:// with every request recorded (and any that is not
    the page itself refused), and every dialog and script error kept."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.url = path.as_uri()
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(self.url):
            route.continue_()
        else:
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, fragment: str = "") -> Any:
        self.page.goto(self.url + fragment)
        self.page.wait_for_selector("html[data-ready=true]")
        return self.page

    def shown(self) -> list[str]:
        slugs: list[str] = self.page.eval_on_selector_all(
            ".ev", "els => els.filter(e => e.style.display !== 'none').map(e => e.dataset.slug)"
        )
        return slugs

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def reader(browser: Any, page_file: Path) -> Iterator[Reader]:
    opened = Reader(browser, page_file)
    yield opened
    assert opened.errors == []
    opened.close()


def test_each_event_is_drawn_at_its_precision(reader: Reader) -> None:
    page = reader.open(ZOOMED)
    drawn = page.eval_on_selector_all(
        ".ev",
        "els => els.map(e => [e.dataset.slug, e.dataset.precision,"
        " e.querySelector('.bar').getBoundingClientRect().width])",
    )
    by_slug = {slug: (precision, width) for slug, precision, width in drawn}
    assert len(by_slug) == 17  # September 2025; February 2022 is not drawn until in view
    assert by_slug["west-2025-exercises-begin"] == ("day", 12)  # a point
    assert by_slug["coale-visits-minsk"] == ("week", 7 * 40)  # the whole week
    assert by_slug["coale-says-trump-wants-normal-relations"] == ("range", 8 * 40)
    styles = page.eval_on_selector_all(
        "[data-slug='coale-says-trump-wants-normal-relations'] .bar,"
        " [data-slug='coale-visits-minsk'] .bar",
        "els => els.map(e => getComputedStyle(e).borderTopStyle)",
    )
    assert sorted(styles) == ["dashed", "solid"]  # bounded and calendar dates differ
    legend = page.locator("#legend li").all_inner_texts()
    assert [t.split(":")[0] for t in legend] == ["day", "week", "month", "year", "range"]
    tops = page.eval_on_selector_all(
        ".ev", "els => els.map(e => [e.offsetLeft, e.offsetTop, e.offsetWidth])"
    )
    for n, (x, y, w) in enumerate(tops):  # lanes: no two events overlap
        for x2, y2, w2 in tops[n + 1 :]:
            assert y != y2 or x + w <= x2 or x2 + w2 <= x
    page = reader.open("#group=none&zoom=40&at=19037")  # 14 Feb 2022
    month = page.locator("[data-slug='belarus-lets-russia-send-troops-into-ukraine']")
    assert month.get_attribute("data-precision") == "month"
    assert month.locator(".bar").bounding_box()["width"] == 28 * 40  # the whole month
    assert page.locator(".ev").count() == 1


def test_filters_and_the_view_are_kept_in_the_url(reader: Reader) -> None:
    page = reader.open()
    assert len(reader.shown()) == 18
    page.select_option("#type", "statement")
    assert len(reader.shown()) == 4
    assert page.locator("#status").inner_text() == "4 of 18 events shown"
    page.select_option("#type", "")
    page.fill("#q", "BELAVIA")
    assert reader.shown() == ["us-lifts-belavia-sanctions"]
    page.select_option("#group", "actor")
    page.fill("#q", "")
    page.select_option("#actor", "viktor-khrenin")
    assert sorted(set(reader.shown())) == [
        "khrenin-invites-us-officers-to-see-everything",
        "us-officers-thank-khrenin",
    ]
    shared = page.url
    assert "actor=viktor-khrenin" in shared and "group=actor" in shared
    again = reader.context.new_page()
    again.goto(shared)
    again.wait_for_selector("html[data-ready=true]")
    assert again.input_value("#actor") == "viktor-khrenin"
    assert again.input_value("#group") == "actor"
    bands = again.locator(".band-name").all_inner_texts()
    assert "Viktor Khrenin" in bands and "United States Armed Forces" in bands


def test_an_event_opens_with_its_evidence(reader: Reader) -> None:
    page = reader.open(ZOOMED)
    page.click("[data-slug='coale-visits-minsk']")
    panel = page.locator("#panel")
    assert panel.is_visible()
    assert panel.locator("h2").inner_text() == (
        "US envoy John Coale visits Minsk for talks with Lukashenka"
    )
    text = panel.inner_text()
    assert "week of 8 Sep 2025 (precision week: 2025-09-08 to 2025-09-14)" in text
    assert "“last week”" in text
    assert "John Coale (person), initiator" in text
    assert panel.locator("mark").inner_text() == (
        "John Cole, a representative of Trump, visited Minsk last week for talks with"
        " Belarusian leader Alexander Lukashenka"
    )
    context = panel.locator(".evidence .context").all_inner_texts()
    assert context[0].endswith("in February 2022. ") and context[1].startswith(", who agreed")
    cite = panel.locator(".cite").inner_text()
    assert cite.startswith("UNN: American military observed the West-2025 exercises")
    assert "UNN (Ukrainian National News), 2025-09-15" in cite
    assert "event=coale-visits-minsk" in page.url
    panel.locator("a[data-slug='coale-says-trump-wants-normal-relations']").click()
    assert panel.locator("h2").inner_text().startswith("Coale says Trump wants")
    assert "event=coale-says-trump-wants-normal-relations" in page.url
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "html-timeline.png"))


def test_no_request_leaves_the_page(reader: Reader) -> None:
    page = reader.open(ZOOMED)
    page.click("[data-slug='west-2025-exercises-begin']")
    page.fill("#q", "minsk")
    page.click("#zoom-in")
    assert set(reader.requests) == {reader.url}
    # And the page's policy itself refuses a remote load, whatever the browser's routing.
    violated = page.evaluate(
        "() => new Promise(done => {"
        " document.addEventListener('securitypolicyviolation',"
        "  e => done(e.effectiveDirective + ' ' + e.blockedURI));"
        " const img = new Image(); img.src = 'https://example.org/x.png';"
        " document.body.appendChild(img); })"
    )
    assert violated == "img-src https://example.org/x.png"


def test_a_hostile_title_is_only_text(reader: Reader) -> None:
    page = reader.open(ZOOMED)
    label = page.locator(f"[data-slug='{HOSTILE_SLUG}'] .lbl")
    assert label.inner_text() == HOSTILE
    page.click(f"[data-slug='{HOSTILE_SLUG}']")
    assert page.locator("#panel h2").inner_text() == HOSTILE
    assert page.locator("img").count() == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 2
    assert reader.dialogs == []


def test_the_page_works_the_same_in_firefox(page_file: Path) -> None:
    """The page in Firefox (tests/firefox.mjs observes, this asserts): what the tests
    above assert in Chromium, in short."""
    node, firefox, prefix = firefox_driver()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "html-timeline-firefox.png"
    script = Path(__file__).with_name("firefox.mjs")
    done = subprocess.run(
        [node, str(script), str(page_file), str(screenshot), str(firefox), str(prefix)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["browser"].startswith("firefox/")
    by_slug = {slug: (precision, width) for slug, precision, width in seen["drawn"]}
    assert len(by_slug) == 17
    assert by_slug["west-2025-exercises-begin"] == ("day", 12)
    assert by_slug["coale-visits-minsk"] == ("week", 7 * 40)
    assert by_slug["coale-says-trump-wants-normal-relations"] == ("range", 8 * 40)
    assert sorted(seen["borders"]) == ["dashed", "solid"]
    assert [t.split(":")[0] for t in seen["legend"]] == ["day", "week", "month", "year", "range"]
    boxes = seen["boxes"]
    for n, (x, y, w) in enumerate(boxes):
        for x2, y2, w2 in boxes[n + 1 :]:
            assert y != y2 or x + w <= x2 or x2 + w2 <= x
    assert (seen["all"], seen["statements"]) == (18, 4)
    assert seen["status"] == "4 of 18 events shown"
    assert seen["belavia"] == ["us-lifts-belavia-sanctions"]
    assert seen["khrenin"] == [
        "khrenin-invites-us-officers-to-see-everything",
        "us-officers-thank-khrenin",
    ]
    assert "actor=viktor-khrenin" in seen["shared"] and seen["restored"] == "viktor-khrenin"
    panel = seen["panel"]
    assert panel["title"] == "US envoy John Coale visits Minsk for talks with Lukashenka"
    assert "week of 8 Sep 2025 (precision week: 2025-09-08 to 2025-09-14)" in panel["text"]
    assert panel["mark"].startswith("John Cole, a representative of Trump, visited Minsk")
    assert "event=coale-visits-minsk" in panel["url"]
    assert seen["related"].startswith("Coale says Trump wants")
    assert seen["hostile"] == {"label": HOSTILE, "title": HOSTILE, "images": 0, "scripts": 2}
    assert seen["violated"] == "img-src https://example.org/x.png"
    # Firefox itself loads a font from a data: URL (not in the page), and reports no
    # file:// loads to puppeteer; any other request would be here.
    fetched = {r.split("#")[0] for r in seen["requests"] if not r.startswith("data:")}
    assert fetched <= {page_file.as_uri()}
    assert seen["dialogs"] == [] and seen["errors"] == []
    assert screenshot.stat().st_size > 10_000


# ---------------------------------------------------------------- TimelineJS 3 itself


def test_the_timelinejs_export_opens_in_timelinejs_3(
    browser: Any, templates: Templates, tmp_path: Path
) -> None:
    dist = timelinejs_dist()
    url = templates.copy("sqlite", "seeded", tmp_path)
    result = run(url, "export", "--format", "timelinejs")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    page_path = tmp_path / "timelinejs.html"
    page_path.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<link rel='stylesheet' href='{(dist / 'css' / 'timeline.css').as_uri()}'>"
        f"<script src='{(dist / 'js' / 'timeline.js').as_uri()}'></script></head><body>"
        "<div id='embed' style='width: 1200px; height: 700px'></div><script>"
        f"window.tl = new TL.Timeline('embed', {json.dumps(data)});"
        "</script></body></html>",
        encoding="utf-8",
    )
    context = browser.new_context()
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    context.route(
        "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
    )
    page.goto(page_path.as_uri())
    page.wait_for_selector(".tl-slide .tl-headline", state="attached")
    headlines = page.eval_on_selector_all(
        ".tl-slide .tl-headline", "els => els.map(e => e.textContent)"
    )
    titles = [json.loads(result.stdout)["title"]["text"]["headline"]]
    titles += [slide["text"]["headline"] for slide in data["events"]]
    assert sorted(headlines) == sorted(html.unescape(t) for t in titles)
    assert page.locator(".tl-timemarker").count() == 17
    dates = page.eval_on_selector_all(
        ".tl-slide .tl-headline-date", "els => els.map(e => e.textContent)"
    )
    assert "week of 8 Sep 2025" in dates and "Feb 2022" in dates
    assert errors == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "timelinejs-3.png"))
    context.close()
