"""``export`` (tables with ACLED-style columns) and ``events`` (one event across documents).

Each command imports the dataset stage when it runs, so ``--help`` stays light; failures a
user can cause are one line on stderr and exit 2, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from llmextract.cli.common import app, fail


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def load_events_file(path: Path) -> dict[str, Any]:
    """An events file written by ``llmextract events`` (ValueError when it is not one)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not readable JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("events"), list):
        raise ValueError(f"{path}: not an events file (no 'events' list)")
    return data


@app.command("export")
def export_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Run folders (one row per incident) or an events file "
            "from `llmextract events` (one row per event)."
        ),
    ],
    fmt: Annotated[str, typer.Option("--format", help="csv, parquet or jsonl.")] = "csv",
    out: Annotated[Path | None, typer.Option(help="Output file (default export.FORMAT).")] = None,
) -> None:
    """Write runs or events as one table with ACLED-style columns."""
    from llmextract.dataset.columns import FORMATS
    from llmextract.dataset.export import event_row, incident_row, write_table
    from llmextract.dataset.records import load_records
    from llmextract.run.folder import RunError

    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    out = out or Path(f"export.{fmt}")
    rows: list[dict[str, Any]] = []
    try:
        for path in paths:
            if path.is_file():
                rows.extend(event_row(e) for e in load_events_file(path)["events"])
            else:
                rows.extend(incident_row(r) for r in load_records([path]))
        count = write_table(rows, fmt, out)
    except (RunError, ValueError, RuntimeError) as exc:
        fail(str(exc))
    typer.echo(f"wrote {count} rows to {out}")


@app.command("events")
def events_command(
    run_dirs: Annotated[list[Path], typer.Argument(help="Run folders.")],
    out: Annotated[Path, typer.Option(help="Events file (JSON).")] = Path("events.json"),
    html: Annotated[
        Path | None, typer.Option("--html", help="Also write a page with a timeline and a map.")
    ] = None,
) -> None:
    """Merge the same event told by several documents into one event with all sources."""
    from llmextract.dataset.events import build_events, policy
    from llmextract.dataset.records import load_records
    from llmextract.run.folder import RunError

    try:
        records = load_records(run_dirs)
    except RunError as exc:
        fail(str(exc))
    events = build_events(records)
    data = {
        "runs": [str(p) for p in run_dirs],
        "incidents": len(records),
        "policy": policy(),
        "events": events,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(
        json.dumps(data, indent=1, ensure_ascii=False, default=_json_default) + "\n",
        encoding="utf-8",
    )
    tmp.replace(out)
    merged = [e for e in events if e["documents"] > 1]
    typer.echo(
        f"{len(records)} incidents -> {len(events)} events "
        f"({len(merged)} told by several documents) -> {out}"
    )
    if html is not None:
        from llmextract.dataset.report_sections import events_page

        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(events_page(events, str(out)), encoding="utf-8")
        typer.echo(f"wrote {html}")
