"""The response cache: model answers keyed by everything that determines them.

One SQLite database (``responses.sqlite`` in the cache folder, WAL mode), safe under
concurrent writers: threads of one run, several runs at once, Ray workers sharing a
machine.  One file per answer, as before, cost a file create and fsync per call and
millions of files on a big run; answers cached that way are still read, and moved into the
database the first time they are hit.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from llmextract.providers.types import Usage
from llmextract.providers.weights import cache_root
from llmextract.run.atomic import stable_hash
from llmextract.run.index import connect

CACHE_NAME = "responses.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    usage TEXT NOT NULL,
    created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
"""


def _open(path: Path) -> sqlite3.Connection:
    connection = connect(path)
    try:
        with connection:
            connection.executescript(_SCHEMA)
    except sqlite3.DatabaseError:
        connection.close()
        raise
    return connection


class ResponseCache:
    """Model responses keyed by everything that determines them.

    The key covers the model identity (spec and weights sha256), the decoding parameters,
    the full messages (so the prompt's content and the document's text), the response
    schema and the token limit.  A changed prompt or model misses; the same inputs hit and
    make no model call.  Each thread has its own connection (sqlite3's rule); the database
    is opened on first use, so a run that never calls a model never creates it.
    """

    def __init__(self, folder: Path | None = None, *, read: bool = True) -> None:
        env = os.environ.get("LLMEXTRACT_RESPONSE_CACHE")
        self.folder = folder or (Path(env) if env else cache_root() / "responses")
        self.read = read
        self._local = threading.local()

    @property
    def path(self) -> Path:
        return self.folder / CACHE_NAME

    def _db(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            self.folder.mkdir(parents=True, exist_ok=True)
            try:
                connection = _open(self.path)
            except sqlite3.DatabaseError:
                # A damaged cache only costs answers: set aside (kept for a post-mortem).
                stamp = time.strftime("%Y%m%d-%H%M%S")
                self.path.rename(self.path.with_name(f"{CACHE_NAME}.damaged-{stamp}"))
                connection = _open(self.path)
            self._local.connection = connection
        return connection

    def key(self, **parts: Any) -> str:
        return stable_hash(parts)

    def _legacy_path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str, response_model: type[BaseModel]) -> tuple[BaseModel, Usage] | None:
        if not self.read:
            return None
        row = (
            self._db()
            .execute("SELECT value, usage FROM responses WHERE key = ?", (key,))
            .fetchone()
        )
        if row is not None:
            record = {"value": json.loads(row[0]), "usage": json.loads(row[1])}
        else:
            record = self._legacy(key)
        if record is None:
            return None
        try:
            value = response_model.model_validate(record["value"])
        except (KeyError, ValidationError):
            return None
        known = set(Usage.__dataclass_fields__)
        usage = Usage(**{k: v for k, v in record.get("usage", {}).items() if k in known})
        return value, usage

    def _legacy(self, key: str) -> dict[str, Any] | None:
        """An answer cached as a file by an earlier version: moved into the database."""
        path = self._legacy_path(key)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(record, dict) or "value" not in record:
            return None
        self._store(key, record["value"], record.get("usage", {}))
        return record

    def put(self, key: str, value: BaseModel, usage: Usage) -> None:
        self._store(key, value.model_dump(mode="json"), usage.__dict__)

    def _store(self, key: str, value: Any, usage: dict[str, Any]) -> None:
        db = self._db()
        with db:
            db.execute(
                "INSERT OR REPLACE INTO responses (key, value, usage) VALUES (?, ?, ?)",
                (key, json.dumps(value, ensure_ascii=False), json.dumps(usage)),
            )

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None
