"""The gazetteer of Mali, Burkina Faso and Niger, and look-ups in it.

Reads ``llmextract/data/gazetteer.json.gz`` (GeoNames cities500 plus the regions of
``gazetteer_supplement.json``, built by ``scripts/build_gazetteer.py``): each name's
entries, ranked by kind, population and the country or region a text gives.  Fuzzy
matches are for spellings only; ``normalize.places`` decides when one may stand.
"""

import gzip
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any, Literal

from rapidfuzz import fuzz, process

from llmextract.normalize.text import fold
from llmextract.schema import GeoPrecision

PlaceKind = Literal["place", "admin1", "country"]


@dataclass(frozen=True)
class Place:
    """One gazetteer entry: a town or village, a first-level region, or a country."""

    name: str
    admin1: str | None
    country: str | None
    latitude: float | None
    longitude: float | None
    kind: PlaceKind
    population: int | None = None
    geonameid: int | None = None


@dataclass(frozen=True)
class Location:
    """The SPEC's location fields for one incident, filled from text plus gazetteer."""

    place: str | None = None
    admin1: str | None = None
    country: str | None = None
    geo_precision: GeoPrecision = GeoPrecision.unknown
    latitude: float | None = None
    longitude: float | None = None


# --- the gazetteer ---------------------------------------------------------------

# Gazetteer names that are also ordinary English words or personal names common in
# Sahel reporting (Keïta, Léo, Say...).  They resolve through lookup() and after an
# explicit "town of"/"village of", never when merely capitalised in running text.
_WEAK_NAMES = frozenset(
    {"say", "sam", "pa", "to", "po", "leo", "lay", "laye", "doris", "sion", "bingo"}
    | {"keita", "kaba", "touba", "tita", "mane", "gava", "kindi", "reo"}
)
_FUZZY_MIN_LETTERS = 7  # "Single"/"Siglé", "State"/"Sate": short words are never fuzzy
_FUZZY_CUTOFF_SHORT = 90.0  # 7 letters: one insertion or deletion, no substitution
_FUZZY_CUTOFF_LONG = 87.0  # 8+ letters: one substitution ("Ouagadougu")


@dataclass(frozen=True)
class _Entry:
    place: Place
    cc: str
    a1: str | None  # GeoNames admin1 code within cc; None for countries
    primary: bool  # the key is the entry's own name, not an alternate
    generic: bool  # region named by an ordinary word: needs Burkina Faso context
    weak: bool  # also an ordinary word or personal name


@dataclass(frozen=True)
class _Gazetteer:
    index: dict[str, tuple[_Entry, ...]]
    demonyms: dict[str, str]  # folded demonym -> country code
    country_codes: dict[str, str]  # folded country name or ISO code -> code
    country_names: dict[str, str]  # code -> English short name
    admin1_keys: dict[str, tuple[tuple[str, str], ...]]  # folded region name -> (cc, code)
    fuzzy_keys: tuple[str, ...]
    max_tokens: int


@cache
def _gazetteer() -> _Gazetteer:
    """Load and index the gazetteer once: it is small, and every call needs all of it."""
    raw: dict[str, Any] = json.loads(
        gzip.decompress(
            resources.files("llmextract.data").joinpath("gazetteer.json.gz").read_bytes()
        )
    )
    index: dict[str, list[_Entry]] = {}
    country_names = {c["code"]: c["name"] for c in raw["countries"]}
    country_names.update({c["code"]: c["name"] for c in raw["other_countries"]})
    admin1_names = {(r["country"], r["code"]): r["name"] for r in raw["admin1"]}
    admin1_keys: dict[str, list[tuple[str, str]]] = {}
    generic_keys: set[str] = set()

    def add(place: Place, cc: str, a1: str | None, names: list[str], generic: bool) -> None:
        primary_keys = {fold(place.name), fold(names[0])}
        for key in dict.fromkeys(fold(n) for n in names):
            bucket = index.setdefault(key, []) if key else []
            if key and all(e.place != place for e in bucket):
                bucket.append(
                    _Entry(place, cc, a1, key in primary_keys, generic, key in _WEAK_NAMES)
                )

    for c in [*raw["countries"], *raw["other_countries"]]:
        name = c["name"]
        place = Place(name, None, name, None, None, "country", c.get("population"), c["geonameid"])
        add(place, c["code"], None, [name, *c.get("alternates", [])], False)
    for r in raw["admin1"]:
        place = Place(
            r["name"],
            r["name"],
            country_names[r["country"]],
            r["latitude"],
            r["longitude"],
            "admin1",
            None,
            r.get("geonameid"),
        )
        names = [r["name"], *r["alternates"]]
        for key in dict.fromkeys(fold(n) for n in names):
            admin1_keys.setdefault(key, []).append((r["country"], r["code"]))
            if r["generic"]:
                generic_keys.add(key)
        add(place, r["country"], r["code"], names, r["generic"])
    for p in raw["places"]:
        place = Place(
            p["name"],
            admin1_names[(p["cc"], p["a1"])],
            country_names[p["cc"]],
            p["lat"],
            p["lon"],
            "place",
            p["pop"],
            p["id"],
        )
        add(place, p["cc"], p["a1"], [p["ascii"], p["name"], *p["alt"]], False)
    demonyms = {fold(d): c["code"] for c in raw["countries"] for d in c.get("demonyms", [])}
    country_codes = {fold(code): code for code in country_names}
    for key, entries in index.items():
        for e in entries:
            if e.place.kind == "country":
                country_codes.setdefault(key, e.cc)
    # Fuzzy targets: the three countries' own names only ("Algerian" is no misspelling
    # of Algeria), nothing short, weak or generic.
    own = {c["code"] for c in raw["countries"]}
    fuzzy_keys = tuple(
        sorted(
            k
            for k, entries in index.items()
            if len(k.replace(" ", "")) >= _FUZZY_MIN_LETTERS - 1  # "Tillabery" -> "Tillabéri"
            and k not in _WEAK_NAMES
            and k not in generic_keys
            and all(e.cc in own for e in entries)
        )
    )
    return _Gazetteer(
        index={k: tuple(v) for k, v in index.items()},
        demonyms=demonyms,
        country_codes=country_codes,
        country_names=country_names,
        admin1_keys={k: tuple(v) for k, v in admin1_keys.items()},
        fuzzy_keys=fuzzy_keys,
        max_tokens=max(len(k.split()) for k in [*index, *demonyms]),
    )


