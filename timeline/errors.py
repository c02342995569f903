"""One error hierarchy; `timeline.cli` turns each into `error: …` and an exit code."""

from __future__ import annotations


class TimelineError(Exception):
    """A failure the user can act on: shown as one line, never a traceback."""

    exit_code = 1


class DatabaseError(TimelineError):
    """The database is missing, unreachable, refused the operation or is out of date."""

    exit_code = 1


class QueryTimeout(DatabaseError):
    """A read-only query ran past its time limit."""


class InputError(TimelineError):
    """Bad usage or bad input: an unknown actor, an invalid date, a refused statement."""

    exit_code = 2


class FileInputError(InputError):
    """Bad input in a file; the message names the file and the place in it:
    `FILE:LINE: path: message` when the line is known, `FILE: path: message` otherwise."""

    def __init__(
        self, file: str, place: str | int | None, message: str, *, line: int | None = None
    ) -> None:
        self.file = file
        self.place = place
        self.message = message
        self.line = line
        where = file if line is None else f"{file}:{line}"
        if isinstance(place, int):
            where = f"{file}:{place}"
        elif place:
            where = f"{where}: {place}"
        super().__init__(f"{where}: {message}")

    @classmethod
    def unreadable(cls, file: str, exc: OSError) -> FileInputError:
        """Why a file could not be opened for reading, in the words every reader uses."""
        if isinstance(exc, FileNotFoundError):
            return cls(file, None, "no such file")
        if isinstance(exc, IsADirectoryError):
            return cls(file, None, "is a directory, not a file")
        return cls(file, None, f"cannot read: {exc.strerror}")


class InputErrors(InputError):
    """Every error found in one run (`timeline seed check`): one `error:` line each."""

    def __init__(self, errors: list[TimelineError], notes: list[str] | None = None) -> None:
        self.errors = errors
        self.notes = notes or []  # what was done all the same (a quote fixed)
        super().__init__("\n".join(str(error) for error in errors))
