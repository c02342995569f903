"""The library API: `from timeline import Timeline` does what the CLI does, returns
records instead of text, raises the typed errors, and costs nothing to import."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import run
from sqlalchemy.engine import URL

from timeline import Timeline
from timeline.errors import DatabaseError, InputError
from timeline.interchange import json_schema

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_events_are_the_records_the_cli_prints(seeded_url: URL) -> None:
    tl = Timeline(seeded_url)
    records = list(tl.events(actors=["Lukashenko"], date_from="2025-09"))
    shown = run(seeded_url, "events", "--actor", "Lukashenko", "--from", "2025-09", "-f", "ndjson")
    assert [json.loads(line) for line in shown.stdout.splitlines()] == records
    assert len(records) >= 3 and all(
        any(a["slug"] == "alexander-lukashenka" for a in r["actors"]) for r in records
    )
    details = {s["slug"]: s for s in tl.sources()}
    assert tl.event(records[0]["slug"]) == {
        **records[0],
        "sources": [
            {**s, "url": details[s["slug"]]["url"], "published": "2025-09-15"}
            for s in records[0]["sources"]
        ],
    }


def test_filters_are_checked_before_the_first_record(seeded_url: URL) -> None:
    tl = Timeline(seeded_url)
    with pytest.raises(InputError, match="no actor matches 'Lukashenk'"):
        tl.events(actors=["Lukashenk"])  # raises at the call, not at iteration
    with pytest.raises(InputError, match="invalid date '2025-13' for --from"):
        tl.events(date_from="2025-13")
    with pytest.raises(InputError, match="unknown type 'battle'"):
        tl.events(types=["battle"])


def test_a_missing_database_is_a_database_error_and_is_not_created(tmp_path: Path) -> None:
    tl = Timeline(tmp_path / "missing.db")
    with pytest.raises(DatabaseError, match="no timeline database at"):
        tl.events()
    assert not (tmp_path / "missing.db").exists()


def test_load_export_and_import_round_trip(tmp_path: Path, seeded_url: URL) -> None:
    tl = Timeline(str(tmp_path / "a.db"))
    changes = tl.load()
    assert changes.created_database and changes.counts["events"].created == 17
    assert not tl.load().changed
    out = io.BytesIO()
    assert tl.export(out) == {"sources": 5, "actors": 16, "events": 17}
    path = tmp_path / "all.ndjson"
    path.write_bytes(out.getvalue())
    other = Timeline(str(tmp_path / "b.db"))
    imported = other.import_file(path)
    assert imported.files == [str(path)] and imported.counts["evidence"].created == 25
    assert list(other.events()) == list(tl.events()) == list(Timeline(seeded_url).events())
    assert other.info()["tables"] == tl.info()["tables"]
    with pytest.raises(
        InputError, match="unknown import format 'gedcom'; choose from ndjson, gdelt"
    ):
        other.import_file(path, format="gedcom")


def test_the_listings(seeded_url: URL) -> None:
    tl = Timeline(seeded_url)
    assert [a["slug"] for a in tl.actors()] == sorted(a["slug"] for a in tl.actors())
    assert tl.actor("Lukashenko")["slug"] == "alexander-lukashenka"
    roles = {e["slug"]: e["roles"] for e in tl.actor_events("alexander-lukashenka")}
    assert roles and all(roles.values())
    assert {s["slug"] for s in tl.sources()} >= {
        "unn-2025-09-15-west-2025",
        "reuters-2025-09-west-2025",
    }
    counts = tl.counts("year")
    assert sum(n for _, _, n in counts) == 17
    assert tl.sql("SELECT count(*) AS n FROM events").rows == [(17,)]
    assert "events" in {t["name"] for t in tl.schema()["tables"]}


def test_importing_the_package_is_cheap() -> None:
    """`timeline --help` and completion import the package: it must not pull in the
    database layer until `Timeline` is used."""
    code = (
        "import sys, timeline; heavy = {'sqlalchemy', 'pydantic', 'typer', 'timeline.api'};"
        "print(sorted(heavy & set(sys.modules))); print(timeline.__version__)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[0] == "[]"


def test_the_records_json_schema_is_generated_and_describes_every_export_line(
    seeded_url: URL,
) -> None:
    schema = json_schema()
    shipped = json.loads((DOCS / "records.schema.json").read_text(encoding="utf-8"))
    assert shipped == schema, "run `timeline schema --records > docs/records.schema.json`"
    assert json.loads(run(None, "schema", "--records").stdout) == schema
    validator = jsonschema.Draft202012Validator(schema)
    out = io.BytesIO()
    Timeline(seeded_url).export(out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {line["record"] for line in lines} == {"header", "source", "actor", "event", "summary"}
    for line in lines:
        validator.validate(line)
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({**lines[-2], "precision": "fortnight"})
