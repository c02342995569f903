"""The import formats, registered in one place. A format is a module with a `Reader`
class: it turns an `Input` into interchange records (`timeline.interchange`) with a
place for each, and refuses bad input with that place; the pipeline does the rest.
A new format is one module and one entry here."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from timeline.errors import InputError

if TYPE_CHECKING:
    from timeline.importer.pipeline import Reader


@dataclass(frozen=True)
class ImportFormat:
    name: str
    help: str
    module: str
    suffixes: tuple[str, ...]  # file names ending so are read in this format by default


FORMATS = (
    ImportFormat(
        "ndjson",
        "a `timeline export` (the default)",
        "timeline.importer.formats.ndjson",
        (".ndjson", ".jsonl"),
    ),
    ImportFormat(
        "timelinejs",
        "TimelineJS 3 JSON, or its Google-Sheets template saved as CSV",
        "timeline.importer.formats.timelinejs",
        (),
    ),
)
BY_NAME = {f.name: f for f in FORMATS}
DEFAULT = "ndjson"


def format_for(path: str, name: str | None) -> ImportFormat:
    """The format asked for, else the one the file name's ending says, else NDJSON."""
    if name is not None:
        if name not in BY_NAME:
            raise InputError(f"unknown import format {name!r}; choose from {', '.join(BY_NAME)}")
        return BY_NAME[name]
    lowered = path.lower()
    for candidate in FORMATS:
        if lowered.endswith(candidate.suffixes):
            return candidate
    return BY_NAME[DEFAULT]


def reader(fmt: ImportFormat) -> Reader:
    reader_class: type[Reader] = importlib.import_module(fmt.module).Reader
    return reader_class()
