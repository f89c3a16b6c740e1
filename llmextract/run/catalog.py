"""Past runs for ``llmextract runs`` and ``show``: read from each folder's index, or from
its ``manifest.json`` when it has none (folders written before the index).

Reading a run's summary costs one small query (or one manifest read), never a pass over
its documents, so listing a folder of big runs stays quick.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmextract.run.folder import RunError
from llmextract.run.index import INDEX_NAME, RunIndex
from llmextract.run.manifest import DocumentEntry, PromptRef, RunManifest


@dataclass
class RunSummary:
    """One run folder's configuration and figures, and its eval's if one was saved there."""

    folder: Path
    manifest: RunManifest
    totals: dict[str, Any] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def prompt(self) -> str:
        prompt = self.manifest.prompt
        if isinstance(prompt, PromptRef):
            return f"{prompt.name}@{(prompt.hash or '')[:8]}" if prompt.hash else prompt.name or ""
        return prompt or ""

    def as_json(self) -> dict[str, Any]:
        header = self.manifest.to_json()
        header.pop("documents", None)
        return {"folder": str(self.folder), **header, "totals": self.totals, "scores": self.scores}


def summarise(folder: Path) -> RunSummary:
    """A run folder's summary; ``RunError`` when it is not a run folder."""
    manifest = RunManifest()
    totals: dict[str, Any] = {}
    index_path = folder / INDEX_NAME
    if index_path.is_file():
        index = RunIndex(folder)
        try:
            manifest = RunManifest.model_validate(
                {k: v for k, v in index.header().items() if v is not None}
            )
            totals = index.totals()
        except (sqlite3.DatabaseError, ValueError) as exc:
            raise RunError(f"{index_path}: not a readable run index ({exc})") from exc
        finally:
            index.close()
    elif (folder / "manifest.json").is_file():
        try:
            manifest = RunManifest.model_validate_json((folder / "manifest.json").read_bytes())
        except ValueError as exc:
            raise RunError(f"{folder / 'manifest.json'}: not a valid manifest") from exc
        totals = manifest.totals or {}
    else:
        raise RunError(f"{folder}: not a run folder (no {INDEX_NAME} or manifest.json)")
    return RunSummary(folder, manifest, totals, _saved_scores(folder))


def _saved_scores(folder: Path) -> dict[str, float]:
    """Headline scores of an ``eval.json`` saved in the run folder (as ``make seeds`` does)."""
    path = folder / "eval.json"
    if not path.is_file():
        return {}
    with contextlib.suppress(OSError, ValueError, AttributeError):
        summary = json.loads(path.read_text(encoding="utf-8")).get("summary", {})
        names = ("incident_f1", "field_accuracy")
        return {name: float(summary[name]) for name in names if summary.get(name) is not None}
    return {}


def find_runs(root: Path, *, depth: int = 3) -> list[RunSummary]:
    """Run folders under ``root`` (nested ones too, as ``bench`` writes), newest first."""
    if not root.is_dir():
        return []
    folders: set[Path] = set()
    for level in range(depth):
        pattern = "/".join(["*"] * level)
        for marker in (INDEX_NAME, "manifest.json"):
            folders.update(p.parent for p in root.glob(f"{pattern}/{marker}".lstrip("/")))
    summaries = []
    for folder in folders:
        with contextlib.suppress(RunError):
            summaries.append(summarise(folder))
    return sorted(summaries, key=lambda s: s.manifest.created or "", reverse=True)


def documents(folder: Path) -> list[tuple[str, DocumentEntry]]:
    """Every document's entry, from the index (or the manifest of an older folder)."""
    index = RunIndex.open_existing(folder)
    if index is not None:
        try:
            return list(index.entries())
        finally:
            index.close()
    return sorted(summarise(folder).manifest.documents.items())


def extraction(folder: Path, doc_id: str) -> dict[str, Any]:
    """One document's extraction: from the index, else its file."""
    index = RunIndex.open_existing(folder)
    if index is not None:
        try:
            found = index.extraction(doc_id)
        finally:
            index.close()
        if found is not None:
            return found
    path = folder / f"{doc_id}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RunError(f"{folder}: no finished document {doc_id!r}") from exc
    if not isinstance(data, dict):
        raise RunError(f"{path}: not an extraction")
    return data
