"""Scores as one self-contained HTML page a reviewer can open anywhere, offline.

Inline CSS, no scripts, no external URLs, every text escaped by Jinja2's autoescape.  Per
document it shows the repaired text with gold and predicted evidence spans highlighted in
different colours, then each aligned pair (and each miss and spurious prediction) side by
side, with wrong fields marked, so a figure in the headline table can be traced to the
sentence that produced it.  Templates are package data in ``report/templates/``.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from itertools import pairwise
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from llmextract.eval.comparators import SCORED_FIELDS
from llmextract.eval.compare import Comparison
from llmextract.eval.results import DocumentScore, EvalResult
from llmextract.report.terminal import headline_rows, num, pct, signed_pct
from llmextract.schema import Evidence, GoldIncident, Incident


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("llmextract.report", "templates"),
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


# A run up to this size shows every document in full (text, highlights, incident cards);
# a larger one shows its worst documents in full and every document as a table row.  A
# section is about 7 kB, so 10,000 of them would make a 70 MB page no browser opens well.
DETAILED_DOCUMENTS = 200
# The per-document table is cut into pages of this many rows, switched by links (CSS
# ``:target``, no script), so a 10,000-document table is 20 short pages, all in the file.
ROWS_PER_PAGE = 500


def eval_html(
    result: EvalResult, detailed: int = DETAILED_DOCUMENTS, rows_per_page: int = ROWS_PER_PAGE
) -> str:
    """The eval report as one self-contained HTML page.

    Every document has a row in the (paged) table; the ``detailed`` worst ones, or all of
    them in a run that small, also have a full section the row links to.
    """
    from llmextract.dataset.report_sections import eval_charts  # SVG charts, event scores

    summary = result.summary()
    total = len(result.documents)
    shown = result.documents if total <= detailed else result.worst_documents(detailed)
    anchors = {id(doc): f"doc-{number}" for number, doc in enumerate(shown, start=1)}
    rows = [{"doc": doc.to_dict(), "anchor": anchors.get(id(doc))} for doc in result.documents]
    size = max(rows_per_page, 1)
    pages = [rows[start : start + size] for start in range(0, len(rows), size)] or [[]]
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            summary=summary,
            headline=headline_rows(summary),
            fields={name: stat.to_dict() for name, stat in result.fields().items()},
            pages=pages,
            rows_per_page=size,
            documents=[(anchors[id(doc)], _doc_view(doc)) for doc in shown],
            all_detailed=len(shown) == total,
            charts=eval_charts(result),
        )
    )


def compare_html(comparison: Comparison) -> str:
    """The comparison as one self-contained HTML page."""
    from llmextract.dataset.report_sections import compare_charts  # SVG charts, event scores

    charts = compare_charts(comparison)
    return _env().get_template("compare.html.j2").render(comparison=comparison, charts=charts)
