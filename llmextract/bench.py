"""Benchmarks: strategies x models on named document sets with gold, one table of figures.

Each (model, strategy, prompt) cell extracts every document of every set once, into one
run folder, then scores each set on its own gold, and all sets together: the seeds are a
regression row, the development set the one to improve, and a cell is never judged on a
set it was tuned to without the other beside it.  Quality comes from the eval harness;
cost (seconds and tokens per document) from the run manifest's per-document entries.
Seconds are time spent in model calls; a cell replayed from the response cache reports
the time its calls took when they were made, so the table is reproducible without
re-running hours of inference (``--no-cache`` measures afresh).
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
from llmextract.eval.comparators import SCORED_FIELDS
from llmextract.eval.gold import GoldError, load_gold_dir
from llmextract.eval.metrics import score_run
from llmextract.prompts import load_prompt
from llmextract.providers import Decoding, load_model
from llmextract.run.cache import ResponseCache
from llmextract.run.folder import RunError, load_run, totals
from llmextract.run.runner import run_extraction
from llmextract.schema import GoldFile

COLUMNS = (
    ("set", "set"),
    ("model", "model"),
    ("strategy", "strategy"),
    ("prompt", "prompt"),
    ("documents", "docs"),
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
_TEXT_COLUMNS = frozenset({"set", "model", "strategy", "prompt"})


@dataclass(frozen=True)
class DocumentSet:
    """A named folder of documents and the gold folder that labels them."""

    name: str
    docs: Path
    gold: Path


# The sets a fresh clone ships: the seeds (a regression check) and the development set.
BUILTIN_SETS = {
    "seeds": DocumentSet("seeds", Path("seeds"), Path("evals/gold")),
    "dev": DocumentSet("dev", Path("evals/dev/docs"), Path("evals/dev/gold")),
    # Never tuned on: a check that reading tuned on dev generalises (evals/holdout/README.md).
    "holdout": DocumentSet("holdout", Path("evals/holdout/docs"), Path("evals/holdout/gold")),
}
DEFAULT_SETS = ("seeds", "dev", "holdout")


def parse_set(text: str) -> DocumentSet:
    """``seeds`` / ``dev``, ``NAME=FOLDER`` (a folder with docs/ and gold/), or
    ``NAME=DOCS:GOLD``."""
    if text in BUILTIN_SETS:
        return BUILTIN_SETS[text]
    name, sep, where = text.partition("=")
    if not sep or not name or not where:
        known = ", ".join(BUILTIN_SETS)
        raise RunError(f"document set {text!r}: use {known}, NAME=FOLDER or NAME=DOCS:GOLD")
    if ":" in where:
        docs, gold = where.split(":", 1)
        return DocumentSet(name, Path(docs), Path(gold))
    return DocumentSet(name, Path(where) / "docs", Path(where) / "gold")


@dataclass
class BenchCell:
    set_name: str
    model: str
    strategy: str
    prompt: str
    run_dir: Path
    figures: dict[str, Any]
    field_accuracy: dict[str, float | None]


def clear_cell(folder: Path) -> None:
    """Start a cell from an empty folder: a run folder resumes, so a benchmark re-using one
    would report the previous code's documents as done.  Only a run folder is removed."""
    if not folder.exists():
        return
    if not (folder / "manifest.json").exists() and any(folder.iterdir()):
        raise RunError(f"{folder} is not a run folder; refusing to clear it for the benchmark")
    shutil.rmtree(folder)


def load_sets(sets: list[DocumentSet]) -> dict[str, dict[str, GoldFile]]:
    """Each set's gold by doc id; a doc id in two sets would blur the rows, so it is refused."""
    golds: dict[str, dict[str, GoldFile]] = {}
    owner: dict[str, str] = {}
    for doc_set in sets:
        try:
            gold = load_gold_dir(doc_set.gold)
        except GoldError as exc:
            raise RunError(f"set {doc_set.name!r}: {exc}") from exc
        for doc_id in gold:
            if doc_id in owner:
                raise RunError(
                    f"document {doc_id!r} is in both sets {owner[doc_id]!r} and {doc_set.name!r}"
                )
            owner[doc_id] = doc_set.name
        golds[doc_set.name] = gold
    return golds


