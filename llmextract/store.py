"""The run store: atomic files, the response cache, run folders, manifests and resume.

Nothing is lost on a crash: every file is written to a temporary name, fsynced and renamed,
so a reader sees the old file or the new one, never half of one.  A run folder holds one
``<doc_id>.json`` per finished document and a ``manifest.json``; re-running into it skips
finished documents, so a run killed midway finishes the rest with each document written once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from llmextract.models import Usage, cache_root, redact_secrets
from llmextract.schema import Extraction


def write_atomic(path: Path, content: str) -> None:
    """Write-then-rename in the same folder, so the file is whole or absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


def write_json_atomic(path: Path, data: Any) -> None:
    write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def stable_hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


class ResponseCache:
    """Model responses keyed by everything that determines them.

    The key covers the model identity (spec and weights sha256), the decoding parameters,
    the full messages (so the prompt's content and the document's text), the response
    schema and the token limit.  A changed prompt or model misses; the same inputs hit and
    make no model call.
    """

    def __init__(self, folder: Path | None = None, *, read: bool = True) -> None:
        env = os.environ.get("LLMEXTRACT_RESPONSE_CACHE")
        self.folder = folder or (Path(env) if env else cache_root() / "responses")
        self.read = read

    def key(self, **parts: Any) -> str:
        return stable_hash(parts)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str, response_model: type[BaseModel]) -> tuple[BaseModel, Usage] | None:
        if not self.read:
            return None
        path = self._path(key)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            value = response_model.model_validate(record["value"])
        except (OSError, ValueError, KeyError, ValidationError):
            return None
        known = set(Usage.__dataclass_fields__)
        usage = Usage(**{k: v for k, v in record.get("usage", {}).items() if k in known})
        return value, usage

    def put(self, key: str, value: BaseModel, usage: Usage) -> None:
        record = {"value": value.model_dump(mode="json"), "usage": usage.__dict__}
        write_json_atomic(self._path(key), record)


# ---------------------------------------------------------------------------------------
# Run folders


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
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            if manifest.get("config_key") == config_key and manifest.get("status") != "complete":
                candidates.append(manifest_path.parent)
    return max(candidates, key=lambda p: p.stat().st_mtime) if candidates else None


class RunStore:
    """One run folder: finished documents, the manifest, and what to skip on resume."""

    def __init__(self, folder: Path, manifest: dict[str, Any]) -> None:
        self.folder = folder
        self.manifest_path = folder / "manifest.json"
        self.manifest = manifest
        # Documents finish in worker threads (HTTP concurrency): one writer at a time, or
        # serialising the manifest while another thread adds an entry crashes the run.
        self._lock = threading.RLock()
        folder.mkdir(parents=True, exist_ok=True)
        previous = self._previous_manifest()
        if previous and previous.get("config_key") != manifest.get("config_key"):
            raise RunStoreError(
                f"{folder}: holds a run with another model, prompt, strategy or decoding; "
                "choose another --out folder"
            )
        self.manifest["documents"] = (previous or {}).get("documents", {})
        self.manifest.setdefault("created", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        if previous:
            self.manifest["created"] = previous.get("created", self.manifest["created"])
            self.manifest["resumed"] = previous.get("resumed", 0) + 1
        self._remove_stale_temporaries()

    def _previous_manifest(self) -> dict[str, Any] | None:
        if not self.manifest_path.exists():
            return None
        try:
            return json.loads(self.manifest_path.read_text(encoding="utf-8"))
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

    def save_document(self, extraction: Extraction, entry: dict[str, Any]) -> None:
        write_json_atomic(self.document_path(extraction.doc_id), extraction.model_dump(mode="json"))
        self.record(extraction.doc_id, entry)

    def record(self, doc_id: str, entry: dict[str, Any]) -> None:
        if entry.get("error"):
            entry["error"] = redact_secrets(str(entry["error"]))
        with self._lock:
            self.manifest["documents"][doc_id] = entry
            self.flush()

    def record_finished(self, doc_id: str, path: Path) -> None:
        """Name in the manifest a document whose file is done but not yet recorded.

        A crash between writing ``<doc_id>.json`` and the manifest leaves exactly that;
        resume skips the document, so it is recorded here from its file.
        """
        if self.manifest["documents"].get(doc_id, {}).get("status") == "done":
            return
        text = self.document_path(doc_id).read_text(encoding="utf-8")
        extraction = Extraction.model_validate_json(text)
        entry = {"status": "done", "path": str(path), "incidents": len(extraction.incidents)}
        self.record(doc_id, {**entry, "warnings": [], "error": None, "recovered": True})

    def flush(self, status: str | None = None) -> None:
        with self._lock:
            if status:
                self.manifest["status"] = status
            self.manifest["totals"] = totals(self.manifest["documents"])
            self.manifest["updated"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            write_json_atomic(self.manifest_path, self.manifest)

    def failures(self) -> dict[str, str]:
        return {
            doc_id: entry["error"]
            for doc_id, entry in self.manifest["documents"].items()
            if entry.get("status") == "failed"
        }


class RunStoreError(Exception):
    pass


def totals(documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Run totals from per-document entries (so resumed runs add up correctly)."""
    entries = list(documents.values())
    done = [e for e in entries if e.get("status") == "done"]
    seconds = sum(e.get("seconds", 0.0) for e in done)
    tokens_in = sum(e.get("input_tokens", 0) for e in done)
    tokens_out = sum(e.get("output_tokens", 0) for e in done)
    model_seconds = sum(e.get("model_seconds", 0.0) for e in done)
    count = len(done)
    return {
        "documents": len(entries),
        "succeeded": count,
        "failed": sum(1 for e in entries if e.get("status") == "failed"),
        "incidents": sum(e.get("incidents", 0) for e in done),
        "seconds": round(seconds, 2),
        "input_tokens": tokens_in,
        "output_tokens": tokens_out,
        "model_calls": sum(e.get("model_calls", 0) for e in done),
        "cached_calls": sum(e.get("cached_calls", 0) for e in done),
        "retries": sum(e.get("retries", 0) for e in entries),
        "model_seconds": round(model_seconds, 2),
        "seconds_per_document": round(seconds / count, 2) if count else None,
        "model_seconds_per_document": round(model_seconds / count, 2) if count else None,
        "tokens_per_document": round((tokens_in + tokens_out) / count, 1) if count else None,
        "output_tokens_per_second": round(tokens_out / seconds, 2) if seconds else None,
    }


@contextlib.contextmanager
def run_lock(folder: Path) -> Iterator[None]:
    """One writer per run folder: a second process on the same folder fails fast."""
    import fcntl

    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise RunStoreError(
                f"{folder}: another llmextract process is writing this run"
            ) from exc
        yield
