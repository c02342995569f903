"""The lookup tables the GDELT reader needs, shipped as package data in `gdelt_data/`:

- `cameo_event_codes.tsv`: the CAMEO event codebook (the root codes and every event
  code with its description), as GDELT publishes it in `CAMEO.eventcodes.txt`,
  checked against the CAMEO manual 1.1b3: the copies in circulation run 1056 and 106
  together on one line and mis-encode the quotes of 044, which this copy corrects.
- `fips_iso3.tsv`: FIPS 10-4 country codes (GDELT's geographic fields) to ISO 3166-1
  alpha-3, from GeoNames' `countryInfo.txt` (its `fips` and `ISO3` columns, CC BY 4.0),
  plus the FIPS codes of territories that GeoNames lists under another country
  (Gaza Strip, Jan Mayen, the US minor islands…), marked `fips-10-4`.

Also here: the CAMEO root codes onto the project's event types, and the actor codes
onto actor kinds.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

# The 20 CAMEO root codes onto `timeline.vocab.EVENT_TYPES`, extended where no type
# fitted (README, "Importing GDELT").
ROOT_TYPES = {
    "01": "statement",  # make public statement
    "02": "appeal",
    "03": "statement",  # express intent to cooperate: a statement of intent
    "04": "meeting",  # consult: telephone, visits, negotiations
    "05": "diplomatic_relations",  # engage in diplomatic cooperation
    "06": "cooperation",  # engage in material cooperation
    "07": "aid",
    "08": "concession",  # yield
    "09": "investigation",
    "10": "demand",
    "11": "criticism",  # disapprove
    "12": "rejection",
    "13": "threat",
    "14": "protest",
    "15": "force_posture",  # exhibit force posture
    "16": "reduced_relations",
    "17": "coercion",
    "18": "attack",  # assault
    "19": "fight",  # use conventional military force
    "20": "mass_violence",  # use unconventional mass violence
}

# CAMEO actor type codes onto `timeline.vocab.ACTOR_KINDS`; any other type is a group.
MILITARY_TYPES = frozenset({"MIL", "UAF"})
ORGANIZATION_TYPES = frozenset(
    {"GOV", "JUD", "LEG", "IGO", "NGO", "BUS", "MNC", "MED", "EDU", "HLH", "LAB", "COP", "SPY"}
)

# CAMEO country codes that are not ISO 3166-1 alpha-3 codes of the same country.
CAMEO_COUNTRIES = {"ROM": "ROU", "TMP": "TLS", "ZAR": "COD", "KSV": "XKX"}


def _rows(name: str) -> list[list[str]]:
    text = resources.files(__package__).joinpath("gdelt_data", name).read_text("utf-8")
    return [line.split("\t") for line in text.splitlines()[1:] if line]


@cache
def event_descriptions() -> dict[str, str]:
    """CAMEO code → description (`"190"` → "Use conventional military force, …")."""
    return {code: description for code, description in _rows("cameo_event_codes.tsv")}


@cache
def fips_to_iso3() -> dict[str, str]:
    return {fips: iso3 for fips, iso3, _name, _source in _rows("fips_iso3.tsv")}


@cache
def iso3_countries() -> frozenset[str]:
    """The ISO alpha-3 codes of the table (every country and territory GeoNames has a
    FIPS code for), and those without one."""
    return frozenset(fips_to_iso3().values()) | {"ALA", "BES", "UMI"}


def actor_country(code: str) -> str | None:
    """A CAMEO actor country code as ISO alpha-3, or None for a region (`EUR`, `AFR`)."""
    code = CAMEO_COUNTRIES.get(code, code)
    return code if code in iso3_countries() else None


def actor_kind(code: str, types: list[str]) -> str:
    """From the actor's type codes; a bare country code (`USA`, `ROM`) is a state."""
    if MILITARY_TYPES.intersection(types):
        return "military"
    if ORGANIZATION_TYPES.intersection(types):
        return "organization"
    if not types and actor_country(code) is not None:
        return "state"
    return "group"


@cache  # a few hundred codes, asked for once a row
def title_description(code: str, base: str, root: str) -> str:
    """The event's description for a title, without the codebook's "not specified
    below" (a four-digit code GDELT does not list falls back to its base code)."""
    known = event_descriptions()
    text = known.get(code) or known.get(base) or known.get(root) or f"CAMEO event {code}"
    for tail in (", not specified below", " not specified below", ", not spec below"):
        text = text.removesuffix(tail)
    return text
