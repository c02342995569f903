"""Finding a quote in its source's text, and saying what is wrong when it is not there.

A quote copied from a web page often differs from the stored text only in typography:
curly quotes or apostrophes for straight ones, a dash for a hyphen, a non-breaking or
doubled space. Those are found by comparing both in a folded form (one character for
each kind, spaces collapsed, case folded) and reported with the place and the
difference; when only typography differs, `--fix-quotes` may take the text's own
characters. Anything else gets the nearest passage that shares the most with it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
    }
)
_SPACES = re.compile(r"\s+")
KINDS = {"'": "apostrophes or single quotes", '"': "double quotes", "-": "dashes or hyphens"}


@dataclass(frozen=True)
class Miss:
    """Why a quote was not found: the message, and the text's own version of the quote
    when only typography differs (what `--fix-quotes` writes)."""

    message: str
    fixed: str | None = None


def occurrences(text: str, quote: str) -> list[int]:
    starts = []
    position = text.find(quote)
    while position != -1:
        starts.append(position)
        position = text.find(quote, position + 1)
    return starts


def place(text: str, offset: int) -> str:
    """`line L, column C` (1-based) of an offset in the text."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"


def _folded(text: str) -> tuple[str, list[int]]:
    """The text with typography folded and runs of spaces made one space, and for each
    folded character the offset of the character it came from."""
    chars: list[str] = []
    offsets: list[int] = []
    folded = text.translate(_FOLD)
    previous_space = False
    for offset, char in enumerate(folded):
        if char.isspace():
            if previous_space:
                continue
            char, previous_space = " ", True
        else:
            previous_space = False
        chars.append(char.lower())
        offsets.append(offset)
    return "".join(chars), offsets


def explain(quote: str, text: str, source: str) -> Miss:
    """A quote that is not in `text`: where its nearest passage is and how they differ."""
    target, _ = _folded(quote)
    folded, offsets = _folded(text)
    found = occurrences(folded, target)
    if found:
        start = offsets[found[0]]
        end_index = found[0] + len(target) - 1
        end = offsets[end_index] + 1
        passage = text[start:end]
        differences = _differences(quote, passage)
        message = (
            f"not found in the text of source {source!r}, but at {place(text, start)} "
            f"it is there with different {', '.join(differences)}: {passage!r}"
        )
        typographic = "case" not in differences
        if len(found) > 1:
            message += f" (and {len(found) - 1} more time(s))"
            typographic = False
        return Miss(message, passage if typographic else None)
    return Miss(_nearest(quote, text, source))


def _differences(quote: str, passage: str) -> list[str]:
    """What differs between a quote and the passage it folds to, with the characters:
    `apostrophes or single quotes (’ in the text, ' in the quote)`."""
    kinds = []
    for folded, kind in KINDS.items():
        in_quote = [c for c in quote if c.translate(_FOLD) == folded]
        in_text = [c for c in passage if c.translate(_FOLD) == folded]
        if in_quote != in_text:
            text_chars = "".join(dict.fromkeys(c for c in in_text if c not in in_quote))
            quote_chars = "".join(dict.fromkeys(c for c in in_quote if c not in in_text))
            kinds.append(
                f"{kind} ({text_chars or 'none'} in the text, {quote_chars or 'none'} in the quote)"
            )
    if _SPACES.findall(quote) != _SPACES.findall(passage):
        kinds.append("spaces")
    if _SPACES.sub(" ", quote.translate(_FOLD)) != _SPACES.sub(" ", passage.translate(_FOLD)):
        kinds.append("case")
    return kinds


def _nearest(quote: str, text: str, source: str) -> str:
    """The passage sharing the longest run of characters with the quote."""
    message = f"not found in the text of source {source!r}"
    if not quote or not text or len(text) * len(quote) > 10**9:
        return message
    matcher = SequenceMatcher(None, text, quote, autojunk=False)
    match = matcher.find_longest_match(0, len(text), 0, len(quote))
    if match.size < max(4, len(quote) // 3):
        return f"{message}, nor anything close to it"
    start = max(0, match.a - match.b)
    passage = text[start : start + len(quote)]
    return f"{message}; the nearest passage, at {place(text, start)}, reads {passage!r}"


@dataclass(frozen=True)
class QuoteFix:
    """A quote that differs from its source's text only in typography: where it is
    written (`span`, in characters of the seed file) and the text's own version."""

    name: str
    path: Path
    place: str
    line: int | None
    span: tuple[int, int]
    quote: str
    fixed: str


def rewrite_quotes(fixes: list[QuoteFix]) -> list[str]:
    """Write each fixed quote into its file (as a double-quoted YAML string, which JSON's
    escaping is), and say what changed."""
    notes = []
    by_file: dict[Path, list[QuoteFix]] = {}
    for fix in fixes:
        by_file.setdefault(fix.path, []).append(fix)
    for path, file_fixes in by_file.items():
        content = path.read_bytes().decode("utf-8")
        for fix in sorted(file_fixes, key=lambda f: f.span, reverse=True):
            start, end = fix.span
            content = content[:start] + json.dumps(fix.fixed, ensure_ascii=False) + content[end:]
        path.write_bytes(content.encode("utf-8"))
        for fix in file_fixes:
            where = fix.name if fix.line is None else f"{fix.name}:{fix.line}"
            notes.append(f"fixed: {where}: {fix.place}: {fix.quote!r} is now {fix.fixed!r}")
    return notes
