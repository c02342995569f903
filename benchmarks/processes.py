"""Measuring a whole process: its wall time and its own peak RSS, once or as a median.

Apart from the rest because every figure that is a command (import, export, the
databases' bulk tools, the short CLI commands) is measured the same way, from a small
launcher, so that no figure includes the pages of the large benchmark process.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PYTHON = sys.executable
TIMELINE = [PYTHON, "-m", "timeline"]


@dataclass
class Measured:
    seconds: float
    peak_rss_mb: float
    stdout: bytes
    cpu_seconds: float = 0.0  # user + system: what a busy machine inflates least


# A small process that starts the command and reports its wall time and its own peak
# RSS (wait4). Started from this large process, the command's peak would include the
# pages of this one, shared between fork and exec.
LAUNCHER = """
import os, sys, time
out, argv = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
pid = os.posix_spawnp(argv[0], argv, os.environ)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - start
with open(out, "w") as f:
    cpu = usage.ru_utime + usage.ru_stime
    f.write(f"{os.waitstatus_to_exitcode(status)} {seconds} {usage.ru_maxrss} {cpu}")
"""


def measure(argv: list[str], *, env: dict[str, str] | None = None, stdin: Any = None) -> Measured:
    """Run a command; its wall time and its peak RSS. A failure stops the benchmark
    with the command's own message."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile(mode="r") as report,
    ):
        command = [sys.executable, "-S", "-c", LAUNCHER, report.name, *argv]
        subprocess.run(command, stdout=out, stderr=err, stdin=stdin, env=env, check=False)
        code, seconds, peak, cpu = report.read().split()
        out.seek(0)
        err.seek(0)
        if int(code) != 0:
            message = err.read().decode(errors="replace").strip()
            raise SystemExit(f"benchmark: `{' '.join(argv[:6])} …` failed: {message}")
        # ru_maxrss is in kilobytes on Linux, bytes on macOS.
        scale = 1 if sys.platform == "darwin" else 1024
        return Measured(float(seconds), int(peak) * scale / 2**20, out.read(), float(cpu))


def median_ms(argv: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    measure(argv, env=env)  # warm-up: the page cache, .pyc files
    return statistics.median(measure(argv, env=env).seconds for _ in range(runs)) * 1000


def timeline_command() -> list[str]:
    """The installed console script, as users run it (else `python -m timeline`)."""
    script = Path(sys.executable).with_name("timeline")
    return [str(script)] if script.exists() else TIMELINE


def with_bytecode() -> dict[str, str]:
    """This environment with bytecode caching on. An installed package has its .pyc
    files; an inherited PYTHONDONTWRITEBYTECODE would recompile timeline (editable)
    in every process, while typer and sqlalchemy were compiled when pip installed them."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env
