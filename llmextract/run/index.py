"""The run index: one SQLite database per run folder (``run.db``), the run's source of truth.

Every finished or failed document is one committed transaction (its entry, its extraction
and its incidents), so the cost per document stays flat however long the run, resume
reads one table instead of every file, and a SIGKILL at any point loses nothing committed:
WAL mode with ``synchronous=NORMAL`` keeps commits atomic across a process crash without
an fsync per document (a power cut may lose the last commits, never corrupt the rest).
The ``<doc_id>.json`` files and ``manifest.json`` are written from it for readers.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from llmextract.run.manifest import DocumentEntry

INDEX_NAME = "run.db"
SCHEMA_VERSION = 1

# Columns summed into the run's totals, in DocumentEntry's names.
_NUMBERS = (
    "seconds", "model_seconds", "input_tokens", "output_tokens", "model_calls",
    "cached_calls", "retries", "split_passages", "incidents",
)  # fmt: skip
# Incident fields copied into columns of their own, so a run can be queried in SQL.
_INCIDENT_COLUMNS = (
    "incident_type", "date_start", "place", "admin1", "country", "perpetrator",
    "attribution", "target_type", "killed", "wounded", "kidnapped",
)  # fmt: skip

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS header (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    source_path TEXT,
    source_size INTEGER,
    source_mtime_ns INTEGER,
    sha256 TEXT,
    {", ".join(f"{name} REAL NOT NULL DEFAULT 0" for name in _NUMBERS)},
    error TEXT,
    entry TEXT NOT NULL,
    extraction TEXT,
    finished TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
-- Covering resume's queries: a scan of the table itself reads every row's big JSON pages.
DROP INDEX IF EXISTS documents_status;
CREATE INDEX IF NOT EXISTS documents_sources
    ON documents (status, doc_id, source_size, source_mtime_ns);
CREATE TABLE IF NOT EXISTS incidents (
    doc_id TEXT NOT NULL REFERENCES documents (doc_id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    {", ".join(f"{name}" for name in _INCIDENT_COLUMNS)},
    record TEXT NOT NULL,
    PRIMARY KEY (doc_id, number)
);
PRAGMA user_version = {SCHEMA_VERSION};
"""


