"""The GDELT import against the database's own bulk load of the same file.

    python benchmarks/gdelt.py --rows 100000 [--backend sqlite|postgresql]
        [--postgres-url URL] [--json PATH] [--workdir DIR]

A separate entry point from run.py, whose figures it leaves alone. It writes N rows of
GDELT 2.0 export (the real sample in tests/data/gdelt, repeated with fresh
GLOBALEVENTIDs and, per repetition, fresh SOURCEURLs: each repetition has the sample's
209 articles again, under new addresses), then measures
- `timeline import --format gdelt FILE` in a child process into a freshly migrated
  database: wall time, rows/s, peak RSS (wait4);
- the reference: the same TSV loaded by the database's own tool into one flat table
  of 61 text columns (`sqlite3` .import in tabs mode, `psql` \\copy in text format), in
  one transaction, on a fresh database too;
- a second reference: the rows the import wrote (every table, ids included), loaded
  by the same tools into a freshly migrated schema with every index, constraint and
  foreign key in place (what benchmarks/run.py compares the NDJSON import with): what
  writing the normalized rows costs the database itself, without reading GDELT;
- after the import, `timeline events --from D --to D` for one day (the sample's
  2025-07-31, 8 rows per repetition) and `--actor USA --limit 50`, in this process
  through `timeline.queries`, against hand-written SQL on the bare driver building the
  same records (benchmarks/handwritten.py), median of --runs runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from backends import Backend, Postgres, Sqlite, count_rows  # noqa: E402
from handwritten import HandWritten  # noqa: E402
from processes import TIMELINE, measure  # noqa: E402
from reference_csv import COLUMNS as COLUMNS_STORED  # noqa: E402
from reference_csv import Writers  # noqa: E402
from tool import Tool  # noqa: E402

from timeline.queries import EventFilters  # noqa: E402
from timeline.queries.records import iter_event_records  # noqa: E402

SAMPLE = HERE.parent / "tests" / "data" / "gdelt" / "20250807220000.export.CSV"
COLUMNS = 61
DAY = "2025-07-31"


def generate(rows: int, out: Path, sample: Path = SAMPLE) -> Path:
    """`rows` rows: the sample over and over, ids counting up from the sample's first,
    each repetition's URLs made its own (`…#r3`)."""
    lines = sample.read_bytes().splitlines()
    first = int(lines[0].split(b"\t", 1)[0])
    with out.open("wb") as handle:
        for n in range(rows):
            repetition, line = divmod(n, len(lines))
            fields = lines[line].split(b"\t")
            fields[0] = str(first + n).encode()
            if repetition and fields[-1]:
                fields[-1] += f"#r{repetition}".encode()
            handle.write(b"\t".join(fields) + b"\n")
    return out


def flat_load(backend: Backend, url: str, path: Path) -> float | None:
    """The TSV into one flat table of text columns, by the database's own tool."""
    columns = ", ".join(f"c{n} TEXT" for n in range(1, COLUMNS + 1))
    if isinstance(backend, Sqlite):
        tool = shutil.which("sqlite3")
        if tool is None:
            print("benchmark: no `sqlite3` command; the reference is left out", file=sys.stderr)
            return None
        script = [
            "PRAGMA journal_mode = WAL;",
            "BEGIN;",
            f"CREATE TABLE gdelt_flat ({columns});",
            ".mode tabs",
            f".import {path} gdelt_flat",
            "COMMIT;",
        ]
        argv = [tool, "-bail", url.removeprefix("sqlite:///")]
    else:
        tool = shutil.which("psql")
        if tool is None:
            print("benchmark: no `psql` command; the reference is left out", file=sys.stderr)
            return None
        script = [
            "\\set ON_ERROR_STOP on",
            "BEGIN;",
            f"CREATE TABLE gdelt_flat ({columns});",
            f"\\copy gdelt_flat FROM '{path}'",
            "COMMIT;",
        ]
        argv = [tool, "-q", "-X", url]
    with tempfile.TemporaryFile() as stdin:
        stdin.write("\n".join(script).encode())
        stdin.seek(0)
        return measure(argv, stdin=stdin).seconds


def normalized_load(backend: Backend, imported: str, workdir: Path) -> float | None:
    """The imported rows, dumped to one CSV file per table (untimed), loaded by the
    database's own tool into a fresh migrated database (timed)."""
    directory = workdir / "normalized"
    directory.mkdir(exist_ok=True)
    connection = backend.connect(imported)
    out = Writers(directory)  # one CSV file per table, its header first
    try:
        cursor = connection.cursor()
        for name, columns in COLUMNS_STORED.items():
            cursor.execute(f"SELECT {', '.join(columns)} FROM {name} ORDER BY 1")
            while rows := cursor.fetchmany(10_000):
                out.writers[name].writerows(rows)
    finally:
        out.close()
        connection.close()
    target = backend.fresh("normalized")
    try:
        seconds = backend.reference(target, out.paths)
        if seconds is not None and count_rows(backend, target) != count_rows(backend, imported):
            print("benchmark: the bulk tool loaded another number of rows", file=sys.stderr)
        return seconds
    finally:
        backend.drop(target)
        shutil.rmtree(directory)


