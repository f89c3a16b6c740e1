"""``llmextract export``: runs (or an events file) as one table, CSV, Parquet or JSONL.

One row per incident of a run, or one row per cross-document event when given the
output of ``llmextract events``.  Column names and types come from ``columns.COLUMNS``;
``read_table`` reads any of the three formats back into pandas with those types (CSV has
no types of its own, so the reader applies them).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from llmextract.dataset.columns import (
    COLUMN_NAMES,
    FORMATS,
    KINDS,
    TIME_PRECISION,
    arrow_schema,
    pandas_dtypes,
)
from llmextract.dataset.records import Record
from llmextract.schema import Incident

ISO3 = {"Mali": "MLI", "Burkina Faso": "BFA", "Niger": "NER"}


def iso3(country: str | None) -> str:
    """Three-letter prefix of an id, ``XXX`` when the country is unknown or not listed."""
    return ISO3.get(country or "", "XXX")


def _value(value: Any) -> Any:
    return getattr(value, "value", value)


def incident_columns(incident: Incident) -> dict[str, Any]:
    """The columns a single incident fills (shared with event rows)."""
    precision = _value(incident.date_precision)
    return {
        "event_date": incident.date_start,
        "event_date_end": incident.date_end,
        "date_precision": precision,
        "time_precision": TIME_PRECISION.get(precision),
        "event_type": _value(incident.incident_type),
        "actor1": incident.perpetrator,
        "attribution": _value(incident.attribution),
        "target": incident.target,
        "target_type": _value(incident.target_type),
        "country": incident.country,
        "admin1": incident.admin1,
        "location": incident.place,
        "location_text": incident.location_text,
        "latitude": incident.latitude,
        "longitude": incident.longitude,
        "geo_precision": _value(incident.geo_precision),
        "fatalities": incident.killed,
        "wounded": incident.wounded,
        "kidnapped": incident.kidnapped,
        "perpetrators_killed": incident.perpetrators_killed,
        "confirmation": _value(incident.confirmation),
        "notes": incident.summary,
    }


def incident_row(record: Record) -> dict[str, Any]:
    """One row of the incident table."""
    incident = record.incident
    sources = [s.model_dump(mode="json") for s in incident.sources]
    evidence = [e.model_dump(mode="json") for e in incident.evidence]
    row = {
        "event_id_cnty": f"{iso3(incident.country)}-{record.doc_id}-{record.index}",
        **incident_columns(incident),
        "source": "; ".join(s["source"] for s in sources) or None,
        "sources": json.dumps(sources, ensure_ascii=False),
        "evidence": json.dumps(evidence, ensure_ascii=False),
        "source_url": record.url,
        "publication_date": record.published,
        "doc_id": record.doc_id,
        "documents": 1,
        "model": record.model,
        "prompt": record.prompt,
        "strategy": record.strategy,
    }
    return {name: row.get(name) for name in COLUMN_NAMES}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _json_cell(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def write_table(rows: Iterable[dict[str, Any]], fmt: str, out: Path) -> int:
    """Write rows in ``fmt`` to ``out`` (atomically); returns the number of rows."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    rows = list(rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    if fmt == "parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise RuntimeError('Parquet needs pyarrow: pip install "llmextract[parquet]"') from None
        schema = arrow_schema()
        table = pa.table({n: [r[n] for r in rows] for n in COLUMN_NAMES}, schema=schema)
        pq.write_table(table, tmp)
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMN_NAMES)
        for row in rows:
            writer.writerow([_cell(row[n]) for n in COLUMN_NAMES])
        tmp.write_text(buffer.getvalue(), encoding="utf-8")
    else:
        lines = [
            json.dumps({n: _json_cell(row[n]) for n in COLUMN_NAMES}, ensure_ascii=False)
            for row in rows
        ]
        tmp.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    tmp.replace(out)
    return len(rows)


def read_table(path: Path) -> Any:
    """Read an exported table into a pandas DataFrame with the columns' types: dates as
    ``datetime64``, counts as nullable ``Int64``, text as ``string``."""
    import pandas as pd

    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
    elif path.suffix == ".csv":
        frame = pd.read_csv(path, dtype=pandas_dtypes(), keep_default_na=False, na_values=[""])
    else:
        frame = pd.read_json(path, lines=True, dtype=False, convert_dates=False)
    for name in COLUMN_NAMES:
        kind = KINDS[name]
        if kind == "date":
            frame[name] = pd.to_datetime(frame[name], format="ISO8601")
        elif kind == "int":
            frame[name] = frame[name].astype("Int64")
        elif kind == "str":
            frame[name] = frame[name].astype("string")
        else:
            frame[name] = frame[name].astype("float64")
    return frame[list(COLUMN_NAMES)]
