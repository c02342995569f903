"""How far `timeline` trails the database's own tools, on the same synthetic data.

    python benchmarks/run.py --events 100000 [--backend sqlite|postgresql] [--json PATH]

One run: generate N events (benchmarks/generate.py), then measure
- import: `timeline import` in a child process (wall time; peak RSS of that process
  from wait4), against the same rows as CSV loaded by the database's own bulk tool
  (`sqlite3` .import in one transaction with WAL; `psql` \\copy) into the same freshly
  migrated schema, indexes, constraints and foreign keys in place;
- queries: the first 50 events of one actor, a one-week window and event counts per
  type per month for a year, through `timeline.queries` and through hand-written SQL on
  the bare driver, in this process, median of --runs runs after warm-up; both must
  give the same result;
- on SQLite, whole processes: `timeline events --actor X --limit 50 --format json`,
  `python -c "import typer, sqlalchemy"` as the floor, `timeline --help` and the
  completion of an actor name;
- export: `timeline export` of everything imported (wall time, peak RSS).

PostgreSQL needs --postgres-url (or TIMELINE_BENCH_POSTGRES_URL): a server where the
run may create and drop its own databases. A missing tool (`sqlite3`, `psql`) is
reported, and its figures left out, rather than crashing the run.

This file is the run itself, the results table and the command line; the parts are
processes.py (wall time, peak RSS, medians), backends.py (SQLite and PostgreSQL: fresh
databases, the bulk tools, row counts), reference_csv.py (the NDJSON as the bulk
tools' CSV), workload.py (what the queries are asked), handwritten.py (the SQL on the
bare driver), tool.py (the same through `timeline.queries`) and cli_timings.py (the
short commands as whole processes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402
from backends import Backend, Postgres, Sqlite, count_rows  # noqa: E402
from cli_timings import time_cli  # noqa: E402
from handwritten import HandWritten  # noqa: E402
from processes import Measured, measure, timeline_command  # noqa: E402
from reference_csv import to_csv  # noqa: E402
from tool import Tool  # noqa: E402
from workload import QUERIES, busiest_actor  # noqa: E402


def time_queries(backend: Backend, url: str, runs: int) -> dict[str, dict[str, float]]:
    """Median milliseconds of each query both ways, after warm-up; the results must agree."""
    bare = backend.connect(url)
    hand = HandWritten(bare, backend.name == "postgresql")
    tool = Tool(url)
    actor = busiest_actor(bare)
    calls: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
        "actor_first_50": (lambda: tool.actor_first_50(actor), lambda: hand.actor_first_50(actor)),
        "week_window": (tool.week_window, hand.week_window),
        "type_month_counts": (tool.type_month_counts, hand.type_month_counts),
    }
    figures: dict[str, dict[str, float]] = {"query_ms": {}, "sql_ms": {}, "query_ratio": {}}
    try:
        for name, (ours, theirs) in calls.items():
            if ours() != theirs():
                print(f"benchmark: {name}: timeline.queries and the SQL disagree", file=sys.stderr)
            for _ in range(3):
                ours(), theirs()
            mine, sql = [], []
            for _ in range(runs):  # interleaved, so that both see the same machine
                start = time.perf_counter()
                ours()
                mine.append(time.perf_counter() - start)
                start = time.perf_counter()
                theirs()
                sql.append(time.perf_counter() - start)
            figures["query_ms"][name] = statistics.median(mine) * 1000
            figures["sql_ms"][name] = statistics.median(sql) * 1000
            figures["query_ratio"][name] = statistics.median(mine) / statistics.median(sql)
        figures["query_rows"] = {
            "actor_first_50": len(hand.actor_first_50(actor)),
            "week_window": len(hand.week_window()),
            "type_month_counts": len(hand.type_month_counts()),
        }
    finally:
        tool.close()
        bare.close()
    return figures


def machine() -> dict[str, Any]:
    import sqlite3

    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "memory_gib": memory,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


@contextmanager
def working_directory(path: Path | None) -> Iterator[Path]:
    if path is not None:
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="timeline-bench-") as temporary:
        yield Path(temporary)


def run(args: argparse.Namespace) -> dict[str, Any]:
    with working_directory(args.workdir) as workdir:
        data = workdir / f"events-{args.events}-{args.seed}.ndjson"
        if not data.exists():
            step(f"generating {args.events:,} events")
            partial = data.with_suffix(".partial")
            with partial.open("w", encoding="utf-8", newline="\n") as out:
                generate.write(args.events, args.seed, out)
            partial.rename(data)
        backend: Backend
        if args.backend == "sqlite":
            backend = Sqlite(workdir)
        else:
            server = args.postgres_url or os.environ.get("TIMELINE_BENCH_POSTGRES_URL")
            if not server:
                raise SystemExit("benchmark: PostgreSQL needs --postgres-url URL")
            backend = Postgres(workdir, server)
        result: dict[str, Any] = {"events": args.events, "backend": backend.name}
        command = timeline_command()

        step("timeline import")
        tables = to_csv(data, workdir)  # the reference's input, converted beforehand
        imports: list[Measured] = []
        references: list[float] = []
        url = backend.fresh("imported")
        try:
            for attempt in range(args.repeat):  # alternating, so both see the same machine
                if attempt:
                    backend.drop_later(url)
                    url = backend.fresh("imported")
                imports.append(measure([*command, "--db", url, "import", str(data)]))
                step("the database's own bulk tool")
                reference_url = backend.fresh("reference")
                try:
                    reference = backend.reference(reference_url, tables)
                finally:
                    backend.drop_later(reference_url)
                if reference is not None:
                    references.append(reference)
            for path in tables.values():
                path.unlink()
            imported = sorted(imports, key=lambda m: m.seconds)[len(imports) // 2]
            rows = count_rows(backend, url)
            result.update(
                rows=rows,
                import_s=imported.seconds,
                import_rows_per_s=rows / imported.seconds,
                import_peak_rss_mb=max(m.peak_rss_mb for m in imports),
                import_runs_s=[m.seconds for m in imports],
            )
            if references:
                reference = statistics.median(references)
                result.update(
                    reference_import_s=reference,
                    import_ratio=imported.seconds / reference,
                    reference_runs_s=references,
                )

            step(f"queries, median of {args.runs}")
            result.update(time_queries(backend, url, args.runs))

            if backend.name == "sqlite":
                step(f"whole processes, median of {args.cli_runs}")
                connection = backend.connect(url)
                actor = busiest_actor(connection)
                connection.close()
                result.update(time_cli(url, actor, args.cli_runs))

            step("timeline export")
            exported = workdir / "export.ndjson"
            measured = measure([*command, "--db", url, "export", "-o", str(exported)])
            with exported.open("rb") as lines, data.open("rb") as original:
                if sum(1 for _ in lines) != sum(1 for _ in original):
                    print("benchmark: the export has another number of lines", file=sys.stderr)
            exported.unlink()
            result.update(export_s=measured.seconds, export_peak_rss_mb=measured.peak_rss_mb)

            step("every event as a table and as NDJSON")
            for fmt in ("table", "ndjson"):
                measured = measure([*command, "--db", url, "events", "--format", fmt])
                result[f"listing_{fmt}_s"] = measured.seconds
                result[f"listing_{fmt}_peak_rss_mb"] = measured.peak_rss_mb
        finally:
            backend.drop_later(url)
            backend.close()
        result["machine"] = machine()
        return result


def step(message: str) -> None:
    print(f"benchmark: {message} …", file=sys.stderr, flush=True)


def table(result: dict[str, Any]) -> str:
    """The figures as a Markdown table, as the README shows them."""
    lines = [
        f"| {result['backend']}, {result['events']:,} events ({result.get('rows', 0):,} rows) "
        "| timeline | reference | ratio |",
        "|---|---:|---:|---:|",
    ]

    def add(name: str, ours: float | None, theirs: float | None = None, unit: str = "") -> None:
        fmt = (lambda v: f"{v:,.1f}{unit}") if unit != " ms" else (lambda v: f"{v:,.2f}{unit}")
        ratio = f"{ours / theirs:.2f}" if ours is not None and theirs else ""
        lines.append(
            f"| {name} | {fmt(ours) if ours is not None else ''} "
            f"| {fmt(theirs) if theirs is not None else ''} | {ratio} |"
        )

    add("import (s)", result.get("import_s"), result.get("reference_import_s"), " s")
    lines.append(f"| import rows/s | {result.get('import_rows_per_s', 0):,.0f} | | |")
    add("import peak RSS", result.get("import_peak_rss_mb"), unit=" MB")
    for name in QUERIES:
        if name in result.get("query_ms", {}):
            add(
                f"{name} ({result['query_rows'][name]:,} rows)",
                result["query_ms"][name],
                result["sql_ms"][name],
                " ms",
            )
    if "cli_events_ms" in result:
        reference = result["cli_reference_ms"]
        add("`timeline events --actor X --limit 50`", result["cli_events_ms"], reference, " ms")
        add("completing an actor", result["cli_complete_ms"], reference, " ms")
        add("`timeline --help`", result["cli_help_ms"], unit=" ms")
        add("`import typer, sqlalchemy`", reference, unit=" ms")
    add("export (s)", result.get("export_s"), unit=" s")
    add("export peak RSS", result.get("export_peak_rss_mb"), unit=" MB")
    if "listing_table_s" in result:
        add(
            "`timeline events`, table vs NDJSON (s)",
            result["listing_table_s"],
            result["listing_ndjson_s"],
            " s",
        )
        add(
            "… peak RSS, table vs NDJSON",
            result["listing_table_peak_rss_mb"],
            result["listing_ndjson_peak_rss_mb"],
            " MB",
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, required=True, help="how many events")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--postgres-url", help="a server where the run may create databases")
    parser.add_argument("--runs", type=int, default=30, help="runs per query (median)")
    parser.add_argument("--cli-runs", type=int, default=15, help="runs per command (median)")
    parser.add_argument(
        "--repeat", type=int, default=1, help="imports and reference loads, each (median)"
    )
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--workdir", type=Path, help="keep the data here (default: a temp dir)")
    args = parser.parse_args(argv)
    if args.events < 1:
        parser.error("--events must be at least 1")
    result = run(args)
    print(table(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
