"""The benchmark: every cell starts from an empty run folder; document sets are scored apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from llmextract.bench import (
    BUILTIN_SETS,
    DEFAULT_SETS,
    DocumentSet,
    clear_cell,
    load_sets,
    markdown,
    parse_set,
    run_cell,
    table,
)
from llmextract.eval.comparators import SCORED_FIELDS
from llmextract.run.folder import RunError


def test_a_previous_run_of_the_cell_is_removed(tmp_path: Path) -> None:
    cell = tmp_path / "cell"
    cell.mkdir()
    (cell / "manifest.json").write_text("{}")
    (cell / "doc.json").write_text("{}")
    clear_cell(cell)
    assert not cell.exists()
    clear_cell(cell)  # nothing there: nothing to do


def test_a_folder_that_is_not_a_run_is_never_removed(tmp_path: Path) -> None:
    cell = tmp_path / "cell"
    cell.mkdir()
    (cell / "notes.txt").write_text("mine")
    with pytest.raises(RunError, match="not a run folder"):
        clear_cell(cell)
    assert (cell / "notes.txt").exists()


def test_document_sets_parse_by_name_folder_or_pair(tmp_path: Path) -> None:
    assert parse_set("seeds") == BUILTIN_SETS["seeds"]
    assert parse_set("dev").gold == Path("evals/dev/gold")
    folder = parse_set(f"mine={tmp_path}")
    assert (folder.name, folder.docs, folder.gold) == ("mine", tmp_path / "docs", tmp_path / "gold")
    pair = parse_set("x=a/docs:b/gold")
    assert (pair.docs, pair.gold) == (Path("a/docs"), Path("b/gold"))
    with pytest.raises(RunError, match="document set 'nonsense'"):
        parse_set("nonsense")


def test_a_document_in_two_sets_is_refused(tmp_path: Path) -> None:
    source = Path("evals/gold/000_0d8ea9d49bf055df.json")
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / source.name).write_text(source.read_text(encoding="utf-8"))
    sets = [DocumentSet(n, tmp_path / n, tmp_path / n) for n in ("a", "b")]
    with pytest.raises(RunError, match="in both sets 'a' and 'b'"):
        load_sets(sets)


def test_the_shipped_sets_have_gold_for_every_document() -> None:
    golds = load_sets([BUILTIN_SETS[name] for name in DEFAULT_SETS])
    for name in DEFAULT_SETS:
        docs = {p.stem for p in BUILTIN_SETS[name].docs.glob("*.txt")}
        assert docs, name
        assert docs == set(golds[name]), name


KORO = (
    "Gunmen attacked an army post in the town of Koro on March 3, killing four soldiers, "
    "the army said."
)
BANKASS = "Gunmen attacked a convoy near Bankass on Friday, killing two drivers."


def _set(root: Path, name: str, doc_id: str, text: str, incidents: list[dict]) -> DocumentSet:
    (root / name / "docs").mkdir(parents=True)
    (root / name / "gold").mkdir()
    (root / name / "docs" / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    gold = {"doc_id": doc_id, "labelled_by": "test", "incidents": incidents}
    (root / name / "gold" / f"{doc_id}.json").write_text(json.dumps(gold))
    return parse_set(f"{name}={root / name}")


def test_a_cell_scores_each_set_apart_and_all_together(
    scripted_model: str, tmp_path: Path, response_cache: Path
) -> None:
    """One extraction for the cell; a row per set and one for all, cost from the manifest."""
    koro = {
        "incident_type": "armed_assault", "place": "Koro", "killed": 4,
        "evidence": [{"quote": KORO[: KORO.index(",")], "start": 0, "end": KORO.index(",")}],
    }  # fmt: skip
    sets = [
        _set(tmp_path, "one", "koro", KORO, [koro]),
        _set(tmp_path, "two", "bankass", BANKASS, []),
    ]
    cells = run_cell(
        sets, scripted_model, "events", "incidents-v3",
        out_root=tmp_path / "bench", use_cache=True, console=Console(quiet=True),
    )  # fmt: skip
    assert [c.set_name for c in cells] == ["one", "two", "all"]
    one, two, both = (c.figures for c in cells)
    assert (one["documents"], two["documents"], both["documents"]) == (1, 1, 2)
    assert one["incident_recall"] == 1.0 and one["failed"] == 0
    assert two["incident_precision"] == 0.0  # the bomb is no gold incident of that set
    assert one["tokens_per_document"] == 15 and both["tokens_per_document"] == 15
    assert set(cells[0].field_accuracy) == set(SCORED_FIELDS)
    assert cells[0].field_accuracy["killed"] == 1.0
    rendered = markdown(cells, sets)
    assert "| one |" in rendered and "| all |" in rendered
    assert table(cells).row_count == 3
