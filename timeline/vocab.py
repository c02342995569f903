"""What every layer agrees on, importable without SQLAlchemy: the vocabularies, the
column lengths, the span classes, the table names and the matching form of a name.

The read path (`timeline events`, completion) imports this, not the ORM models, so a
short command does not pay for the mapper; the models, the record schemas, the seed
format and the benchmarks all take their lists from here.
"""

from __future__ import annotations

import unicodedata

PRECISIONS = ("day", "week", "month", "year", "range")
MODALITIES = ("occurred", "announced", "planned", "claimed")
EVENT_TYPES = (
    "military_exercise",
    "airspace_incident",
    "troop_deployment",
    "diplomatic_visit",
    "diplomatic_relations",
    "meeting",
    "statement",
    "letter",
    "media_release",
    "observation",
    "prisoner_release",
    "sanctions_change",
    "agreement",
    "attack",
    "protest",
    "other",
)
ACTOR_KINDS = ("person", "state", "organization", "military", "group")
ROLES = (
    "initiator",
    "target",
    "participant",
    "host",
    "observer",
    "speaker",
    "recipient",
    "mediator",
    "subject",
)
SOURCE_KINDS = ("article", "agency_report", "statement", "video", "interview", "dataset")
RELATION_KINDS = ("in_response_to", "follows", "part_of", "context_for")
PERIODS = ("day", "week", "month", "year")  # what `timeline counts --per` groups by

SLUG_LENGTH = 120
NAME_LENGTH = 300
TITLE_LENGTH = 1000
URL_LENGTH = 2000
LANGUAGE_LENGTH = 16
ORIGIN_LENGTH = 300
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_RULE = (
    "a slug is lowercase letters a-z and digits, in words joined by single hyphens "
    f"(like west-2025-begins), at most {SLUG_LENGTH} characters"
)
MAX_INT = 2**31 - 1  # an INTEGER column on PostgreSQL
MAX_ROWS = 2**63 - 1  # the most rows a LIMIT can take on either backend

# An event of span class k has end_date - start_date < 4**k days, so one that
# overlaps a window starting on day F starts on or after F - (4**k - 1): a date window
# becomes one bounded range per class on (span_class, start_date) instead of every
# event that starts before the window's end. Class 11 holds any span of 0001-9999.
SPAN_CLASSES = 12

# Every table, parents before the rows that point at them: the order of counts,
# summaries and `timeline info`.
TABLES = (
    "sources",
    "source_citations",
    "actors",
    "actor_aliases",
    "events",
    "event_countries",
    "event_aliases",
    "event_actors",
    "evidence",
    "event_relations",
)
FLAT_VIEW = "events_flat"

# Letters that Unicode does not decompose into a base letter plus an accent.
_UNDECOMPOSABLE = str.maketrans(
    {
        "ł": "l",
        "đ": "d",
        "ø": "o",
        "æ": "ae",
        "œ": "oe",
        "ħ": "h",
        "\u0131": "i",
        "ŀ": "l",
        "þ": "th",
    }
)


def normalize_name(text: str) -> str:
    """The stored matching form: case-folded, accents stripped, spaces collapsed.

    Computed here, not by the database, because SQLite's `lower()` folds ASCII only;
    storing it makes `Łukašenka`, `lukashenka` and `LUKASENKA` match identically on
    every backend.
    """
    if text.isascii():  # the common case: the same result (a test checks it), 5x faster
        return " ".join(text.lower().split())
    return unicode_key(text)


def unicode_key(text: str) -> str:
    """`normalize_name` for any text, without the ASCII shortcut."""
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_UNDECOMPOSABLE))
    stripped = "".join(c for c in folded if not unicodedata.combining(c))
    return " ".join(stripped.translate(_UNDECOMPOSABLE).split())
