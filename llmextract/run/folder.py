"""The run folder: written by ``RunStore`` during a run, read by ``load_run`` for scoring.

A run folder holds one ``<doc_id>.json`` per finished document (an ``Extraction``) and a
``manifest.json`` (``RunManifest``).  Re-running into it skips finished documents, so a run
killed midway finishes the rest with each document written once.  Both sides live here so
the format has one owner.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from pydantic import ValidationError

from llmextract.errors import LlmextractError, one_line, redact_secrets
from llmextract.run.atomic import write_json_atomic
from llmextract.run.manifest import DocumentEntry, PromptRef, RunManifest
from llmextract.schema import Extraction, GoldFile, GoldIncident, Incident


class RunError(LlmextractError):
    """A run that cannot start (a locked or foreign run folder), or a folder that cannot be
    scored (missing, empty); the message is one line."""


# ---------------------------------------------------------------------------------------
# Writing


def default_run_dir(model_slug: str, prompt_name: str, root: Path = Path("runs")) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return root / f"{model_slug}-{prompt_name}-{stamp}"


def find_unfinished_run(config_key: str, root: Path = Path("runs")) -> Path | None:
    """The newest run folder with the same configuration that did not finish, if any."""
    if not root.is_dir():
        return None
    candidates = []
    for manifest_path in root.glob("*/manifest.json"):
        with contextlib.suppress(OSError, ValueError):
            manifest = RunManifest.model_validate_json(manifest_path.read_text(encoding="utf-8"))
            if manifest.config_key == config_key and manifest.status != "complete":
                candidates.append(manifest_path.parent)
    return max(candidates, key=lambda p: p.stat().st_mtime) if candidates else None


class RunStore:
    """One run folder being written: finished documents, the manifest, what to skip on resume."""

    def __init__(self, folder: Path, manifest: RunManifest | dict[str, Any]) -> None:
        self.folder = folder
        self.manifest_path = folder / "manifest.json"
        self.manifest = (
            manifest if isinstance(manifest, RunManifest) else RunManifest.model_validate(manifest)
        )
        # Documents finish in worker threads (HTTP concurrency): one writer at a time, or
        # serialising the manifest while another thread adds an entry crashes the run.
        self._lock = threading.RLock()
        folder.mkdir(parents=True, exist_ok=True)
        previous = self._previous_manifest()
        if previous and previous.config_key != self.manifest.config_key:
            raise RunError(
                f"{folder}: holds a run with another model, prompt, strategy or decoding; "
                "choose another --out folder"
            )
        self.manifest.documents = dict(previous.documents) if previous else {}
        if self.manifest.created is None:
            self.manifest.created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        if previous:
            self.manifest.created = previous.created or self.manifest.created
            self.manifest.resumed = (previous.resumed or 0) + 1
        self._remove_stale_temporaries()

    def _previous_manifest(self) -> RunManifest | None:
        if not self.manifest_path.exists():
            return None
        try:
            return RunManifest.model_validate_json(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _remove_stale_temporaries(self) -> None:
        for temp in self.folder.glob(".*.tmp"):
            with contextlib.suppress(OSError):
                temp.unlink()

    def document_path(self, doc_id: str) -> Path:
        return self.folder / f"{doc_id}.json"

    def is_done(self, doc_id: str, doc_sha256: str) -> bool:
        """Finished before, for the same text: a valid file whose meta names this text."""
        path = self.document_path(doc_id)
        if not path.exists():
            return False
        try:
            extraction = Extraction.model_validate_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, ValidationError):
            return False
        return extraction.meta.get("document", {}).get("sha256") == doc_sha256

    def save_document(self, extraction: Extraction, entry: DocumentEntry | dict[str, Any]) -> None:
        write_json_atomic(self.document_path(extraction.doc_id), extraction.model_dump(mode="json"))
        self.record(extraction.doc_id, entry)

    def record(self, doc_id: str, entry: DocumentEntry | dict[str, Any]) -> None:
        if isinstance(entry, dict):
            entry = DocumentEntry.model_validate(entry)
        if entry.error:
            entry.error = redact_secrets(entry.error)
        with self._lock:
            self.manifest.documents[doc_id] = entry
            self.flush()

    def record_finished(self, doc_id: str, path: Path) -> None:
        """Name in the manifest a document whose file is done but not yet recorded.

        A crash between writing ``<doc_id>.json`` and the manifest leaves exactly that;
        resume skips the document, so it is recorded here from its file.
        """
        known = self.manifest.documents.get(doc_id)
        if known is not None and known.status == "done":
            return
        text = self.document_path(doc_id).read_text(encoding="utf-8")
        extraction = Extraction.model_validate_json(text)
        entry = {"status": "done", "path": str(path), "incidents": len(extraction.incidents)}
        self.record(doc_id, {**entry, "warnings": [], "error": None, "recovered": True})

    def flush(self, status: str | None = None) -> None:
        with self._lock:
            if status:
                self.manifest.status = status
            self.manifest.totals = totals(self.manifest.documents)
            self.manifest.updated = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            write_json_atomic(self.manifest_path, self.manifest.to_json())

    def failures(self) -> dict[str, str]:
        return {
            doc_id: entry.error or ""
            for doc_id, entry in self.manifest.documents.items()
            if entry.status == "failed"
        }


def totals(documents: dict[str, DocumentEntry]) -> dict[str, Any]:
    """Run totals from per-document entries (so resumed runs add up correctly)."""
    entries = list(documents.values())
    done = [e for e in entries if e.status == "done"]
    seconds = sum(e.seconds for e in done)
    tokens_in = sum(e.input_tokens for e in done)
    tokens_out = sum(e.output_tokens for e in done)
    model_seconds = sum(e.model_seconds for e in done)
    count = len(done)
    return {
        "documents": len(entries),
        "succeeded": count,
        "failed": sum(1 for e in entries if e.status == "failed"),
        "incidents": sum(e.incidents for e in done),
        "seconds": round(seconds, 2),
        "input_tokens": tokens_in,
        "output_tokens": tokens_out,
        "model_calls": sum(e.model_calls for e in done),
        "cached_calls": sum(e.cached_calls for e in done),
        "retries": sum(e.retries for e in entries),
        "model_seconds": round(model_seconds, 2),
        "seconds_per_document": round(seconds / count, 2) if count else None,
        "model_seconds_per_document": round(model_seconds / count, 2) if count else None,
        "tokens_per_document": round((tokens_in + tokens_out) / count, 1) if count else None,
        "output_tokens_per_second": round(tokens_out / seconds, 2) if seconds else None,
    }


@contextlib.contextmanager
def run_lock(folder: Path) -> Iterator[None]:
    """One writer per run folder: a second process on the same folder fails fast."""
    folder.mkdir(parents=True, exist_ok=True)
    lock = FileLock(folder / ".lock", timeout=0)
    try:
        lock.acquire()
    except Timeout as exc:
        raise RunError(f"{folder}: another llmextract process is writing this run") from exc
    try:
        yield
    finally:
        lock.release()


# ---------------------------------------------------------------------------------------
# Reading


@dataclass
class RunDocument:
    """One document's predicted incidents, as read from a run (or a gold) folder."""

    doc_id: str
    incidents: list[Incident]
    meta: dict[str, Any] = field(default_factory=dict)
    file: Path | None = None


