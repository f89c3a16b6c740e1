"""Scores in the terminal: headline table, per-field table, and run comparisons (rich)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:  # scipy.stats (via compare) is slow to import and eval does not need it
    from llmextract.eval.compare import Comparison
    from llmextract.eval.results import EvalResult

HEADLINE = (
    ("incident_precision", "Incident precision"),
    ("incident_recall", "Incident recall"),
    ("incident_f1", "Incident F1"),
    ("field_accuracy", "Field accuracy"),
    ("slot_recall", "Slot recall"),
    ("grounding", "Grounding"),
)


def pct(value: float | None) -> str:
    """A share as a percentage with one decimal; n/a when undefined."""
    return "n/a" if value is None else f"{100 * value:.1f}%"


def signed_pct(value: float) -> str:
    return f"{100 * value:+.1f} pts"


def num(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def headline_rows(summary: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(label, value, counts) rows of the headline table, shared by terminal and HTML."""
    counts = {
        "incident_precision": f"{summary['tp']} TP / {summary['tp'] + summary['fp']} predicted",
        "incident_recall": f"{summary['tp']} TP / {summary['tp'] + summary['fn']} gold",
        "incident_f1": (
            f"FP {summary['fp']}, FN {summary['fn']}, "
            f"{summary['optional_matched']} matched optional"
        ),
        "field_accuracy": f"{summary['field_correct']} / {summary['field_total']} comparisons",
        "slot_recall": f"{summary['slot_correct']} / {summary['slot_total']} gold slots",
        "grounding": (
            f"{summary['quotes_grounded']} / {summary['quotes']} quotes"
            + (
                f" ({summary['quotes_unverified']} unverified)"
                if summary["quotes_unverified"]
                else ""
            )
        ),
    }
    rows = [(label, pct(summary[key]), counts[key]) for key, label in HEADLINE]
    missing = summary["missing_documents"]
    rows.append(
        (
            "Documents",
            str(summary["documents"]),
            f"{len(missing)} missing from the run" if missing else "all present in the run",
        )
    )
    return rows


# A run this small prints every document row; a larger one prints its worst documents.
ALL_ROWS_UP_TO = 50
DEFAULT_WORST = 20
# Missing or extra documents named before the list is cut short.
LISTED_IDS = 50


def print_eval(
    result: EvalResult,
    console: Console | None = None,
    worst: int | None = None,
    all_documents: bool = False,
) -> None:
    """Headline and per-field tables, then the per-document table: every row for a small
    run (or with ``all_documents``), else the ``worst`` worst documents (20 by default).

    A table of 10,000 rows helps nobody in a terminal and takes seconds to lay out; the
    full table stays in the JSON and HTML reports.
    """
    console = console or Console()
    summary = result.summary()
    for warning in summary["warnings"]:
        console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)

    title = f"{summary['run']} vs gold {summary['gold']}"
    extras = [x for x in (summary["model"], summary["prompt"], summary["strategy"]) if x]
    if extras:
        title += f" ({', '.join(extras)})"
    headline = Table(title=escape(title), title_justify="left")
    headline.add_column("figure")
    headline.add_column("value", justify="right")
    headline.add_column("counts")
    for row in headline_rows(summary):
        headline.add_row(*(escape(cell) for cell in row))
    console.print(headline)

    fields = Table(title="Field accuracy over matched pairs", title_justify="left")
    fields.add_column("field")
    fields.add_column("accuracy", justify="right")
    fields.add_column("correct / total", justify="right")
    for name, stat in result.fields().items():
        fields.add_row(escape(name), pct(stat.accuracy), f"{stat.correct} / {stat.total}")
    console.print(fields)

    total = len(result.documents)
    if all_documents or (worst is None and total <= ALL_ROWS_UP_TO):
        shown, docs_title = result.documents, "Documents"
    else:
        shown = result.worst_documents(DEFAULT_WORST if worst is None else worst)
        docs_title = f"Documents: the {len(shown)} worst of {total} (lowest F1, most wrong fields)"
    if shown:
        docs = Table(title=docs_title, title_justify="left")
        for column in ("doc_id", "gold", "pred", "TP", "FP", "FN", "F1", "fields", "grounding"):
            docs.add_column(column, justify="left" if column == "doc_id" else "right")
        for score in shown:
            doc = score.to_dict()
            doc_id = doc["doc_id"] + (" (missing)" if doc["missing_from_run"] else "")
            docs.add_row(
                escape(doc_id),
                str(doc["gold_incidents"]),
                str(doc["predicted_incidents"]),
                str(doc["tp"]),
                str(doc["fp"]),
                str(doc["fn"]),
                pct(doc["f1"]),
                pct(doc["field_accuracy"]),
                pct(doc["grounding"]),
            )
        console.print(docs)
    if len(shown) < total:
        console.print(
            f"{total - len(shown)} more documents not shown: every document is in the --json "
            "and --html reports (or print them all with --all-documents).",
            highlight=False,
            markup=False,
        )
    _print_document_list(
        console, "Missing from the run (scored as predicting nothing)", summary["missing_documents"]
    )
    _print_document_list(
        console, "In the run but not in the gold (not scored)", summary["extra_documents"]
    )


def _print_document_list(console: Console, label: str, doc_ids: list[str]) -> None:
    """``label: a, b, c``; a long list is cut to its first ids and a count."""
    if not doc_ids:
        return
    listed = ", ".join(doc_ids[:LISTED_IDS])
    if len(doc_ids) > LISTED_IDS:
        listed += f" and {len(doc_ids) - LISTED_IDS} more (see --json)"
    console.print(f"{label}: {listed}", highlight=False, markup=False)


def print_compare(comparison: Comparison, console: Console | None = None) -> None:
    """One row per run, then the pairwise differences with bootstrap intervals."""
    console = console or Console()
    runs = Table(title=escape(f"Runs scored against {comparison.gold}"), title_justify="left")
    for column in (
        "run", "model", "prompt", "strategy", "F1", "fields", "slots", "grounding",
        "s/doc", "tokens/doc",
    ):  # fmt: skip
        runs.add_column(
            column, justify="left" if column in ("run", "model", "prompt", "strategy") else "right"
        )
    for row in comparison.runs:
        runs.add_row(
            escape(row.label),
            escape(row.model or "-"),
            escape(row.prompt or "-"),
            escape(row.strategy or "-"),
            pct(row.incident_f1),
            pct(row.field_accuracy),
            pct(row.slot_recall),
            pct(row.grounding),
            num(row.seconds_per_document),
            num(row.tokens_per_document, 0),
        )
    console.print(runs)
    pairs = Table(
        title=(
            f"Incident F1 differences, paired bootstrap over {comparison.documents} documents "
            f"({comparison.resamples} resamples, seed {comparison.seed}, "
            f"{comparison.confidence:.0%} CI)"
        ),
        title_justify="left",
    )
    for column in ("A", "B", "F1 A - B", "95% CI", "verdict"):
        pairs.add_column(column)
    for pair in comparison.pairs:
        pairs.add_row(
            escape(pair.a),
            escape(pair.b),
            signed_pct(pair.difference),
            escape(f"[{signed_pct(pair.ci_low)}, {signed_pct(pair.ci_high)}]"),
            escape(pair.verdict),
        )
    console.print(pairs)
