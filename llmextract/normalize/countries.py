"""Which country a text is in when its place does not say: the document's one country,
a Sahel demonym in the sentence, and gazetteer matches the text contradicts."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from llmextract.normalize.places import Location
from llmextract.normalize.text import fold
from llmextract.schema import GeoPrecision

_DEMONYMS = {
    "malian": "Mali",
    "burkinabe": "Burkina Faso",
    "burkinabé": "Burkina Faso",
    "nigerien": "Niger",
}


_COUNTRY_WORDS = {
    "Mali": re.compile(r"\b(Mali|Malian)s?\b"),
    "Burkina Faso": re.compile(r"\b(Burkina|Burkinabe|Burkinabé)\b"),
    "Niger": re.compile(r"\b(Niger|Nigerien)s?\b(?! River)"),
}


def countries_named(text: str) -> set[str]:
    return {country for country, pattern in _COUNTRY_WORDS.items() if pattern.search(text)}


@lru_cache(maxsize=8)
def document_country(text: str) -> str | None:
    """The country a document is about: named (or its people named) at least twice as
    often as any other; None for a regional round-up."""
    counts = sorted(
        ((len(pattern.findall(text)), country) for country, pattern in _COUNTRY_WORDS.items()),
        reverse=True,
    )
    (top, country), (second, _) = counts[0], counts[1]
    return country if top >= 2 and top >= 2 * second else None


def with_document_country(location: Location, document: str) -> Location:
    """A place the gazetteer lacks, or an event with no place, in a document about one
    country is in that country."""
    if location.country or location.admin1:
        return location
    country = document_country(document)
    if country is None:
        return location
    precision = location.geo_precision if location.place else GeoPrecision.country
    return replace(location, country=country, geo_precision=precision)


def consistent_with_context(location: Location, window: str, document: str = "") -> Location:
    """Drop a gazetteer match that the text contradicts.

    A spelling-variant match (the name is not literally in the text) in a country the text
    never names, while it names another, is a near-homonym elsewhere: keep only the country
    the text gives.  With no country in the window, the whole document's countries count.
    """
    if not location.place or not location.country or fold(location.place) in fold(window):
        return location
    named = countries_named(window) or countries_named(document)
    if not named or location.country in named:
        return location
    country = next(iter(named)) if len(named) == 1 else None
    precision = GeoPrecision.country if country else GeoPrecision.unknown
    return Location(None, None, country, precision, None, None)


def with_demonym_country(location: Location, sentence: str) -> Location:
    """A sentence that names no place but one Sahel demonym ("a Burkinabe gendarmerie post")
    still tells the country."""
    if location.country or location.place or location.admin1:
        return location
    found = {
        country for word, country in _DEMONYMS.items() if re.search(rf"\b{word}\b", sentence, re.I)
    }
    if len(found) != 1:
        return location
    return replace(location, country=found.pop(), geo_precision=GeoPrecision.country)
