"""The benchmark starts every cell from an empty run folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmextract.bench import clear_cell
from llmextract.runner import RunError


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
