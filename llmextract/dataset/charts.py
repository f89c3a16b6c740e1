"""Charts for the HTML reports, drawn as inline SVG: no script, no network, no library.

Each chart is one ``<svg class="chart" data-chart=NAME>`` whose marks carry a class
(``bar``, ``point``, ``errorbar``, ``incident``, ``country``) and a ``<title>`` a reader
sees on hover, so a test (or a reviewer) can count them.  Every text is escaped.  The
map draws Natural Earth outlines shipped in ``dataset/data/sahel_boundaries.json`` with
an equirectangular projection, which at these latitudes distorts little.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
from markupsafe import Markup, escape

from llmextract.eval.compare import (
    CONFIDENCE,
    DEFAULT_RESAMPLES,
    DEFAULT_SEED,
    Comparison,
    _counts,
    _micro_f1,
)
from llmextract.eval.results import EvalResult

WIDTH = 640
BAR_HEIGHT = 16
LABEL_WIDTH = 190
COLOURS = {
    "bar": "#4c78a8",
    "precision": "#4c78a8",
    "recall": "#f58518",
    "point": "#222",
    "Mali": "#e8e2cf",
    "Burkina Faso": "#dfe8cf",
    "Niger": "#cfdfe8",
}
MAP_BOUNDS = (-12.5, 16.5, 9.0, 24.5)  # lon min, lon max, lat min, lat max
TIMELINE_LANES = ("Mali", "Burkina Faso", "Niger")


def _svg(name: str, title: str, width: float, height: float, body: list[str]) -> Markup:
    head = (
        f'<figure class="chart-figure"><figcaption>{escape(title)}</figcaption>'
        f'<svg class="chart" data-chart="{escape(name)}" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'role="img" aria-label="{escape(title)}">'
    )
    return Markup(head + "".join(body) + "</svg></figure>")


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 11) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-family="sans-serif">{escape(text)}</text>'
    )


def _label(text: str, limit: int = 30) -> str:
    """A row label short enough for the label column (the full text is in the mark's title)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _axis(x0: float, x1: float, y: float) -> list[str]:
    """A 0-100% axis under horizontal bars."""
    out = [f'<line x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" stroke="#888"/>']
    for k in range(0, 101, 25):
        x = x0 + (x1 - x0) * k / 100
        out.append(f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + 4}" stroke="#888"/>')
        out.append(_text(x, y + 15, f"{k}%", "middle", 10))
    return out


def bar_chart(name: str, title: str, rows: Sequence[tuple[str, float | None]]) -> Markup:
    """Horizontal bars of shares in [0, 1], one per row; a None share draws no bar."""
    x0, x1 = LABEL_WIDTH, WIDTH - 50
    body: list[str] = []
    for k, (label, share) in enumerate(rows):
        y = 6 + k * (BAR_HEIGHT + 4)
        body.append(_text(x0 - 6, y + 12, _label(label), "end"))
        if share is None:
            body.append(_text(x0 + 4, y + 12, "n/a"))
            continue
        w = (x1 - x0) * max(0.0, min(1.0, share))
        body.append(
            f'<rect class="bar" x="{x0}" y="{y}" width="{w:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{COLOURS["bar"]}"><title>{escape(label)}: {100 * share:.1f}%</title></rect>'
        )
        body.append(_text(x0 + w + 4, y + 12, f"{100 * share:.0f}%", size=10))
    height = 6 + len(rows) * (BAR_HEIGHT + 4) + 24
    body.extend(_axis(x0, x1, height - 22))
    return _svg(name, title, WIDTH, height, body)


def paired_bars(
    name: str, title: str, rows: Sequence[tuple[str, float, float]], labels: tuple[str, str]
) -> Markup:
    """Two bars per row (precision and recall per document)."""
    x0, x1 = LABEL_WIDTH, WIDTH - 50
    step = 2 * 9 + 6
    body: list[str] = []
    for k, (label, first, second) in enumerate(rows):
        y = 6 + k * step
        body.append(_text(x0 - 6, y + 13, _label(label), "end"))
        for j, (share, kind) in enumerate(((first, labels[0]), (second, labels[1]))):
            w = (x1 - x0) * max(0.0, min(1.0, share))
            body.append(
                f'<rect class="bar {kind}" x="{x0}" y="{y + 9 * j}" width="{w:.1f}" height="8" '
                f'fill="{COLOURS[kind]}"><title>{escape(label)} {kind}: {100 * share:.1f}%'
                "</title></rect>"
            )
    height = 6 + len(rows) * step + 40
    body.extend(_axis(x0, x1, height - 38))
    for j, kind in enumerate(labels):
        x = x0 + 110 * j
        body.append(
            f'<rect x="{x}" y="{height - 14}" width="10" height="10" fill="{COLOURS[kind]}"/>'
        )
        body.append(_text(x + 14, height - 5, kind))
    return _svg(name, title, WIDTH, height, body)


def interval_chart(
    name: str, title: str, rows: Sequence[tuple[str, float, float, float]]
) -> Markup:
    """A point per row with an error bar from low to high (shares in [0, 1])."""
    x0, x1 = LABEL_WIDTH, WIDTH - 50
    body: list[str] = []

    def at(v: float) -> float:
        return x0 + (x1 - x0) * max(0.0, min(1.0, v))

    for k, (label, value, low, high) in enumerate(rows):
        y = 14 + k * 26
        tip = f"{label}: {100 * value:.1f}% [{100 * low:.1f}%, {100 * high:.1f}%]"
        body.append(_text(x0 - 6, y + 4, _label(label), "end"))
        body.append(
            f'<line class="errorbar" x1="{at(low):.1f}" y1="{y}" x2="{at(high):.1f}" y2="{y}" '
            f'stroke="#555" stroke-width="2"><title>{escape(tip)}</title></line>'
        )
        for v in (low, high):
            body.append(
                f'<line x1="{at(v):.1f}" y1="{y - 5}" x2="{at(v):.1f}" y2="{y + 5}" stroke="#555"/>'
            )
        body.append(
            f'<circle class="point" cx="{at(value):.1f}" cy="{y}" r="5" fill="{COLOURS["point"]}">'
            f"<title>{escape(tip)}</title></circle>"
        )
    height = 14 + len(rows) * 26 + 14
    body.extend(_axis(x0, x1, height - 12))
    return _svg(name, title, WIDTH, height + 8, body)


# --------------------------------------------------------------------------- places and time


def _point(item: dict[str, Any]) -> str:
    return escape(
        f"{item.get('label', '')}: {item.get('incident_type') or '?'}, "
        f"{item.get('place') or item.get('country') or '?'}, "
        f"{item.get('date') or 'undated'}"
    )


def timeline(name: str, title: str, items: Sequence[dict[str, Any]]) -> Markup:
    """Dated items on a time axis, one lane per country (others in a last lane).

    ``items``: dicts with ``date`` (a ``datetime.date``), ``country``, ``label``,
    ``incident_type``, ``place`` and an optional ``size`` (documents)."""
    dated = [i for i in items if isinstance(i.get("date"), dt.date)]
    lanes = [*TIMELINE_LANES, "other"]
    x0, x1, top = 110, WIDTH - 20, 10
    body: list[str] = []
    for k, lane in enumerate(lanes):
        y = top + k * 28 + 14
        body.append(_text(x0 - 8, y + 4, lane, "end"))
        body.append(f'<line x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" stroke="#ddd"/>')
    axis_y = top + len(lanes) * 28 + 4
    body.append(f'<line x1="{x0}" y1="{axis_y}" x2="{x1}" y2="{axis_y}" stroke="#888"/>')
    if dated:
        first = min(i["date"] for i in dated)
        last = max(i["date"] for i in dated)
        span = max((last - first).days, 1)

        def x_of(d: dt.date) -> float:
            return x0 + (x1 - x0) * (d - first).days / span

        ticks = {first: "start", first + (last - first) / 2: "middle", last: "end"}
        for d, anchor in ticks.items():
            body.append(_text(x_of(d), axis_y + 14, d.isoformat(), anchor, 10))
        for item in dated:
            lane = item.get("country") if item.get("country") in TIMELINE_LANES else "other"
            y = top + lanes.index(lane) * 28 + 14
            r = 3 + 1.5 * min(int(item.get("size") or 1) - 1, 4)
            body.append(
                f'<circle class="incident" cx="{x_of(item["date"]):.1f}" cy="{y}" r="{r:.1f}" '
                f'fill="#c0392b" fill-opacity="0.6"><title>{_point(item)}</title></circle>'
            )
    undated = len(items) - len(dated)
    note = f"{len(dated)} dated" + (f", {undated} undated (not shown)" if undated else "")
    body.append(_text(x1, axis_y + 28, note, "end", 10))
    return _svg(name, title, WIDTH, axis_y + 34, body)


@cache
def boundaries() -> dict[str, list[list[tuple[float, float]]]]:
    """Country -> rings of (lon, lat), from the shipped Natural Earth extract."""
    path = resources.files("llmextract.dataset.data").joinpath("sahel_boundaries.json")
    data = json.loads(path.read_text("utf-8"))
    return {name: c["rings"] for name, c in data["countries"].items()}


def _projection() -> tuple[float, float, Any]:
    lon0, lon1, lat0, lat1 = MAP_BOUNDS
    scale_x = math.cos(math.radians((lat0 + lat1) / 2))
    width = WIDTH - 20
    unit = width / ((lon1 - lon0) * scale_x)
    height = (lat1 - lat0) * unit

    def project(lon: float, lat: float) -> tuple[float, float]:
        return 10 + (lon - lon0) * scale_x * unit, 10 + (lat1 - lat) * unit

    return width + 20, height + 20, project


def sahel_map(name: str, title: str, items: Sequence[dict[str, Any]]) -> Markup:
    """Mali, Burkina Faso and Niger with items placed by ``latitude``/``longitude``."""
    width, height, project = _projection()
    body: list[str] = []
    for country, rings in boundaries().items():
        d = " ".join(
            "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in (project(*pt) for pt in ring)) + " Z"
            for ring in rings
        )
        body.append(
            f'<path class="country" data-country="{escape(country)}" d="{d}" fill="{COLOURS.get(country, "#eee")}" stroke="#777">'
            f"<title>{escape(country)}</title></path>"
        )
        lons = [p[0] for r in rings for p in r]
        lats = [p[1] for r in rings for p in r]
        cx, cy = project(sum(lons) / len(lons), sum(lats) / len(lats))
        body.append(_text(cx, cy, country, "middle", 12))
    placed = 0
    for item in items:
        lat, lon = item.get("latitude"), item.get("longitude")
        if lat is None or lon is None:
            continue
        x, y = project(float(lon), float(lat))
        r = 3 + 1.5 * min(int(item.get("size") or 1) - 1, 4)
        body.append(
            f'<circle class="incident" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="#c0392b" '
            f'fill-opacity="0.6" stroke="#fff"><title>{_point(item)}</title></circle>'
        )
        placed += 1
    body.append(
        _text(width - 10, height - 6, f"{placed} of {len(items)} with coordinates", "end", 10)
    )
    body.append(_text(10, height - 6, "Outlines: Natural Earth (public domain)", size=9))
    return _svg(name, title, width, height, body)


# --------------------------------------------------------------------------- report sections


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
    per_doc = [(d.doc_id, *d.prf()[:2]) for d in result.documents]
    items = incident_items(result)
    parts = [
        '<h2 id="charts">Charts</h2>',
        bar_chart("fields", "Field accuracy over matched pairs", fields),
        paired_bars(
            "documents", "Precision and recall per document", per_doc, ("precision", "recall")
        ),
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
