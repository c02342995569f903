"""The import formats, registered in one place. A format is a module with a `Reader`
class: it turns an `Input` into interchange records (`timeline.interchange`) with a
place for each, and refuses bad input with that place; the pipeline does the rest.
A new format is one module and one entry here."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from timeline.errors import InputError

if TYPE_CHECKING:
    from timeline.importer.pipeline import Reader


@dataclass(frozen=True)
class ImportFormat:
    name: str
    help: str
    module: str
    suffixes: tuple[str, ...]  # file names ending so are read in this format by default
    skips: bool = False  # whether it can skip invalid rows (--skip-invalid)


FORMATS = (
    ImportFormat(
        "ndjson",
        "a `timeline export` (the default)",
        "timeline.importer.formats.ndjson",
        (".ndjson", ".jsonl"),
    ),
    ImportFormat(
        "gdelt",
        "GDELT 2.0 events exports (.export.CSV, .export.CSV.zip)",
        "timeline.importer.formats.gdelt",
        (".export.csv", ".export.csv.zip"),
        skips=True,
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


def reader(
    fmt: ImportFormat, *, skip_invalid: bool = False, warn: Callable[[str], None] | None = None
) -> Reader:
    reader_class: Any = importlib.import_module(fmt.module).Reader
    if not fmt.skips:
        if skip_invalid:
            skipping = ", ".join(f.name for f in FORMATS if f.skips)
            raise InputError(f"--skip-invalid applies to the {skipping} format only")
        return cast("Reader", reader_class())
    return cast("Reader", reader_class(skip_invalid=skip_invalid, warn=warn))
