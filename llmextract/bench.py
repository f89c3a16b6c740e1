"""Benchmarks: strategies x models on a document set with gold, one table of figures.

Quality (incident F1, field accuracy, slot recall, grounding) comes from the eval harness;
cost (seconds and tokens per document) from the run manifests.  Seconds are time spent in
model calls; a cell replayed from the response cache reports the time its calls took when
they were made, so the table is reproducible without re-running hours of inference
(``--no-cache`` measures afresh).
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from llmextract import __version__
from llmextract.documents import discover
from llmextract.models import Decoding, load_model
from llmextract.prompts import load_prompt
from llmextract.runner import RunError, run_extraction
from llmextract.scoring import evaluate
from llmextract.store import ResponseCache

COLUMNS = (
    ("model", "model"),
    ("strategy", "strategy"),
    ("prompt", "prompt"),
    ("incident_f1", "incident F1"),
    ("incident_precision", "precision"),
    ("incident_recall", "recall"),
    ("field_accuracy", "field acc."),
    ("slot_recall", "slot recall"),
    ("grounding", "grounding"),
    ("seconds_per_document", "s/doc"),
    ("tokens_per_document", "tokens/doc"),
    ("failed", "failed docs"),
)


@dataclass
class BenchCell:
    model: str
    strategy: str
    prompt: str
    run_dir: Path
    figures: dict[str, Any]


def clear_cell(folder: Path) -> None:
    """Start a cell from an empty folder: a run folder resumes, so a benchmark re-using one
    would report the previous code's documents as done.  Only a run folder is removed."""
    if not folder.exists():
        return
    if not (folder / "manifest.json").exists() and any(folder.iterdir()):
        raise RunError(f"{folder} is not a run folder; refusing to clear it for the benchmark")
    shutil.rmtree(folder)


def run_cell(
    paths: list[Path],
    model_spec: str,
    strategy: str,
    prompt_name: str,
    *,
    gold: Path,
    out_root: Path,
    use_cache: bool,
    console: Console,
) -> BenchCell:
    """Extract with one (model, strategy, prompt) and score it against the gold."""
    model = load_model(model_spec, Decoding())
    prompt = load_prompt(prompt_name)
    folder = out_root / f"{model.spec.slug}-{prompt.name}-{strategy}"
    clear_cell(folder)
    documents, _ = discover(paths)
    try:
        outcome = run_extraction(
            documents,
            model,
            prompt,
            strategy=strategy,
            out=folder,
            concurrency=1,
            cache=ResponseCache(read=use_cache),
            console=console,
        )
    finally:
        model.close()
    result = evaluate(folder, gold, docs_dir=None)
    summary = result.summary()
    totals = outcome.manifest["totals"]
    figures = {
        **{
            key: summary.get(key)
            for key in ("incident_f1", "incident_precision", "incident_recall")
        },
        "field_accuracy": summary.get("field_accuracy"),
        "slot_recall": summary.get("slot_recall"),
        "grounding": summary.get("grounding"),
        "seconds_per_document": totals.get("model_seconds_per_document"),
        "tokens_per_document": totals.get("tokens_per_document"),
        "failed": totals.get("failed", 0),
        "documents": totals.get("documents"),
    }
    return BenchCell(model_spec, strategy, prompt.name, folder, figures)


def _cell(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.2f}" if value <= 1.0 else f"{value:.1f}"
    return str(value)


def _row(cell: BenchCell) -> list[str]:
    """One cell's values in column order, as both the terminal table and markdown show them."""
    values = {"model": cell.model, "strategy": cell.strategy, "prompt": cell.prompt, **cell.figures}
    return [_cell(values.get(key)) for key, _ in COLUMNS]


def table(cells: list[BenchCell]) -> Table:
    out = Table(title="llmextract bench")
    for _, title in COLUMNS:
        out.add_column(
            title, justify="left" if title in ("model", "strategy", "prompt") else "right"
        )
    for cell in cells:
        out.add_row(*_row(cell))
    return out


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import llama_cpp

        llama = f", llama-cpp-python {llama_cpp.__version__}"
    except ImportError:
        llama = ""
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}{llama}"


def markdown(cells: list[BenchCell], documents: int, gold: Path) -> str:
    """A dated section for docs/benchmarks.md."""
    header = "| " + " | ".join(title for _, title in COLUMNS) + " |"
    rule = "|" + "|".join("---" for _ in COLUMNS) + "|"
    rows = ["| " + " | ".join(_row(cell)) + " |" for cell in cells]
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return "\n".join(
        [
            f"## {stamp}: {documents} documents scored against `{gold}`",
            "",
            f"Machine: {machine()}; llmextract {__version__}.",
            "Seconds are time in model calls per document (replayed from the response cache "
            "where a call was cached: the time it took when made).",
            "",
            header,
            rule,
            *rows,
            "",
        ]
    )
