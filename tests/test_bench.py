"""The benchmark: every cell starts from an empty run folder; document sets are scored apart."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmextract.bench import (
    BUILTIN_SETS,
    DEFAULT_SETS,
    DocumentSet,
    clear_cell,
    load_sets,
    parse_set,
)
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
