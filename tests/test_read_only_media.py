"""A database on read-only storage (a read-only mount: even root cannot write there) is
read by every read command, with the same output as from writable storage."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Templates, run

READS = [
    ["events", "-f", "json"],
    ["events", "--actor", "lukashenko"],
    ["event", "coale-visits-minsk"],
    ["actors", "-f", "csv"],
    ["actor", "lukashenko", "-f", "json"],
    ["sources"],
    ["counts", "--per", "week"],
    ["sql", "SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY type"],
    ["schema", "events"],
    ["export"],
]


def read_only(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`timeline ARGS` with `directory` mounted read-only, in a mount namespace of its own."""
    command = shlex.join([sys.executable, "-m", "timeline", *args])
    script = (
        f"mount --bind {shlex.quote(str(directory))} {shlex.quote(str(directory))} && "
        f"mount -o remount,ro,bind {shlex.quote(str(directory))} && "
        f"touch {shlex.quote(str(directory / 'probe'))} 2>/dev/null && exit 99; "
        f"exec {command}"
    )
    return subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def mount_refusal(tmp_path_factory: pytest.TempPathFactory) -> str | None:
    """Why a directory cannot be mounted read-only here (None: it can), found once."""
    if shutil.which("unshare") is None:
        return "needs unshare(1) to mount a directory read-only"
    probe = read_only(tmp_path_factory.mktemp("probe"), "--version")
    if probe.returncode != 0:
        return f"cannot mount read-only here: {probe.stderr.strip() or probe.returncode}"
    return None


@pytest.fixture
def mounted(templates: Templates, tmp_path: Path, mount_refusal: str | None) -> Path:
    if mount_refusal is not None:
        pytest.skip(mount_refusal)
    directory = tmp_path / "media"
    directory.mkdir()
    seeded = templates.template("sqlite", "seeded")
    assert seeded.database
    shutil.copyfile(seeded.database, directory / "timeline.db")
    return directory


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_every_read_command_reads_read_only_media(mounted: Path, args: list[str]) -> None:
    database = str(mounted / "timeline.db")
    shown = read_only(mounted, "--db", database, *args)
    writable = mounted.parent / "writable.db"
    shutil.copyfile(database, writable)
    expected = run(str(writable), *args)
    assert (shown.returncode, shown.stderr) == (0, ""), shown.stderr
    assert shown.stdout == expected.stdout
    assert sorted(p.name for p in mounted.iterdir()) == ["timeline.db"]


def test_a_write_to_read_only_media_is_one_line(mounted: Path) -> None:
    database = str(mounted / "timeline.db")
    shown = read_only(mounted, "--db", database, "load")
    assert shown.returncode == 1
    assert shown.stderr.startswith("error: ") and shown.stderr.count("\n") == 1
