"""How far checking and loading a seed file trails the NDJSON import of the same events.

    python benchmarks/seeds.py --events 20000 [--json PATH]

One run: generate N events (benchmarks/generate.py), write the same sources, actors and
events as one hand-written-style YAML seed file (block mappings, a text file per source
with a text, every quote checked against it, dates as explicit bounds), then measure,
each as a whole process (wall time, its own peak RSS):
- `timeline import` of the NDJSON into a fresh SQLite database: the reference;
- `timeline seed check` of the seed file (no database);
- `timeline load` of the seed file into a fresh SQLite database.
The ratios are against the import measured in the same run, in wall time and in CPU
time (user + system), which a machine busy with other jobs inflates least.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate  # noqa: E402
from processes import measure, timeline_command, with_bytecode  # noqa: E402

SEED_KINDS = ("article", "agency_report", "statement", "video", "interview")


def scalar(value: Any) -> str:
    """A YAML scalar: JSON's double-quoted strings are YAML too."""
    return json.dumps(value, ensure_ascii=False)


def block(key: str, value: Any, indent: str) -> list[str]:
    if value is None or value == []:
        return []
    return [f"{indent}{key}: {scalar(value)}"]


def to_seed(ndjson: Path, directory: Path) -> Path:
    """The NDJSON's records as one seed file (and its text files) in `directory`."""
    sources, actors, events = [], [], []
    texts: dict[str, str] = {}
    for line in ndjson.read_text(encoding="utf-8").split("\n"):
        if not line:
            continue
        record = json.loads(line)
        kind = record.pop("record")
        if kind == "source":
            sources.append(record)
            if record.get("text"):
                texts[record["slug"]] = record["text"]
        elif kind == "actor":
            actors.append(record)
        elif kind == "event":
            events.append(record)
    out = ["sources:"]
    for s in sources:
        out.append(f"  - slug: {s['slug']}")
        out += block("name", s["name"], "    ")
        out.append(f"    kind: {s['kind'] if s['kind'] in SEED_KINDS else 'article'}")
        for key in ("publisher", "url", "title", "language", "cites"):
            out += block(key, s.get(key), "    ")
        if s.get("published"):
            out.append(f"    published: {s['published']}")
        if s["slug"] in texts:
            (directory / f"{s['slug']}.txt").write_text(texts[s["slug"]], encoding="utf-8")
            out.append(f"    text_file: {s['slug']}.txt")
    out.append("actors:")
    for a in actors:
        out.append(f"  - slug: {a['slug']}")
        out += block("name", a["name"], "    ")
        out.append(f"    kind: {a['kind']}")
        for key in ("country", "description", "aliases", "affiliation"):
            out += block(key, a.get(key), "    ")
    out.append("events:")
    for e in events:
        out.append(f"  - slug: {e['slug']}")
        out += block("title", e["title"], "    ")
        out.append(f"    type: {e['type']}")
        out.append(f"    modality: {e['modality']}")
        for key in ("summary", "place", "countries", "aliases"):
            out += block(key, e.get(key), "    ")
        date = f"from: {e['start']}, to: {e['end']}, precision: {e['precision']}"
        text = f", text: {scalar(e['date_text'])}" if e.get("date_text") else ""
        out.append(f"    date: {{{date}{text}}}")
        if e["actors"]:
            out.append("    actors:")
            out += [f"      - {{actor: {a['slug']}, role: {a['role']}}}" for a in e["actors"]]
        out.append("    evidence:")
        for proof in e["sources"]:
            out.append(f"      - source: {proof['slug']}")
            if proof.get("quote"):
                text_ = texts[proof["slug"]]
                nth = text_[: proof["quote_start"]].count(proof["quote"]) + 1
                out.append(f"        quote: {scalar(proof['quote'])}")
                if text_.count(proof["quote"]) > 1:
                    out.append(f"        occurrence: {nth}")
        outgoing = [r for r in e["relations"] if r["direction"] == "outgoing"]
        if outgoing:
            out.append("    relations:")
            out += [f"      - {{kind: {r['kind']}, event: {r['slug']}}}" for r in outgoing]
    path = directory / "seed.yaml"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def run(events: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        ndjson = root / "events.ndjson"
        with ndjson.open("w", encoding="utf-8") as out:
            generate.write(events, 2025, out)
        seed = to_seed(ndjson, root)
        tool, env = timeline_command(), with_bytecode()
        reference = measure([*tool, "--db", str(root / "a.db"), "import", str(ndjson)], env=env)
        check = measure([*tool, "seed", "check", str(seed)], env=env)
        load = measure([*tool, "--db", str(root / "b.db"), "load", str(seed)], env=env)
        figures: dict[str, Any] = {
            "events": events,
            "seed_mb": round(seed.stat().st_size / 2**20, 1),
        }
        for key, step in (("import", reference), ("check", check), ("load", load)):
            figures[f"{key}_s"] = step.seconds
            figures[f"{key}_cpu_s"] = step.cpu_seconds
            figures[f"{key}_peak_rss_mb"] = step.peak_rss_mb
            figures[f"{key}_ratio"] = step.seconds / reference.seconds
            figures[f"{key}_cpu_ratio"] = step.cpu_seconds / reference.cpu_seconds
        return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    figures = run(args.events)
    print(f"{args.events} events, a seed file of {figures['seed_mb']} MB (SQLite)")
    print(f"{'step':<26}{'wall s':>8}{'x import':>10}{'CPU s':>8}{'x import':>10}{'peak MB':>9}")
    steps = (("timeline import (NDJSON)", "import"), ("timeline seed check", "check"),
             ("timeline load", "load"))  # fmt: skip
    for step, key in steps:
        print(f"{step:<26}{figures[f'{key}_s']:>8.2f}{figures[f'{key}_ratio']:>10.2f}"
              f"{figures[f'{key}_cpu_s']:>8.2f}{figures[f'{key}_cpu_ratio']:>10.2f}"
              f"{figures[f'{key}_peak_rss_mb']:>9.0f}")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
