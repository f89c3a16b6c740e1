"""The chart sections of the HTML pages: ``eval`` (field accuracy, per-document P/R, a
timeline and map of the run's incidents, event scores), ``compare`` (each run's F1 with
its bootstrap interval) and the ``events`` page, drawn with ``dataset.charts``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
from markupsafe import Markup, escape

from llmextract.dataset.charts import bar_chart, interval_chart, paired_bars, sahel_map, timeline
from llmextract.eval.compare import (
    CONFIDENCE,
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    Comparison,
    _counts,
    _micro_f1,
)
from llmextract.eval.results import EvalResult

# Documents drawn in the eval page's per-document chart; a larger run draws its worst.
CHARTED_DOCUMENTS = 200


def incident_items(result: EvalResult) -> list[dict[str, Any]]:
    """The run's predicted incidents as chart items."""
    items = []
    for doc in result.documents:
        for k, p in enumerate(doc.predicted):
            items.append(
                {
                    "label": f"{doc.doc_id}#{k}",
                    "date": p.date_start,
                    "country": p.country,
                    "place": p.place,
                    "incident_type": getattr(p.incident_type, "value", p.incident_type),
                    "latitude": p.latitude,
                    "longitude": p.longitude,
                }
            )
    return items


def event_items(events: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events (of ``llmextract events``) as chart items, sized by their documents."""
    items = []
    for e in events:
        date = e.get("date_start")
        if isinstance(date, str):
            date = dt.date.fromisoformat(date)
        items.append(
            {
                "label": e["event_id"],
                "date": date,
                "country": e.get("country"),
                "place": e.get("place"),
                "incident_type": e.get("incident_type"),
                "latitude": e.get("latitude"),
                "longitude": e.get("longitude"),
                "size": e.get("documents", 1),
            }
        )
    return items


def _cluster_table(rows: Sequence[tuple[str, Any]]) -> str:
    """Pairwise and B-cubed scores per run (rows of (label, EventScores))."""
    head = (
        '<table class="clusters"><tr><th>run</th><th>view</th><th>pairwise P</th>'
        "<th>pairwise R</th><th>pairwise F1</th><th>pairs (correct / predicted / gold)</th>"
        "<th>B³ P</th><th>B³ R</th><th>B³ F1</th></tr>"
    )
    cells = []
    for label, scores in rows:
        for view in ("end_to_end", "matched"):
            s = getattr(scores, view)
            cells.append(
                f"<tr><td>{escape(label)}</td><td>{view.replace('_', ' ')}</td>"
                f'<td class="num">{100 * s.pairwise_precision:.1f}%</td>'
                f'<td class="num">{100 * s.pairwise_recall:.1f}%</td>'
                f'<td class="num">{100 * s.pairwise_f1:.1f}%</td>'
                f'<td class="num">{s.correct_pairs} / {s.predicted_pairs} / {s.gold_pairs}</td>'
                f'<td class="num">{100 * s.bcubed_precision:.1f}%</td>'
                f'<td class="num">{100 * s.bcubed_recall:.1f}%</td>'
                f'<td class="num">{100 * s.bcubed_f1:.1f}%</td></tr>'
            )
    return head + "".join(cells) + "</table>"


def _events_section(rows: Sequence[tuple[str, Any]]) -> str:
    rows = [(label, s) for label, s in rows if s is not None]
    if not rows:
        return ""
    return (
        '<h2 id="events">Events across documents</h2><p class="meta">Incidents of different '
        f"documents merged by <code>llmextract events</code>, scored against "
        f"<code>{escape(rows[0][1].clusters_file)}</code> ({rows[0][1].gold_clusters} gold "
        "events): pairs of incidents placed in one event, and B-cubed. <em>End to end</em> "
        "counts missed and spurious incidents; <em>matched</em> only the gold incidents the "
        "run found.</p>" + _cluster_table(rows)
    )


def eval_charts(result: EvalResult) -> Markup:
    """The eval report's charts and event scores (one hook in ``reports.eval_html``)."""
    from llmextract.dataset.clusters_eval import score_events

    fields = [(name, stat.accuracy) for name, stat in result.fields().items()]
    charted, title = result.documents, "Precision and recall per document"
    if len(charted) > CHARTED_DOCUMENTS:  # 10,000 documents would be 240,000 pixels tall
        charted = result.worst_documents(CHARTED_DOCUMENTS)
        title += f": the {CHARTED_DOCUMENTS} worst of {len(result.documents)}"
    per_doc = [(d.doc_id, *d.prf()[:2]) for d in charted]
    items = incident_items(result)
    parts = [
        '<h2 id="charts">Charts</h2>',
        bar_chart("fields", "Field accuracy over matched pairs", fields),
        paired_bars("documents", title, per_doc, ("precision", "recall")),
        timeline("timeline", "Predicted incidents over time", items),
        sahel_map("map", "Predicted incidents placed by their coordinates", items),
        _events_section([(result.label, score_events(result))]),
    ]
    return Markup("".join(parts))


def f1_interval(
    result: EvalResult,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    confidence: float = CONFIDENCE,
) -> tuple[float, float]:
    """Bootstrap CI of one run's micro incident F1 over documents (as in ``compare``)."""
    counts = _counts(result)
    if counts.shape[0] == 0:
        return 0.0, 0.0
    idx = np.random.default_rng(seed).integers(
        0, counts.shape[0], size=(resamples, counts.shape[0])
    )
    sums = counts[idx].sum(axis=1)
    f1 = _micro_f1(sums[:, 0], sums[:, 1], sums[:, 2])
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(f1, [tail, 100 - tail])
    return float(low), float(high)


def compare_charts(comparison: Comparison) -> Markup:
    """The comparison's charts and event scores (one hook in ``reports.compare_html``)."""
    from llmextract.dataset.clusters_eval import score_events

    rows = [
        (
            row.label,
            row.incident_f1,
            *f1_interval(result, comparison.resamples, comparison.seed, comparison.confidence),
        )
        for row, result in zip(comparison.runs, comparison.results, strict=True)
    ]
    title = f"Incident F1 per run, {comparison.confidence:.0%} bootstrap interval over documents"
    parts = [
        '<h2 id="charts">Charts</h2>',
        interval_chart("f1", title, rows),
        _events_section(
            [
                (row.label, score_events(r))
                for row, r in zip(comparison.runs, comparison.results, strict=True)
            ]
        ),
    ]
    return Markup("".join(parts))


def events_page(events: Sequence[dict[str, Any]], label: str) -> str:
    """A self-contained page for an events file: timeline, map and the table of events."""
    items = event_items(events)
    rows = "".join(
        f"<tr><td>{escape(e['event_id'])}</td><td>{escape(str(e.get('date_start') or ''))}</td>"
        f"<td>{escape(e.get('place') or '')}</td><td>{escape(e.get('country') or '')}</td>"
        f"<td>{escape(e.get('incident_type') or '')}</td><td>{escape(e.get('perpetrator') or '')}</td>"
        f'<td class="num">{escape(str(e.get("killed") if e.get("killed") is not None else ""))}</td>'
        f'<td class="num">{e.get("documents", 1)}</td>'
        f"<td>{escape(', '.join(m['doc_id'] + '#' + str(m['incident']) for m in e['members']))}</td></tr>"
        for e in events
    )
    parts = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        f"<title>llmextract events: {escape(label)}</title><style>",
        "body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1d232a}"
        "table{border-collapse:collapse;font-size:.85rem}th,td{border:1px solid #d5d9e0;"
        "padding:.2rem .4rem}td.num{text-align:right}figcaption{font-weight:bold}",
        "</style></head><body><h1>llmextract events</h1>",
        f"<p>{len(events)} events from <code>{escape(label)}</code>, "
        f"{sum(1 for e in events if e.get('documents', 1) > 1)} told by several documents.</p>",
        timeline("timeline", "Events over time (larger: more documents)", items),
        sahel_map("map", "Events placed by their coordinates", items),
        "<h2>Events</h2><table><tr><th>event</th><th>date</th><th>place</th><th>country</th>"
        "<th>type</th><th>perpetrator</th><th>killed</th><th>documents</th><th>members</th></tr>",
        rows,
        "</table></body></html>",
    ]
    # str.join, not "+": adding a str to Markup would escape the page's own tags.
    return "".join(str(part) for part in parts)
