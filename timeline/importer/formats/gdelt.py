"""GDELT 2.0 event exports: tab-separated, no header, 61 columns a row, plain or as the
`.export.CSV.zip` GDELT publishes (read from the zip as it streams). Each row becomes an
event (`gdelt-<GLOBALEVENTID>`), its source (one per SOURCEURL) and the actors, which
are aggregated over the whole import and given at the end. The README's "Importing
GDELT" has the mapping column by column.

The fields are split on tabs, not parsed as CSV: GDELT does not quote, and a `"` in a
name is a character of it. A bad row is `FILE:LINE: column NAME: …`; with
`skip_invalid` it is reported and skipped instead. The records are built already
checked (`model_construct`): every value was validated here, field by field.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
import tempfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from typing import IO, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel

from timeline.errors import FileInputError
from timeline.importer.formats import cameo
from timeline.importer.formats.gdelt_fields import (
    COL,
    COLUMNS,
    RowError,
    added_date,
    date_flags,
    event_date,
    flag,
    limited,
    number,
    text,
    whole,
)
from timeline.importer.inputs import Input
from timeline.interchange import ActorRecord, DataRecord, EventRecord, SourceRecord
from timeline.vocab import NAME_LENGTH, URL_LENGTH

ACTORS = ((5, "initiator"), (15, "target"))  # Actor1Code, Actor2Code; name, country, types follow
ZIP_MAGIC = b"PK\x03\x04"
MAX_ALIASES = 100  # an actor's other names kept: the most frequent
RECENT_URLS = 100_000  # sources already given, remembered to skip most repeats early

_CODE = {  # CAMEO event codes are strings of digits: "040", never 40
    "EventCode": re.compile(r"[0-9]{3,4}"),
    "EventBaseCode": re.compile(r"[0-9]{3}"),
    "EventRootCode": re.compile(r"[0-9]{2}"),
}
R = TypeVar("R", bound=BaseModel)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_FIPS = re.compile(r"[A-Z]{2}")
_ACTOR_CODE = re.compile(r"[A-Z0-9]{1,60}")
_COUNTRY = re.compile(r"[A-Z]{3}")


class _Actor:
    __slots__ = ("country", "kind", "names")

    def __init__(self, country: str | None, kind: str) -> None:
        self.country = country
        self.kind = kind
        self.names: Counter[str] = Counter()


class Reader:
    """Rows into records; actors come last, from `finish`, named by their most
    frequent name over every file of the import."""

    def __init__(
        self, *, skip_invalid: bool = False, warn: Callable[[str], None] | None = None
    ) -> None:
        self.skip_invalid = skip_invalid
        self.warn = warn or (lambda line: print(line, file=sys.stderr))
        self.actors: dict[str, _Actor] = {}
        self.recent: dict[str, str] = {}  # URL → source slug, of the sources given
        self.dates: dict[str, date] = {}
        self.rows = self.skipped = 0
        self.last_id = -1
        self.ordered = True  # ids strictly increase: no event can repeat

    def where(self, key: int) -> int:
        return key

    def may_repeat(self, table: str) -> bool:
        """Sources repeat (one article, many events); events only when the ids did not
        always increase (overlapping files). The pipeline keeps the first of each."""
        return table == "sources" or (table == "events" and not self.ordered)

    def records(self, source: Input) -> Iterator[tuple[int, DataRecord]]:
        """(line number, record) for the events and sources of one input."""
        head = _peek(source.stream)
        if head.startswith(ZIP_MAGIC):
            yield from self._zip(source)
        else:
            yield from self._lines(source.name, source, source.lines())

    def finish(self) -> Iterator[tuple[int, DataRecord]]:
        """The actors seen in every input, each once."""
        for code, actor in self.actors.items():
            ranked = sorted(actor.names.items(), key=lambda item: (-item[1], item[0]))
            name = ranked[0][0] if ranked else code
            aliases = sorted({n for n, _ in ranked[1 : MAX_ALIASES + 1]} | {code} - {name})
            yield (
                0,
                ActorRecord.model_construct(
                    record="actor",
                    slug=_actor_slug(code),
                    name=name,
                    kind=actor.kind,
                    country=actor.country,
                    description=None,
                    affiliation=None,
                    aliases=aliases,
                ),
            )

    def notes(self) -> list[str]:
        """What the summary adds: the rows read and skipped."""
        return [f"GDELT rows: {self.rows} read, {self.skipped} skipped"]

    # -- inputs

    def _zip(self, source: Input) -> Iterator[tuple[int, DataRecord]]:
        stream: IO[bytes] = source.stream
        if not stream.seekable():  # standard input: a zip's directory is at its end
            spooled = tempfile.TemporaryFile()  # noqa: SIM115  (closed below)
            shutil.copyfileobj(stream, spooled)
            spooled.seek(0)
            stream = spooled
        try:
            archive = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise FileInputError(
                source.name, None, f"not a readable zip file, truncated or corrupt ({exc})"
            ) from None
        members = [m for m in archive.infolist() if not m.is_dir()]
        if not members:
            raise FileInputError(source.name, None, "the zip file holds no export")
        for member in members:
            name = source.name if len(members) == 1 else f"{source.name}:{member.filename}"
            try:
                with archive.open(member) as lines:
                    numbered = ((n, line) for n, line in enumerate(lines, 1))
                    try:
                        yield from self._lines(name, source, numbered, tell=stream.tell)
                    except FileInputError:
                        # Garbled compressed data can decode into bad rows before
                        # its checksum fails at the end: say which it is.
                        shutil.copyfileobj(lines, _Sink())
                        raise
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
                raise FileInputError(name, None, f"corrupt zip data ({exc})") from None

    def _lines(
        self,
        name: str,
        source: Input,
        lines: Iterator[tuple[int, bytes]],
        tell: Callable[[], int] | None = None,
    ) -> Iterator[tuple[int, DataRecord]]:
        for lineno, line in lines:
            if tell is not None and not lineno % 1000:
                source.position = tell()
            line = line.rstrip(b"\n").removesuffix(b"\r")
            if not line:
                continue
            try:
                records = self._row(line)
            except RowError as exc:
                if not self.skip_invalid:
                    raise FileInputError(name, lineno, str(exc)) from None
                self.skipped += 1
                self.warn(f"skipped {name}:{lineno}: {exc}")
                continue
            self.rows += 1
            for record in records:
                yield lineno, record

    # -- one row

    def _row(self, line: bytes) -> list[DataRecord]:
        if b"\x00" in line:
            raise RowError(None, "binary data (NUL bytes): not a GDELT export")
        raw = line.split(b"\t")
        if len(raw) != len(COLUMNS):
            found = f"{len(raw)} tab-separated columns, where GDELT 2.0 has {len(COLUMNS)}"
            if len(raw) in (57, 58):
                found += ": this looks like a GDELT 1.0 file (57 or 58 columns)"
            raise RowError(None, found)
        try:  # one decode for the line; the column is looked for only when it fails
            f = line.decode("utf-8").split("\t")
        except UnicodeDecodeError:
            f = [text(column, value) for column, value in zip(COLUMNS, raw, strict=True)]
        event_id = whole(f, "GLOBALEVENTID", 0, 2**63 - 1)
        if event_id is None:
            raise RowError("GLOBALEVENTID", "missing")
        if event_id <= self.last_id:
            self.ordered = False
        self.last_id = max(self.last_id, event_id)
        day = self._day(f[1])
        added = added_date(f[COL["DATEADDED"]])
        codes = {}
        for column, shape in _CODE.items():
            value = f[COL[column]]
            if not shape.fullmatch(value):
                digits = {"EventCode": "3 or 4", "EventBaseCode": "3", "EventRootCode": "2"}
                raise RowError(
                    column,
                    f"{value!r} is not a CAMEO code ({digits[column]} digits, with their "
                    "leading zeros)",
                )
            codes[column] = value
        root_type = cameo.ROOT_TYPES.get(codes["EventRootCode"])
        if root_type is None:
            raise RowError(
                "EventRootCode", f"{codes['EventRootCode']!r} is not a CAMEO root code (01-20)"
            )
        attributes = {
            "cameo_code": codes["EventCode"],
            "cameo_base_code": codes["EventBaseCode"],
            "cameo_root_code": codes["EventRootCode"],
            "quad_class": whole(f, "QuadClass", 1, 4),
            "goldstein_scale": number(f, "GoldsteinScale", -10, 10),
            "num_mentions": whole(f, "NumMentions", 0, 2**31 - 1),
            "num_sources": whole(f, "NumSources", 0, 2**31 - 1),
            "num_articles": whole(f, "NumArticles", 0, 2**31 - 1),
            "avg_tone": number(f, "AvgTone", -100, 100),
            "is_root_event": flag(f, "IsRootEvent"),
        }
        latitude = number(f, "ActionGeo_Lat", -90, 90)
        longitude = number(f, "ActionGeo_Long", -180, 180)
        if (latitude is None) != (longitude is None):
            raise RowError("ActionGeo_Long", "a latitude needs a longitude and the reverse")
        place = limited(f, "ActionGeo_FullName") or None
        countries = set()
        fips = f[COL["ActionGeo_CountryCode"]]
        if fips:
            if not _FIPS.fullmatch(fips):
                raise RowError("ActionGeo_CountryCode", f"{fips!r} is not a FIPS 10-4 country code")
            if (iso3 := cameo.fips_to_iso3().get(fips)) is not None:
                countries.add(iso3)
        roles, names = [], []
        for at, role in ACTORS:
            actor = self._actor(f, at)
            if actor is not None:
                slug, name, country = actor
                roles.append({"slug": slug, "role": role})
                names.append(name)
                if country:
                    countries.add(country)
            else:
                names.append("")
        records: list[DataRecord] = []
        evidence = []
        url = f[COL["SOURCEURL"]]
        if url:
            if len(url) > URL_LENGTH:
                raise RowError("SOURCEURL", f"longer than {URL_LENGTH} characters")
            source = self.recent.get(url)
            if source is None:
                host = _host(url)
                source = _source_slug(url, host)
                self._remember(url, source)
                records.append(_source(source, url, host, added))
            evidence.append({"slug": source})
        description = cameo.title_description(*codes.values())
        title = " — ".join(part for part in (names[0], description, names[1]) if part)
        flags = date_flags(day, added)
        records.append(
            _built(
                EventRecord,
                record="event",
                slug=f"gdelt-{event_id}",
                title=title[:1000],
                type=root_type,
                modality="occurred",
                start=day,
                end=day,
                precision="day",
                date_text=None,
                anchor_event=None,
                anchor_source=None,
                place=place,
                latitude=latitude,
                longitude=longitude,
                countries=sorted(countries),
                aliases=[],
                summary=None,
                flags=flags,
                attributes=attributes,
                actors=roles,
                sources=evidence,
                relations=[],
            )
        )
        return records

    def _day(self, value: str) -> date:
        day = self.dates.get(value)
        if day is None:
            day = event_date(value, "SQLDATE")
            if len(self.dates) < 10_000:
                self.dates[value] = day
        return day

    def _actor(self, f: list[str], at: int) -> tuple[str, str, str | None] | None:
        """(slug, name, ISO country) of the actor whose code is in column `at`; its
        name is counted for `finish`."""
        code = f[at].upper()
        if not code:
            return None
        column = COLUMNS[at]
        if not _ACTOR_CODE.fullmatch(code):
            raise RowError(column, f"{f[at]!r} is not a CAMEO actor code")
        name = limited(f, COLUMNS[at + 1]) or code
        actor = self.actors.get(code)
        if actor is None:
            country_code = f[at + 2]
            if country_code and not _COUNTRY.fullmatch(country_code):
                raise RowError(COLUMNS[at + 2], f"{country_code!r} is not a CAMEO country code")
            types = [t for t in f[at + 7 : at + 10] if t]
            actor = _Actor(cameo.actor_country(country_code), cameo.actor_kind(code, types))
            self.actors[code] = actor
        actor.names[name] += 1
        return _actor_slug(code), name, actor.country

    def _remember(self, url: str, slug: str) -> None:
        if len(self.recent) >= RECENT_URLS:
            del self.recent[next(iter(self.recent))]
        self.recent[url] = slug


def _built(model: type[R], **values: Any) -> R:
    """A record from values that are all given and already checked: what
    `model_construct` makes, without its pass over the fields' defaults (a third of
    the reader's time)."""
    record = object.__new__(model)
    object.__setattr__(record, "__dict__", values)
    object.__setattr__(record, "__pydantic_fields_set__", set(values))
    object.__setattr__(record, "__pydantic_extra__", None)
    object.__setattr__(record, "__pydantic_private__", None)
    return record


class _Sink:
    """Where the rest of a zip member goes when only its checksum matters."""

    def write(self, data: bytes) -> int:
        return len(data)


def _peek(stream: IO[bytes]) -> bytes:
    peek = getattr(stream, "peek", None)
    return peek(4)[:4] if peek is not None else b""


def _actor_slug(code: str) -> str:
    return f"cameo-{code.lower()}"


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname if "://" in url else None
    except ValueError:  # a malformed URL (an unclosed IPv6 bracket) keeps no host
        return None


def _source_slug(url: str, host: str | None) -> str:
    """The host's words and a hash of the whole URL: stable across files and imports."""
    words = _NOT_SLUG.sub("-", (host or "source").lower()).strip("-")[:80].strip("-")
    words = words or "source"
    return f"{words}-{hashlib.sha1(url.encode()).hexdigest()[:12]}"


def _source(slug: str, url: str, host: str | None, published: date) -> SourceRecord:
    name = url if len(url) <= NAME_LENGTH else url[: NAME_LENGTH - 1] + "…"
    return _built(
        SourceRecord,
        record="source",
        slug=slug,
        name=name,
        kind="article",
        publisher=host,
        url=url,
        title=None,
        published=published,
        language=None,
        cites=[],
        text=None,
    )
