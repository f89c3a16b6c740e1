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

from markupsafe import Markup, escape

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
