"""Installed, not only editable: the wheel carries the migrations and the seeds, and a
fresh virtual environment with only the wheel (and its dependencies) can create a
database, load the bundled article and list it from a directory unrelated to the
source checkout.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest
import yaml

from timeline.db import SCHEMA_REVISION

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def call(args: Sequence[str | Path], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run a process with an environment that knows nothing of this checkout."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "VIRTUAL_ENV", "TIMELINE_DATABASE_URL")
    }
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [str(arg) for arg in args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # Away from the checkout, so that no uv settings of the directory apply.
    built = call([sys.executable, "-m", "uv", "build", "--wheel", "--out-dir", out, ROOT], out)
    assert built.returncode == 0, built.stdout + built.stderr
    [path] = out.glob("timeline-*.whl")
    return path


@pytest.fixture(scope="module")
def bin_dir(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel and its dependencies installed; its `bin` directory.

    uv installs into it (`--python`): a venv without its own pip is made in a
    fraction of the time, and uv resolves, installs and compiles the bytecode (as pip
    does, so that the commands below do not) in about 2 s where pip takes 7 s.
    """
    venv = tmp_path_factory.mktemp("venv")
    made = call([sys.executable, "-m", "venv", "--without-pip", venv])
    assert made.returncode == 0, made.stderr
    bin_dir = venv / "bin"
    uv: list[str | Path] = [sys.executable, "-m", "uv", "pip", "install", "--quiet"]
    installed = call([*uv, "--compile-bytecode", "--python", bin_dir / "python", wheel], venv)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return bin_dir


def test_the_wheel_carries_migrations_and_seeds(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    migrations = {
        f"timeline/_migrations/{path.relative_to(ROOT / 'migrations').as_posix()}"
        for path in [
            ROOT / "migrations" / "env.py",
            ROOT / "migrations" / "script.py.mako",
            *(ROOT / "migrations" / "versions").glob("*.py"),
        ]
    }
    seeds = {f"timeline/_seeds/{path.name}" for path in (ROOT / "seeds").glob("*.*")}
    assert "timeline/_migrations/versions/0001_initial.py" in migrations
    assert migrations <= names
    assert seeds, "no seed files in the checkout"
    assert seeds <= names
    gdelt = {  # the GDELT reader's tables, read through importlib.resources
        "timeline/importer/formats/gdelt_data/cameo_event_codes.tsv",
        "timeline/importer/formats/gdelt_data/fips_iso3.tsv",
    }
    assert gdelt <= names
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


def test_the_installed_package_imports_gdelt(bin_dir: Path, tmp_path: Path) -> None:
    """The codebook and the FIPS table are found in the installed package."""
    sample = ROOT / "tests" / "data" / "gdelt" / "20250807220000.export.CSV"
    imported = call([bin_dir / "timeline", "--db", "g.db", "import", sample], tmp_path)
    assert imported.returncode == 0, imported.stderr
    shown = call([bin_dir / "timeline", "--db", "g.db", "event", "gdelt-1256323253"], tmp_path)
    assert "THE EUROPEAN UNION — Impose administrative sanctions" in shown.stdout, shown.stderr


def test_the_installed_package_upgrades_a_database_anywhere(bin_dir: Path, tmp_path: Path) -> None:
    where = call([bin_dir / "python", "-c", "import timeline; print(timeline.__file__)"], tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(bin_dir.parent), where.stdout + where.stderr

    upgraded = call([bin_dir / "timeline", "db", "upgrade"], tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stderr == f"sqlite:///timeline.db: at revision {SCHEMA_REVISION}\n"
    connection = sqlite3.connect(tmp_path / "timeline.db")
    try:
        versions = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    finally:
        connection.close()
    assert versions == [(SCHEMA_REVISION,)]

    current = call([bin_dir / "timeline", "db", "current"], tmp_path)
    assert (current.returncode, current.stdout) == (0, f"{SCHEMA_REVISION} (head)\n")


def seed_event_slugs() -> set[str]:
    slugs: set[str] = set()
    for path in sorted((ROOT / "seeds").glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        slugs |= {event["slug"] for event in document.get("events") or []}
    return slugs


def test_the_installed_package_loads_and_lists_the_bundled_seeds(
    bin_dir: Path, tmp_path: Path
) -> None:
    expected = seed_event_slugs()
    assert expected, "the seeds define no events"

    loaded = call([bin_dir / "timeline", "load"], tmp_path)
    assert loaded.returncode == 0, loaded.stderr

    listed = call([bin_dir / "timeline", "events", "--format", "json"], tmp_path)
    assert listed.returncode == 0, listed.stderr
    events = json.loads(listed.stdout)
    assert {event["slug"] for event in events} == expected
    order = [(event["start"], event["end"], event["slug"].encode()) for event in events]
    assert order == sorted(order)


def test_the_wheel_carries_the_html_page_and_exports_it(bin_dir: Path, tmp_path: Path) -> None:
    """The page's template, script and style are package data: an installed timeline
    writes the page from any directory."""
    assert call([bin_dir / "timeline", "load"], tmp_path).returncode == 0
    exported = call([bin_dir / "timeline", "export", "--format", "html", "-o", "t.html"], tmp_path)
    assert exported.returncode == 0, exported.stderr
    page = (tmp_path / "t.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'id="timeline-data"' in page
    assert "data-precision" in page and "{{" not in page
