"""The import pipeline serves any format: a reader yields interchange records with a
place each, and staging, the whole-input checks, the merge and the summary are the
pipeline's. Shown with a small format made here, beside NDJSON's own choice by name."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from conftest import run
from sqlalchemy.engine import URL
from test_seeds import snapshot

import timeline.cli.transfer  # noqa: F401  (its choices are made before the fixture adds one)
from timeline.errors import FileInputError, InputError
from timeline.importer import formats
from timeline.importer.inputs import Input
from timeline.importer.pipeline import import_file
from timeline.interchange import DataRecord, EventRecord, SourceRecord


class DayListReader:
    """`YYYY-MM-DD title` per line: each line an event, cited to the file itself."""

    def where(self, key: int) -> str:
        return f"rows[{key}]"

    def records(self, source: Input) -> Iterator[tuple[int, DataRecord]]:
        yield 0, SourceRecord(record="source", slug="day-list", name="A day list", kind="article")
        for number, line in source.lines():
            day, title = line.decode().rstrip("\n").split(" ", 1)
            yield (
                number,
                EventRecord(
                    record="event",
                    slug=f"day-{number}",
                    title=title,
                    type="other",
                    start=date.fromisoformat(day),
                    end=date.fromisoformat(day),
                    precision="day",
                    sources=[{"slug": "day-list"}],
                    relations=[
                        {"kind": "follows", "slug": f"day-{number - 1}", "direction": "outgoing"}
                    ]
                    if number > 1
                    else [],
                ),
            )


@pytest.fixture
def day_list(monkeypatch: pytest.MonkeyPatch) -> None:
    fmt = formats.ImportFormat("days", "a list of days", __name__, (".days",))
    monkeypatch.setattr(formats, "FORMATS", (*formats.FORMATS, fmt))
    monkeypatch.setitem(formats.BY_NAME, "days", fmt)
    monkeypatch.setattr(
        formats,
        "reader",
        lambda chosen: (
            DayListReader()
            if chosen is fmt
            else formats.importlib.import_module(chosen.module).Reader()
        ),
    )


def test_a_second_format_goes_through_the_same_pipeline(
    day_list: None, db_url: URL, tmp_path: Path
) -> None:
    path = tmp_path / "list.days"  # chosen by its name
    path.write_text("2025-09-12 First\n2025-09-13 Second\n", encoding="utf-8")
    changes = import_file(db_url, str(path))
    assert changes.counts["events"].created == 2
    assert changes.counts["evidence"].created == 2
    assert changes.counts["event_relations"].created == 1
    shown = run(db_url, "event", "day-2", "--format", "json")
    assert json.loads(shown.stdout)["relations"] == [
        {"kind": "follows", "slug": "day-1", "direction": "outgoing"}
    ]
    assert not import_file(db_url, str(path), format="days").changed  # upserted by slug


def test_a_second_format_is_refused_at_its_own_places(
    day_list: None, db_url: URL, tmp_path: Path
) -> None:
    path = tmp_path / "bad.days"
    path.write_text("2025-09-12 First\n2025-09-13 Second\n2025-09-14 Third\n", encoding="utf-8")
    before = snapshot(db_url)
    original = DayListReader.records

    def dangling(self: DayListReader, source: Input) -> Iterator[tuple[int, DataRecord]]:
        for key, record in original(self, source):
            if key == 3:
                record = record.model_copy(update={"sources": [{"slug": "nowhere"}]})
            yield key, record

    DayListReader.records = dangling  # type: ignore[method-assign]
    try:
        with pytest.raises(FileInputError) as caught:
            import_file(db_url, str(path))
    finally:
        DayListReader.records = original  # type: ignore[method-assign]
    assert str(caught.value) == f"{path}: rows[3]: sources[0].slug: unknown source 'nowhere'"
    assert snapshot(db_url) == before


def test_ndjson_is_the_default_and_named_formats_are_checked(tmp_path: Path) -> None:
    assert formats.format_for("export.ndjson", None).name == "ndjson"
    assert formats.format_for("EXPORT.JSONL", None).name == "ndjson"
    assert formats.format_for("anything.txt", None).name == "ndjson"
    assert formats.format_for("-", None).name == "ndjson"
    assert formats.format_for("x.txt", "ndjson").name == "ndjson"
    with pytest.raises(InputError) as caught:
        formats.format_for("x.ndjson", "gedcom")
    assert str(caught.value) == "unknown import format 'gedcom'; choose from ndjson, timelinejs"


def test_the_cli_takes_the_format(seeded_url: URL, tmp_path: Path) -> None:
    exported = run(seeded_url, "export", "-o", str(tmp_path / "all.txt"))
    assert exported.exit_code == 0, exported.stderr
    target = str(tmp_path / "new.db")
    result = run(target, "import", "--format", "ndjson", str(tmp_path / "all.txt"))
    assert result.exit_code == 0, result.stderr
    assert "events                   17        0        0          0" in result.stdout
    refused = run(target, "import", "--format", "xml", str(tmp_path / "all.txt"))
    assert refused.exit_code == 2
    assert refused.stderr == (
        "error: invalid value for '--format' / '-f': 'xml' is not one of 'ndjson', 'timelinejs' "
        "(see `timeline import --help`)\n"
    )
