"""Places of Mali, Burkina Faso and Niger: gazetteer look-ups and locations as written.

The SPEC wants ``place``/``admin1``/``country`` in their proper spelling and
``latitude``/``longitude`` from a gazetteer, never from a model.  This module owns that
step: it reads ``llmextract/data/gazetteer.json.gz`` (GeoNames cities500 plus the
regions of ``gazetteer_supplement.json``, built by ``scripts/build_gazetteer.py``) and
turns a location as a news article writes it ("near the town of X in the central Y
region") into a :class:`Location`.  It is deliberately conservative: a name that is
also an ordinary word, a region named like the Sahel itself, or a fuzzy match on a
short word never becomes a place, because a wrong coordinate is worse than none.
Place names the gazetteer lacks (most villages) are kept as written, without
coordinates.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any, Literal

from rapidfuzz import fuzz, process

from llmextract.normalize.lexicon import words
from llmextract.normalize.text import fold, strip_accents
from llmextract.schema import GeoPrecision

PlaceKind = Literal["place", "admin1", "country"]

__all__ = ["Location", "Place", "PlaceKind", "find_places", "lookup", "resolve_location"]


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
    letters = key.replace(" ", "")
    if len(letters) < _FUZZY_MIN_LETTERS or key in _WEAK_NAMES:
        return []
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
    return best


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


# --- scanning text ----------------------------------------------------------------

_TOKEN = re.compile(r"[^\W\d_](?:[\w'’-]*[^\W_])?")
_POSSESSIVE = re.compile(r"['’]s$")
_JOINERS = frozenset({"du", "de", "des", "la", "le", "el", "al", "of", "d", "n"})
_GAP = re.compile(r"[ \t]+")
# Capitalised words that are never place names (function words, titles, peoples, months,
# words of armed groups' names): ``not_place_words`` of the lexicon.
_NOT_PLACES = frozenset(fold(w) for w in words("not_place_words"))
_PLACE_NOUNS = "(?:" + "|".join(re.escape(n) for n in words("place_nouns")) + ")"
_DIRECTIONS = r"(?:north|south|east|west)(?:-?(?:east|west))?(?:ern)?"
_NOUN_OF_END = re.compile(rf"\b{_PLACE_NOUNS}\s+of\s+$", re.I)
_NEAR = (
    r"near|nearby|close\s+to|outside(?:\s+of)?|not\s+far\s+from|around|between"
    r"|(?:outskirts|vicinity|environs|area)\s+of"
    rf"|(?:km|kms|kilometers|kilometres|miles)\s+(?:\(\s*[\d.,]+\s*\w+\s*\)\s+)?(?:{_DIRECTIONS}\s+)?(?:of|from)"
    rf"|{_DIRECTIONS}\s+of"
)
# "near the northern Malian city of X": a near-word, then an optional description.
_NEAR_DESCRIBED_END = re.compile(
    rf"\b(?:{_NEAR})\s+(?:(?:the|its|their)\s+)?(?:(?:[\w'’-]+\s+){{0,3}}?{_PLACE_NOUNS}\s+(?:of\s+)?)?$",
    re.I,
)
_BETWEEN_AND_END = re.compile(r"\bbetween\b.*\b(?:and|or)\s+$", re.I)
_NEAR_END = re.compile(rf"\b(?:{_NEAR})\s+(?:the\s+)?$", re.I)
_IN_AT_END = re.compile(r"\b(?:in|at)\s+$", re.I)
_NEAR_AFTER = re.compile(r"^\s+(?:area|outskirts|environs|vicinity)\b", re.I)
_NOUN_AFTER = re.compile(
    r"^\s+(?:(?:military|army|police|gendarmerie|security|gold)\s+)?"
    rf"(?:(?:{_PLACE_NOUNS}|prison|jail|checkpoint|post|airport|mine|station)\b(?!\s+of)|area\b)",
    re.I,
)
_REGION_AFTER = re.compile(r"^\s+regions?\b", re.I)
# "X, a village in ...", "X, a small town 30 km from ...": the name is described as a place.
DESCRIBED_AFTER = re.compile(
    r"^\s*,\s*(?:a|an|the)\s+(?:[\w'’-]+\s+){0,3}?(?:village|town|hamlet|locality|commune|"
    r"settlement|city|community|market town|rural commune|district|gold[- ]mining site|mining site)s?\b",
    re.I,
)
# "gunmen attacked X", "stormed X": a capitalised object of an attack verb is a place.
_ATTACKED_END = re.compile(
    r"(?:\b(?:attacked|stormed|raided|overran|besieged|entered|surrounded|shelled|bombed|struck|"
    r"hit|targeted)"
    r"|\b(?:attack|raid|assault|ambush|strike|massacre|killings?)s?\s+(?:on|in|at|against))\s+"
    r"(?:the\s+)?(?:(?:village|town|locality|commune|hamlet)\s+of\s+)?$",
    re.I,
)
_REGION_OF_END = re.compile(
    r"\bregions?\s+of\s+(?:the\s+)?(?:[^\W\d_][\w'’-]*(?:\s*,\s*|\s+(?:and|or)\s+))*$", re.I
)
_REGION_LIST_AFTER = re.compile(
    r"^(?:\s*,\s*|\s+(?:and|or)\s+)(?:[^\W\d_][\w'’-]*\s+){1,3}?regions\b", re.I
)
_NOT_PLACE_AFTER = re.compile(
    r"^\s+(?:province|department|prefecture|cercle|district|river|forest|lake|mountains?"
    r"|state|delta|basin|valley|border|frontier)\b",
    re.I,
)
_NIGER_NOT_COUNTRY = re.compile(r"^\s+(?:river|delta|state|bend|basin|valley|inland)\b", re.I)
_BORDER_BEFORE = re.compile(r"\b(?:borders?|frontiers?|bordering|tri-border)\b", re.I)
_BORDER_AFTER = re.compile(r"^(?:['’]s)?\s*(?:-\s*\w+\s+)?(?:border|frontier)", re.I)
_CLAUSE_BREAK = re.compile(r"[.;:!?()\[\]\n,]")


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    text: str
    key: str
    entries: tuple[_Entry, ...]  # empty when the gazetteer does not know the name
    demonym: str | None = None  # country code of a demonym ("Malian")


def _clause_before(text: str, start: int) -> str:
    """The text before ``start`` back to the nearest comma or sentence break."""
    window = text[max(0, start - 100) : start]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    return window[breaks[-1].end() :] if breaks else window


@cache
def _actor_keys() -> frozenset[str]:
    """Folded actor aliases ("Katiba Macina", "G5 Sahel"): their words are not places."""
    from llmextract.normalize.actors import alias_table

    return frozenset(alias_table())


def _sequences(text: str) -> list[list[tuple[int, int, bool]]]:
    """Runs of capitalised words ("Boucle du Mouhoun"), as (start, end, capitalised)."""
    runs: list[list[tuple[int, int, bool]]] = []
    current: list[tuple[int, int, bool]] = []
    previous_end = -1
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        possessive = _POSSESSIVE.search(match.group())
        if possessive:
            end -= len(possessive.group())
        word = text[start:end]
        capitalised = word[0].isupper()
        joiner = fold(word) in _JOINERS
        adjacent = current and _GAP.fullmatch(text[previous_end:start]) is not None
        if not (capitalised or (joiner and adjacent)):
            if current:
                runs.append(current)
            current = []
        else:
            if current and not adjacent:
                runs.append(current)
                current = []
            current.append((start, end, capitalised))
        previous_end = end if not possessive else -1  # "Mali's Ségou" is two runs
    if current:
        runs.append(current)
    for run in runs:  # a run neither starts nor ends with a joiner
        while run and not run[-1][2]:
            run.pop()
    return [run for run in runs if run and run[0][2]]


def _could_be_name(word: str) -> bool:
    """An unknown capitalised word that may name a village: no acronym, stopword or date."""
    parts = fold(word).split()
    # Villages named for a people ("Tansèga-Mossi", "Gassel-Peulh"): only the first part of
    # a hyphenated name says whether it is a name at all ("UN-French" is not).
    return (
        not word.isupper()
        and bool(parts)
        and (
            parts[0] not in _NOT_PLACES if "-" in word else not any(p in _NOT_PLACES for p in parts)
        )
    )


def _scan(text: str) -> list[_Mention]:
    """Known names (longest first) and unknown capitalised words, in text order."""
    g = _gazetteer()
    actors = _actor_keys()
    mentions: list[_Mention] = []
    for run in _sequences(text):
        # Actor names first: "Katiba Macina" and "G5 Sahel" name groups, not places.
        taken = [False] * len(run)
        for i in range(len(run)):
            for j in range(len(run) - 1, i - 1, -1):
                key = fold(text[run[i][0] : run[j][1]])
                if key in actors and (j > i or key not in g.index):
                    taken[i : j + 1] = [True] * (j + 1 - i)
                    break
        i = 0
        while i < len(run):
            if taken[i] or not run[i][2]:
                i += 1
                continue
            for j in range(min(len(run) - 1, i + g.max_tokens - 1), i - 1, -1):
                if not run[j][2] or any(taken[i : j + 1]):
                    continue
                start, end = run[i][0], run[j][1]
                key = fold(text[start:end])
                if key in g.index or key in g.demonyms:
                    mentions.append(
                        _Mention(
                            start,
                            end,
                            text[start:end],
                            key,
                            g.index.get(key, ()),
                            g.demonyms.get(key),
                        )
                    )
                    i = j + 1
                    break
            else:
                # An unknown word, joined with the unknown capitalised words after it;
                # "UN-French", "JNIM" or "Monday" never start or extend one.
                if not _could_be_name(text[run[i][0] : run[i][1]]):
                    i += 1
                    continue
                j = i
                while (
                    j + 1 < len(run)
                    and not taken[j + 1]
                    and (not run[j + 1][2] or _could_be_name(text[run[j + 1][0] : run[j + 1][1]]))
                    and fold(text[run[j + 1][0] : run[j + 1][1]]) not in g.index
                ):
                    j += 1
                while j > i and not run[j][2]:
                    j -= 1
                start, end = run[i][0], run[j][1]
                mentions.append(_Mention(start, end, text[start:end], fold(text[start:end]), ()))
                i = j + 1
    return mentions


@cache
def _admin2_table() -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    """Second-level divisions ("Loroum province", "the Filingué department", "Bankass
    cercle") and their (country code, region name), from ``data/admin2.json``."""
    raw = json.loads(resources.files("llmextract.data").joinpath("admin2.json").read_text("utf-8"))
    regions: dict[str, tuple[str, str]] = {}
    for cc, by_region in raw.items():
        if cc.startswith("_"):
            continue
        for region_name, divisions in by_region.items():
            for name in divisions:
                regions[fold(name)] = (cc, region_name)
    names = "|".join(sorted((re.escape(strip_accents(n)) for n in regions), key=len, reverse=True))
    kind = r"(?:province|department|d[eé]partement|cercle|prefecture)"
    pattern = re.compile(
        rf"\b(?P<a>{names})\s+{kind}\b|\b{kind}\s+of\s+(?P<b>{names})\b", re.IGNORECASE
    )
    return pattern, regions


def _admin2_region(text: str, hint: str | None) -> tuple[_Entry | None, set[int]]:
    """The region of the first second-level division the text names as one."""
    pattern, regions = _admin2_table()
    plain = strip_accents(text)
    for m in pattern.finditer(plain if len(plain) == len(text) else text):
        name = m.group("a") or m.group("b")
        cc, region_name = regions[fold(name)]
        if hint and cc != hint:
            continue
        entries = [
            e
            for e in _gazetteer().index.get(fold(region_name), ())
            if e.place.kind == "admin1" and e.cc == cc
        ]
        if entries:
            start = m.start("a") if m.group("a") else m.start("b")
            return entries[0], {start}
    return None, set()


def _is_region_word(text: str, m: _Mention) -> bool:
    """ "the Mopti region", "region of Mopti", "the Mopti and Ségou regions"."""
    after = text[m.end :]
    return bool(
        _REGION_AFTER.match(after)
        or _REGION_LIST_AFTER.match(after)
        or _REGION_OF_END.search(_clause_before(text, m.start))
    )


def _kinds(m: _Mention, kind: PlaceKind) -> list[_Entry]:
    return [e for e in m.entries if e.place.kind == kind]


def _country_mentions(text: str, mentions: list[_Mention]) -> tuple[set[str], set[str]]:
    """Countries the text places things in, and countries named by a demonym.

    "near the frontier with Niger" names a neighbour, not the location, and
    "the Niger River" is no country.
    """
    stated: set[str] = set()
    demonyms: set[str] = set()
    for m in mentions:
        if m.demonym:
            if not _BORDER_AFTER.match(text[m.end :]):  # "near the Malian border"
                demonyms.add(m.demonym)
            continue
        countries = _kinds(m, "country")
        if not countries:
            continue
        if m.key == "niger" and _NIGER_NOT_COUNTRY.match(text[m.end :]):
            continue
        before = text[max(0, m.start - 60) : m.start]
        cut = list(re.finditer(r"[.;:!?()\n]", before))
        before = before[cut[-1].end() :] if cut else before
        if _BORDER_BEFORE.search(before) or _BORDER_AFTER.match(text[m.end :]):
            continue
        if re.search(r"\bfrom\s+(?:neighbou?ring\s+)?$", before, re.I):
            continue  # "jihadists from Mali": where they came from, not where it happened
        stated.add(countries[0].cc)
    return stated, demonyms


def _near_before(before: str) -> bool:
    """ "near X", "near the northern Malian city of X", "50 km south of X", "between X"."""
    return bool(_NEAR_DESCRIBED_END.search(before))


def _in_place_position(text: str, m: _Mention, following: _Mention | None, strict: bool) -> bool:
    """Whether a name is written where a place goes.

    "town of X", "near X", "between X and Y", "X village", "X, Mali"; and, unless
    ``strict`` (a whole sentence rather than a location phrase), "in X", "at X" or a
    phrase that starts with X.
    """
    after = text[m.end :]
    before = _clause_before(text, m.start)
    if _NOUN_OF_END.search(before) or _near_before(before) or _NOUN_AFTER.match(after):
        return True
    if DESCRIBED_AFTER.match(after) or _ATTACKED_END.search(text[max(0, m.start - 60) : m.start]):
        return True
    if _BETWEEN_AND_END.search(before):
        return True
    if (
        following is not None
        and re.fullmatch(r"\s*,\s*(?:in\s+)?(?:the\s+)?", text[m.end : following.start])
        and any(e.place.kind in ("country", "admin1") for e in following.entries)
    ):
        return True
    if bool(_IN_AT_END.search(before)):
        return True
    return not strict and not text[: m.start].strip()


def _unknown_is_place(text: str, m: _Mention, following: _Mention | None, strict: bool) -> bool:
    """Whether a capitalised word the gazetteer lacks is written as a place name."""
    if m.key in _NOT_PLACES or m.key in _actor_keys() or not _could_be_name(m.text):
        return False
    after = text[m.end :]
    if _NOT_PLACE_AFTER.match(after) or _REGION_AFTER.match(after):
        return False
    return _in_place_position(text, m, following, strict)


def _is_near(text: str, m: _Mention) -> bool:
    before = _clause_before(text, m.start)
    after = text[m.end :]
    return bool(
        _near_before(before)
        or _BETWEEN_AND_END.search(before)
        or _NEAR_AFTER.match(after)
        or _REGION_AFTER.match(after)
    )


def _place_from_entries(
    entries: list[_Entry], cc: str | None, a1s: frozenset[tuple[str, str]]
) -> _Entry | None:
    if not entries:
        return None
    return min(entries, key=lambda e: _rank(e, cc, a1s, False))


def _country_context(text: str, mentions: list[Any]) -> tuple[str | None, set[str], bool]:
    """The one country a text names (or, failing that, its one demonym), the countries it
    names, and whether it speaks of Burkina Faso (which makes "Sahel", "Est"... regions)."""
    stated, demonyms = _country_mentions(text, mentions)
    hint = next(iter(stated)) if len(stated) == 1 else None
    if hint is None and len(demonyms) == 1:
        hint = next(iter(demonyms))
    return hint, stated, "BF" in stated or "BF" in demonyms


def _resolve(text: str, *, strict: bool) -> Location:
    g = _gazetteer()
    mentions = _scan(text)
    hint, stated, burkina_context = _country_context(text, mentions)

    # The stated region: "the Mopti region", "region of Ségou", "Boucle du Mouhoun".
    region: _Entry | None = None
    region_mentions: set[int] = set()
    for m in mentions:
        admin1 = _kinds(m, "admin1")
        if not admin1:
            continue
        worded = _is_region_word(text, m)
        only_region = not _kinds(m, "place") and not _kinds(m, "country")
        admin1 = [e for e in admin1 if not e.generic or (burkina_context and worded)]
        if admin1 and (worded or only_region):
            region_mentions.add(m.start)
            if region is None:
                region = min(admin1, key=lambda e: _rank(e, hint, frozenset(), True))
    if region is None:
        region, admin2_starts = _admin2_region(text, hint)
        region_mentions |= admin2_starts
    region_codes = frozenset({(region.cc, region.a1)}) if region and region.a1 else frozenset()
    place_hint = region.cc if region else hint

    # The most specific place: the first written in a place position ("in X", "near
    # X", "town of X"), else the first known place at all.  Unknown words count only
    # in a place position; names that are also ordinary words likewise.
    candidates: list[tuple[_Mention, list[_Entry], bool]] = []
    for n, m in enumerate(mentions):
        if m.start in region_mentions or m.demonym:
            continue
        following = mentions[n + 1] if n + 1 < len(mentions) else None
        positioned = _in_place_position(text, m, following, strict=False)
        if m.entries:
            places = _kinds(m, "place")
            if not places or (all(e.weak for e in places) and not positioned):
                continue
            places = [e for e in places if not e.weak] or places
        elif _unknown_is_place(text, m, following, strict):
            places = _fuzzy(m.key, place_hint, region_codes)
        else:
            continue
        candidates.append((m, places, positioned))
    if candidates:
        m, places, _ = next((c for c in candidates if c[2]), candidates[0])
        entry = _place_from_entries(places, place_hint, region_codes)
        precision = GeoPrecision.near if _is_near(text, m) else GeoPrecision.place
        fuzzy = not m.entries
        conflict = entry is not None and (
            (region_codes and (entry.cc, entry.a1) not in region_codes)
            or (not strict and hint in stated and entry.cc != hint)
            # A spelling match for a name the gazetteer lacks stands only where the text's
            # country agrees: never a namesake in another country.
            or (fuzzy and (place_hint is None or entry.cc != place_hint))
        )
        if entry is not None and not conflict:
            p = entry.place
            return Location(p.name, p.admin1, p.country, precision, p.latitude, p.longitude)
        # Unknown to the gazetteer, or a namesake elsewhere: keep the name as written,
        # the region the text gives, a country the text or its other places give, and
        # no coordinates.
        known = [e for c, es, _ in candidates if c.entries for e in es if not e.weak]
        others = {e.cc for e in known}
        cc = region.cc if region else hint or (others.pop() if len(others) == 1 else None)
        # "X, a village in the Y department", "X, 25 km from Y": X lies in Y's region.
        regions = {e.place.admin1 for e in known if e.cc == cc and e.place.admin1}
        admin1 = region.place.name if region else (regions.pop() if len(regions) == 1 else None)
        return Location(
            place=m.text.strip(),
            admin1=admin1,
            country=g.country_names.get(cc) if cc else None,
            geo_precision=precision,
        )

    if region is not None:
        p = region.place
        return Location(None, p.name, p.country, GeoPrecision.admin1, p.latitude, p.longitude)
    if hint is not None and hint in stated:
        return Location(country=g.country_names[hint], geo_precision=GeoPrecision.country)
    return Location()


def resolve_location(location_text: str | None, *, fallback_text: str = "") -> Location:
    """Place, region, country, precision and coordinates of a location as written.

    ``location_text`` is the phrase an article (or a model quoting it) uses, e.g. "near
    the town of X in the central Y region"; when it yields nothing, ``fallback_text``
    (an evidence sentence) is read the same way, more strictly.  Coordinates come only
    from the gazetteer entry of the place; a region or country alone has none unless
    the gazetteer gives them.
    """
    found = Location()
    for text, strict in ((location_text or "", False), (fallback_text or "", True)):
        if not text.strip():
            continue
        location = _resolve(text, strict=strict)
        if found.geo_precision is GeoPrecision.unknown:
            found = location
        elif location.place and not found.place and _agrees(found, location):
            # "in the Ségou region" as the phrase, "Tinsakoye, a village in the Ségou
            # region" in the sentence: the sentence names the more specific place.
            found = location
        elif (
            found.place
            and location.place
            and fold(found.place) == fold(location.place)
            and _detail(location) > _detail(found)
        ):
            found = replace(location, geo_precision=found.geo_precision)  # "at X" + "X's region"
    return found


def _detail(location: Location) -> int:
    return sum(v is not None for v in (location.admin1, location.country, location.latitude))


def _agrees(broad: Location, specific: Location) -> bool:
    """Whether a specific location lies in the region or country a broader one gives."""
    if broad.admin1 and specific.admin1 and fold(broad.admin1) != fold(specific.admin1):
        return False
    return not (broad.country and specific.country and broad.country != specific.country)


def find_places(text: str) -> list[tuple[int, int, Place]]:
    """Character spans of known place, region and country names in ``text``.

    Names must be capitalised and whole words; the longest name wins ("Boucle du
    Mouhoun" over nothing, "Nioro du Sahel" over "Sahel").  Names that are also common
    words, and regions named like "Sahel" outside a Burkina Faso "... region", are
    skipped, so other modules can trust every span.
    """
    mentions = _scan(text)
    hint, _stated, burkina_context = _country_context(text, mentions)
    found: list[tuple[int, int, Place]] = []
    for m in mentions:
        if not m.entries:
            continue
        if m.key == "niger" and _NIGER_NOT_COUNTRY.match(text[m.end :]):
            continue
        worded = _is_region_word(text, m)
        entries = [
            e for e in m.entries if not e.weak and (not e.generic or (burkina_context and worded))
        ]
        if not entries:
            continue
        best = min(entries, key=lambda e: _rank(e, hint, frozenset(), worded))
        found.append((m.start, m.end, best.place))
    return found