# --- look-ups ---------------------------------------------------------------------

_REGION_SUFFIX = re.compile(r"^(?:the )?(?P<name>.+?) region$|^(?:the )?regions? of (?P<of>.+)$")


def _country_code(country: str | None) -> str | None:
    if not country:
        return None
    g = _gazetteer()
    key = fold(country)
    return g.country_codes.get(key) or g.demonyms.get(key)


def _admin1_codes(admin1: str | None, cc: str | None) -> frozenset[tuple[str, str]]:
    if not admin1:
        return frozenset()
    key = fold(admin1)
    match = _REGION_SUFFIX.match(key)
    if match:
        key = match.group("name") or match.group("of")
    codes = _gazetteer().admin1_keys.get(key, ())
    if cc and any(c == cc for c, _ in codes):
        codes = tuple(c for c in codes if c[0] == cc)
    return frozenset(codes)


def _rank(
    entry: _Entry, cc: str | None, a1s: frozenset[tuple[str, str]], region: bool
) -> tuple[int, int, int, int, int]:
    """Sort key: stated country, stated region, kind, own name, then population."""
    if region:
        kind = {"admin1": 0, "place": 1, "country": 2}[entry.place.kind]
    else:
        kind = {"country": 0, "place": 1, "admin1": 2}[entry.place.kind]
    return (
        int(cc is not None and entry.cc != cc),
        int(bool(a1s) and (entry.cc, entry.a1) not in a1s),
        kind,
        int(not entry.primary),
        -(entry.place.population or 0),
    )


def _usable(entries: Iterable[_Entry], cc: str | None, region: bool) -> list[_Entry]:
    """Drop regions named by ordinary words unless Burkina Faso is the stated country."""
    kept = [e for e in entries if not e.generic or (cc == e.cc and region)]
    if region and any(e.place.kind == "admin1" for e in kept):
        kept = [e for e in kept if e.place.kind == "admin1"]
    return kept


def _fuzzy(key: str, cc: str | None, a1s: frozenset[tuple[str, str]]) -> list[_Entry]:
    """Spelling variants ("Tillaberry", "Ouagadougu"), conservatively.

    Only names of seven letters or more, same first letter, one edit at most; when a
    country or region is stated the match must lie in it.
    """
    return list(_fuzzy_entries(key, cc, a1s))


@lru_cache(maxsize=8192)  # a document's unknown names are looked up several times each
def _fuzzy_entries(key: str, cc: str | None, a1s: frozenset[tuple[str, str]]) -> tuple[_Entry, ...]:
    letters = key.replace(" ", "")
    if len(letters) < _FUZZY_MIN_LETTERS or key in _WEAK_NAMES:
        return ()
    g = _gazetteer()
    cutoff = _FUZZY_CUTOFF_LONG if len(letters) >= 8 else _FUZZY_CUTOFF_SHORT
    hits = process.extract(key, g.fuzzy_keys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=8)
    best: list[_Entry] = []
    best_score = 0.0
    for candidate, score, _ in hits:
        if candidate[0] != key[0]:
            continue
        entries = [
            e
            for e in g.index[candidate]
            if (not a1s or (e.cc, e.a1) in a1s) and (cc is None or e.cc == cc)
        ]
        if not entries or score < best_score:
            continue
        if score > best_score:
            best, best_score = [], score
        best.extend(entries)
    return tuple(best)


def _split_query(name: str) -> tuple[str, bool]:
    key = fold(name)
    if key.startswith("the "):
        key = key[4:]
    match = _REGION_SUFFIX.match(key)
    if match:
        return (match.group("name") or match.group("of")), True
    return key, False


def lookup(name: str, *, country: str | None = None, admin1: str | None = None) -> Place | None:
    """The gazetteer entry a name denotes, or None.

    Case and accents are folded ("SEGOU" is Ségou); a close misspelling of a long name
    is accepted; "X region" asks for the region rather than the town.  Same-name places
    are told apart by the stated ``admin1``/``country`` (a name, demonym or ISO code),
    then by population; the statement is a preference, so a namesake elsewhere is still
    returned (callers that need the region to match compare ``admin1``).  Regions named by ordinary words (Sahel, Est, Nord, Centre...)
    need ``country="Burkina Faso"`` and "region", so "the Sahel" stays a Sahel.
    """
    if not name or not name.strip():
        return None
    key, region = _split_query(name)
    cc = _country_code(country)
    a1s = _admin1_codes(admin1, cc)
    entries = _usable(_gazetteer().index.get(key, ()), cc, region)
    if not name.strip()[0].isupper() and not (cc or a1s):
        entries = [e for e in entries if not e.weak]  # "say" is a verb, "Say" a town
    if not entries:
        entries = _usable(_fuzzy(key, cc, a1s), cc, region)
    if not entries:
        return None
    return min(entries, key=lambda e: _rank(e, cc, a1s, region)).place
