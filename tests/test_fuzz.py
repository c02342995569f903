"""Fuzzing with Hypothesis: whatever the input, the seed loader, the NDJSON, GDELT and
TimelineJS readers, the date resolver, `--from/--to` and the SQL statement check either
accept it or refuse it with one `error:` line (a seed file: one for each error) and
exit 2, writing nothing; never a traceback.

`make test` runs a bounded number of examples (the `default` profile in conftest);
`make fuzz` runs many more (HYPOTHESIS_PROFILE=fuzz).
"""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

from conftest import run
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import URL
from test_seeds import BASE, TEXT
from test_transfer import event_record

from timeline import dates
from timeline.errors import InputError
from timeline.interchange import parse_record
from timeline.queries.filters import parse_period
from timeline.readonly.statement import check_statement

# Values that break naive code: huge and negative numbers, odd floats, control and
# astral characters, NUL, lone surrogates' neighbours, deep-ish nesting.
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["", "\x00", "2025-02-30", "9999-12-31", "0001-01-01", "friday", "last"]),
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
FUZZ = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def one_error_line(result: Any, *, each: bool = False) -> None:
    """Exit 2 and one `error:` line (`each`: one line for each error, as seed files
    report every error of a run)."""
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("error: ") for line in lines), result.stderr
    assert each or len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr


# --- seed files ------------------------------------------------------------------------

PATHS = [
    "sources.0.slug",
    "sources.0.published",
    "sources.0.kind",
    "sources.0.text_file",
    "actors.0.name",
    "actors.0.aliases",
    "events.0.slug",
    "events.0.date",
    "events.0.date.weekday",
    "events.0.actors.0.role",
    "events.0.evidence.0.quote",
    "events.1.date.same_as",
    "events.1.evidence.0.occurrence",
    "events",
]


def _replace(data: Any, path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = data
    for part in parents:
        key: Any = int(part) if part.isdigit() else part
        if isinstance(node, list) and not (isinstance(key, int) and key < len(node)):
            return
        if isinstance(node, dict) and key not in node:
            return
        node = node[key]
        if not isinstance(node, dict | list):
            return
    key = int(last) if last.isdigit() else last
    if isinstance(node, list) and not (isinstance(key, int) and key < len(node)):
        return
    node[key] = value


@FUZZ
@given(changes=st.lists(st.tuples(st.sampled_from(PATHS), JSON_VALUES), min_size=1, max_size=3))
@example(changes=[("events", [{"\x1e": None}])])  # a control character in the message
def test_a_fuzzed_seed_file_loads_or_is_refused_in_one_line(
    tmp_path: Path, changes: list[tuple[str, Any]]
) -> None:
    data = copy.deepcopy(BASE)
    for path, value in changes:
        _replace(data, path, value)
    (tmp_path / "paper.txt").write_text(TEXT, encoding="utf-8")
    seed = tmp_path / "fuzz.yaml"
    try:
        seed.write_text(json.dumps(data, allow_nan=True), encoding="utf-8")  # JSON is YAML
    except UnicodeEncodeError:
        assume(False)
    target = tmp_path / "fuzz.db"
    target.unlink(missing_ok=True)
    result = run(URL.create("sqlite", database=str(target)), "load", str(seed))
    if result.exit_code != 0:
        one_error_line(result, each=True)
        assert not target.exists()


# --- NDJSON ----------------------------------------------------------------------------

EVENT_KEYS = [*list(event_record()), "actors", "sources", "relations", "countries", "aliases"]


@FUZZ
@given(
    changes=st.dictionaries(st.sampled_from([*EVENT_KEYS, "anchor_event", "x"]), JSON_VALUES),
    junk=st.binary(max_size=40),
)
def test_a_fuzzed_ndjson_line_parses_or_is_refused_with_a_message(
    changes: dict[str, Any], junk: bytes
) -> None:
    for line in (json.dumps(event_record(**changes), allow_nan=True).encode(), junk):
        try:
            parse_record(line)
        except ValueError as exc:
            assert str(exc) and "\n" not in str(exc)


@FUZZ
@given(
    changes=st.dictionaries(st.sampled_from([*EVENT_KEYS, "anchor_event"]), JSON_VALUES, max_size=3)
)
def test_a_fuzzed_import_succeeds_or_is_refused_in_one_line_writing_nothing(
    tmp_path: Path, changes: dict[str, Any]
) -> None:
    header = {"record": "header", "format": "timeline", "version": 1}
    summary = {"record": "summary", "sources": 0, "actors": 0, "events": 1}
    lines = [header, event_record(**changes), summary]
    data = tmp_path / "fuzz.ndjson"
    data.write_text("".join(json.dumps(r, allow_nan=True) + "\n" for r in lines))
    target = tmp_path / "fuzz.db"
    target.unlink(missing_ok=True)
    result = run(URL.create("sqlite", database=str(target)), "import", str(data))
    if result.exit_code != 0:
        one_error_line(result)
        assert not target.exists()


# --- dates -----------------------------------------------------------------------------

RULES = st.one_of(
    st.tuples(st.just("day"), st.dates()),
    st.tuples(st.just("week"), st.dates()),
    st.tuples(st.just("month"), st.tuples(st.integers(-5, 10000), st.integers(-1, 14))),
    st.tuples(st.just("year"), st.integers(-5, 10001)),
    st.tuples(st.just("weekday"), st.sampled_from(["monday", "friday", "sunday", "someday"])),
    st.tuples(st.just("last_week"), st.none()),
    st.tuples(st.sampled_from(["days_before", "days_after"]), st.integers(-(2**40), 2**40)),
    st.tuples(st.just("same_as"), st.none()),
    st.tuples(st.just("after"), st.none() | st.dates()),
)


@FUZZ
@given(
    rules=st.dictionaries(
        st.sampled_from("abcd"),
        st.tuples(RULES, st.none() | st.sampled_from("abcde"), st.none() | st.dates()),
        min_size=1,
    )
)
def test_the_date_resolver_resolves_or_says_why(
    rules: dict[str, tuple[tuple[str, Any], str | None, date | None]],
) -> None:
    given_rules = {
        slug: dates.DateRule(kind, value, None, anchor, publication)
        for slug, ((kind, value), anchor, publication) in rules.items()
    }
    try:
        resolved = dates.resolve_all(given_rules)
    except dates.DateResolutionError as exc:
        assert str(exc)
        return
    for result in resolved.values():
        assert result.interval.start <= result.interval.end


# --- --from / --to, and the statement check --------------------------------------------


@FUZZ
@given(text=st.text(max_size=20) | st.from_regex(r"-?\d{1,6}(-\d{1,3}){0,2}", fullmatch=True))
def test_from_and_to_take_a_period_or_say_what_they_take(text: str) -> None:
    try:
        first, last = parse_period(text, "--from")
    except InputError as exc:
        assert "use YYYY-MM-DD, YYYY-MM or YYYY" in str(exc)
        return
    assert first <= last


SQL_PIECES = st.sampled_from(
    [
        "SELECT", "WITH", "VALUES", "TABLE", "INSERT", "DELETE", "UPDATE", "PRAGMA", "ATTACH",
        "(", ")", ",", ";", "'", '"', "`", "[", "]", "--", "/*", "*/", "$$", "$a$", "E'",
        "\\", "\n", " ", "1", "x", "events", "load_extension", "readfile", "set_config",
        "pg_sleep", "dblink", "COPY", "DO", "CALL", "FROM", "WHERE", "AS", "UNION",
    ]
)  # fmt: skip


@FUZZ
@given(
    pieces=st.lists(SQL_PIECES | st.text(max_size=5), max_size=12),
    dialect=st.sampled_from(["sqlite", "postgresql"]),
)
def test_the_statement_check_accepts_or_refuses_never_crashes(
    pieces: list[str], dialect: str
) -> None:
    sql = " ".join(pieces)
    try:
        check_statement(sql, dialect)
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc)


