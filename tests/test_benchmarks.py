"""The benchmark scripts: the generator is deterministic and writes what `timeline import`
takes; `benchmarks/run.py` runs end to end at a small N and writes every figure the
issue asks for (sanity, never timings)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PG_ENV, run

ROOT = Path(__file__).resolve().parent.parent
GENERATE = ROOT / "benchmarks" / "generate.py"
RUN = ROOT / "benchmarks" / "run.py"
QUERIES = {"actor_first_50", "week_window", "type_month_counts"}


def generate(tmp_path: Path, name: str, *args: str) -> bytes:
    path = tmp_path / name
    subprocess.run(
        [sys.executable, str(GENERATE), "--events", "300", "-o", str(path), *args], check=True
    )
    return path.read_bytes()


def test_the_generator_is_deterministic_and_imports(tmp_path: Path) -> None:
    first = generate(tmp_path, "a.ndjson")
    assert generate(tmp_path, "b.ndjson") == first
    assert generate(tmp_path, "c.ndjson", "--seed", "7") != first
    lines = [json.loads(line) for line in first.splitlines()]
    assert lines[-1] == {"record": "summary", "sources": 4, "actors": 8, "events": 300}
    links = sum(len(r["actors"]) for r in lines if r["record"] == "event")
    assert 2.0 <= links / 300 <= 3.0  # ~2.5 actors per event
    result = run(str(tmp_path / "t.db"), "import", str(tmp_path / "a.ndjson"))
    assert result.exit_code == 0, result.stderr


def check(figures: dict[str, object], backend: str) -> None:
    assert figures["events"] == 300 and figures["backend"] == backend
    for key in ("import_s", "import_rows_per_s", "import_peak_rss_mb", "reference_import_s"):
        assert isinstance(figures[key], float) and figures[key] > 0, key
    assert figures["import_ratio"] == pytest.approx(
        figures["import_s"] / figures["reference_import_s"]  # type: ignore[operator]
    )
    assert 20 < figures["import_peak_rss_mb"] < 1000  # type: ignore[operator]
    assert figures["rows"] > 300 * 3  # type: ignore[operator]
    for key in ("query_ms", "query_ratio", "sql_ms", "query_rows"):
        value = figures[key]
        assert isinstance(value, dict) and set(value) == QUERIES, key
        assert all(v > 0 for v in value.values()), key
    assert figures["query_rows"]["actor_first_50"] == 50  # type: ignore[index]
    assert figures["export_s"] > 0 and figures["export_peak_rss_mb"] > 20  # type: ignore[operator]
    for fmt in ("table", "ndjson"):
        assert figures[f"listing_{fmt}_s"] > 0, fmt  # type: ignore[operator]
        assert figures[f"listing_{fmt}_peak_rss_mb"] > 20, fmt  # type: ignore[operator]


def test_run_measures_every_figure_on_sqlite(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    result = subprocess.run(
        [
            *(sys.executable, str(RUN), "--events", "300", "--runs", "1", "--cli-runs", "1"),
            *("--json", str(out), "--workdir", str(tmp_path / "work")),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "disagree" not in result.stderr  # both ways give the same results
    figures = json.loads(out.read_text())
    check(figures, "sqlite")
    for key in ("cli_events_ms", "cli_reference_ms", "cli_help_ms", "cli_complete_ms"):
        assert figures[key] > 0, key
    assert result.stdout.startswith("| sqlite, 300 events")


@pytest.mark.postgres
def test_run_measures_every_figure_on_postgresql(tmp_path: Path) -> None:
    import os

    server = os.environ.get(PG_ENV)
    if not server:
        pytest.skip(f"needs {PG_ENV}")
    out = tmp_path / "figures.json"
    result = subprocess.run(
        [
            *(sys.executable, str(RUN), "--events", "300", "--runs", "1"),
            *("--backend", "postgresql", "--postgres-url", server),
            *("--json", str(out), "--workdir", str(tmp_path)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "disagree" not in result.stderr
    figures = json.loads(out.read_text())
    check(figures, "postgresql")
    assert "cli_events_ms" not in figures


def test_a_missing_bulk_tool_is_reported_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import backends as bench

    monkeypatch.setattr(bench.shutil, "which", lambda name: None)
    assert bench.Sqlite(tmp_path).reference("sqlite:///x.db", {}) is None


def test_the_html_benchmark_measures_every_figure(tmp_path: Path) -> None:
    """benchmarks/html.py at a small N: every figure is there and plausible (sanity,
    never timings). Skips, like the browser tests, without Chromium."""
    from browser import require

    require()
    out = tmp_path / "html.json"
    html_bench = ROOT / "benchmarks" / "html.py"
    subprocess.run(
        [sys.executable, str(html_bench), "--events", "200", "--runs", "1", "--json", str(out)],
        check=True,
        capture_output=True,
    )
    figures = json.loads(out.read_text())
    assert figures["events"] == 200
    for key in ("first_draw_ms", "reference_first_draw_ms", "filter_ms", "reference_filter_ms"):
        assert figures[key] > 0, key
    assert 100 < figures["bytes_per_event"] < 4000
    assert figures["file_bytes"] > figures["fixed_bytes"] > 10000


def test_the_seed_benchmark_measures_check_and_load_against_the_import(tmp_path: Path) -> None:
    """benchmarks/seeds.py turns the generated events into a seed file that checks and
    loads without an error, and writes every figure (sanity, never timings)."""
    out = tmp_path / "seeds.json"
    script = ROOT / "benchmarks" / "seeds.py"
    result = subprocess.run(
        [sys.executable, str(script), "--events", "200", "--json", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["events"] == 200
    for step in ("import", "check", "load"):
        for key in ("s", "cpu_s", "peak_rss_mb", "ratio", "cpu_ratio"):
            assert figures[f"{step}_{key}"] > 0, (step, key)
    assert figures["import_ratio"] == 1.0
    assert "timeline seed check" in result.stdout


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_the_gdelt_benchmark_measures_every_figure(tmp_path: Path, backend: str) -> None:
    """benchmarks/gdelt.py at a small N: the import, both references (the flat table,
    and the imported rows into the indexed schema, which must load the same number of
    rows), the queries agreeing with the hand-written SQL (sanity, never timings)."""
    import os

    out = tmp_path / "gdelt.json"
    args = ["--rows", "300", "--runs", "1", "--json", str(out), "--workdir", str(tmp_path)]
    if backend == "postgresql":
        server = os.environ.get(PG_ENV)
        if not server:
            pytest.skip(f"needs {PG_ENV}")
        args += ["--backend", "postgresql", "--postgres-url", server]
    script = ROOT / "benchmarks" / "gdelt.py"
    result = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "disagree" not in result.stderr and "another number" not in result.stderr
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert (figures["backend"], figures["rows"]) == (backend, 300)
    for key in ("import_s", "reference_s", "normalized_reference_s", "import_peak_rss_mb"):
        assert figures[key] > 0, key
    assert figures["import_ratio"] == pytest.approx(figures["import_s"] / figures["reference_s"])
    assert figures["normalized_ratio"] == pytest.approx(
        figures["import_s"] / figures["normalized_reference_s"]
    )
    assert set(figures["query_ratio"]) == {"one_day", "actor_first_50"}
    assert figures["query_rows"]["actor_first_50"] == 50
