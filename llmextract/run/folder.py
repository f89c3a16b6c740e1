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
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from pydantic import ValidationError

from llmextract.errors import LlmextractError, one_line, redact_secrets
from llmextract.run.atomic import write_atomic, write_json_atomic
from llmextract.run.index import INDEX_NAME, RunIndex, totals_of_entries
from llmextract.run.manifest import DocumentEntry, PromptRef, RunManifest
from llmextract.schema import Extraction, GoldFile, GoldIncident, Incident

# Seconds between rewrites of ``manifest.json`` during a run (it is always written at the end).
MANIFEST_INTERVAL_S = 10.0


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
        with contextlib.suppress(OSError, ValueError, sqlite3.DatabaseError):
            index = RunIndex.open_existing(manifest_path.parent)
            if index is not None:  # its header: never the whole manifest of a big run
                try:
                    header = index.header()
                finally:
                    index.close()
                key, status = header.get("config_key"), header.get("status")
            else:
                text = manifest_path.read_text(encoding="utf-8")
                manifest = RunManifest.model_validate_json(text)
                key, status = manifest.config_key, manifest.status
            if key == config_key and status != "complete":
                candidates.append(manifest_path.parent)
    return max(candidates, key=lambda p: p.stat().st_mtime) if candidates else None


class RunStore:
    """One run folder being written: its index, the per-document files, the manifest.

    The index (``run.db``) commits each document before its ``<doc_id>.json`` is written,
    so a crash leaves at worst a committed document without its file, which the next open
    writes from the index without asking the model again.  ``manifest.json`` is a summary
    rewritten at the start, at intervals and at the end, never per document: rewriting it
    per document made a run quadratic.
    """

    def __init__(
        self,
        folder: Path,
        manifest: RunManifest | dict[str, Any],
        *,
        manifest_interval: float = MANIFEST_INTERVAL_S,
    ) -> None:
        self.folder = folder
        self.manifest_path = folder / "manifest.json"
        self.manifest = (
            manifest if isinstance(manifest, RunManifest) else RunManifest.model_validate(manifest)
        )
        self.manifest_interval = manifest_interval
        # Input files' (size, mtime_ns) when read, saved with their document for resume.
        self.source_stats: dict[str, tuple[int, int]] = {}
        self._lock = threading.RLock()
        self._next_manifest = 0.0
        folder.mkdir(parents=True, exist_ok=True)
        had_index = (folder / INDEX_NAME).is_file()
        # With an index the manifest is only its summary: never parsed (36 MB at 100k).
        previous = None if had_index else self._previous_manifest()
        self.index = RunIndex(folder)
        header = self.index.header()
        previous_key = header.get("config_key") or (previous.config_key if previous else None)
        if previous_key and previous_key != self.manifest.config_key:
            self.index.close()
            raise RunError(
                f"{folder}: holds a run with another model, prompt, strategy or decoding; "
                "choose another --out folder"
            )
        if previous and not had_index:
            self._import_entries(previous)
        created = header.get("created") or (previous.created if previous else None)
        self.manifest.created = (
            created
            or self.manifest.created
            or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        )
        if header or previous:
            resumed = header.get("resumed", previous.resumed if previous else 0)
            self.manifest.resumed = (resumed or 0) + 1
        self._last_status = header.get("status") if had_index else None
        self._saved_totals = header.get("last_totals") if had_index else None
        self._changed = not had_index
        self.manifest.documents = {}
        self.index.set_header(self._header())
        self._done = self.index.done_sources()  # doc_id -> its input's (size, mtime_ns)
        self._tidy_folder()

    def _header(self) -> dict[str, Any]:
        return self.manifest.to_json() | {"documents": None, "totals": None}

    def _previous_manifest(self) -> RunManifest | None:
        if not self.manifest_path.exists():
            return None
        try:
            return RunManifest.model_validate_json(self.manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _import_entries(self, previous: RunManifest) -> None:
        """A folder written before the index: its manifest's entries (and files) go in once."""
        for doc_id, entry in previous.documents.items():
            extraction = self._file_extraction(doc_id) if entry.status == "done" else None
            if entry.status == "done" and extraction is None:
                continue  # its file is gone: the document runs again
            self.index.save(doc_id, entry, extraction=extraction)

    def _file_extraction(self, doc_id: str) -> dict[str, Any] | None:
        try:
            text = self.document_path(doc_id).read_text(encoding="utf-8")
            return Extraction.model_validate_json(text).model_dump(mode="json")
        except (OSError, ValueError, ValidationError):
            return None

    def _tidy_folder(self) -> None:
        """One listing of the folder: stale temporaries removed, and committed documents
        whose file a crash prevented written now from the index."""
        names = [entry.name for entry in os.scandir(self.folder)]
        for name in names:
            if name.startswith(".") and name.endswith(".tmp"):
                with contextlib.suppress(OSError):
                    (self.folder / name).unlink()
        self._files = {name[:-5] for name in names if name.endswith(".json")}
        for doc_id in self._done.keys() - self._files:
            extraction = self.index.extraction(doc_id)
            if extraction is not None:
                write_json_atomic(self.document_path(doc_id), extraction, sync=False)
                self._files.add(doc_id)

    def document_path(self, doc_id: str) -> Path:
        return self.folder / f"{doc_id}.json"

    def unchanged_since_done(self, doc_id: str, size: int, mtime_ns: int) -> bool:
        """Finished before from an input file of the same size and mtime: skip it unread."""
        return self._done.get(doc_id) == (size, mtime_ns)

    def may_be_done(self, doc_id: str) -> bool:
        """Done in the index, or a file of that name in the folder: worth reading to check."""
        return doc_id in self._done or doc_id in self._files

    def is_done(self, doc_id: str, doc_sha256: str) -> bool:
        """Finished before, for the same text: in the index, or a valid file naming it."""
        if doc_id in self._done:
            return self.index.sha256_of(doc_id) == doc_sha256
        extraction = self._file_extraction(doc_id)
        return extraction is not None and (
            extraction.get("meta", {}).get("document", {}).get("sha256") == doc_sha256
        )

    def save_document(self, extraction: Extraction, entry: DocumentEntry | dict[str, Any]) -> None:
        self.record(extraction.doc_id, entry, extraction=extraction.model_dump_json())
        # Not fsynced: the index already holds it, and rename is atomic across a crash.
        text = extraction.model_dump_json(indent=2) + "\n"
        write_atomic(self.document_path(extraction.doc_id), text, sync=False)

    def record(
        self,
        doc_id: str,
        entry: DocumentEntry | dict[str, Any],
        *,
        extraction: str | dict[str, Any] | None = None,
    ) -> None:
        if isinstance(entry, dict):
            entry = DocumentEntry.model_validate(entry)
        if entry.error:
            entry.error = redact_secrets(entry.error)
        self.index.save(doc_id, entry, extraction=extraction, source=self.source_stats.get(doc_id))
        self._changed = True
        if time.monotonic() >= self._next_manifest:
            self.flush()

    def record_finished(self, doc_id: str, path: Path) -> None:
        """A document finished before: refresh its input file's state, or, when only its
        file says so (a folder copied by hand, or written before the index), index it."""
        if doc_id in self._done:
            entry = self.index.entry(doc_id)
            extraction = self.index.extraction(doc_id)
        else:
            extraction = self._file_extraction(doc_id)
            if extraction is None:
                return
            entry = DocumentEntry(
                status="done",
                path=str(path),
                incidents=len(extraction.get("incidents", [])),
                recovered=True,
            )
        if entry is not None:
            self.record(doc_id, entry, extraction=extraction)

    def flush(self, status: str | None = None) -> None:
        """Rewrite ``manifest.json`` from the index (a summary for readers and tools)."""
        with self._lock:
            started = time.monotonic()
            if status:
                self.manifest.status = status
            self.manifest.updated = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            self.manifest.totals = self.index.totals()
            self.index.set_header(self._header() | {"last_totals": self.manifest.totals})
            header = self.manifest.to_json()
            header.pop("documents", None)
            # Entries go from the index's JSON text straight into the file: validating
            # and re-serialising 100,000 of them would cost seconds per summary.
            entries = ",\n".join(
                f"{json.dumps(doc_id, ensure_ascii=False)}: {entry}"
                for doc_id, entry in self.index.raw_entries()
            )
            opening = json.dumps(header, ensure_ascii=False, default=str)[:-1]
            opening += ", " if header else ""
            write_atomic(self.manifest_path, f'{opening}"documents": {{\n{entries}}}}}\n')
            self._last_status, self._changed = self.manifest.status, False
            # A big run spends at most ~5% of its time on the summary.
            spent = time.monotonic() - started
            self._next_manifest = time.monotonic() + max(self.manifest_interval, 20 * spent)

    def finish(self, status: str) -> None:
        """The last summary; skipped when a resumed run found nothing to do or change."""
        if self._changed or status != self._last_status or not self.manifest_path.exists():
            self.flush(status)
        else:
            self.manifest.status = status
            # Nothing changed since the last summary: its totals still hold.
            self.manifest.totals = self._saved_totals or self.index.totals()
            # Opening the run said "running"; totals kept so the next resume need not sum.
            self.index.set_header({"status": status, "last_totals": self.manifest.totals})

    def failures(self) -> dict[str, str]:
        return self.index.failures()

    def close(self) -> None:
        self.index.close()


def totals(documents: dict[str, DocumentEntry]) -> dict[str, Any]:
    """Run totals from per-document entries (so resumed runs add up correctly)."""
    return totals_of_entries(list(documents.values()))


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

    index = RunIndex.open_existing(run_dir)
    if index is not None:  # the index is the truth; the manifest may predate a crash
        try:
            manifest.documents = dict(index.entries())
            manifest.totals = index.totals()
        except sqlite3.DatabaseError as exc:
            warnings.append(f"{run_dir / INDEX_NAME}: not readable, ignored ({one_line(exc)})")
        finally:
            index.close()
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
