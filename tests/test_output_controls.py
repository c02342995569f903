"""Terminal injection: names and titles holding escape sequences, other control
characters or bidirectional overrides are shown escaped by the reading formats (table,
Markdown, CSV on a terminal), and kept exactly by the data formats."""

from __future__ import annotations

import io
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import Templates, run
from sqlalchemy.engine import URL

from timeline.output import writers

HOSTILE = "\x1b[31mred\x1b[0m \x1b]8;;https://x.example/\x07link\x1b]8;;\x07 \x1b]52;c;aGk=\x07 \x9b2J \u202eevil\u202c \x00\r"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def import_hostile(url: URL) -> None:
    lines = [
        {"record": "header", "format": "timeline", "version": 1},
        {
            "record": "source",
            "slug": "s",
            "name": f"Source {HOSTILE}",
            "kind": "article",
            "publisher": HOSTILE,
        },
        {
            "record": "actor",
            "slug": "a",
            "name": f"Actor {HOSTILE}",
            "kind": "person",
            "aliases": [f"Alias {HOSTILE}"],
        },
        {
            "record": "event",
            "slug": "e",
            "title": f"Title {HOSTILE}",
            "type": "other",
            "start": "2025-09-12",
            "end": "2025-09-12",
            "precision": "day",
            "summary": HOSTILE,
            "place": HOSTILE,
            "actors": [{"slug": "a", "role": "initiator"}],
            "sources": [{"slug": "s"}],
        },
        {"record": "summary", "sources": 1, "actors": 1, "events": 1},
    ]
    path = Path(str(uuid.uuid4())) / "hostile.ndjson"
    path.parent.mkdir()
    text = "".join(json.dumps(line) + "\n" for line in lines).replace("\\u0000", "")
    path.write_text(text, encoding="utf-8")
    result = run(url, "import", str(path))
    assert result.exit_code == 0, result.stderr


@pytest.fixture
def hostile_url(backend: str, templates: Templates, tmp_path: Path) -> Iterator[URL]:
    """The hostile rows, imported once per backend; the tests only read them (on
    PostgreSQL they share the database, checked unchanged after each)."""
    with templates.shared(backend, "hostile", tmp_path, import_hostile) as url:
        yield url


@pytest.mark.parametrize(
    "args",
    [
        ["events"],
        ["events", "-f", "markdown"],
        ["event", "e"],
        ["event", "e", "-f", "markdown"],
        ["actors"],
        ["actor", "a"],
        ["sources"],
        ["sources", "-f", "markdown"],
        ["sql", "SELECT name, publisher FROM sources"],
    ],
    ids=" ".join,
)
def test_reading_formats_show_controls_escaped(hostile_url: URL, args: list[str]) -> None:
    shown = run(hostile_url, *args)
    assert shown.exit_code == 0, shown.stderr
    assert not RAW.findall(shown.stdout), RAW.findall(shown.stdout)
    assert "\\x1b[31mred" in shown.stdout or "\\x1b[31m" in shown.stdout


def test_data_formats_keep_the_text_exactly(hostile_url: URL) -> None:
    stored = HOSTILE.replace("\x00", "")
    record = json.loads(run(hostile_url, "event", "e", "-f", "json").stdout)
    assert record["title"] == f"Title {stored}" and record["summary"] == stored
    piped = run(hostile_url, "events", "-f", "csv").stdout
    assert f"Title {stored}" in piped


def test_csv_on_a_terminal_is_escaped() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal, pipe = Terminal(), io.StringIO()
    for out in (terminal, pipe):
        writers.write_rows(["name"], [[HOSTILE]], "csv", out)
    assert not RAW.findall(terminal.getvalue())
    assert "\\x1b[31mred" in terminal.getvalue() and "\\u202eevil" in terminal.getvalue()
    assert HOSTILE in pipe.getvalue()
