"""TimelineJS 3 JSON: a title slide and one slide per event, with TimelineJS's partial
dates used honestly (a month is `{year, month}`, a year `{year}`, a week or a range a
start and an end date), `display_date` the label the table shows, `group` the type
(or the first actor), and the text the summary with the evidence quotes and their
sources. Headlines and text are HTML in TimelineJS: everything is escaped."""

from __future__ import annotations

import json
from datetime import date
from html import escape
from typing import Any, TextIO

from timeline.output import PageOptions
from timeline.output.labels import page_title, record_label


def write_page(
    records: list[dict[str, Any]],
    sources: dict[str, dict[str, Any]],
    out: TextIO,
    options: PageOptions,
) -> int:
    title = page_title(records, options.title)
    names = sorted({s["name"] for s in sources.values()})
    about = f"<p>From {escape(', '.join(names))}.</p>" if names else ""
    document = {
        "title": {"text": {"headline": escape(title), "text": about}},
        "events": [slide(record, sources, options.group_by) for record in records],
    }
    json.dump(document, out, ensure_ascii=False, indent=1)
    out.write("\n")
    return len(records)


def slide(
    record: dict[str, Any], sources: dict[str, dict[str, Any]], group_by: str
) -> dict[str, Any]:
    start, end = date.fromisoformat(record["start"]), date.fromisoformat(record["end"])
    precision = record["precision"]
    found: dict[str, Any] = {"start_date": _date(start, precision)}
    if precision in ("week", "range") and start != end:
        found["end_date"] = _date(end, "day")
    found["display_date"] = record_label(record)
    found["text"] = {"headline": escape(record["title"]), "text": _text(record, sources)}
    found["group"] = _group(record, group_by)
    found["unique_id"] = record["slug"]
    return found


def _date(value: date, precision: str) -> dict[str, int]:
    if precision == "year":
        return {"year": value.year}
    if precision == "month":
        return {"year": value.year, "month": value.month}
    return {"year": value.year, "month": value.month, "day": value.day}


def _group(record: dict[str, Any], group_by: str) -> str:
    if group_by == "actor":
        return str(record["actors"][0]["name"]) if record["actors"] else "(no actor)"
    return str(record["type"])


def _text(record: dict[str, Any], sources: dict[str, dict[str, Any]]) -> str:
    parts = []
    if record["summary"]:
        parts.append(f"<p>{escape(record['summary'])}</p>")
    if record["modality"] != "occurred":
        parts.append(f"<p><em>{escape(record['modality'])}</em></p>")
    for evidence in record["sources"]:
        source = sources.get(evidence["slug"], {})
        about = ", ".join(
            escape(str(v))
            for v in (source.get("name"), source.get("publisher"), source.get("published_on"))
            if v
        )
        url = source.get("url")
        if url and str(url).startswith(("http://", "https://")):
            about = f'<a href="{escape(url)}">{about}</a>'
        if evidence["quote"]:
            parts.append(f"<blockquote>{escape(evidence['quote'])}</blockquote>")
        parts.append(f"<p>Source: {about}</p>")
    return "".join(parts)
