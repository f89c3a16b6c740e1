"""Atomic files: written to a temporary name, fsynced and renamed.

A reader sees the old file or the new one, never half of one; a crash leaves at most a
``.<name>.<random>.tmp`` that the run folder removes on its next open.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
from pathlib import Path
from typing import Any


def write_atomic(path: Path, content: str, *, sync: bool = True) -> None:
    """Write-then-rename in the same folder, so the file is whole or absent.

    The temporary file is created with mode 0666 filtered by the umask (``os.open``), not
    ``mkstemp``'s 0600, so run and cache files get the permissions the user expects.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temp_name = str(path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp")
    handle = os.open(temp_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(content)
            if sync:  # against power loss; a process crash never loses written pages
                out.flush()
                os.fsync(out.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


def write_json_atomic(path: Path, data: Any, *, sync: bool = True, indent: int | None = 2) -> None:
    """JSON, atomically; ``indent=None`` for big files (the C encoder, ~10x faster)."""
    text = json.dumps(data, indent=indent, ensure_ascii=False, default=str)
    write_atomic(path, text + "\n", sync=sync)


def stable_hash(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
