"""``runs`` and ``show``: past runs and what they hold, read from their indexes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from llmextract.cli.common import app, fail

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from llmextract.run.catalog import RunSummary
    from llmextract.run.manifest import DocumentEntry

INCIDENT_COLUMNS = (
    "incident_type", "date_start", "place", "admin1", "country", "perpetrator",
    "attribution", "target_type", "killed", "wounded", "kidnapped",
)  # fmt: skip


@app.command()
def runs(
    root: Annotated[Path, typer.Argument(help="Folder holding run folders.")] = Path("runs"),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Past runs, newest first: model, prompt, strategy, status and figures."""
    from rich.table import Table

    from llmextract.run.catalog import find_runs

    found = find_runs(root)
    if as_json:
        print(json.dumps([s.as_json() for s in found], indent=2, default=str))
        return
    if not found:
        fail(f"no runs under {root}", code=1)
    table = Table(title=f"runs under {root}")
    for column in (
        "run", "created", "status", "model", "prompt", "strategy", "docs", "failed",
        "incidents", "s/doc", "F1", "field acc.",
    ):  # fmt: skip
        table.add_column(column, overflow="fold")
    for summary in found:
        totals, scores, manifest = summary.totals, summary.scores, summary.manifest
        per_doc = totals.get("seconds_per_document")
        table.add_row(
            str(summary.folder.relative_to(root) if summary.folder != root else root),
            (manifest.created or "")[:16].replace("T", " "),
            manifest.status or "",
            manifest.model or "",
            summary.prompt,
            manifest.strategy or "",
            f"{totals.get('succeeded', 0):,}/{totals.get('documents', 0):,}",
            str(totals.get("failed", 0)),
            f"{totals.get('incidents', 0):,}",
            f"{per_doc:.1f}" if per_doc is not None else "",
            _score(scores.get("incident_f1")),
            _score(scores.get("field_accuracy")),
        )
    _wide_console().print(table)


def _wide_console() -> Console:
    """Tables as wide as they need when piped (a terminal keeps its own width)."""
    import sys

    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 200)


@app.command()
def show(
    run: Annotated[Path, typer.Argument(help="A run folder.")],
    doc: Annotated[str | None, typer.Argument(help="A document id: its incidents.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    limit: Annotated[int, typer.Option(help="Documents listed (failed ones first).")] = 30,
) -> None:
    """A run's configuration, totals and documents; or one document's incidents."""
    from llmextract.errors import LlmextractError
    from llmextract.run import catalog

    console = _wide_console()
    try:
        if doc is not None:
            extraction = catalog.extraction(run, doc)
            if as_json:
                print(json.dumps(extraction, indent=2, ensure_ascii=False))
                return
            console.print(_incident_table(doc, extraction))
            return
        summary = catalog.summarise(run)
        entries = catalog.documents(run)
    except LlmextractError as exc:
        fail(str(exc))
    if as_json:
        data = summary.as_json() | {
            "documents": {d: e.model_dump(mode="json", exclude_unset=True) for d, e in entries}
        }
        print(json.dumps(data, indent=2, default=str))
        return
    _print_run(console, summary, entries, limit)


def _print_run(
    console: Console,
    summary: RunSummary,
    entries: list[tuple[str, DocumentEntry]],
    limit: int,
) -> None:
    from rich.table import Table

    manifest, totals = summary.manifest, summary.totals
    console.print(
        f"[bold]{summary.folder}[/bold]  status: {manifest.status}  model: {manifest.model}  "
        f"prompt: {summary.prompt}  strategy: {manifest.strategy}  created: {manifest.created}",
        highlight=False,
    )
    figures = ", ".join(f"{key}: {value}" for key, value in totals.items() if value is not None)
    console.print(figures, highlight=False)
    ordered = sorted(entries, key=lambda pair: (pair[1].status != "failed", pair[0]))
    table = Table(title=f"documents ({min(limit, len(ordered))} of {len(ordered):,})")
    for column in ("document", "status", "incidents", "s", "tokens", "calls", "error"):
        table.add_column(column, overflow="fold")
    for doc_id, entry in ordered[:limit]:
        table.add_row(
            doc_id,
            entry.status if entry.status == "done" else f"[red]{entry.status}[/red]",
            str(entry.incidents),
            f"{entry.seconds:.1f}",
            str(entry.input_tokens + entry.output_tokens),
            str(entry.model_calls),
            (entry.error or "")[:120],
        )
    console.print(table)


def _incident_table(doc_id: str, extraction: dict[str, Any]) -> Table:
    from rich.table import Table

    incidents = extraction.get("incidents", [])
    table = Table(title=f"{doc_id}: {len(incidents)} incident(s)")
    table.add_column("#")
    for column in INCIDENT_COLUMNS:
        table.add_column(column, overflow="fold")
    for number, incident in enumerate(incidents, 1):
        values = [incident.get(column) for column in INCIDENT_COLUMNS]
        table.add_row(str(number), *("" if v is None else str(v) for v in values))
    return table


def _score(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else ""
