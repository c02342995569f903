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
        """(line number, line with its newline), counting the bytes read."""
        for number, line in enumerate(self.stream, 1):
            self.position += len(line)
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