# --- the readers the other formats added: GDELT and TimelineJS --------------------------

GDELT_ROW = (
    (Path(__file__).resolve().parent / "data" / "gdelt" / "20250807220000.export.CSV")
    .read_bytes()
    .splitlines(keepends=True)[0]
)
GDELT_VALUES = st.one_of(
    st.binary(max_size=12),
    st.sampled_from([b"", b"040", b"40", b"20191332", b"-1", b"1e999", b"NaN", b"\xff", b"\t"]),
    st.text(max_size=12).map(str.encode),
)


@FUZZ
@given(
    changes=st.lists(st.tuples(st.integers(0, 62), GDELT_VALUES), min_size=1, max_size=4),
    skip=st.booleans(),
)
def test_a_fuzzed_gdelt_row_imports_or_is_refused_in_one_line(
    tmp_path: Path, changes: list[tuple[int, bytes]], skip: bool
) -> None:
    fields = GDELT_ROW.rstrip(b"\n").split(b"\t")
    for column, value in changes:
        if column < len(fields):
            fields[column] = value
        else:
            fields.append(value)
    data = tmp_path / "fuzz.export.CSV"
    data.write_bytes(b"\t".join(fields) + b"\n")
    target = tmp_path / "fuzz.db"
    target.unlink(missing_ok=True)
    args = ["import", str(data), *(["--skip-invalid"] if skip else [])]
    result = run(URL.create("sqlite", database=str(target)), *args)
    if result.exit_code != 0:
        one_error_line(result)
        assert not target.exists()
    else:
        assert "Traceback" not in result.stderr


SLIDE_KEYS = ["start_date", "end_date", "text", "display_date", "group", "media", "unique_id"]


@FUZZ
@given(
    slides=st.lists(st.dictionaries(st.sampled_from(SLIDE_KEYS), JSON_VALUES), max_size=3),
    title=st.none() | JSON_VALUES,
    as_csv=st.booleans(),
    cells=st.lists(st.text(max_size=8), max_size=20),
)
@example(slides=[{"start_date": [None]}], title=None, as_csv=False, cells=[])  # an AttributeError
def test_a_fuzzed_timelinejs_file_imports_or_is_refused_in_one_line(
    tmp_path: Path, slides: list[dict[str, Any]], title: Any, as_csv: bool, cells: list[str]
) -> None:
    data = tmp_path / "fuzz.json"
    if as_csv:
        header = "Year,Month,Day,Time,End Year,End Month,End Day,End Time,Display Date,"
        header += "Headline,Text,Media,Media Credit,Media Caption,Media Thumbnail,Type,Group,"
        header += "Background"
        row = ",".join(json.dumps(c) for c in cells)
        data = tmp_path / "fuzz.csv"
        content = f"{header}\n{row}\n"
    else:
        document: dict[str, Any] = {"events": slides}
        if title is not None:
            document["title"] = title
        content = json.dumps(document, allow_nan=True)
    try:
        data.write_text(content, encoding="utf-8")
    except UnicodeEncodeError:
        assume(False)
    target = tmp_path / "fuzz.db"
    target.unlink(missing_ok=True)
    result = run(
        URL.create("sqlite", database=str(target)), "import", "--format", "timelinejs", str(data)
    )
    if result.exit_code != 0:
        one_error_line(result)
        assert not target.exists()