@dataclass
class Run:
    """A run folder: its manifest and its per-document extractions.

    ``is_gold`` is set when the folder holds gold files (annotator agreement): their
    incidents are read as predictions, ignoring ``optional`` and ``accept``.
    """

    path: Path
    manifest: RunManifest
    documents: dict[str, RunDocument]
    is_gold: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def model(self) -> str | None:
        if self.is_gold and not self.manifest.model:
            return "gold"
        return self.manifest.model

    @property
    def prompt(self) -> str | None:
        prompt = self.manifest.prompt
        if isinstance(prompt, PromptRef):
            name, digest = prompt.name, prompt.hash
            if name and digest:
                return f"{name}@{digest[:8]}"
            return name or digest or None
        return prompt

    @property
    def strategy(self) -> str | None:
        return self.manifest.strategy

    def total(self, key: str) -> float | None:
        value = (self.manifest.totals or {}).get(key)
        return (
            float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
        )


def load_run(run_dir: Path) -> Run:
    """Read a run folder (or a gold folder) into predictions by doc_id.

    ``manifest.json`` and JSON files that are not extractions are ignored.  A file that
    looks like an extraction but does not validate is reported in ``Run.warnings`` and
    its document counts as predicting nothing, so one broken file never hides the rest.
    """
    if not run_dir.exists():
        raise RunError(f"run folder {run_dir} does not exist")
    if not run_dir.is_dir():
        raise RunError(f"run folder {run_dir} is not a folder")
    manifest = RunManifest()
    manifest_path = run_dir / "manifest.json"
    warnings: list[str] = []
    if manifest_path.is_file():
        try:
            loaded = json.loads(manifest_path.read_text(encoding="utf-8-sig"))
            if isinstance(loaded, dict):
                manifest = RunManifest.model_validate(loaded)
            else:
                warnings.append(f"{manifest_path}: not a JSON object, ignored")
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            warnings.append(f"{manifest_path}: not readable JSON, ignored ({one_line(exc)})")
        except ValidationError as exc:
            warnings.append(f"{manifest_path}: not a valid manifest, ignored ({_first_error(exc)})")

    for doc_id, entry in sorted(manifest.documents.items()):
        if entry.status == "failed":
            reason = one_line(entry.error or "no reason recorded")
            warnings.append(f"{doc_id}: extraction failed in this run ({reason[:200]})")

    documents: dict[str, RunDocument] = {}
    gold_files = 0
    # Sorted by name (the same order as sorting the paths of one folder, much faster).
    for path in sorted(run_dir.glob("*.json"), key=lambda p: p.name):
        if path.name == "manifest.json":
            continue
        fast = _valid_extraction(path)
        if fast is not None:
            doc = RunDocument(fast.doc_id, list(fast.incidents), fast.meta, path)
            if doc.doc_id in documents and documents[doc.doc_id].incidents:
                warnings.append(f"{path}: a second file for {doc.doc_id}, ignored")
                continue
            documents[doc.doc_id] = doc
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            warnings.append(
                f"{path}: not readable JSON, document counted as empty ({one_line(exc)})"
            )
            documents.setdefault(path.stem, RunDocument(path.stem, [], {}, path))
            continue
        if not isinstance(data, dict) or "doc_id" not in data or "incidents" not in data:
            continue
        try:
            if "labelled_by" in data:
                gold = GoldFile.model_validate(data)
                incidents = [_as_prediction(g) for g in gold.incidents]
                doc = RunDocument(gold.doc_id, incidents, {}, path)
                gold_files += 1
            else:
                extraction = Extraction.model_validate(data)
                doc = RunDocument(
                    extraction.doc_id, list(extraction.incidents), extraction.meta, path
                )
        except ValidationError as exc:
            doc_id = str(data.get("doc_id") or path.stem)
            warnings.append(
                f"{path}: not a valid extraction, document counted as empty "
                f"({exc.error_count()} error(s), first: {_first_error(exc)})"
            )
            documents.setdefault(doc_id, RunDocument(doc_id, [], {}, path))
            continue
        if doc.doc_id in documents and documents[doc.doc_id].incidents:
            warnings.append(f"{path}: a second file for {doc.doc_id}, ignored")
            continue
        documents[doc.doc_id] = doc
    if not documents:
        raise RunError(f"run folder {run_dir} holds no extraction files")
    return Run(
        path=run_dir,
        manifest=manifest,
        documents=documents,
        is_gold=gold_files > 0 and gold_files == len(documents),
        warnings=warnings,
    )


def _valid_extraction(path: Path) -> Extraction | None:
    """The file as an ``Extraction`` when it is one, parsed straight from its bytes; None
    for anything else (another record, a BOM, broken JSON), which the slow path reads and
    reports.  Most files of a run are valid extractions, and this halves reading them."""
    try:
        return Extraction.model_validate_json(path.read_bytes())
    except (OSError, ValueError):
        return None


def _as_prediction(incident: GoldIncident) -> Incident:
    return Incident.model_validate(incident.model_dump(exclude={"optional", "accept"}))


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    loc = ".".join(str(p) for p in error.get("loc", ()))
    return f"{loc}: {error.get('msg', 'invalid')}" if loc else str(error.get("msg", "invalid"))
