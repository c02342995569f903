"""`timeline export --format html`: one self-contained page. The script, the style and
the page template are files beside this module, inlined at export time; the events
are JSON in a `<script type="application/json">` element with every `<`, `>` and `&`
escaped, so no text can close it. The page's Content-Security-Policy allows only its
own inline script and style (by hash) and loads nothing from anywhere.

The data is compact (arrays, not objects; dates as day numbers; actors and sources
listed once and referred to by index) and carries, for each quote, its context in the
source's stored text, so the page needs the source texts themselves nowhere.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import date
from html import escape
from importlib import resources
from typing import Any, TextIO

from timeline.output import PageOptions
from timeline.output.labels import page_title, record_label
from timeline.output.views import relation_phrase

CONTEXT = 160  # code points of the source's text shown on each side of a quote
EPOCH = date(1970, 1, 1).toordinal()


def write_page(
    records: list[dict[str, Any]],
    sources: dict[str, dict[str, Any]],
    out: TextIO,
    options: PageOptions,
) -> int:
    title = page_title(records, options.title)
    data = page_data(records, sources, title, options.group_by)
    script, style = _asset("timeline.js"), _asset("timeline.css")
    csp = (
        f"default-src 'none'; script-src '{_hash(script)}'; style-src '{_hash(style)}'; "
        "img-src 'none'; base-uri 'none'; form-action 'none'"
    )
    values = {
        "csp": escape(csp),
        "title": escape(title),
        "style": style,
        "data": _json_for_script(data),
        "script": script,
    }
    # One pass over the template's own markers: no inserted text is looked at again.
    out.write(re.sub(r"\{\{(\w+)\}\}", lambda m: values[m.group(1)], _asset("page.html")))
    return len(records)


def page_data(
    records: list[dict[str, Any]], sources: dict[str, dict[str, Any]], title: str, group_by: str
) -> dict[str, Any]:
    """What the page's script draws, in its compact shape (see timeline.js)."""
    actors: dict[str, int] = {}
    actor_rows: list[list[Any]] = []
    source_index = {slug: n for n, slug in enumerate(sorted(sources))}
    events = []
    for r in records:
        refs = []
        for a in r["actors"]:
            if a["slug"] not in actors:
                actors[a["slug"]] = len(actor_rows)
                actor_rows.append([a["slug"], a["name"], a["kind"]])
            refs.append([actors[a["slug"]], a["role"]])
        evidence = [
            [source_index[e["slug"]], e["quote"], *_context(sources[e["slug"]], e)]
            for e in r["sources"]
        ]
        relations = [
            [relation_phrase(x["kind"], x["direction"]), x["slug"]] for x in r["relations"]
        ]
        events.append(
            [
                r["slug"],
                r["title"],
                r["type"],
                r["modality"],
                _day(r["start"]),
                _day(r["end"]),
                r["precision"],
                record_label(r),
                r["date_text"],
                r["summary"],
                refs,
                evidence,
                relations,
                r["place"],
                r["countries"],
            ]
        )
    source_rows = [
        [
            s,
            sources[s]["name"],
            sources[s]["kind"],
            sources[s]["publisher"],
            sources[s]["published_on"],
            _link(sources[s]["url"]),
        ]
        for s in sorted(sources)
    ]
    return {
        "title": title,
        "group": group_by,
        "actors": actor_rows,
        "sources": source_rows,
        "events": events,
    }


def _context(source: dict[str, Any], evidence: dict[str, Any]) -> list[str]:
    """The source's text before and after the quote, cut at a word, or nothing."""
    text, start, end = source.get("text"), evidence["quote_start"], evidence["quote_end"]
    if not text or start is None or text[start:end] != evidence["quote"]:
        return ["", ""]
    before, after = text[max(0, start - CONTEXT) : start], text[end : end + CONTEXT]
    if start > CONTEXT and " " in before:
        before = "…" + before[before.index(" ") + 1 :]
    if end + CONTEXT < len(text) and " " in after:
        after = after[: after.rindex(" ")] + "…"
    return [before, after]


def _day(value: str) -> int:
    return date.fromisoformat(value).toordinal() - EPOCH


def _link(url: str | None) -> str | None:
    """Only web links become links in the page."""
    return url if url and url.startswith(("http://", "https://")) else None


def _asset(name: str) -> str:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    if name != "page.html" and ("</script" in text.lower() or "</style" in text.lower()):
        raise AssertionError(f"{name} may not contain a closing script or style tag")
    return text


def _hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def _json_for_script(data: Any) -> str:
    """JSON that is inert inside a script element: no `<`, `>` or `&` appear in it,
    and neither do the line separators that old parsers took for line ends."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):  # fmt: skip
        text = text.replace(char, escaped)
    return text
