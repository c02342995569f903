"""The README cannot drift: every ```console block is run against a freshly seeded
SQLite database and must print exactly what the README shows; every command is
documented."""

from __future__ import annotations

import doctest
import re
import shlex
import shutil
from pathlib import Path

import pytest
from conftest import Templates, run

README = Path(__file__).resolve().parent.parent / "README.md"


def console_blocks() -> list[tuple[int, list[tuple[str, str]]]]:
    """(line number, [(command, expected output)]) for each console block."""
    blocks = []
    lines = README.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        if lines[index].strip() == "```console":
            start = index + 1
            end = lines.index("```", start)
            steps: list[tuple[str, list[str]]] = []
            for line in lines[start:end]:
                if line.startswith("$ "):
                    steps.append((line[2:], []))
                else:
                    steps[-1][1].append(line)
            blocks.append((start, [(cmd, "\n".join(out)) for cmd, out in steps]))
            index = end
        index += 1
    return blocks


BLOCKS = console_blocks()


def test_the_readme_has_transcripts() -> None:
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize(("line", "steps"), BLOCKS, ids=[f"README.md:{b[0]}" for b in BLOCKS])
def test_readme_transcript(
    line: int, steps: list[tuple[str, str]], templates: Templates, tmp_path: Path
) -> None:
    seeded = templates.template("sqlite", "seeded")
    assert seeded.database
    shutil.copyfile(seeded.database, tmp_path / "timeline.db")
    for command, expected in steps:
        words = shlex.split(command)
        assert words[0] == "timeline", f"README.md:{line}: only `timeline` commands are run"
        result = run(None, *words[1:])
        shown = (result.stdout + result.stderr).rstrip("\n")
        assert shown == expected, f"README.md:{line}: `{command}` printed:\n{shown}"


def test_every_command_is_documented() -> None:
    from typer.main import get_command

    from timeline.cli import app

    text = README.read_text(encoding="utf-8")
    root = get_command(app)
    names = []
    for name, command in root.commands.items():  # type: ignore[attr-defined]
        sub = getattr(command, "commands", None)
        names += [f"{name} {s}" for s in sub] if sub else [name]
    missing = [n for n in names if not re.search(rf"timeline {re.escape(n)}\b", text)]
    assert missing == []


def test_the_schema_section_is_what_timeline_schema_prints(
    templates: Templates, tmp_path: Path
) -> None:
    text = README.read_text(encoding="utf-8")
    shown = text.split("<!-- schema:start -->\n", 1)[1].split("<!-- schema:end -->", 1)[0]
    seeded = templates.template("sqlite", "seeded")
    assert seeded.database
    shutil.copyfile(seeded.database, tmp_path / "timeline.db")
    result = run(None, "schema", "--format", "markdown")
    assert result.exit_code == 0
    assert shown == result.stdout.rstrip("\n") + "\n"


def python_blocks() -> list[tuple[int, str]]:
    """(line number, text) of each ```pycon block: Python sessions to run as doctests."""
    lines = README.read_text(encoding="utf-8").splitlines()
    blocks = []
    for index, line in enumerate(lines):
        if line.strip() == "```pycon":
            end = lines.index("```", index + 1)
            blocks.append((index + 2, "\n".join(lines[index + 1 : end]) + "\n"))
    return blocks


PYTHON_BLOCKS = python_blocks()


def test_the_readme_shows_the_library() -> None:
    assert PYTHON_BLOCKS and "from timeline import Timeline" in PYTHON_BLOCKS[0][1]


@pytest.mark.parametrize(
    ("line", "text"), PYTHON_BLOCKS, ids=[f"README.md:{b[0]}" for b in PYTHON_BLOCKS]
)
def test_readme_python_session(line: int, text: str, templates: Templates, tmp_path: Path) -> None:
    seeded = templates.template("sqlite", "seeded")
    assert seeded.database
    shutil.copyfile(seeded.database, tmp_path / "timeline.db")
    test = doctest.DocTestParser().get_doctest(text, {}, f"README.md:{line}", str(README), line)
    shown: list[str] = []
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test, out=shown.append)
    assert runner.failures == 0, "".join(shown)
    assert runner.tries >= 5


MODULE_MAP = re.compile(r"^(timeline/\S+)\s+(\d+)\s+(\S.*)$")


def test_the_module_map_is_the_package() -> None:
    """The Development section lists every module of `timeline/` with its line count
    (within 10 %) and what it holds; none is over 400 lines."""
    text = README.read_text(encoding="utf-8")
    section = text.split("<!-- modules:start -->\n", 1)[1].split("<!-- modules:end -->", 1)[0]
    listed = {}
    for line in section.splitlines():
        match = MODULE_MAP.match(line)
        if match:
            listed[match[1]] = int(match[2])
    package = README.parent / "timeline"
    actual = {
        str(path.relative_to(README.parent)): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(package.rglob("*.py"))
        if path.name != "__main__.py"
    }
    assert sorted(listed) == sorted(actual)
    for name, lines in actual.items():
        assert abs(listed[name] - lines) <= max(10, lines // 10), (
            f"{name}: README {listed[name]}, has {lines}"
        )
        assert lines <= 400, name


def test_every_guarantee_names_tests_that_exist() -> None:
    """The Guarantees table points at test files and functions; a rename breaks it."""
    section = README.read_text().split("## Guarantees", 1)[1].split("\n## ", 1)[0]
    named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", section)
    assert len(named) > 10
    for path, function in named:
        source = (README.parent / path).read_text()
        if function:
            assert f"def {function}(" in source, f"{path}::{function}"