def connect(path: Path, *, timeout: float = 30.0) -> sqlite3.Connection:
    """A connection in WAL mode that waits for other writers instead of failing."""
    connection = sqlite3.connect(path, timeout=timeout, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA foreign_keys=ON")
    return connection


class RunIndex:
    """``run.db`` of one run folder; one connection shared by the driver's threads."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / INDEX_NAME
        self._lock = threading.Lock()
        self._db = connect(self.path)
        with self._lock, self._db:
            self._db.executescript(_SCHEMA)

    @classmethod
    def open_existing(cls, folder: Path) -> RunIndex | None:
        """The folder's index if it has one (readers never create one)."""
        return cls(folder) if (folder / INDEX_NAME).is_file() else None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- header: the manifest's run-level fields

    def header(self) -> dict[str, Any]:
        with self._lock:
            rows = self._db.execute("SELECT key, value FROM header").fetchall()
        return {key: json.loads(value) for key, value in rows}

    def set_header(self, fields: dict[str, Any]) -> None:
        rows = [(key, json.dumps(value, default=str)) for key, value in fields.items()]
        with self._lock, self._db:
            self._db.executemany("INSERT OR REPLACE INTO header VALUES (?, ?)", rows)

    # -- documents

    def save(
        self,
        doc_id: str,
        entry: DocumentEntry,
        *,
        extraction: str | dict[str, Any] | None = None,
        source: tuple[int, int] | None = None,
    ) -> None:
        """One document's outcome in one transaction (a rerun of a failed one replaces it).

        ``extraction`` is the Extraction as JSON text (or its dict), stored as given.
        """
        if isinstance(extraction, dict):
            extraction = json.dumps(extraction, ensure_ascii=False)
        data = json.loads(extraction) if extraction else {}
        sha = (data.get("meta") or {}).get("document", {}).get("sha256")
        values = [entry.status, entry.path, *(source or (None, None)), sha]
        values += [getattr(entry, name) for name in _NUMBERS]
        values += [entry.error, entry.model_dump_json(exclude_unset=True), extraction]
        names = ["status", "source_path", "source_size", "source_mtime_ns", "sha256"]
        names += [*_NUMBERS, "error", "entry", "extraction"]
        incidents = [
            (doc_id, number, *(_column(record.get(name)) for name in _INCIDENT_COLUMNS),
             json.dumps(record, ensure_ascii=False))
            for number, record in enumerate(data.get("incidents", []))
        ]  # fmt: skip
        marks = ", ".join("?" for _ in range(len(_INCIDENT_COLUMNS) + 3))
        with self._lock, self._db:
            self._db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
            self._db.execute(
                f"INSERT INTO documents (doc_id, {', '.join(names)}) "
                f"VALUES (?, {', '.join('?' for _ in names)})",
                [doc_id, *values],
            )
            self._db.executemany(f"INSERT INTO incidents VALUES ({marks})", incidents)

    def done_sources(self) -> dict[str, tuple[int, int] | None]:
        """The finished documents, each with its input file's (size, mtime_ns) when known.

        One pass over the covering index: a resume of 100,000 documents checks each input
        file with one dict lookup.
        """
        with self._lock:
            rows = self._db.execute(
                "SELECT doc_id, source_size, source_mtime_ns FROM documents WHERE status = 'done'"
            ).fetchall()
        return {
            doc_id: (size, mtime) if size is not None and mtime is not None else None
            for doc_id, size, mtime in rows
        }

    def sha256_of(self, doc_id: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT sha256 FROM documents WHERE doc_id = ?", (doc_id,)
            ).fetchone()
        return row[0] if row else None

    def entries(self) -> Iterator[tuple[str, DocumentEntry]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT doc_id, entry FROM documents ORDER BY doc_id"
            ).fetchall()
        for doc_id, entry in rows:
            yield doc_id, DocumentEntry.model_validate_json(entry)

    def raw_entries(self) -> list[tuple[str, str]]:
        """Every document's entry as the JSON text stored, by doc_id."""
        with self._lock:
            return self._db.execute(
                "SELECT doc_id, entry FROM documents ORDER BY doc_id"
            ).fetchall()

    def entry(self, doc_id: str) -> DocumentEntry | None:
        with self._lock:
            row = self._db.execute(
                "SELECT entry FROM documents WHERE doc_id = ?", (doc_id,)
            ).fetchone()
        return DocumentEntry.model_validate_json(row[0]) if row else None

    def extraction(self, doc_id: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT extraction FROM documents WHERE doc_id = ?", (doc_id,)
            ).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    def failures(self) -> dict[str, str]:
        with self._lock:
            rows = self._db.execute(
                "SELECT doc_id, coalesce(error, '') FROM documents WHERE status = 'failed' "
                "ORDER BY doc_id"
            ).fetchall()
        return dict(rows)

    def totals(self) -> dict[str, Any]:
        """The run's totals in SQL: the same figures ``folder.totals`` gives from entries."""
        done = ", ".join(f"coalesce(sum({name}), 0)" for name in _NUMBERS)
        with self._lock:
            documents, failed, all_retries = self._db.execute(
                "SELECT count(*), coalesce(sum(status = 'failed'), 0), coalesce(sum(retries), 0) "
                "FROM documents"
            ).fetchone()
            sums = self._db.execute(
                f"SELECT count(*), {done} FROM documents WHERE status = 'done'"
            ).fetchone()
        count, *numbers = sums
        summed = dict(zip(_NUMBERS, numbers, strict=True))
        return _totals(int(documents), int(failed), int(count), int(all_retries), summed)


def _column(value: Any) -> Any:
    return value if value is None or isinstance(value, int | float | str) else str(value)


def _totals(
    documents: int, failed: int, count: int, retries: int, summed: dict[str, float]
) -> dict[str, Any]:
    seconds, model_seconds = float(summed["seconds"]), float(summed["model_seconds"])
    tokens_in, tokens_out = int(summed["input_tokens"]), int(summed["output_tokens"])
    return {
        "documents": documents,
        "succeeded": count,
        "failed": failed,
        "incidents": int(summed["incidents"]),
        "seconds": round(seconds, 2),
        "input_tokens": tokens_in,
        "output_tokens": tokens_out,
        "model_calls": int(summed["model_calls"]),
        "cached_calls": int(summed["cached_calls"]),
        "retries": retries,
        "model_seconds": round(model_seconds, 2),
        "seconds_per_document": round(seconds / count, 2) if count else None,
        "model_seconds_per_document": round(model_seconds / count, 2) if count else None,
        "tokens_per_document": round((tokens_in + tokens_out) / count, 1) if count else None,
        "output_tokens_per_second": round(tokens_out / seconds, 2) if seconds else None,
    }


def totals_of_entries(entries: list[DocumentEntry]) -> dict[str, Any]:
    """Totals from entries in memory (folders written before the index, gold folders)."""
    done = [e for e in entries if e.status == "done"]
    summed = {name: float(sum(getattr(e, name) for e in done)) for name in _NUMBERS}
    failed = sum(1 for e in entries if e.status == "failed")
    return _totals(len(entries), failed, len(done), sum(e.retries for e in entries), summed)
