"""NDJSON, the lossless format of `timeline export` (see `timeline.interchange`): one
record a line, a header first and a summary with the counts last, so that a file cut
at a line boundary is refused. Each line is validated on its own; its place is its
line number."""

from __future__ import annotations

from collections.abc import Iterator

from timeline.errors import FileInputError
from timeline.importer.inputs import Input
from timeline.interchange import (
    ActorRecord,
    DataRecord,
    EventRecord,
    Header,
    SourceRecord,
    Summary,
    parse_record,
)


class Reader:
    def where(self, key: int) -> int:
        return key

    def records(self, source: Input) -> Iterator[tuple[int, DataRecord]]:
        """(line number, record) for every source, actor and event, in file order."""

        def fail(number: int, message: str) -> FileInputError:
            return FileInputError(source.name, number, message)

        summary: tuple[int, Summary] | None = None
        found = {"sources": 0, "actors": 0, "events": 0}
        last = 0
        for number, line in source.lines():
            last = number
            if not line.endswith(b"\n"):
                raise fail(number, "truncated: the last line does not end with a newline")
            if not line.strip():
                raise fail(number, "empty line: expected one record per line")
            if summary is not None:
                raise fail(number, f"a record after the summary on line {summary[0]}")
            try:
                record = parse_record(line)
            except ValueError as exc:
                raise fail(number, str(exc)) from None
            if number == 1:
                if not isinstance(record, Header):
                    raise fail(
                        number, "expected the header record first (is this a timeline export?)"
                    )
                continue
            if isinstance(record, EventRecord):
                found["events"] += 1
            elif isinstance(record, ActorRecord):
                found["actors"] += 1
            elif isinstance(record, SourceRecord):
                found["sources"] += 1
            elif isinstance(record, Summary):
                summary = (number, record)
                continue
            else:
                raise fail(number, "a second header record")
            yield number, record
        if last == 0:
            raise fail(1, "empty file: expected the header record")
        if summary is None:
            raise fail(last, "the file ends without its summary record: truncated?")
        number, counts = summary
        for kind, records in found.items():
            said = getattr(counts, kind)
            if said != records:
                raise fail(number, f"the summary counts {said} {kind}, the file holds {records}")
