"""GDELT 2.0 events exports: the real sample (plain, zipped, from standard input, in
several files), the mapping of its columns, the FIPS 10-4 codes that differ from ISO,
the date flags, every bad input of the issue (one line, exit 2, nothing written), the
views, and the NDJSON round trip, on both backends."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from conftest import Templates, run
from sqlalchemy.engine import URL
from test_seeds import rows, snapshot
from test_transfer import export, write

from timeline.importer import pipeline as importer
from timeline.importer.formats import cameo
from timeline.importer.formats.gdelt_fields import COL, COLUMNS, date_flags

SAMPLE = Path(__file__).resolve().parent / "data" / "gdelt"  # a copy of the shared sample
EXPORT = SAMPLE / "20250807220000.export.CSV"
NAME = "20250807220000.export.CSV"

# What the sample holds once imported (checked by hand against the file: 909 rows,
# 209 distinct SOURCEURLs, 153 distinct actor codes, two rows dated 20240807).
COUNTS = {
    "sources": 209,
    "actors": 153,
    "events": 909,
    "event_countries": 1176,
    "event_actors": 1459,
    "evidence": 909,
    "event_flags": 2,
}


def sample_lines() -> list[bytes]:
    return EXPORT.read_bytes().splitlines(keepends=True)


def zipped(data: bytes, member: str = NAME) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, data)
    return out.getvalue()


def counts_of(stdout: str) -> dict[str, int]:
    found = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) == 5 and parts[1].isdigit():
            found[parts[0]] = int(parts[1])
    return found


def fields(line: bytes) -> list[bytes]:
    return line.rstrip(b"\n").split(b"\t")


def with_field(line: bytes, column: str, value: bytes) -> bytes:
    parts = fields(line)
    parts[COL[column]] = value
    return b"\t".join(parts) + b"\n"


# --- the sample ------------------------------------------------------------------------


def test_the_sample_imports_and_a_second_import_changes_nothing(seeded_url: URL) -> None:
    first = run(seeded_url, "import", "--format", "gdelt", str(EXPORT))
    assert first.exit_code == 0, first.stderr
    assert {t: n for t, n in counts_of(first.stdout).items() if t in COUNTS} == COUNTS
    assert first.stdout.splitlines()[-2:] == [
        "GDELT rows: 909 read, 0 skipped",
        "Flagged events: 2 date_year_before_report",
    ]
    again = run(seeded_url, "import", str(EXPORT))  # the name says gdelt
    assert again.exit_code == 0, again.stderr
    assert set(counts_of(again.stdout).values()) == {0}
    assert again.stdout.splitlines()[-1] == (
        "Nothing changed: the database already holds these records."
    )
    assert rows(seeded_url, "SELECT count(*) FROM events WHERE slug LIKE 'gdelt-%'") == [(909,)]
    assert rows(seeded_url, "SELECT count(*) FROM events WHERE slug NOT LIKE 'gdelt-%'") == [(17,)]


def test_a_zipped_copy_and_standard_input_give_the_same(
    db_url: URL, templates: Templates, backend: str, tmp_path: Path
) -> None:
    path = tmp_path / f"{NAME}.zip"
    path.write_bytes(zipped(EXPORT.read_bytes()))
    result = run(db_url, "import", str(path))
    assert result.exit_code == 0, result.stderr
    assert {t: n for t, n in counts_of(result.stdout).items() if t in COUNTS} == COUNTS
    plain_dir = tmp_path / "plain"
    plain_dir.mkdir()
    plain = templates.copy(backend, "migrated", plain_dir)
    piped = run(plain, "import", "--format", "gdelt", "-", input=EXPORT.read_text("utf-8"))
    assert piped.exit_code == 0, piped.stderr
    assert piped.stdout.startswith("Imported <stdin> into ")
    assert export(plain) == export(db_url)


def test_overlapping_files_are_one_transaction(db_url: URL, tmp_path: Path) -> None:
    lines = sample_lines()
    first, second = tmp_path / "a.export.CSV", tmp_path / "b.export.CSV"
    first.write_bytes(b"".join(lines[:600]))
    second.write_bytes(b"".join(lines[400:]))  # 200 rows in both
    result = run(db_url, "import", str(first), str(second))
    assert result.exit_code == 0, result.stderr
    assert counts_of(result.stdout)["events"] == 909
    assert counts_of(result.stdout)["sources"] == 209
    assert "GDELT rows: 1109 read, 0 skipped" in result.stdout
    bad = tmp_path / "c.export.CSV"
    bad.write_bytes(with_field(lines[5], "SQLDATE", b"20191332"))
    before = snapshot(db_url)
    refused = run(db_url, "import", str(second), str(bad))
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"error: {bad}:1: column SQLDATE: '20191332' is not a date (YYYYMMDD): no such day exists\n"
    )
    assert snapshot(db_url) == before


# --- the mapping -----------------------------------------------------------------------


def test_a_row_becomes_an_event_with_its_codes_place_actors_and_source(
    gdelt_url: URL,
) -> None:
    record = json.loads(run(gdelt_url, "event", "gdelt-1256322770", "-f", "json").stdout)
    assert record["title"] == "JERUSALEM — Yield"
    assert (record["type"], record["start"], record["end"], record["precision"]) == (
        "concession",
        "2024-08-07",
        "2024-08-07",
        "day",
    )
    assert record["place"] == "Mecca, Makkah, Saudi Arabia"
    assert (record["latitude"], record["longitude"]) == (21.4267, 39.8261)
    assert record["countries"] == ["ISR", "SAU"]  # FIPS SA is Saudi Arabia; the actor's ISR
    assert record["flags"] == ["date_year_before_report"]  # dated 2024-08-07, added 2025-08-07
    assert record["attributes"] == {
        "cameo_code": "080",
        "cameo_base_code": "080",
        "cameo_root_code": "08",
        "quad_class": 2,
        "goldstein_scale": 5.0,
        "num_mentions": 3,
        "num_sources": 1,
        "num_articles": 3,
        "avg_tone": -5.12820512820512,
        "is_root_event": True,
    }
    assert record["actors"] == [
        {"slug": "cameo-isr", "name": "ISRAEL", "kind": "state", "role": "initiator"}
    ]
    [source] = record["sources"]
    assert source["slug"] == "theweek-com-2abf10d14862"
    found = rows(
        gdelt_url,
        "SELECT kind, publisher, url, published_on FROM sources WHERE slug = 'theweek-com-2abf10d14862'",
    )
    kind, publisher, url, published = found[0]
    assert (kind, publisher, str(published)) == ("article", "theweek.com", "2025-08-07")
    assert url == "https://theweek.com/edition/theweekus-evening-review-2025-08-07-203055"


def gdelt_stage(url: URL) -> None:
    from timeline import seeds

    seeds.load_paths(url, None)
    importer.import_file(url, str(EXPORT), format="gdelt")


@pytest.fixture
def gdelt_url(request: pytest.FixtureRequest, backend: str, templates: Templates) -> URL:
    """The seeds and the sample, imported once per backend and copied per test."""
    return templates.copy(backend, "gdelt", request.getfixturevalue("tmp_path"), gdelt_stage)


def test_fips_codes_that_differ_from_iso_are_converted() -> None:
    table = cameo.fips_to_iso3()
    differ = {
        "BO": "BLR",  # not Bolivia (ISO BO); Bolivia is FIPS BL
        "BL": "BOL",
        "UP": "UKR",
        "RS": "RUS",  # not Serbia (ISO RS); Serbia is FIPS RI
        "RI": "SRB",
        "PL": "POL",
        "AS": "AUS",  # not American Samoa (ISO AS)
        "CH": "CHN",  # not Switzerland (ISO CH); Switzerland is FIPS SZ
        "SZ": "CHE",
        "NI": "NGA",  # not Nicaragua (ISO NI)
        "IS": "ISR",  # not Iceland (ISO IS); Iceland is FIPS IC
        "UK": "GBR",  # no ISO code at all
        "GM": "DEU",
        "SP": "ESP",
        "SF": "ZAF",
        "WE": "PSE",
        "GZ": "PSE",
        "KV": "XKX",
    }
    assert {code: table[code] for code in differ} == differ
    assert len(table) > 250


@pytest.mark.parametrize(
    ("fips", "actor_country", "countries"),
    [
        (b"BO", b"", ["BLR"]),  # Belarus, not Bolivia
        (b"UP", b"RUS", ["RUS", "UKR"]),
        (b"", b"EUR", []),  # a region is no country
        (b"OS", b"AFR", []),  # a FIPS code of no country (the oceans)
    ],
)
def test_countries_come_from_the_action_place_and_the_actors(
    empty_url: URL, tmp_path: Path, fips: bytes, actor_country: bytes, countries: list[str]
) -> None:
    line = sample_lines()[2]  # actors GBR and MED (no country)
    line = with_field(line, "ActionGeo_CountryCode", fips)
    line = with_field(line, "Actor1CountryCode", actor_country)
    path = write(tmp_path / "one.export.CSV", line)
    assert run(empty_url, "import", str(path)).exit_code == 0
    slug = "gdelt-" + fields(line)[0].decode()
    assert json.loads(run(empty_url, "event", slug, "-f", "json").stdout)["countries"] == countries


def test_the_date_flags() -> None:
    def flags(day: str, added: str) -> list[str]:
        return date_flags(date.fromisoformat(day), date.fromisoformat(added))

    assert flags("2024-08-07", "2025-08-07") == ["date_year_before_report"]
    assert flags("2025-07-07", "2025-08-07") == ["date_month_before_report"]
    assert flags("2024-12-15", "2025-01-15") == ["date_month_before_report"]
    assert flags("2025-07-08", "2025-08-07") == []  # 30 days: no calendar month
    assert flags("2025-08-07", "2025-08-07") == []
    assert flags("2023-08-07", "2025-08-07") == []


def test_the_codebook_has_every_root_and_keeps_leading_zeros() -> None:
    codes = cameo.event_descriptions()
    assert len(codes) > 300
    assert set(cameo.ROOT_TYPES) == {f"{n:02}" for n in range(1, 21)}
    assert codes["040"] == "Consult, not specified below"
    assert codes["044"] == 'Meet at a "third" location'  # mis-encoded in circulating copies
    assert (codes["1056"], codes["106"]) == (
        "Demand de-escalation of military engagement",
        "Demand withdrawal",
    )  # run together on one line in circulating copies
    assert cameo.title_description("190", "190", "19") == "Use conventional military force"
    assert all(code.isdigit() and 2 <= len(code) <= 4 for code in codes)


# --- bad input -------------------------------------------------------------------------

Edit = Callable[[list[bytes]], tuple[bytes, str]]  # the file's bytes, the error after FILE


def _row(n: int, column: str, value: bytes, message: str) -> Edit:
    def edit(lines: list[bytes]) -> tuple[bytes, str]:
        lines = list(lines)
        lines[n - 1] = with_field(lines[n - 1], column, value)
        return b"".join(lines), f":{n}: column {column}: {message}"

    return edit


def _columns(n: int, keep: int, message: str) -> Edit:
    def edit(lines: list[bytes]) -> tuple[bytes, str]:
        lines = list(lines)
        lines[n - 1] = b"\t".join(fields(lines[n - 1])[:keep]) + b"\n"
        return b"".join(lines), f":{n}: {message}"

    return edit


def _truncated_zip(lines: list[bytes]) -> tuple[bytes, str]:
    data = zipped(b"".join(lines))
    return data[: len(data) // 2], ": not a readable zip file, truncated or corrupt "


def _corrupt_zip(lines: list[bytes]) -> tuple[bytes, str]:
    data = bytearray(zipped(b"".join(lines)))
    middle = len(data) // 2
    data[middle : middle + 64] = bytes(64)
    return bytes(data), ": corrupt zip data "


def _binary(lines: list[bytes]) -> tuple[bytes, str]:
    return bytes(range(256)) * 8, ":1: binary data (NUL bytes): not a GDELT export"


def _invalid_utf8(lines: list[bytes]) -> tuple[bytes, str]:
    lines = list(lines)
    lines[4] = lines[4].replace(b"\tUSA\t", b"\tUS\xffA\t", 1)
    return b"".join(lines), ":5: column Actor1Code: invalid UTF-8 at byte 3 of the field"


BAD: list[tuple[str, Edit, str]] = [
    (
        "GDELT 1.0 row",
        _columns(
            4,
            57,
            "57 tab-separated columns, where GDELT 2.0 has 61: this looks like a GDELT 1.0 "
            "file (57 or 58 columns)",
        ),
        "export.CSV",
    ),
    (
        "short row",
        _columns(9, 60, "60 tab-separated columns, where GDELT 2.0 has 61"),
        "export.CSV",
    ),
    (
        "non-numeric id",
        _row(3, "GLOBALEVENTID", b"12x4", "'12x4' is not a whole number"),
        "export.CSV",
    ),
    (
        "impossible date",
        _row(5, "SQLDATE", b"20191332", "'20191332' is not a date (YYYYMMDD): no such day exists"),
        "export.CSV",
    ),
    (
        "CAMEO code as a number",
        _row(
            8,
            "EventCode",
            b"40",
            "'40' is not a CAMEO code (3 or 4 digits, with their leading zeros)",
        ),
        "export.CSV",
    ),
    (
        "CAMEO root code of the wrong shape",
        _row(
            8, "EventRootCode", b"4", "'4' is not a CAMEO code (2 digits, with their leading zeros)"
        ),
        "export.CSV",
    ),
    ("truncated zip", _truncated_zip, "export.CSV.zip"),
    ("corrupt zip", _corrupt_zip, "export.CSV.zip"),
    ("binary file", _binary, "export.CSV"),
    ("invalid UTF-8", _invalid_utf8, "export.CSV"),
]


@pytest.mark.read_only  # a refused import writes nothing: the shared database is checked
@pytest.mark.parametrize(
    ("edit", "suffix"), [(e, s) for _, e, s in BAD], ids=[n for n, _, _ in BAD]
)
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    seeded_url: URL, tmp_path: Path, edit: Edit, suffix: str
) -> None:
    data, error = edit(sample_lines())
    path = tmp_path / f"bad.{suffix}"
    path.write_bytes(data)
    before = snapshot(seeded_url)
    result = run(seeded_url, "import", str(path))
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(f"error: {path}{error}")
    assert result.stderr.count("\n") == 1
    assert snapshot(seeded_url) == before


def test_skip_invalid_skips_bad_rows_and_says_where(seeded_url: URL, tmp_path: Path) -> None:
    lines = sample_lines()
    lines[2] = with_field(lines[2], "SQLDATE", b"20191332")
    lines[9] = b"\t".join(fields(lines[9])[:57]) + b"\n"
    path = write(tmp_path / "some.export.CSV", b"".join(lines))
    result = run(seeded_url, "import", "--skip-invalid", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"skipped {path}:3: column SQLDATE: '20191332' is not a date (YYYYMMDD): no such day exists",
        f"skipped {path}:10: 57 tab-separated columns, where GDELT 2.0 has 61: this looks like "
        "a GDELT 1.0 file (57 or 58 columns)",
    ]
    assert "GDELT rows: 907 read, 2 skipped" in result.stdout
    assert counts_of(result.stdout)["events"] == 907


def test_skip_invalid_is_refused_for_ndjson(db_url: URL, tmp_path: Path) -> None:
    path = write(tmp_path / "x.ndjson", b"")
    result = run(db_url, "import", "--skip-invalid", str(path))
    assert (result.exit_code, result.stderr) == (
        2,
        "error: --skip-invalid applies to the gdelt format only\n",
    )


# --- views -----------------------------------------------------------------------------


def test_every_view_shows_gdelt_events(gdelt_url: URL) -> None:
    def lines(*args: str) -> list[str]:
        result = run(gdelt_url, *args)
        assert result.exit_code == 0, result.stderr
        return result.stdout.splitlines()

    flagged = lines("events", "--flag", "date_year_before_report", "-f", "csv")
    assert [line.split(",")[0] for line in flagged[1:]] == ["gdelt-1256322770", "gdelt-1256322771"]
    unflagged = lines("events", "--no-flag", "date_year_before_report", "-f", "csv")
    assert len(unflagged) - 1 == 909 + 17 - 2
    window = lines("events", "--from", "2025-07-31", "--to", "2025-07-31", "-f", "csv")
    assert len(window) - 1 == 8  # the README of the sample: 8 rows dated 20250731
    eu = lines("events", "--actor", "IGOEUREEC", "-f", "csv")
    assert eu == lines("events", "--actor", "the european union", "-f", "csv")
    assert len(eu) > 1
    assert lines("events", "--type", "fight", "--country", "ISR", "-f", "csv")[1:]
    belarus = lines("events", "--country", "blr", "-f", "csv")  # the article's events
    assert all("BLR" in line for line in belarus[1:])
    counts = lines("counts", "--per", "day", "--type", "fight", "-f", "csv")
    assert counts == ["day,type,events", "2025-08-07,fight,37"]
    detail = lines("event", "gdelt-1256322770")
    assert "flags       date_year_before_report" in detail
    assert "location    21.4267, 39.8261 (latitude, longitude)" in detail
    actor = json.loads(run(gdelt_url, "actor", "cameo-isr", "-f", "json").stdout)
    assert (actor["name"], actor["kind"], actor["country"]) == ("ISRAEL", "state", "ISR")
    assert "ISR" in actor["aliases"] and "JERUSALEM" in actor["aliases"]
    assert any("theweek.com" in line for line in lines("sources"))
    sql = lines(
        "sql",
        "SELECT cameo_root_code, count(*) AS n, min(goldstein_scale) AS g FROM events"
        " WHERE cameo_root_code = '19' GROUP BY cameo_root_code",
        "-f",
        "csv",
    )
    assert sql == ["cameo_root_code,n,g", "19,37,-10.0"]
    flat = lines(
        "sql",
        "SELECT slug, flags, latitude FROM events_flat WHERE flags IS NOT NULL ORDER BY slug",
        "-f",
        "csv",
    )
    assert flat == [
        "slug,flags,latitude",
        "gdelt-1256322770,date_year_before_report,21.4267",
        "gdelt-1256322771,date_year_before_report,31.0",
    ]
    refused = run(gdelt_url, "events", "--flag", "date_wrong")
    assert refused.exit_code == 2


# --- round trip ------------------------------------------------------------------------


@pytest.mark.postgres
def test_gdelt_events_round_trip_across_backends(templates: Templates, tmp_path: Path) -> None:
    sqlite = templates.copy("sqlite", "gdelt", tmp_path, gdelt_stage)
    first = export(sqlite)
    assert b'"flags":["date_year_before_report"]' in first
    assert b'"cameo_code":"080"' in first and b'"latitude":21.4267' in first
    postgres = templates.fresh_empty("postgresql")
    importer.import_file(postgres, str(write(tmp_path / "1.ndjson", first)))
    second = export(postgres)
    assert second == first
    back = tmp_path / "back"
    back.mkdir()
    again = templates.fresh_empty("sqlite", back)
    importer.import_file(again, str(write(tmp_path / "2.ndjson", second)))
    assert export(again) == first
    assert COLUMNS[-1] == "SOURCEURL" and len(COLUMNS) == 61
