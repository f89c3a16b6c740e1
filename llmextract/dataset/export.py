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
    SPEC_FIELDS,
    TIME_PRECISION,
    arrow_schema,
    pandas_dtypes,
)
from llmextract.dataset.records import Record

ISO3 = {"Mali": "MLI", "Burkina Faso": "BFA", "Niger": "NER"}


def iso3(country: str | None) -> str:
    """Three-letter prefix of an id, ``XXX`` when the country is unknown or not listed."""
    return ISO3.get(country or "", "XXX")


def _typed(name: str, value: Any) -> Any:
    """A cell as its column's kind: enums to their value, ISO strings to dates."""
    value = getattr(value, "value", value)
    if value is None or value == "":
        return None
    kind = KINDS[name]
    if kind == "date":
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    return str(value)


def _row(values: dict[str, Any]) -> dict[str, Any]:
    """A full row from SPEC-named values plus derived and provenance columns."""
    row = {column: values.get(field) for column, field in SPEC_FIELDS.items()}
    row.update({k: v for k, v in values.items() if k in KINDS})
    precision = getattr(row["date_precision"], "value", row["date_precision"])
    row["time_precision"] = TIME_PRECISION.get(str(precision))
    return {name: _typed(name, row.get(name)) for name in COLUMN_NAMES}


def _joined(values: Iterable[Any]) -> str | None:
    return "; ".join(dict.fromkeys(str(v) for v in values if v)) or None


def incident_row(record: Record) -> dict[str, Any]:
    """One row of the incident table."""
    incident = record.incident
    sources = [s.model_dump(mode="json") for s in incident.sources]
    evidence = [e.model_dump(mode="json") for e in incident.evidence]
    return _row(
        {
            **dict(incident),
            "event_id_cnty": f"{iso3(incident.country)}-{record.doc_id}-{record.index}",
            "source": _joined(s["source"] for s in sources),
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
    )


def event_row(event: dict[str, Any]) -> dict[str, Any]:
    """One row of the event table, from an event of ``llmextract events``."""
    members = event["members"]
    published = sorted(m["published"] for m in members if m.get("published"))
    values = {k: v for k, v in event.items() if k in SPEC_FIELDS.values()}
    values["date_precision"] = event.get("date_precision")
    return _row(
        {
            **values,
            "event_id_cnty": event["event_id"],
            "source": _joined(s.get("source") for s in event.get("sources", [])),
            "sources": json.dumps(event.get("sources", []), ensure_ascii=False),
            "evidence": json.dumps(event.get("evidence", []), ensure_ascii=False),
            "source_url": _joined(m.get("url") for m in members),
            "publication_date": published[0] if published else None,
            "doc_id": _joined(m["doc_id"] for m in members),
            "documents": event.get("documents", len(members)),
            "model": _joined(m.get("model") for m in members),
            "prompt": _joined(m.get("prompt") for m in members),
            "strategy": _joined(m.get("strategy") for m in members),
        }
    )


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


def read_table(path: str | Path) -> Any:
    """Read an exported table into a pandas DataFrame with the columns' types: dates as
    ``datetime64``, counts as nullable ``Int64``, text as ``string``."""
    import pandas as pd

    path = Path(path)
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
    elif path.suffix == ".csv":
        frame = pd.read_csv(path, dtype=pandas_dtypes(), keep_default_na=False, na_values=[""])
    else:
        frame = pd.read_json(path, lines=True, dtype=False)
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
