"""`timeline seed new`: a commented seed file for an article's text, which loads as it
is (a source with no events yet) and shows, in comments, how an actor and an event are
written."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from datetime import date
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from timeline.errors import FileInputError, InputError
from timeline.validation import Slug, message
from timeline.vocab import ACTOR_KINDS, EVENT_TYPES, ROLES, SLUG_LENGTH, SOURCE_KINDS

_SLUG: TypeAdapter[str] = TypeAdapter(Slug)

EXAMPLES = f"""
actors: []   # the people, states and organizations, written like this:
  # - slug: jane-doe
  #   name: Jane Doe
  #   kind: person              # {", ".join(ACTOR_KINDS)}
  #   country: POL              # ISO 3166-1 alpha-3, in capitals
  #   aliases: [J. Doe]         # other spellings the text uses

events: []   # every dated claim of the text, written like this:
  # - slug: jane-doe-visits-minsk
  #   title: Jane Doe visits Minsk
  #   type: diplomatic_visit    # {", ".join(EVENT_TYPES[:6])}, …
  #   date: {{weekday: friday, text: on Friday}}   # or day: 2025-09-12, week: last, month: 2025-09
  #   actors:
  #     - {{actor: jane-doe, role: initiator}}      # {", ".join(ROLES[:5])}, …
  #   evidence:
  #     - source: {{slug}}
  #       quote: "Jane Doe arrived in Minsk on Friday"   # copied from the text, exactly
"""


def slugify(text: str) -> str:
    """A slug from a file name or title: ASCII letters and digits joined by hyphens."""
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_.lower())
    return "-".join(words)[:SLUG_LENGTH].strip("-") or "source"


def skeleton(
    text_file: Path,
    output: Path,
    *,
    slug: str | None = None,
    name: str | None = None,
    kind: str = "article",
    publisher: str | None = None,
    published: str | None = None,
    url: str | None = None,
    cites: list[str] | None = None,
) -> str:
    """The seed file's text; bad options are an `InputError`."""
    if not text_file.is_file():
        raise FileInputError(str(text_file), None, "no such file")
    relative = os.path.relpath(text_file.resolve(), output.resolve().parent)
    if relative.startswith(".."):
        raise InputError(
            f"{output}: the seed file must be in the directory of {text_file} or above it, "
            "so that its text_file is inside the seed file's directory"
        )
    slug = slug or slugify(text_file.stem)
    for option, value in (("--slug", slug), *(("--cites", c) for c in cites or [])):
        try:
            _SLUG.validate_python(value)
        except ValidationError as exc:
            raise InputError(f"{option}: {message(exc.errors()[0])}") from None
    if published is not None:
        try:
            date.fromisoformat(published)
        except ValueError:
            raise InputError(f"--published: {published!r} is not a date (YYYY-MM-DD)") from None
    if kind not in SOURCE_KINDS:
        raise InputError(
            f"--kind: unknown value {kind!r}; expected one of: {', '.join(SOURCE_KINDS)}"
        )

    def line(key: str, value: str | None, hint: str) -> str:
        text = f"{key}: {json.dumps(value, ensure_ascii=False)}" if value else f"# {key}: {hint}"
        return f"    {text}\n"

    cited = ", ".join(cites or [])
    return (
        f"# A seed file for {text_file.name}: check it with `timeline seed check {output.name}`,\n"
        f"# load it with `timeline load {output.name}`.\n"
        "sources:\n"
        f"  - slug: {slug}\n"
        + line("name", name or slug.replace("-", " ").capitalize(), "")
        + f"    kind: {kind}                 # {', '.join(SOURCE_KINDS)}\n"
        + line("publisher", publisher, "Who published it")
        + (f"    published: {published}\n" if published else "    # published: 2025-09-15\n")
        + line("url", url, "https://…")
        + f"    text_file: {json.dumps(relative, ensure_ascii=False)}   # the quotes' text\n"
        + (f"    cites: [{cited}]\n" if cited else "    # cites: [another-source-slug]\n")
        + EXAMPLES.replace("{slug}", slug)
    )
