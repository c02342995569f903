"""Hostile sizes: a 100 MB NDJSON line, a 1 GB file of garbage, JSON nested 100,000
deep. Each is refused with one located line, exit 2, nothing written, in a process
whose peak memory stays under 200 MB (measured with wait4, as the benchmarks do)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

HEADER = b'{"record":"header","format":"timeline","version":1}\n'
PEAK_MB = 200


def long_line(path: Path) -> None:
    with path.open("wb") as out:
        out.write(HEADER + b'{"record":"source","slug":"s","name":"')
        out.write(b"x" * 100 * 2**20)
        out.write(b'"}\n')


def garbage(path: Path) -> None:
    """1 GB of NUL bytes, no newline anywhere (a sparse file: it costs no disk)."""
    with path.open("wb") as out:
        out.truncate(2**30)


def deep(path: Path) -> None:
    path.write_bytes(HEADER + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"\n")


def deep_arrays(path: Path) -> None:
    path.write_bytes(HEADER + b"[" * 5_000_000 + b"]" * 5_000_000 + b"\n")


def run_measured(args: list[str], cwd: Path) -> tuple[int, str, float]:
    """Exit code, stderr and peak RSS in MB of `python -m timeline ARGS`."""
    err = cwd / "stderr.txt"
    with err.open("wb") as stderr:
        pid = os.posix_spawn(
            sys.executable,
            [sys.executable, "-m", "timeline", *args],
            os.environ,
            file_actions=[
                (os.POSIX_SPAWN_DUP2, stderr.fileno(), 2),
                (os.POSIX_SPAWN_OPEN, 1, "/dev/null", os.O_WRONLY, 0),
            ],
        )
        _, status, usage = os.wait4(pid, 0)
    return os.waitstatus_to_exitcode(status), err.read_text(), usage.ru_maxrss / 1024


@pytest.mark.slow
@pytest.mark.parametrize(
    ("make", "line", "message"),
    [
        (long_line, 2, "line longer than 16 MiB"),
        (garbage, 1, "line longer than 16 MiB"),
        (deep, 2, "invalid JSON: recursion limit exceeded at line 1 column 1006"),
        (deep_arrays, 2, "invalid JSON: recursion limit exceeded at line 1 column 202"),
    ],
    ids=["100 MB line", "1 GB of garbage", "deep objects", "deep arrays"],
)
def test_hostile_sizes_are_refused_quickly_in_bounded_memory(
    tmp_path: Path, make: Callable[[Path], None], line: int, message: str
) -> None:
    data = tmp_path / "hostile.ndjson"
    make(data)
    target = tmp_path / "never.db"
    code, stderr, peak = run_measured(["--db", str(target), "import", str(data)], tmp_path)
    assert (code, stderr) == (2, f"error: {data}:{line}: {message}\n")
    assert peak < PEAK_MB, f"peak RSS {peak:.0f} MB"
    assert not target.exists()