def run_cell(
    sets: list[DocumentSet],
    model_spec: str,
    strategy: str,
    prompt_name: str,
    *,
    out_root: Path,
    use_cache: bool,
    console: Console,
) -> list[BenchCell]:
    """Extract every set's documents with one (model, strategy, prompt); one row per set,
    and one for all sets together when there are several."""
    golds = load_sets(sets)
    model = load_model(model_spec, Decoding())
    prompt = load_prompt(prompt_name)
    folder = out_root / f"{model.spec.slug}-{prompt.name}-{strategy}"
    clear_cell(folder)
    documents, missing = discover([s.docs for s in sets])
    if missing:
        raise RunError(missing[0])
    try:
        run_extraction(
            documents,
            model,
            prompt,
            strategy=strategy,
            out=folder,
            concurrency=model.parallel,  # a batched server's slots; else one at a time
            cache=ResponseCache(read=use_cache),
            console=console,
        )
    finally:
        model.close()
    run = load_run(folder)
    entries = dict(run.manifest.documents)
    rows = [(s.name, golds[s.name]) for s in sets]
    if len(sets) > 1:
        rows.append(("all", {k: v for gold in golds.values() for k, v in gold.items()}))
    cells = []
    for name, gold in rows:
        result = score_run(run, gold, docs_dir=None)
        summary = result.summary()
        cost = totals({k: v for k, v in entries.items() if k in gold})
        figures = {
            key: summary.get(key)
            for key in (
                "incident_f1", "incident_precision", "incident_recall",
                "field_accuracy", "slot_recall", "grounding", "documents",
            )
        }  # fmt: skip
        figures["seconds_per_document"] = cost.get("model_seconds_per_document")
        figures["tokens_per_document"] = cost.get("tokens_per_document")
        figures["failed"] = cost.get("failed", 0)
        per_field = {n: s.accuracy for n, s in result.fields().items()}
        cells.append(BenchCell(name, model_spec, strategy, prompt.name, folder, figures, per_field))
    return cells


def _cell(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.2f}" if value <= 1.0 else f"{value:.1f}"
    return str(value)


def _row(cell: BenchCell) -> list[str]:
    """One cell's values in column order, as both the terminal table and markdown show them."""
    values = {
        "set": cell.set_name,
        "model": cell.model,
        "strategy": cell.strategy,
        "prompt": cell.prompt,
        **cell.figures,
    }
    return [_cell(values.get(key)) for key, _ in COLUMNS]


def _field_header(cells: list[BenchCell]) -> list[str]:
    return ["field", *(f"{c.set_name} · {c.model} · {c.strategy}" for c in cells)]


def _field_rows(cells: list[BenchCell]) -> list[list[str]]:
    """Fields as rows, cells as columns: two dozen fields read down, not across."""
    return [[name, *(_cell(c.field_accuracy.get(name)) for c in cells)] for name in SCORED_FIELDS]


def table(cells: list[BenchCell]) -> Table:
    out = Table(title="llmextract bench")
    for key, title in COLUMNS:
        out.add_column(title, justify="left" if key in _TEXT_COLUMNS else "right")
    for cell in cells:
        out.add_row(*_row(cell))
    return out


def field_table(cells: list[BenchCell]) -> Table:
    out = Table(title="field accuracy per set")
    for position, title in enumerate(_field_header(cells)):
        out.add_column(title, justify="left" if position == 0 else "right")
    for row in _field_rows(cells):
        out.add_row(*row)
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


def _markdown_table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def markdown(cells: list[BenchCell], sets: list[DocumentSet]) -> str:
    """A dated section for docs/benchmarks.md."""
    stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    named = ", ".join(f"{s.name} (`{s.docs}` against `{s.gold}`)" for s in sets)
    return "\n".join(
        [
            f"## {stamp}: {named}",
            "",
            f"Machine: {machine()}; llmextract {__version__}.",
            "Seconds are time in model calls per document (replayed from the response cache "
            "where a call was cached: the time it took when made).",
            "",
            *_markdown_table([t for _, t in COLUMNS], [_row(c) for c in cells]),
            "",
            "Field accuracy per set:",
            "",
            *_markdown_table(_field_header(cells), _field_rows(cells)),
            "",
        ]
    )
