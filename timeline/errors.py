"""One error hierarchy; `timeline.cli` turns each into `error: …` and an exit code."""


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
    """Bad input in a file; the message names the file and the place in it."""

    def __init__(self, file: str, place: str | int | None, message: str) -> None:
        self.file = file
        self.place = place
        self.message = message
        where = (
            file
            if place is None or place == ""
            else f"{file}:{place}"
            if isinstance(place, int)
            else f"{file}: {place}"
        )
        super().__init__(f"{where}: {message}")
