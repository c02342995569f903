"""TimelineJS 3 files: its JSON (`{"title", "events", "eras"}`) or its Google-Sheets
template saved as CSV. Each slide becomes an event; the file itself is the one
`dataset` source that every event cites, named by the title slide. Eras are no events.

Partial dates become a precision, never a guessed day: a year alone is `year`, a year
and month `month`, a full date `day`; a start with an end is a `range` from the first
day of the start to the last day of the end. Text is HTML, stored as plain text (tags
removed, entities decoded, link and media URLs kept). Slugs come from the headlines,
made unique in file order.
"""

from __future__ import annotations

import calendar
import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from timeline.errors import FileInputError
from timeline.importer.inputs import Input
from timeline.interchange import DataRecord, EventRecord, SourceRecord
from timeline.validation import first_error
from timeline.vocab import EVENT_TYPES, NAME_LENGTH, SLUG_LENGTH, TITLE_LENGTH

COLUMNS = ("Year", "Month", "Day", "Time", "End Year", "End Month", "End Day", "End Time",
           "Display Date", "Headline", "Text", "Media", "Media Credit", "Media Caption",
           "Media Thumbnail", "Type", "Group", "Background")  # fmt: skip
DATE_KEYS = ("year", "month", "day")
TITLE_KEY = 0  # the key of the source record: the title slide (JSON), the header (CSV)


class Bad(ValueError):
    """Bad input at `place` (a path inside the slide, or a column)."""

    def __init__(self, place: str, message: str) -> None:
        super().__init__(message)
        self.place = place


class Reader:
    def __init__(self) -> None:
        self.csv = False

    def where(self, key: int) -> int | str:
        """CSV: the line; JSON: the slide (`events[3]`), or `title` for the source."""
        if self.csv:
            return key
        return "title" if key == TITLE_KEY else f"events[{key - 1}]"

    def records(self, source: Input) -> Iterator[tuple[int, DataRecord]]:
        raw = source.stream.read()
        source.position = len(raw)
        try:
            content = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileInputError(source.name, None, f"not UTF-8 text (byte {exc.start})") from None
        if not content.strip():
            raise FileInputError(source.name, None, "empty file: expected TimelineJS JSON or CSV")
        self.csv = not content.lstrip().startswith("{")
        slides = _csv_slides(source.name, content) if self.csv else _json_slides(source, content)
        yield from _records(source, slides, self.where, 1 if self.csv else TITLE_KEY)


# A slide, whichever file it came from: (key, what it is, its fields, place of each field)
Slide = tuple[int, str, dict[str, Any], dict[str, str]]


