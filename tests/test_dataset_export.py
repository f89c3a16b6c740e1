"""``llmextract export``: ACLED-style tables whose types survive the trip through files."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from dataset_fixtures import predictions, write_run
from typer.testing import CliRunner

from llmextract.cli import app
from llmextract.dataset.columns import COLUMN_NAMES, arrow_schema
from llmextract.dataset.export import read_table

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")

INCIDENTS = sum(len(v) for v in predictions().values())


def export(paths: list[Path], fmt: str, out: Path) -> None:
    res = CliRunner().invoke(app, ["export", *map(str, paths), "--format", fmt, "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert f"wrote {INCIDENTS} rows" in res.output


@pytest.mark.parametrize("fmt", ["csv", "parquet", "jsonl"])
def test_types_survive_the_round_trip_through_pandas(tmp_path: Path, fmt: str) -> None:
    run = write_run(tmp_path)
    out = tmp_path / f"incidents.{fmt}"
    export([run], fmt, out)
    frame = read_table(out)
    assert list(frame.columns) == list(COLUMN_NAMES)
    assert len(frame) == INCIDENTS
    assert str(frame["event_date"].dtype).startswith("datetime64")
    assert str(frame["fatalities"].dtype) == "Int64"
    assert str(frame["latitude"].dtype) == "float64"
    row = frame.set_index("event_id_cnty").loc["MLI-t01_courier-0"]
    assert row["event_date"].date() == dt.date(2023, 6, 6)
    assert row["publication_date"].date() == dt.date(2023, 6, 7)
    assert row["fatalities"] == 7 and row["time_precision"] == 1
    assert row["actor1"] == "unidentified armed group" and row["location"] == "Ansongo"
    assert row["source_url"] == "https://courier.example/ansongo"
    assert row["model"] == "local" and row["strategy"] == "events"
    assert json.loads(row["evidence"])[0]["quote"].startswith("Gunmen ambushed")
    far = frame.set_index("event_id_cnty").loc["MLI-t04_far-0"]
    assert pd.isna(far["fatalities"]) and far["wounded"] == 2  # a null count stays null


def test_parquet_is_typed_for_pyarrow_and_plain_pandas(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "incidents.parquet"
    export([write_run(tmp_path)], "parquet", out)
    table = pq.read_table(out)
    assert table.schema.field("event_date").type == pa.date32()
    assert table.schema.field("fatalities").type == pa.int64()
    assert table.schema.field("latitude").type == pa.float64()
    assert table.num_rows == INCIDENTS
    assert table.column("fatalities").null_count >= 1
    plain = pd.read_parquet(out)  # no helper: the pandas metadata restores Int64
    assert str(plain["fatalities"].dtype) == "Int64"
    assert isinstance(plain["event_date"].dropna().iloc[0], dt.date)


def test_csv_reads_back_with_the_arrow_schema(tmp_path: Path) -> None:
    from pyarrow import csv

    out = tmp_path / "incidents.csv"
    export([write_run(tmp_path)], "csv", out)
    options = csv.ConvertOptions(column_types=arrow_schema(), strings_can_be_null=True)
    table = csv.read_csv(out, convert_options=options)
    assert table.num_rows == INCIDENTS
    assert table.schema.field("event_date").type == pa.date32()
    assert sorted(v for v in table.column("fatalities").to_pylist() if v is not None) == [7, 9, 12]


def test_an_events_file_exports_one_row_per_event(tmp_path: Path) -> None:
    run = write_run(tmp_path)
    events = tmp_path / "events.json"
    res = CliRunner().invoke(app, ["events", str(run), "--out", str(events)])
    assert res.exit_code == 0, res.output
    out = tmp_path / "events.parquet"
    res = CliRunner().invoke(app, ["export", str(events), "--format", "parquet", "--out", str(out)])
    assert res.exit_code == 0, res.output
    frame = read_table(out)
    assert len(frame) == 3  # the ambush told three times is one row
    ambush = frame[frame["documents"] == 3].iloc[0]
    assert ambush["doc_id"] == "t01_courier; t02_bulletin; t03_digest"
    assert ambush["publication_date"].date() == dt.date(2023, 6, 7)
    assert ambush["fatalities"] == 9 and ambush["actor1"] == "JNIM"
    assert {s["doc_id"] for s in json.loads(ambush["sources"])} == {
        "t01_courier",
        "t02_bulletin",
        "t03_digest",
    }


def test_bad_format_and_missing_run_are_one_line_errors(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["export", str(tmp_path), "--format", "xlsx"])
    assert res.exit_code == 2 and "unknown format" in res.output
    res = CliRunner().invoke(app, ["export", str(tmp_path / "nope"), "--out", str(tmp_path / "x")])
    assert res.exit_code == 2 and "does not exist" in res.output
    assert not (tmp_path / "x").exists()
