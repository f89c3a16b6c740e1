"""Scoring large runs: the terminal lists the worst documents, the HTML pages its table, and
the shortcuts taken for speed (no repair of an unchanged text, gold and runs parsed from
bytes) give the figures the long way gives."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import numpy as np
import pytest
import typer
from browser import opened_page
from typer.testing import CliRunner

from llmextract.cli.evaluate import register
from llmextract.documents import Document, load_document
from llmextract.eval import metrics
from llmextract.eval.align import (
    MATCH_THRESHOLD,
    TIEBREAK_WEIGHT,
    _tiebreak,
    align,
    similarity,
)
from llmextract.eval.comparators import COMPARATORS, field_correct, register_comparator
from llmextract.eval.metrics import evaluate
from llmextract.report.html import eval_html
from llmextract.run.folder import load_run
from llmextract.schema import Evidence, Extraction, GoldFile, GoldIncident, Incident, IncidentType

DOCUMENTS = 200
MISSED = {7, 150}  # nothing predicted: F1 0
SPURIOUS = {60}  # one extra prediction: F1 2/3
WRONG_FIELDS = {99: 3, 3: 2, 42: 1}  # document -> how many fields the run gets wrong
WORST = ["d007", "d150", "d060", "d099", "d003", "d042"]


def _text(n: int) -> str:
    return (
        f"Raiders struck the Veltoran depot number {n} at dawn on 3 March 2023, "
        f"and {n % 9 + 1} guards died there.\nLater a spokesman gave no further comment.\n"
    )


def _gold(n: int, text: str) -> GoldIncident:
    quote = text.split(" there.")[0]
    return GoldIncident(
        summary=f"Raid on depot {n}.",
        incident_type="armed_assault",
        date_text="3 March 2023",
        date_start="2023-03-03",
        date_end="2023-03-03",
        date_precision="day",
        place=f"Veltoran {n}",
        country="Niger",
        perpetrator="jihadists",
        killed=n % 9 + 1,
        evidence=[Evidence(quote=quote, start=0, end=len(quote))],
    )


def _predicted(n: int, gold: GoldIncident, text: str) -> list[Incident]:
    if n in MISSED:
        return []
    data = gold.model_dump(exclude={"optional", "accept"})
    wrong = WRONG_FIELDS.get(n, 0)
    if wrong >= 1:
        data["killed"] += 10
    if wrong >= 2:
        data["perpetrator"] = "ISGS"
    if wrong >= 3:
        data["wounded"] = 4
    incidents = [Incident.model_validate(data)]
    if n in SPURIOUS:
        start = text.index("Later")
        quote = "Later a spokesman gave no further comment."
        incidents.append(
            Incident(
                summary="A comment read as an attack.",
                incident_type="other",
                evidence=[Evidence(quote=quote, start=start, end=start + len(quote))],
            )
        )
    return incidents


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("large")
    docs, gold, run = root / "docs", root / "gold", root / "run"
    for folder in (docs, gold, run):
        folder.mkdir()
    for n in range(DOCUMENTS):
        doc_id, text = f"d{n:03d}", _text(n)
        (docs / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        record = _gold(n, text)
        gold_file = GoldFile(doc_id=doc_id, labelled_by="test", incidents=[record])
        (gold / f"{doc_id}.json").write_text(gold_file.model_dump_json(), encoding="utf-8")
        meta = {"document": load_document(docs / f"{doc_id}.txt").meta()}
        extraction = Extraction(doc_id=doc_id, incidents=_predicted(n, record, text), meta=meta)
        (run / f"{doc_id}.json").write_text(extraction.model_dump_json(), encoding="utf-8")
    (run / "manifest.json").write_text(json.dumps({"model": "local"}), encoding="utf-8")
    return {"root": root, "docs": docs, "gold": gold, "run": run}


def _eval(large: dict[str, Path], *options: str) -> str:
    app = typer.Typer()
    register(app)
    args = ["eval", str(large["run"]), "--gold", str(large["gold"]), "--docs", str(large["docs"])]
    res = CliRunner().invoke(app, [*args, *options])
    assert res.exit_code == 0, res.output
    return res.output


def _listed(output: str) -> list[str]:
    return re.findall(r"^│ (d\d{3})\b", output, flags=re.MULTILINE)


def test_a_large_run_lists_its_worst_documents_in_order(large: dict[str, Path]) -> None:
    output = _eval(large, "--worst", "6")
    assert _listed(output) == WORST
    assert "the 6 worst of 200" in output
    assert "194 more documents not shown" in output and "--json" in output
    assert "--html" in output and "Incident F1" in output and "killed" in output


def test_the_default_is_twenty_worst_then_by_doc_id(large: dict[str, Path]) -> None:
    listed = _listed(_eval(large))
    rest = [f"d{n:03d}" for n in range(DOCUMENTS) if f"d{n:03d}" not in WORST]
    assert listed == WORST + rest[: 20 - len(WORST)]


def test_all_documents_lists_every_row(large: dict[str, Path]) -> None:
    output = _eval(large, "--all-documents")
    assert _listed(output) == [f"d{n:03d}" for n in range(DOCUMENTS)]
    assert "more documents not shown" not in output


def test_the_json_report_keeps_every_document(large: dict[str, Path]) -> None:
    out = large["root"] / "eval.json"
    _eval(large, "--json", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [d["doc_id"] for d in data["documents"]] == [f"d{n:03d}" for n in range(DOCUMENTS)]
    assert data["summary"]["fn"] == len(MISSED) and data["summary"]["fp"] == len(SPURIOUS)


def test_an_unchanged_text_is_not_repaired_again_and_a_repaired_one_is(
    large: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Path] = []
    real = metrics.load_document

    def counted(path: Path) -> Document:
        calls.append(path)
        return real(path)

    monkeypatch.setattr(metrics, "load_document", counted)
    result = evaluate(large["run"], large["gold"], large["docs"])
    assert calls == []  # every recorded digest matched the raw text
    assert all(d.text == _text(int(d.doc_id[1:])) for d in result.documents)

    # A page whose name was decoded with the wrong code page: the run read the repaired text,
    # so the raw file no longer has the recorded digest and is repaired as before.
    docs, gold, run = (tmp_path / name for name in ("docs", "gold", "run"))
    for folder in (docs, gold, run):
        folder.mkdir()
    raw = "Officials in DirÃ© said raiders struck the Veltoran depot at dawn.\n"
    (docs / "m1.txt").write_text(raw, encoding="utf-8")
    document = load_document(docs / "m1.txt")
    assert document.text != raw
    quote = "raiders struck the Veltoran depot"
    start = document.text.index(quote)
    evidence = [Evidence(quote=quote, start=start, end=start + len(quote))]
    record = GoldIncident(incident_type="armed_assault", evidence=evidence)
    (gold / "m1.json").write_text(
        GoldFile(doc_id="m1", labelled_by="test", incidents=[record]).model_dump_json(), "utf-8"
    )
    prediction = Incident(incident_type="armed_assault", evidence=evidence)
    extraction = Extraction(doc_id="m1", incidents=[prediction], meta={"document": document.meta()})
    (run / "m1.json").write_text(extraction.model_dump_json(), "utf-8")
    scored = evaluate(run, gold, docs).documents[0]
    assert calls == [docs / "m1.txt"]
    assert scored.text == document.text and scored.quotes_grounded == 1


def test_odd_files_in_a_run_are_read_as_before(tmp_path: Path) -> None:
    extraction = Extraction(doc_id="b1", incidents=[Incident(incident_type="ied")])
    text = extraction.model_dump_json()
    (tmp_path / "b1.json").write_text("\ufeff" + text, encoding="utf-8")  # a BOM
    (tmp_path / "b2.json").write_text(text.replace('"b1"', '"b2"')[:-3], encoding="utf-8")
    (tmp_path / "notes.json").write_text(json.dumps({"note": "not a record"}), encoding="utf-8")
    (tmp_path / "b3.json").write_text(
        text.replace('"b1"', '"b3"').replace('"ied"', '"tank"'), encoding="utf-8"
    )
    run = load_run(tmp_path)
    assert sorted(run.documents) == ["b1", "b2", "b3"]
    assert [i.incident_type.value for i in run.documents["b1"].incidents] == ["ied"]
    assert run.documents["b2"].incidents == [] and run.documents["b3"].incidents == []
    assert len(run.warnings) == 2
    assert "b2.json: not readable JSON" in run.warnings[0]
    assert "b3.json: not a valid extraction" in run.warnings[1]


def test_a_large_html_report_pages_every_document_and_details_the_worst(
    large: dict[str, Path],
) -> None:
    result = evaluate(large["run"], large["gold"], large["docs"])
    html = eval_html(result, detailed=6, rows_per_page=50)
    page_path = large["root"] / "paged.html"
    page_path.write_text(html, encoding="utf-8")
    assert "<script" not in html
    with opened_page(page_path) as (page, errors, requests):
        rows = page.locator("section.page tr:has(td)").all_inner_texts()
        detailed = [
            page.locator("section.document").nth(i).get_attribute("data-doc-id")
            for i in range(page.locator("section.document").count())
        ]
        first_shown = page.locator("#page-1").is_visible()
        second_hidden = not page.locator("#page-2").is_visible()
        page.click('a[href="#page-2"]')
        second_shown = page.locator("#page-2").is_visible()
        first_hidden = not page.locator("#page-1").is_visible()
        visible_rows = page.locator("section.page:visible tr:has(td)").count()
        page.click('a[href="#page-1"]')
        page.click('a[href="#doc-1"]')  # d007, the worst, is on the first page
        worst_in_view = page.locator("#doc-1").is_visible()
    assert errors == [] and [u for u in requests if not u.startswith("file://")] == []
    assert [row.split()[0] for row in rows] == [f"d{n:03d}" for n in range(DOCUMENTS)]
    assert detailed == WORST
    assert first_shown and second_hidden and second_shown and first_hidden
    assert visible_rows == 50 and worst_in_view


def _assignment_of_every_pair(
    gold: list[GoldIncident], predicted: list[Incident], threshold: float = MATCH_THRESHOLD
) -> list[tuple[int, int, float]]:
    """The alignment as it was before the shortcuts: always the full scipy assignment."""
    from scipy.optimize import linear_sum_assignment

    if not gold or not predicted:
        return []
    sims = np.array([[similarity(g, p) for p in predicted] for g in gold])
    ties = np.array([[_tiebreak(g, p) for p in predicted] for g in gold])
    usable = np.where(sims >= threshold, sims + TIEBREAK_WEIGHT * ties, 0.0)
    rows, cols = linear_sum_assignment(usable, maximize=True)
    pairs = [(int(r), int(c), float(sims[r, c])) for r, c in zip(rows, cols, strict=True)]
    return sorted(p for p in pairs if p[2] >= threshold)


def test_the_alignment_shortcuts_give_the_full_assignment() -> None:
    rng = random.Random(5)
    texts = [_text(n) for n in range(4)]
    pool: list[GoldIncident] = []
    for n, text in enumerate(texts):
        record = _gold(n, text)
        pool.append(record)
        pool.append(record.model_copy(update={"killed": 40, "place": "Orvenne"}))
        pool.append(
            record.model_copy(update={"evidence": [], "incident_type": IncidentType.ambush})
        )
        pool.append(record.model_copy(update={"date_start": None, "date_end": None}))
    for _ in range(300):
        gold = rng.sample(pool, rng.randrange(0, 4))
        predicted = [
            Incident.model_validate(g.model_dump(exclude={"optional", "accept"}))
            for g in rng.choices(pool, k=rng.randrange(0, 4))
        ]
        got = [(m.gold_index, m.pred_index, m.similarity) for m in align(gold, predicted)]
        assert got == _assignment_of_every_pair(gold, predicted)


def test_equal_values_skip_only_comparators_declared_reflexive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    record = _gold(1, _text(1))
    prediction = Incident.model_validate(record.model_dump(exclude={"optional", "accept"}))
    assert field_correct("incident_type", record, prediction) is True
    calls: list[tuple[object, object]] = []

    def never(gold: object, pred: object, _: str) -> bool:
        calls.append((gold, pred))
        return False

    monkeypatch.setitem(COMPARATORS, "enum", COMPARATORS["enum"])  # restored afterwards
    register_comparator("enum", never)
    assert field_correct("incident_type", record, prediction) is False
    assert calls == [(record.incident_type, prediction.incident_type)]
    register_comparator("enum", never, reflexive=True)
    assert field_correct("incident_type", record, prediction) is True
    assert len(calls) == 1
