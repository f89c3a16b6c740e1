"""Per-document incidents with their provenance, the unit that tables and events share.

A run stores one file per document; an analyst's table needs each incident to carry the
document's publication date, URL and outlet, and the run's model, prompt and strategy.
Both ``export`` and ``events`` read runs through here so they agree on what an incident
row knows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmextract.run.folder import Run, load_run
from llmextract.schema import Incident


@dataclass(frozen=True)
class Record:
    """One incident of one document of one run."""

    run: str
    doc_id: str
    index: int
    incident: Incident
    published: dt.date | None = None
    url: str | None = None
    outlet: str | None = None
    model: str | None = None
    prompt: str | None = None
    strategy: str | None = None
    file: str | None = None

    @property
    def ref(self) -> str:
        """``doc_id#index``: the link from an event back to the per-document record."""
        return f"{self.doc_id}#{self.index}"

    @property
    def document(self) -> tuple[str, str]:
        """Which document (of which run) this incident came from."""
        return (self.run, self.doc_id)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def records_of_run(run: Run) -> list[Record]:
    """Every incident of a loaded run, in doc_id then incident order."""
    records = []
    for doc_id in sorted(run.documents):
        doc = run.documents[doc_id]
        document = doc.meta.get("document") if isinstance(doc.meta, dict) else None
        document = document if isinstance(document, dict) else {}
        for index, incident in enumerate(doc.incidents):
            records.append(
                Record(
                    run=str(run.path),
                    doc_id=doc_id,
                    index=index,
                    incident=incident,
                    published=_date(document.get("published")),
                    url=document.get("url") or None,
                    outlet=document.get("source") or None,
                    model=run.model,
                    prompt=run.prompt,
                    strategy=run.strategy,
                    file=str(doc.file) if doc.file else None,
                )
            )
    return records


def load_records(run_dirs: Iterable[Path]) -> list[Record]:
    """Every incident of every run folder (``scoring.RunError`` for an unreadable one)."""
    return [record for run_dir in run_dirs for record in records_of_run(load_run(run_dir))]
