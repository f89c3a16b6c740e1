"""Charts in the eval, compare and events pages: inline SVG that renders in headless
Chromium without script errors or network requests, each chart with its marks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from browser import opened_page
from dataset_fixtures import gold_folder, predictions, write_run

from llmextract.dataset.events import build_events
from llmextract.dataset.records import load_records
from llmextract.dataset.report_sections import events_page
from llmextract.eval.compare import compare_results
from llmextract.eval.metrics import evaluate
from llmextract.report.html import compare_html, eval_html

MARKS = """() => {
  const count = (chart, sel) => document.querySelectorAll(`svg[data-chart="${chart}"] ${sel}`).length;
  const charts = [...document.querySelectorAll('svg.chart')].map(s => s.dataset.chart);
  const out = {charts};
  for (const [chart, sel] of [['fields', 'rect.bar'], ['documents', 'rect.bar.precision'],
      ['documents', 'rect.bar.recall'], ['f1', 'circle.point'], ['f1', 'line.errorbar'],
      ['timeline', 'circle.incident'], ['map', 'path.country'], ['map', 'circle.incident']]) {
    out[chart + ' ' + sel] = count(chart, sel);
  }
  const mali = document.querySelector('svg[data-chart="map"] path[data-country="Mali"]');
  out.inMali = [...document.querySelectorAll('svg[data-chart="map"] circle.incident')].map(c =>
    mali.isPointInFill(new DOMPoint(c.cx.baseVal.value, c.cy.baseVal.value)));
  out.sizes = [...document.querySelectorAll('svg.chart')].map(s => s.getBoundingClientRect().width);
  return out;
}"""


def render(page_path: Path) -> tuple[dict[str, Any], list[str], list[str]]:
    with opened_page(page_path) as (page, errors, requests):
        marks = page.evaluate(MARKS)
    return marks, errors, [u for u in requests if not u.startswith("file://")]


@pytest.fixture
def scored(tmp_path: Path) -> dict[str, Any]:
    run = write_run(tmp_path)
    gold = gold_folder(tmp_path)
    return {
        "root": tmp_path,
        "run": run,
        "gold": gold,
        "result": evaluate(run, gold, tmp_path / "docs"),
    }


def test_eval_page_draws_every_chart_with_its_marks(scored: dict[str, Any]) -> None:
    result = scored["result"]
    page = scored["root"] / "eval.html"
    page.write_text(eval_html(result), encoding="utf-8")
    marks, errors, external = render(page)
    assert errors == [] and external == []
    assert marks["charts"] == ["fields", "documents", "timeline", "map"]
    scored_fields = [s for s in result.fields().values() if s.accuracy is not None]
    assert marks["fields rect.bar"] == len(scored_fields) > 0
    assert marks["documents rect.bar.precision"] == marks["documents rect.bar.recall"] == 4
    incidents = [i for doc in predictions().values() for i in doc]
    assert marks["timeline circle.incident"] == len(incidents) == 5
    assert marks["map path.country"] == 3
    located = [i for i in incidents if i.get("latitude") is not None]
    assert marks["map circle.incident"] == len(located) == 4
    assert marks["inMali"] == [True] * 4  # every invented incident is in Mali
    assert all(width > 100 for width in marks["sizes"])
    text = page.read_text("utf-8")
    assert "Events across documents" in text and "3 / 3 / 3" in text


def test_compare_page_draws_f1_with_intervals(scored: dict[str, Any]) -> None:
    other = evaluate(scored["gold"], scored["gold"], scored["root"] / "docs")
    page = scored["root"] / "compare.html"
    page.write_text(compare_html(compare_results([scored["result"], other])), encoding="utf-8")
    marks, errors, external = render(page)
    assert errors == [] and external == []
    assert marks["charts"] == ["f1"]
    assert marks["f1 circle.point"] == marks["f1 line.errorbar"] == 2


def test_events_page_draws_the_timeline_and_the_map(scored: dict[str, Any]) -> None:
    events = build_events(load_records([scored["run"]]))
    page = scored["root"] / "events.html"
    page.write_text(events_page(json.loads(json.dumps(events, default=str)), "x"), "utf-8")
    marks, errors, external = render(page)
    assert errors == [] and external == []
    assert marks["charts"] == ["timeline", "map"]
    assert marks["timeline circle.incident"] == len(events) == 3
    assert marks["map circle.incident"] == 3 and marks["inMali"] == [True] * 3