def _json_slides(source: Input, content: str) -> Iterator[Slide]:
    try:
        data = json.loads(content)
    except json.JSONDecodeError as exc:
        raise FileInputError(source.name, exc.lineno, f"invalid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise FileInputError(source.name, None, "expected a JSON object with `events`")
    events = data.get("events")
    if events is None:
        raise FileInputError(source.name, "events", "missing: a TimelineJS file has `events`")
    if not isinstance(events, list):
        raise FileInputError(source.name, "events", "expected a list of slides")
    places = {"start": "start_date", "end": "end_date", "display": "display_date",
              "headline": "text.headline", "text": "text.text", "group": "group",
              "media": "media.url"}  # fmt: skip
    title = data.get("title")
    if title is not None:
        yield TITLE_KEY, "title", _json_fields(source.name, "title", title), places
    for index, slide in enumerate(events):
        yield index + 1, "event", _json_fields(source.name, f"events[{index}]", slide), places


def _json_fields(file: str, place: str, slide: Any) -> dict[str, Any]:
    if not isinstance(slide, dict):
        raise FileInputError(file, place, "expected a slide object")
    text = slide.get("text") or {}
    media = slide.get("media") or {}
    if not isinstance(text, dict) or not isinstance(media, dict):
        what = "text" if not isinstance(text, dict) else "media"
        raise FileInputError(file, f"{place}.{what}", "expected an object")
    start, end = slide.get("start_date"), slide.get("end_date")
    for key, value in (("start_date", start), ("end_date", end)):
        if value is not None and not isinstance(value, dict):
            raise FileInputError(file, f"{place}.{key}", "expected an object (year, month, day)")
    display = slide.get("display_date") or (start or {}).get("display_date")
    return {
        "start": start,
        "end": end,
        "display": display,
        "headline": text.get("headline"),
        "text": text.get("text"),
        "group": slide.get("group"),
        "media": [media.get(k) for k in ("url", "credit", "caption")],
    }


def _csv_slides(file: str, content: str) -> Iterator[Slide]:
    rows = csv.reader(io.StringIO(content, newline=""))
    header = next(rows)
    if tuple(h.strip() for h in header) != COLUMNS:
        unknown = [h for h in header if h.strip() not in COLUMNS]
        missing = [c for c in COLUMNS if c not in (h.strip() for h in header)]
        said = "; ".join(
            part
            for part in (
                unknown and f"unknown {', '.join(map(repr, unknown))}",
                missing and f"missing {', '.join(map(repr, missing))}",
            )
            if part
        )
        raise FileInputError(
            file, 1, f"not the TimelineJS sheet's columns ({said or 'in another order'})"
        )
    places = {"start": "Year", "end": "End Year", "display": "Display Date",
              "headline": "Headline", "text": "Text", "group": "Group",
              "media": "Media"}  # fmt: skip
    for row in rows:
        line = rows.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(COLUMNS):
            raise FileInputError(file, line, f"{len(row)} cells, expected {len(COLUMNS)}")
        cell = dict(zip(COLUMNS, (c.strip() for c in row), strict=True))
        kind = cell["Type"].lower()
        if kind not in ("", "title", "era"):
            raise FileInputError(file, line, f"Type: {cell['Type']!r}; expected title, era or none")
        units = zip(DATE_KEYS, ("Year", "Month", "Day"), strict=True)
        start, end = {}, {}
        for key, column in units:
            start[key], end[key] = cell[column], cell[f"End {column}"]
        fields = {
            "start": start if any(start.values()) else None,
            "end": end if any(end.values()) else None,
            "display": cell["Display Date"],
            "headline": cell["Headline"],
            "text": cell["Text"],
            "group": cell["Group"],
            "media": [cell["Media"], cell["Media Credit"], cell["Media Caption"]],
        }
        yield line, kind or "event", fields, places


def _records(
    source: Input, slides: Iterator[Slide], where: Any, title_key: int
) -> Iterator[tuple[int, DataRecord]]:
    """The source first (named by the title slide), then one event per slide."""
    slug = _slug(Path(source.name).name if source.name != "<stdin>" else "stdin") or "timelinejs"
    name = Path(source.name).name
    used: set[str] = set()
    pending: list[tuple[int, EventRecord]] = []
    title: str | None = None
    for key, kind, fields, places in slides:
        try:
            if kind == "title":
                title = _text(fields["headline"]) or title
            elif kind == "event":
                pending.append((key, _event(fields, places, slug, used)))
        except Bad as exc:
            place = where(key)
            where_ = f"{place}.{exc.place}" if isinstance(place, str) else place
            message = str(exc) if isinstance(place, str) else f"{exc.place}: {exc}"
            raise FileInputError(source.name, where_, message) from None
    named = (title or name)[:NAME_LENGTH]
    yield (
        title_key,
        SourceRecord(
            record="source",
            slug=slug,
            name=named,
            kind="dataset",
            title=title and title[:TITLE_LENGTH],
        ),
    )
    yield from pending


def _event(
    fields: dict[str, Any], places: dict[str, str], source: str, used: set[str]
) -> EventRecord:
    headline = _text(fields["headline"])
    if not headline:
        raise Bad(places["headline"], "a slide needs a headline")
    start = _date(fields["start"], places["start"])
    if start is None:
        raise Bad(places["start"], "a slide needs a start date (at least a year)")
    end = _date(fields["end"], places["end"])
    if end is not None and end[1] < start[0]:
        raise Bad(places["end"], f"the slide ends ({end[1]}) before it starts ({start[0]})")
    if end is None or end == start:
        first, last, precision = start
    else:
        first, last, precision = start[0], end[1], "range"
    group = _text(fields["group"])
    summary = "\n\n".join(p for p in (_text(fields["text"]), _media(fields["media"])) if p)
    values = {
        "record": "event",
        "slug": _unique(_slug(headline) or "event", used),
        "title": headline,
        "type": group if group in EVENT_TYPES else "other",
        "start": first,
        "end": last,
        "precision": precision,
        "date_text": _text(fields["display"]) or None,
        "summary": summary or None,
        "sources": [{"slug": source}],
    }
    try:
        return EventRecord.model_validate(values)
    except ValidationError as exc:
        place, message = first_error(exc)
        ours = {"title": "headline", "date_text": "display", "summary": "text"}
        raise Bad(places.get(ours.get(place, ""), place), message) from None


def _date(value: Any, place: str) -> tuple[date, date, str] | None:
    """(first day, last day, precision) of a partial date; None when there is none."""
    if value is None or value == "":
        return None
    if not isinstance(value, dict):
        raise Bad(place, "expected a date object with a year")
    parts: dict[str, int | None] = {}
    for key in DATE_KEYS:
        raw = value.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            parts[key] = None
        elif isinstance(raw, int) and not isinstance(raw, bool):
            parts[key] = raw
        elif isinstance(raw, str) and re.fullmatch(r"\s*-?\d+\s*", raw):
            parts[key] = int(raw)
        else:
            raise Bad(_at(place, key), f"{raw!r} is not a whole number")
    year, month, day = parts["year"], parts["month"], parts["day"]
    if year is None:
        raise Bad(_at(place, "year"), "a date needs a year")
    if not 1 <= year <= 9999:
        raise Bad(_at(place, "year"), f"year {year} is outside 1-9999")
    if month is None:
        if day is not None:
            raise Bad(_at(place, "month"), "a day needs a month")
        return date(year, 1, 1), date(year, 12, 31), "year"
    if not 1 <= month <= 12:
        raise Bad(_at(place, "month"), f"month {month} does not exist")
    days = calendar.monthrange(year, month)[1]
    if day is None:
        return date(year, month, 1), date(year, month, days), "month"
    if not 1 <= day <= days:
        raise Bad(_at(place, "day"), f"day {day} does not exist in {year}-{month:02}")
    return date(year, month, day), date(year, month, day), "day"


def _at(place: str, key: str) -> str:
    """`start_date.month` in JSON; the column (`End Month`) in CSV."""
    if place.endswith("_date"):
        return f"{place}.{key}"
    return f"{place.removesuffix('Year')}{key.capitalize()}".strip()


def _media(media: list[Any]) -> str:
    url, credit, caption = (_text(m) for m in media)
    if not url:
        return ""
    about = "; ".join(p for p in (caption, credit) if p)
    return f"Media: {url}" + (f" ({about})" if about else "")


def _slug(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_.lower())
    slug = ""
    for word in words:  # whole words, leaving room for a "-NN" that makes it unique
        if len(slug) + len(word) + 1 > SLUG_LENGTH - 6:
            break
        slug = f"{slug}-{word}" if slug else word
    return slug or (words[0][: SLUG_LENGTH - 6] if words else "")


def _unique(slug: str, used: set[str]) -> str:
    candidate, n = slug, 1
    while candidate in used:
        n += 1
        candidate = f"{slug}-{n}"
    used.add(candidate)
    return candidate


def _text(value: Any) -> str:
    """Plain text of TimelineJS's HTML: tags removed, entities decoded, links kept."""
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    parser = _PlainText()
    parser.feed(value)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


class _PlainText(HTMLParser):
    BLOCKS = frozenset({"p", "br", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "h5",
                        "h6", "tr", "ul", "ol"})  # fmt: skip
    SKIP = frozenset({"script", "style"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[tuple[str | None, int]] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag == "a":
            self.links.append((dict(attrs).get("href"), len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag == "a" and self.links:
            href, at = self.links.pop()
            label = "".join(self.parts[at:]).strip()
            if href and href.startswith(("http://", "https://")) and href != label:
                self.parts.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)
