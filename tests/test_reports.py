"""Reports: the eval HTML is self-contained, escaped, and loads cleanly in a real browser."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer
from browser import opened_page
from typer.testing import CliRunner

from llmextract.cli.evaluate import register
from llmextract.eval.metrics import evaluate
from llmextract.report.html import eval_html, highlight_segments

DOCS: dict[str, str] = {
    "930_alpha": (
        "Gunmen attack Ségou post\n\n"
        "On May 2, 2022, gunmen attacked a gendarmerie post in Ségou, killing three gendarmes.\n"
        "Officials said <script>alert('x')</script> & nothing else.\n"
    ),
    "931_beta": (
        "Mine blast near Gao\n\n"
        "A landmine hit an army truck near Gao on June 5, 2022, wounding four soldiers.\n"
        "Separately, militants abducted two traders near Ansongo on June 6, 2022.\n"
    ),
    "932_gamma": "An article that describes no attack at all.\n",
}


def ev(doc_id: str, quote: str, grounded: bool = True) -> dict[str, Any]:
    start = DOCS[doc_id].index(quote)
    if not grounded:
        return {"quote": quote, "start": None, "end": None}
    return {"quote": quote, "start": start, "end": start + len(quote)}


def gold_records() -> dict[str, list[dict[str, Any]]]:
    return {
        "930_alpha": [
            {
                "summary": "Gunmen attacked a gendarmerie post in Ségou <b>bold</b>.",
                "incident_type": "armed_assault",
                "date_start": "2022-05-02",
                "date_end": "2022-05-02",
                "date_precision": "day",
                "place": "Ségou",
                "country": "Mali",
                "perpetrator": "unidentified armed group",
                "attribution": "attributed",
                "target_type": "police",
                "killed": 3,
                "evidence": [ev("930_alpha", "gunmen attacked a gendarmerie post in Ségou")],
            }
        ],
        "931_beta": [
            {
                "summary": "A landmine hit an army truck near Gao.",
                "incident_type": "ied",
                "date_start": "2022-06-05",
                "date_end": "2022-06-05",
                "date_precision": "day",
                "place": "Gao",
                "country": "Mali",
                "target_type": "military",
                "wounded": 4,
                "evidence": [ev("931_beta", "A landmine hit an army truck near Gao")],
            },
            {
                "summary": "Militants abducted two traders near Ansongo.",
                "incident_type": "kidnapping",
                "date_start": "2022-06-06",
                "date_end": "2022-06-06",
                "date_precision": "day",
                "place": "Ansongo",
                "country": "Mali",
                "perpetrator": "jihadists",
                "attribution": "attributed",
                "target_type": "civilians",
                "kidnapped": 2,
                "evidence": [ev("931_beta", "militants abducted two traders near Ansongo")],
            },
        ],
        "932_gamma": [],
    }


def predictions() -> dict[str, list[dict[str, Any]]]:
    gold = gold_records()
    alpha = dict(gold["930_alpha"][0], killed=4)  # a wrong field
    alpha["evidence"] = [ev("930_alpha", "killing three gendarmes")]
    beta = dict(gold["931_beta"][0])
    beta["evidence"] = [ev("931_beta", "A landmine hit an army truck", grounded=False)]
    spurious = {
        "summary": "Officials said something <i>odd</i>.",
        "incident_type": "other",
        "evidence": [ev("930_alpha", "Officials said <script>alert('x')</script>")],
    }
    # 931_beta's kidnapping is missed.
    return {"930_alpha": [alpha, spurious], "931_beta": [beta], "932_gamma": []}


@pytest.fixture
def setup(tmp_path: Path) -> dict[str, Path]:
    docs, gold, run = tmp_path / "docs", tmp_path / "gold", tmp_path / "run"
    for folder in (docs, gold, run):
        folder.mkdir()
    for doc_id, text in DOCS.items():
        (docs / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    for doc_id, incidents in gold_records().items():
        data = {"doc_id": doc_id, "labelled_by": "hand", "incidents": incidents}
        (gold / f"{doc_id}.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    for doc_id, incidents in predictions().items():
        meta = {"document": {"path": str(docs / f"{doc_id}.txt")}}
        data = {"doc_id": doc_id, "incidents": incidents, "meta": meta}
        (run / f"{doc_id}.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    manifest = {"model": "local", "prompt": {"name": "p", "hash": "0123456789"}, "strategy": "s"}
    (run / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    return {"root": tmp_path, "docs": docs, "gold": gold, "run": run}


def test_html_is_self_contained_and_escaped(setup: dict[str, Path]) -> None:
    html = eval_html(evaluate(setup["run"], setup["gold"], setup["docs"]))
    assert "<script" not in html  # the document's "<script>" is shown escaped
    assert "&lt;script&gt;" in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", html)
    assert "http://" not in html and "https://" not in html
    for doc_id in DOCS:
        assert f'data-doc-id="{doc_id}"' in html
    assert 'class="gold"' in html and 'class="pred"' in html
    assert 'class="wrong"' in html and "✗ wrong" in html


def test_highlight_segments_cover_the_text_in_order() -> None:
    text = "abcdefghij"
    segments = highlight_segments(
        text, [(2, 6, "gold #0")], [(4, 8, "predicted #0"), (20, 30, "x")]
    )
    assert "".join(s["text"] for s in segments) == text
    assert [(s["text"], s["cls"]) for s in segments] == [
        ("ab", ""),
        ("cd", "gold"),
        ("ef", "both"),
        ("gh", "pred"),
        ("ij", ""),
    ]


def test_cli_eval_prints_tables_and_writes_html(setup: dict[str, Path]) -> None:
    app = typer.Typer()
    register(app)
    out = setup["root"] / "report" / "eval.html"
    res = CliRunner().invoke(
        app,
        ["eval", str(setup["run"]), "--gold", str(setup["gold"]), "--html", str(out)],
    )
    assert res.exit_code == 0, res.output
    for words in ("Incident F1", "Field accuracy", "Slot recall", "Grounding", "Documents"):
        assert words in res.output
    assert "930_alpha" in res.output and "killed" in res.output
    assert out.is_file() and "931_beta" in out.read_text("utf-8")


def test_eval_html_loads_in_headless_chromium(setup: dict[str, Path]) -> None:
    result = evaluate(setup["run"], setup["gold"], setup["docs"])
    page_path = setup["root"] / "eval.html"
    page_path.write_text(eval_html(result), encoding="utf-8")
    with opened_page(page_path) as (page, errors, requests):
        body = page.inner_text("body")
        documents = page.locator("section.document").count()
        wrong_rows = page.locator("tr.wrong").count()
        gold_marks = page.locator("mark.gold, mark.both").count()
        pred_marks = page.locator("mark.pred, mark.both").count()
        title = page.title()

    assert errors == []
    assert [url for url in requests if not url.startswith("file://")] == []
    assert "llmextract eval" in title
    assert documents == len(DOCS)
    for doc_id in DOCS:
        assert doc_id in body
    assert "<script>alert('x')</script>" in body  # shown as text, not run
    assert wrong_rows >= 1 and gold_marks >= 1 and pred_marks >= 1


def test_a_registered_format_is_written_by_the_same_call_as_json_and_html(
    setup: dict[str, Path],
) -> None:
    from llmextract.report import format_names, register_format, write_report

    result = evaluate(setup["run"], setup["gold"], setup["docs"])
    register_format(
        "tsv",
        evaluation=lambda r: "".join(f"{n}\t{s.accuracy}\n" for n, s in r.fields().items()),
        comparison=lambda c: "",
    )
    assert {"json", "html", "tsv"} <= set(format_names())
    out = setup["root"] / "fields.tsv"
    write_report("tsv", "eval", result, out)
    assert out.read_text().splitlines()[0].startswith("incident_type\t")
    write_report("json", "eval", result, setup["root"] / "eval.json")
    summary = json.loads((setup["root"] / "eval.json").read_text())["summary"]
    assert summary["incident_f1"] == result.incident_f1
    with pytest.raises(ValueError, match="no eval writer for format 'pdf'"):
        write_report("pdf", "eval", result, out)