def time_queries(backend: Backend, url: str, runs: int) -> dict[str, Any]:
    bare = backend.connect(url)
    hand = HandWritten(bare, backend.name == "postgresql")
    tool = Tool(url)
    actor = "cameo-usa"

    day = date.fromisoformat(DAY)

    def ours_day() -> list[dict[str, Any]]:
        return list(iter_event_records(tool.connection, EventFilters(date_from=day, date_to=day)))

    def theirs_day() -> list[dict[str, Any]]:
        return hand.events(*hand.overlap((day, day), "e."))

    calls = {
        "one_day": (ours_day, theirs_day),
        "actor_first_50": (lambda: tool.actor_first_50(actor), lambda: hand.actor_first_50(actor)),
    }
    figures: dict[str, Any] = {"query_ms": {}, "sql_ms": {}, "query_ratio": {}, "query_rows": {}}
    try:
        for name, (ours, theirs) in calls.items():
            if ours() != theirs():
                print(f"benchmark: {name}: timeline.queries and the SQL disagree", file=sys.stderr)
            for _ in range(2):
                ours(), theirs()
            mine, sql = [], []
            for _ in range(runs):
                start = time.perf_counter()
                ours()
                mine.append(time.perf_counter() - start)
                start = time.perf_counter()
                theirs()
                sql.append(time.perf_counter() - start)
            figures["query_ms"][name] = statistics.median(mine) * 1000
            figures["sql_ms"][name] = statistics.median(sql) * 1000
            figures["query_ratio"][name] = statistics.median(mine) / statistics.median(sql)
            figures["query_rows"][name] = len(theirs())
    finally:
        tool.close()
        bare.close()
    return figures


def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="timeline-gdelt-"))
    workdir.mkdir(parents=True, exist_ok=True)
    backend: Backend = (
        Postgres(workdir, args.postgres_url) if args.backend == "postgresql" else Sqlite(workdir)
    )
    data = workdir / f"gdelt-{args.rows}.export.CSV"
    if not data.exists():
        print(f"benchmark: generating {args.rows:,} GDELT rows …", file=sys.stderr)
        generate(args.rows, data)
    result: dict[str, Any] = {"backend": backend.name, "rows": args.rows}
    print("benchmark: timeline import --format gdelt …", file=sys.stderr)
    url = backend.fresh("gdelt")
    imported = measure([*TIMELINE, "--db", url, "import", "--format", "gdelt", str(data)])
    result["import_s"] = imported.seconds
    result["import_rows_per_s"] = args.rows / imported.seconds
    result["import_peak_rss_mb"] = imported.peak_rss_mb
    print("benchmark: the flat bulk load …", file=sys.stderr)
    flat = backend.fresh("flat", migrated=False)  # the flat table is all it holds
    reference = flat_load(backend, flat, data)
    backend.drop(flat)
    if reference is not None:
        result["reference_s"] = reference
        result["import_ratio"] = imported.seconds / reference
    print(
        "benchmark: the imported rows by the bulk tool, into the indexed schema …", file=sys.stderr
    )
    normalized = normalized_load(backend, url, workdir)
    if normalized is not None:
        result["normalized_reference_s"] = normalized
        result["normalized_ratio"] = imported.seconds / normalized
    print("benchmark: queries after the import …", file=sys.stderr)
    result.update(time_queries(backend, url, args.runs))
    backend.drop(url)
    return result


def table(result: dict[str, Any]) -> str:
    rows = [
        f"| {result['backend']}, {result['rows']:,} GDELT rows | timeline | reference | ratio |",
        "|---|---:|---:|---:|",
        f"| import (s) | {result['import_s']:.1f} s | {result.get('reference_s', 0):.1f} s "
        f"| {result.get('import_ratio', 0):.2f} |",
        f"| import (s), against the same rows into the indexed schema | "
        f"{result['import_s']:.1f} s | {result.get('normalized_reference_s', 0):.1f} s "
        f"| {result.get('normalized_ratio', 0):.2f} |",
        f"| import rows/s | {result['import_rows_per_s']:,.0f} | | |",
        f"| import peak RSS | {result['import_peak_rss_mb']:.1f} MB | | |",
    ]
    for name, ratio in result["query_ratio"].items():
        rows.append(
            f"| {name} ({result['query_rows'][name]:,} rows) | {result['query_ms'][name]:.2f} ms "
            f"| {result['sql_ms'][name]:.2f} ms | {ratio:.2f} |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("TIMELINE_BENCH_POSTGRES_URL"), metavar="URL"
    )
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", type=Path, metavar="PATH")
    parser.add_argument("--workdir", metavar="DIR")
    args = parser.parse_args(argv)
    if args.backend == "postgresql" and not args.postgres_url:
        parser.error("--backend postgresql needs --postgres-url (or TIMELINE_BENCH_POSTGRES_URL)")
    result = run(args)
    print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
