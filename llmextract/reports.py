"""Reports of scores: terminal tables (rich), JSON, and self-contained HTML.

The HTML is one file a reviewer can open anywhere, offline: inline CSS, no scripts, no
external URLs, every text escaped by Jinja2's autoescape.  Per document it shows the
repaired text with gold and predicted evidence spans highlighted in different colours,
then each aligned pair (and each miss and spurious prediction) side by side, with
wrong fields marked, so a figure in the headline table can be traced to the sentence
that produced it.
"""

from __future__ import annotations

import datetime as dt
import json
from enum import Enum
from itertools import pairwise
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from llmextract.compare import Comparison
from llmextract.schema import Evidence, GoldIncident, Incident
from llmextract.scoring import SCORED_FIELDS, DocumentScore, EvalResult

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


# --------------------------------------------------------------------------- JSON


def write_json(data: dict[str, Any], path: Path) -> None:
    """Write a JSON report (UTF-8, indented); parents are created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def write_text(text: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- terminal


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


def print_eval(result: EvalResult, console: Console | None = None) -> None:
    """Headline, per-field and per-document tables."""
    console = console or Console()
    data = result.to_dict()
    summary = data["summary"]
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
    for name, stat in data["fields"].items():
        fields.add_row(escape(name), pct(stat["accuracy"]), f"{stat['correct']} / {stat['total']}")
    console.print(fields)

    docs = Table(title="Documents", title_justify="left")
    for column in ("doc_id", "gold", "pred", "TP", "FP", "FN", "F1", "fields", "grounding"):
        docs.add_column(column, justify="left" if column == "doc_id" else "right")
    for doc in data["documents"]:
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
    if summary["missing_documents"]:
        console.print(
            "Missing from the run (scored as predicting nothing): "
            + ", ".join(summary["missing_documents"]),
            highlight=False,
            markup=False,
        )
    if summary["extra_documents"]:
        console.print(
            "In the run but not in the gold (not scored): " + ", ".join(summary["extra_documents"]),
            highlight=False,
            markup=False,
        )


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


# --------------------------------------------------------------------------- HTML


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("llmextract", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = pct
    env.filters["signed_pct"] = signed_pct
    env.filters["num"] = num
    return env


def display(value: Any) -> str:
    """A field value as a reviewer reads it."""
    if value is None:
        return "—"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        if not value:
            return "[]"
        parts = []
        for item in value:
            if hasattr(item, "stance") and hasattr(item, "source"):
                parts.append(f"{item.source} ({display(item.stance)})")
            elif isinstance(item, dict) and "stance" in item:
                parts.append(f"{item.get('source')} ({item['stance']})")
            else:
                parts.append(display(item))
        return "; ".join(parts)
    return str(value)


def _evidence_lines(evidence: list[Evidence], text: str | None) -> list[str]:
    lines = []
    for e in evidence:
        if e.start is None or e.end is None:
            where = "ungrounded"
        elif text is not None and text[e.start : e.end] != e.quote:
            where = f"{e.start}:{e.end}, offsets do not match the text"
        else:
            where = f"{e.start}:{e.end}"
        lines.append(f"“{e.quote}” [{where}]")
    return lines


def _pair_rows(
    doc: DocumentScore, gold: GoldIncident | None, pred: Incident | None, gold_index: int | None
) -> list[dict[str, Any]]:
    checks = {
        c.field: c.correct
        for c in doc.field_checks
        if gold_index is not None and c.gold_index == gold_index
    }
    rows: list[dict[str, Any]] = [
        {
            "field": "summary",
            "gold": gold.summary if gold else "",
            "pred": pred.summary if pred else "",
            "status": "",
            "accept": "",
        }
    ]
    for name in SCORED_FIELDS:
        status = ""
        if name in checks:
            status = "ok" if checks[name] else "wrong"
        accept = gold.accept.get(name) if gold else None
        rows.append(
            {
                "field": name,
                "gold": display(getattr(gold, name)) if gold else "",
                "pred": display(getattr(pred, name)) if pred else "",
                "status": status,
                "accept": display(accept) if accept else "",
            }
        )
    rows.append(
        {
            "field": "evidence",
            "gold": _evidence_lines(gold.evidence, doc.text) if gold else [],
            "pred": _evidence_lines(pred.evidence, doc.text) if pred else [],
            "status": "",
            "accept": "",
            "lines": True,
        }
    )
    return rows


def highlight_segments(
    text: str,
    gold_spans: list[tuple[int, int, str]],
    pred_spans: list[tuple[int, int, str]],
) -> list[dict[str, str]]:
    """Cut the text at every span boundary; each piece knows which spans cover it."""
    n = len(text)
    spans = [(s, e, lab, "gold") for s, e, lab in gold_spans if 0 <= s < e <= n]
    spans += [(s, e, lab, "pred") for s, e, lab in pred_spans if 0 <= s < e <= n]
    bounds = sorted({0, n, *(s for s, _, _, _ in spans), *(e for _, e, _, _ in spans)})
    segments = []
    for a, b in pairwise(bounds):
        covering = [(lab, side) for s, e, lab, side in spans if s <= a and b <= e]
        sides = {side for _, side in covering}
        cls = "both" if len(sides) == 2 else (next(iter(sides)) if sides else "")
        title = "; ".join(lab for lab, _ in covering)
        segments.append({"text": text[a:b], "cls": cls, "title": title})
    return segments


def _doc_view(doc: DocumentScore) -> dict[str, Any]:
    gold_spans = [
        (e.start, e.end, f"gold #{i}")
        for i, g in enumerate(doc.gold)
        for e in g.evidence
        if e.start is not None and e.end is not None
    ]
    pred_spans = [
        (e.start, e.end, f"predicted #{i}")
        for i, p in enumerate(doc.predicted)
        for e in p.evidence
        if e.start is not None
        and e.end is not None
        and (doc.text is None or doc.text[e.start : e.end] == e.quote)
    ]
    segments = highlight_segments(doc.text, gold_spans, pred_spans) if doc.text is not None else []
    cards: list[dict[str, Any]] = []
    for m in doc.matches:
        g, p = doc.gold[m.gold_index], doc.predicted[m.pred_index]
        kind = "optional" if m.optional else "match"
        wrong = len(doc.wrong_fields(m.gold_index)) if not m.optional else 0
        note = f"similarity {m.similarity:.2f}"
        if m.optional:
            note += "; optional gold, not scored"
        elif wrong:
            note += f"; {wrong} wrong field(s)"
        cards.append(
            {
                "kind": kind,
                "title": f"gold #{m.gold_index} ↔ predicted #{m.pred_index}",
                "note": note,
                "rows": _pair_rows(doc, g, p, m.gold_index),
            }
        )
    for gi in doc.missed:
        cards.append(
            {
                "kind": "missed",
                "title": f"gold #{gi}: missed",
                "note": "no prediction matched",
                "rows": _pair_rows(doc, doc.gold[gi], None, gi),
            }
        )
    matched_gold = {m.gold_index for m in doc.matches}
    for gi, g in enumerate(doc.gold):
        if g.optional and gi not in matched_gold:
            cards.append(
                {
                    "kind": "optional",
                    "title": f"gold #{gi}: optional, unmatched",
                    "note": "not a miss",
                    "rows": _pair_rows(doc, g, None, gi),
                }
            )
    for pi in doc.spurious:
        cards.append(
            {
                "kind": "spurious",
                "title": f"predicted #{pi}: spurious",
                "note": "matches no gold incident",
                "rows": _pair_rows(doc, None, doc.predicted[pi], None),
            }
        )
    return {"doc": doc.to_dict(), "segments": segments, "cards": cards}


def eval_html(result: EvalResult) -> str:
    """The eval report as one self-contained HTML page."""
    from llmextract.dataset.charts import eval_charts  # hook: SVG charts and event scores

    data = result.to_dict()
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            summary=data["summary"],
            headline=headline_rows(data["summary"]),
            fields=data["fields"],
            documents=[_doc_view(doc) for doc in result.documents],
            charts=eval_charts(result),
        )
    )


def compare_html(comparison: Comparison) -> str:
    """The comparison as one self-contained HTML page."""
    from llmextract.dataset.charts import compare_charts  # hook: SVG charts and event scores

    charts = compare_charts(comparison)
    return _env().get_template("compare.html.j2").render(comparison=comparison, charts=charts)
