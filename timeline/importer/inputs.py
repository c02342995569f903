"""What an import reads: a file or standard input, as bytes, with its size and how far
it has been read (for progress), and the origin its new rows record."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from timeline.errors import FileInputError
from timeline.vocab import ORIGIN_LENGTH

MAX_LINE_BYTES = 16 * 2**20  # one record; a source's whole text fits many times over

STDIN = "-"


@dataclass
class Input:
    """A file or standard input, read as bytes."""

    name: str  # how errors call it: the path as given, or <stdin>
    origin: str  # what the rows it creates record: import:/absolute/path
    stream: IO[bytes]
    size: int | None
    position: int = 0

    def lines(self) -> Iterator[tuple[int, bytes]]:
        """(line number, line with its newline), counting the bytes read. A line past
        MAX_LINE_BYTES is refused once that much is read: memory stays bounded on a
        file of garbage without newlines."""
        number = 0
        while line := self.stream.readline(MAX_LINE_BYTES + 1):
            number += 1
            self.position += len(line)
            if len(line) > MAX_LINE_BYTES:
                raise FileInputError(
                    self.name, number, f"line longer than {MAX_LINE_BYTES // 2**20} MiB"
                )
            yield number, line

    def close(self) -> None:
        if self.stream is not sys.stdin.buffer:
            self.stream.close()


def open_input(path: str) -> Input:
    """`-` is standard input; a missing or unreadable file is a located error."""
    if path == STDIN:
        return Input("<stdin>", "import:<stdin>", sys.stdin.buffer, None)
    try:
        stream = Path(path).open("rb")  # noqa: SIM115  (closed by Input.close)
    except OSError as exc:
        raise FileInputError.unreadable(path, exc) from None
    size = os.fstat(stream.fileno()).st_size
    origin = f"import:{Path(path).resolve()}"
    return Input(path, origin[:ORIGIN_LENGTH], stream, size or None)
