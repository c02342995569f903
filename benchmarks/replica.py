"""Reading a hot standby against reading its primary: the same commands on the same
data in the same run, the primary being the reference (ratio = standby / primary).

Starts a primary and a hot standby of its own (the clusters of `tests/test_replica.py`:
`initdb` and `pg_basebackup -R` in a temporary directory, removed at the end), imports
N synthetic events on the primary, waits for the standby to replay them, and times each
command alternately on both, keeping the best of `--runs`:

    python benchmarks/replica.py --events 100000 [--runs 3] [--json out.json]

`export` differs most: a standby may not create the temporary table that numbers the
events on a primary, so each of its queries numbers them in a WITH clause instead.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "benchmarks")]

from generate import write  # noqa: E402
from test_replica import Replica, Servers, server_bindir  # noqa: E402

COMMANDS = [
    ["events", "-f", "ndjson"],
    ["events", "--from", "2020-03-02", "--to", "2020-03-08"],
    ["export"],
    ["export", "--from", "2020", "--to", "2020"],
]
TIMELINE = str(Path(sys.executable).parent / "timeline")


def seconds(url: str, command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([TIMELINE, "--db", url, *command], stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="runs per command and server")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    bindir = server_bindir()
    if bindir is None:
        sys.exit("needs PostgreSQL's server binaries (`pg_config --bindir`)")
    servers = Servers(bindir)
    figures = []
    try:
        primary = servers.primary()
        pair = Replica(primary, servers.standby(primary))
        urls = [c.url.render_as_string(hide_password=False) for c in (primary, pair.standby)]
        with tempfile.TemporaryDirectory() as scratch:
            data = Path(scratch) / "events.ndjson"
            with data.open("w", encoding="utf-8", newline="\n") as out:
                write(args.events, 2025, out)
            subprocess.run([TIMELINE, "--db", urls[0], "import", str(data)], check=True)
        primary.scalar("VACUUM ANALYZE")
        pair.wait(timeout=600)
        for command in COMMANDS:
            best = [float("inf"), float("inf")]
            for _ in range(args.runs):
                for index, url in enumerate(urls):
                    best[index] = min(best[index], seconds(url, command))
            ratio = best[1] / best[0]
            figures.append({"command": command, "primary": best[0], "standby": best[1]})
            print(
                f"{' '.join(command):45} primary {best[0]:7.2f} s   standby {best[1]:7.2f} s"
                f"   ratio {ratio:.2f}",
                flush=True,
            )
    finally:
        servers.stop()
    if args.json:
        args.json.write_text(json.dumps({"events": args.events, "figures": figures}, indent=1))


if __name__ == "__main__":
    main()
