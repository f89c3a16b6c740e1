"""The table's columns: names (ACLED's where ACLED has one) and types, in one place.

Every writer (CSV, JSONL, Parquet) and every reader helper takes names and types from
``COLUMNS``, so a column added here appears in all formats with the same type.  Kinds:
``str``, ``date`` (ISO day), ``int`` (nullable integer), ``float``.
"""

from __future__ import annotations

from typing import Any

# (column, kind, meaning).  ACLED names: event_id_cnty, event_date, time_precision,
# actor1, country, admin1, location, latitude, longitude, geo_precision, source, notes,
# fatalities.  The rest are SPEC fields and provenance ACLED has no column for.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("event_id_cnty", "str", "incident id (ISO3-doc-index) or cross-document event id"),
    ("event_date", "date", "first day of the event's date range"),
    ("event_date_end", "date", "last day of the range (equal for a single day)"),
    ("date_precision", "str", "SPEC date precision: day, days, week, month, year, unknown"),
    ("time_precision", "int", "ACLED code: 1 day, 2 within a week, 3 month or wider"),
    ("event_type", "str", "SPEC incident_type (the primary tactic)"),
    ("actor1", "str", "perpetrator, canonical SPEC actor name"),
    ("attribution", "str", "claimed, attributed, suspected, unknown"),
    ("target", "str", "who or what was attacked, as written"),
    ("target_type", "str", "SPEC target_type"),
    ("country", "str", "country"),
    ("admin1", "str", "first-level region"),
    ("location", "str", "most specific named place"),
    ("location_text", "str", "location as written"),
    ("latitude", "float", "from the gazetteer"),
    ("longitude", "float", "from the gazetteer"),
    ("geo_precision", "str", "place, near, admin1, country, unknown"),
    ("fatalities", "int", "killed (conservative figure)"),
    ("wounded", "int", "wounded"),
    ("kidnapped", "int", "kidnapped"),
    ("perpetrators_killed", "int", "attackers killed"),
    ("confirmation", "str", "confirmed, unconfirmed, disputed, unknown"),
    ("source", "str", "who said it, '; '-joined (ACLED's source column)"),
    ("sources", "str", "JSON list of {source, stance} (and doc_id for events)"),
    ("evidence", "str", "JSON list of verbatim quotes with offsets (and doc_id for events)"),
    ("notes", "str", "one-sentence summary"),
    ("source_url", "str", "article URL(s), '; '-joined"),
    ("publication_date", "date", "article publication date (the earliest, for events)"),
    ("doc_id", "str", "document id(s), '; '-joined"),
    ("documents", "int", "number of documents telling the event"),
    ("model", "str", "model spec of the run"),
    ("prompt", "str", "prompt name@hash of the run"),
    ("strategy", "str", "extraction strategy of the run"),
)
COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _, _ in COLUMNS)
KINDS: dict[str, str] = {name: kind for name, kind, _ in COLUMNS}
FORMATS = ("csv", "parquet", "jsonl")

# Columns that hold one SPEC field as it is (column -> SPEC field); the others are
# derived (time_precision, source, ...) or provenance.
SPEC_FIELDS: dict[str, str] = {
    "event_date": "date_start",
    "event_date_end": "date_end",
    "date_precision": "date_precision",
    "event_type": "incident_type",
    "actor1": "perpetrator",
    "attribution": "attribution",
    "target": "target",
    "target_type": "target_type",
    "country": "country",
    "admin1": "admin1",
    "location": "place",
    "location_text": "location_text",
    "latitude": "latitude",
    "longitude": "longitude",
    "geo_precision": "geo_precision",
    "fatalities": "killed",
    "wounded": "wounded",
    "kidnapped": "kidnapped",
    "perpetrators_killed": "perpetrators_killed",
    "confirmation": "confirmation",
    "notes": "summary",
}

# ACLED time_precision from SPEC date_precision; unknown has no code.
TIME_PRECISION: dict[str, int] = {"day": 1, "days": 2, "week": 2, "month": 3, "year": 3}

_PANDAS_DTYPES = {"str": "string", "int": "Int64", "float": "float64"}


def pandas_dtypes() -> dict[str, str]:
    """``dtype=`` for ``pandas.read_csv``; date columns go to ``parse_dates``."""
    return {name: _PANDAS_DTYPES[kind] for name, kind in KINDS.items() if kind != "date"}


def date_columns() -> list[str]:
    return [name for name, kind in KINDS.items() if kind == "date"]


def arrow_schema() -> Any:
    """The pyarrow schema of the table, with pandas metadata so that
    ``pandas.read_parquet`` gives nullable integers (Int64), not floats."""
    import json

    import pyarrow as pa

    types = {"str": pa.string(), "date": pa.date32(), "int": pa.int64(), "float": pa.float64()}
    numpy = {"str": "object", "date": "object", "int": "Int64", "float": "float64"}
    pandas_kind = {"str": "unicode", "date": "date", "int": "int64", "float": "float64"}
    meta = {
        "index_columns": [],
        "column_indexes": [],
        "columns": [
            {
                "name": n,
                "field_name": n,
                "pandas_type": pandas_kind[k],
                "numpy_type": numpy[k],
                "metadata": None,
            }
            for n, k in KINDS.items()
        ],
        "pandas_version": "2.0",
    }
    fields = [pa.field(name, types[kind]) for name, kind in KINDS.items()]
    return pa.schema(fields, metadata={"pandas": json.dumps(meta)})
