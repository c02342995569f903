"""The HTML page at scale, in headless Chromium: N synthetic events (benchmarks/generate.py)
imported into SQLite and exported with `timeline export --format html`, then

- first draw: from navigation start to the first frame after the page has drawn every
  event (`window.timelineDrawnAt`, set in a requestAnimationFrame after the layout);
- a filter applied: from setting a filter (type, modality, text) to the next frame after
  the forced layout, median over the filters;
- file size: (page at N events - page at 0 events) / N per event, plus that fixed part;

each beside a reference measured in the same run, in the same browser: a bare page
holding the same JSON that draws one `<div>` per event with its title (and filters by
hiding divs), so the ratios say what the timeline's lanes, bars and labels cost.

    python benchmarks/html.py --events 10000 [--runs 5] [--json figures.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
TARGETS = {"first_draw_ms": 1500, "filter_ms": 200, "bytes_per_event": 2048}

REFERENCE = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><div id="list"></div>
<script type="application/json" id="timeline-data">{data}</script>
<script>
var data = JSON.parse(document.getElementById("timeline-data").textContent);
var list = document.getElementById("list"), nodes = [];
data.events.forEach(function (e) {{
  var d = document.createElement("div"); d.textContent = e[1]; d.dataset.type = e[2];
  d.dataset.modality = e[3]; d.dataset.text = (e[1] + " " + (e[9] || "")).toLowerCase();
  list.appendChild(d); nodes.push(d);
}});
window.filterBy = function (key, value) {{
  nodes.forEach(function (d) {{
    var show = !value ||
      (key === "q" ? d.dataset.text.indexOf(value) >= 0 : d.dataset[key] === value);
    d.style.display = show ? "" : "none";
  }});
}};
void list.offsetHeight;
requestAnimationFrame(function () {{ window.timelineDrawnAt = performance.now();
  document.documentElement.dataset.ready = "true"; }});
</script></body></html>"""

# Apply one filter, force the layout, wait for the next frame: milliseconds.
TIMELINE_FILTER = """async ([key, value]) => {
  const t0 = performance.now();
  const control = document.getElementById(key);
  control.value = value;
  control.dispatchEvent(new Event(key === "q" ? "input" : "change"));
  void document.body.offsetHeight;
  await new Promise(r => requestAnimationFrame(r));
  return performance.now() - t0;
}"""
REFERENCE_FILTER = """async ([key, value]) => {
  const t0 = performance.now();
  window.filterBy(key, value);
  void document.body.offsetHeight;
  await new Promise(r => requestAnimationFrame(r));
  return performance.now() - t0;
}"""


def timeline(*args: str) -> None:
    subprocess.run([str(Path(sys.executable).parent / "timeline"), *args], check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


def build(events: int, workdir: Path) -> tuple[Path, Path, int]:
    """The timeline page, the reference page and the page's fixed part in bytes."""
    data = workdir / f"events-{events}.ndjson"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--events",
                    str(events), "-o", str(data)], check=True)  # fmt: skip
    db = workdir / "html.db"
    db.unlink(missing_ok=True)
    timeline("--db", str(db), "import", str(data))
    page, empty = workdir / "timeline.html", workdir / "empty.html"
    timeline("--db", str(db), "export", "--format", "html", "-o", str(page))
    timeline("--db", str(db), "export", "--format", "html", "--search", "\x01none", "-o",
             str(empty))  # fmt: skip
    text = page.read_text(encoding="utf-8")
    start = text.index('id="timeline-data">') + len('id="timeline-data">')
    blob = text[start : text.index("</script>", start)]
    reference = workdir / "reference.html"
    reference.write_text(REFERENCE.format(data=blob), encoding="utf-8")
    return page, reference, empty.stat().st_size


def measure(browser: Any, path: Path, filters: list[tuple[str, str]], script: str,
            runs: int) -> tuple[float, float]:  # fmt: skip
    """(median first draw, median filter time) in milliseconds."""
    draws, applied = [], []
    for _ in range(runs):
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(path.as_uri())
        page.wait_for_selector("html[data-ready=true]", timeout=60000)
        draws.append(page.evaluate("window.timelineDrawnAt"))
        for key, value in filters:
            applied.append(page.evaluate(script, [key, value]))
            applied.append(page.evaluate(script, [key, ""]))
        page.close()
    return statistics.median(draws), statistics.median(applied)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        page, reference, fixed = build(args.events, workdir)
        size = page.stat().st_size
        filters = [("type", "statement"), ("modality", "announced"), ("q", "talks")]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=args.chromium,
                                                 args=["--no-sandbox"])  # fmt: skip
            try:
                ref_draw, ref_filter = measure(browser, reference, filters, REFERENCE_FILTER,
                                               args.runs)  # fmt: skip
                draw, filtered = measure(browser, page, filters, TIMELINE_FILTER, args.runs)
            finally:
                browser.close()
    per_event = (size - fixed) / args.events
    return {
        "events": args.events,
        "first_draw_ms": round(draw, 1),
        "reference_first_draw_ms": round(ref_draw, 1),
        "first_draw_ratio": round(draw / ref_draw, 2),
        "filter_ms": round(filtered, 1),
        "reference_filter_ms": round(ref_filter, 1),
        "filter_ratio": round(filtered / ref_filter, 2),
        "file_bytes": size,
        "fixed_bytes": fixed,
        "bytes_per_event": round(per_event),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10000, help="how many events")
    parser.add_argument("--runs", type=int, default=5, help="page loads per page (median)")
    parser.add_argument("--chromium", default=CHROMIUM, help="the browser to drive")
    parser.add_argument("--workdir", type=Path, help="keep the files here (default: a temp dir)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    figures = run(args)
    print(f"| html, {figures['events']:,} events | timeline | reference | ratio | target |")
    print("|---|---:|---:|---:|---:|")
    for key, label in (("first_draw", "first draw (ms)"), ("filter", "a filter applied (ms)")):
        print(f"| {label} | {figures[key + '_ms']} | {figures['reference_' + key + '_ms']} |"
              f" {figures[key + '_ratio']} | ≤ {TARGETS[key + '_ms']} |")  # fmt: skip
    print(f"| file size per event (bytes) | {figures['bytes_per_event']} | | |"
          f" ≤ {TARGETS['bytes_per_event']} |")  # fmt: skip
    print(f"| fixed part (bytes) | {figures['fixed_bytes']} | | | |")
    print(f"| whole file (bytes) | {figures['file_bytes']:,} | | | |")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
