"""Reading the files a seed names: the seed file itself, as UTF-8 bytes checked in
slices (the YAML parser reads bytes, so the file is never held as a str, which can take
four times its size), and a source's text file beside it."""

from __future__ import annotations

import codecs
import stat
from collections.abc import Callable
from pathlib import Path

from timeline.errors import FileInputError

MAX_SEED_BYTES = 64 * 2**20
MAX_TEXT_BYTES = 16 * 1024 * 1024
_SLICE = 2**20


def read_bytes(path: Path, name: str, limit: int = MAX_SEED_BYTES) -> bytes:
    """A file's bytes exactly as stored, checked to be UTF-8 text, or a located error;
    a file larger than `limit` is refused before it is read."""
    try:
        with path.open("rb") as stream:
            data = stream.read(limit + 1)
        if len(data) > limit:
            raise FileInputError(name, None, f"larger than {limit // 2**20} MB")
    except OSError as exc:
        raise FileInputError.unreadable(name, exc) from None
    decoder = codecs.getincrementaldecoder("utf-8")()
    with memoryview(data) as view:
        for start in range(0, max(len(data), 1), _SLICE):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(view[start : start + _SLICE], final=start + _SLICE >= len(data))
            except UnicodeDecodeError as exc:
                offset = start - pending + exc.start
                raise FileInputError(
                    name, None, f"not UTF-8 text (byte 0x{data[offset]:02x} at offset {offset})"
                ) from None
    return data


def read_text(path: Path, name: str, limit: int = MAX_SEED_BYTES) -> str:
    """A file's text exactly as stored (no newline translation), or a located error."""
    return read_bytes(path, name, limit).decode("utf-8")


def source_text(
    directory: Path, text_file: str | None, error: Callable[[str], FileInputError]
) -> str | None:
    """The source's text exactly as stored: a regular file of at most 16 MB in the seed
    file's directory or below it (not an absolute path, not `../`, not a device)."""
    if text_file is None:
        return None
    if Path(text_file).is_absolute():
        raise error(f"{text_file}: give a path relative to the seed file's directory")
    base = directory.resolve()
    target = (base / text_file).resolve()
    if not target.is_relative_to(base):
        raise error(f"{text_file}: not inside the seed file's directory")
    try:
        status = target.stat()
    except OSError as exc:
        reason = FileInputError.unreadable(text_file, exc).message
        raise error(f"{text_file}: {reason}") from None
    if not stat.S_ISREG(status.st_mode):
        raise error(f"{text_file}: not a regular file")
    if status.st_size > MAX_TEXT_BYTES:
        raise error(f"{text_file}: larger than {MAX_TEXT_BYTES // 2**20} MB")
    try:
        return read_text(target, text_file, MAX_TEXT_BYTES)
    except FileInputError as exc:
        raise error(f"{text_file}: {exc.message}") from None
