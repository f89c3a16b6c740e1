"""Places of Mali, Burkina Faso and Niger: locations as written, resolved.

The SPEC wants ``place``/``admin1``/``country`` in their proper spelling and
``latitude``/``longitude`` from a gazetteer (``normalize.gazetteer``), never from a
model.  This module turns a location as a news article writes it ("near the town of X
in the central Y region") into a :class:`Location`, from the names
``normalize.place_scan`` finds.  It is deliberately conservative: a name that is also an
ordinary word, a region named like the Sahel itself, or a fuzzy match on a short word
never becomes a place, because a wrong coordinate is worse than none.  Place names the
gazetteer lacks (most villages) are kept as written, without coordinates.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from functools import cache
from importlib import resources
from typing import Any

from llmextract.normalize.gazetteer import (
    Location,
    Place,
    PlaceKind,
    _Entry,
    _fuzzy,
    _gazetteer,
    _rank,
    lookup,
)
from llmextract.normalize.lexicon import words
from llmextract.normalize.place_scan import (
    _NOT_PLACES,
    _actor_keys,
    _clause_before,
    _could_be_name,
    _Mention,
    _scan,
)
from llmextract.normalize.text import fold, strip_accents
from llmextract.schema import GeoPrecision

__all__ = ["Location", "Place", "PlaceKind", "find_places", "lookup", "resolve_location"]


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


_DIVISION_WORD = re.compile(r"(?:province|department|d[eé]partement|cercle|prefecture)", re.I)


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
    kind = _DIVISION_WORD.pattern
    pattern = re.compile(
        rf"\b(?P<a>{names})\s+{kind}\b|\b{kind}\s+of\s+(?P<b>{names})\b", re.IGNORECASE
    )
    return pattern, regions


def _admin2_region(text: str, hint: str | None) -> tuple[_Entry | None, set[int]]:
    """The region of the first second-level division the text names as one."""
    plain = strip_accents(text)
    scanned = plain if len(plain) == len(text) else text
    if not _DIVISION_WORD.search(scanned):  # both forms name the kind: most texts skip the scan
        return None, set()
    pattern, regions = _admin2_table()
    for m in pattern.finditer(scanned):
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
