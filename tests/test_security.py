"""Secrets never leak and files are never half-written.

An API key must not appear in the console output, the run folder (manifest, documents) or
the response cache, even when a server echoes it back in an error body, and whatever the
run's outcome.  Cache and run files are written atomically: a failure mid-write leaves
the old file and no temporary file.  (Sandboxed prompt rendering: tests/test_prompts.py.)
"""

from __future__ import annotations

import json
import os
import re
import secrets
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from fault_proxy import (  # noqa: F401  (fixtures)
    FaultProxy,
    cli_env,
    llama_server,
    plumbing_prompt,
    proxy,
    read_all,
    run_cli,
    status,
)
from pydantic import BaseModel

from llmextract.providers import Usage
from llmextract.run import atomic as store
from llmextract.run.atomic import write_atomic, write_json_atomic
from llmextract.run.cache import ResponseCache
from llmextract.run.folder import RunStore

ARTICLE = "Gunmen attacked an army post near Mopti on Monday, killing three soldiers.\n"


def new_key() -> str:
    return "sk-test-" + secrets.token_hex(16)


def assert_no_key(key: str, text: str) -> None:
    """Neither the key nor any piece of its secret part (a key cut in half) appears."""
    assert key not in text
    assert key[8:16] not in text
    assert not re.search(r"sk-test-[0-9a-f]", text)


def run_with_key(
    proxy: FaultProxy,  # noqa: F811
    tmp_path: Path,
    key: str,
    *extra: str,
    model: str | None = None,
) -> tuple[Any, str]:
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "a.txt").write_text(ARTICLE, encoding="utf-8")
    out, cache = tmp_path / "run", tmp_path / "cache"
    run = run_cli(
        "extract", str(docs), "--model", model or proxy.spec(), "--out", str(out), *extra,
        env=cli_env(cache, OPENAI_API_KEY=key, OPENAI_BASE_URL=proxy.url),
    )  # fmt: skip
    return run, read_all(out, cache) + run.stdout + run.stderr


@pytest.mark.server
@pytest.mark.model
def test_key_echoed_by_a_401_never_leaks(
    proxy: FaultProxy,  # noqa: F811
    plumbing_prompt: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    key = new_key()
    doc = tmp_path / "docs" / "a.txt"
    # Pad the echoed message so the key straddles the 500th character of the recorded
    # error: cutting before redacting would keep a piece of it.
    said = "Incorrect API key provided:"
    before_key = f"{doc}: AuthenticationError: Error code: 401 - {{'error': {{'message': '{said} "
    padding = "x" * (488 - len(before_key) - 1)  # the key starts 12 characters before the cut
    proxy.default = status(401, message=f"{said} {padding}", echo_key=True)
    run, everything = run_with_key(
        proxy, tmp_path, key, "--prompt", str(plumbing_prompt), model="openai:gpt-test"
    )
    assert run.code == 1
    assert proxy.chat()[0].headers["authorization"] == f"Bearer {key}"  # the key was used
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    error = manifest["documents"]["a"]["error"]
    assert "a.txt: AuthenticationError" in error and "***" in error
    assert_no_key(key, everything)


@pytest.mark.server
@pytest.mark.model
def test_key_echoed_by_a_failing_server_never_leaks(
    proxy: FaultProxy,  # noqa: F811
    plumbing_prompt: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    key = new_key()
    proxy.default = status(503, message="upstream overloaded for", echo_key=True)
    run, everything = run_with_key(proxy, tmp_path, key, "--prompt", str(plumbing_prompt))
    assert run.code == 1
    assert len(proxy.chat()) == 5 and "503" in run.stderr
    assert_no_key(key, everything)


@pytest.mark.server
@pytest.mark.model
def test_key_never_leaks_from_a_successful_run(
    proxy: FaultProxy,  # noqa: F811
    plumbing_prompt: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    key = new_key()
    run, everything = run_with_key(proxy, tmp_path, key, "--prompt", str(plumbing_prompt))
    assert run.code == 0, run.output
    assert all(e.headers.get("authorization") == f"Bearer {key}" for e in proxy.chat())
    cached = sqlite3.connect(tmp_path / "cache" / "responses" / "responses.sqlite")
    assert cached.execute("SELECT count(*) FROM responses").fetchone()[0] > 0  # were cached
    assert_no_key(key, everything)


# ---------------------------------------------------------------------------------------
# Atomic writes


class _Answer(BaseModel):
    text: str


def leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failure_mid_write_keeps_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    target = tmp_path / "doc.json"
    write_atomic(target, '{"old": true}\n')
    real_fdopen = os.fdopen

    class HalfWriter:
        """Writes half of what it is given, then fails: a disk filling up, a Ctrl-C."""

        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def write(self, data: str) -> int:
            self.handle.write(data[: len(data) // 2])
            self.handle.flush()
            raise failure

        def __getattr__(self, name: str) -> Any:
            return getattr(self.handle, name)

        def __enter__(self) -> HalfWriter:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

    monkeypatch.setattr(store.os, "fdopen", lambda *a, **k: HalfWriter(real_fdopen(*a, **k)))
    with pytest.raises(type(failure)):
        write_atomic(target, '{"new": true, "padding": "' + "x" * 10_000 + '"}\n')
    assert target.read_text() == '{"old": true}\n'
    assert leftovers(tmp_path) == []


def test_a_failed_fsync_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "manifest.json"
    write_json_atomic(target, {"documents": {"a": {"status": "done"}}})

    def failing_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(store.os, "fsync", failing_fsync)
    with pytest.raises(OSError):
        write_json_atomic(target, {"documents": {}})
    assert json.loads(target.read_text()) == {"documents": {"a": {"status": "done"}}}
    assert leftovers(tmp_path) == []


def test_a_manifest_write_that_fails_keeps_the_old_file_and_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = RunStore(tmp_path / "run", {"config_key": "k"})
    run.record("a", {"status": "done", "incidents": 1})
    run.flush()

    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.os, "replace", no_space)
    run.record("b", {"status": "done", "incidents": 2})  # committed to the index
    with pytest.raises(OSError):
        run.flush()
    monkeypatch.undo()
    on_disk = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert list(on_disk["documents"]) == ["a"]
    assert leftovers(tmp_path) == []
    run.flush()  # the next summary has both: nothing recorded was lost
    on_disk = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert sorted(on_disk["documents"]) == ["a", "b"] and on_disk["totals"]["incidents"] == 3


def test_a_damaged_legacy_cache_file_is_a_miss_not_a_crash(tmp_path: Path) -> None:
    """Answers cached one file each by earlier versions are read, and moved to the database."""
    cache = ResponseCache(tmp_path / "responses")
    key = cache.key(question="q")
    legacy = tmp_path / "responses" / key[:2] / f"{key}.json"
    legacy.parent.mkdir(parents=True)
    legacy.write_text('{"value": {"text": "old"}, "usage": {"calls": 1}}')
    assert cache.get(key, _Answer)[0] == _Answer(text="old")  # type: ignore[index]
    other = cache.key(question="other")
    damaged = tmp_path / "responses" / other[:2] / f"{other}.json"
    damaged.parent.mkdir(parents=True, exist_ok=True)
    damaged.write_text('{"value": {"te')  # as if written by a tool without atomic writes
    assert cache.get(other, _Answer) is None
    cache.put(other, _Answer(text="again"), Usage(calls=1))
    assert cache.get(other, _Answer)[0] == _Answer(text="again")  # type: ignore[index]


def test_a_damaged_cache_database_is_set_aside_not_a_crash(tmp_path: Path) -> None:
    folder = tmp_path / "responses"
    folder.mkdir()
    (folder / "responses.sqlite").write_bytes(b"not a database at all" * 100)
    cache = ResponseCache(folder)
    key = cache.key(question="q")
    assert cache.get(key, _Answer) is None
    cache.put(key, _Answer(text="fresh"), Usage(calls=1))
    assert cache.get(key, _Answer)[0] == _Answer(text="fresh")  # type: ignore[index]
    assert [p.name for p in folder.glob("responses.sqlite.damaged-*")]


def test_a_run_folder_resumes_past_stale_temporaries(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / ".a.json.x1.tmp").write_text('{"doc_id": "a", "inc')
    (folder / ".manifest.json.x2.tmp").write_text("{")
    RunStore(folder, {"config_key": "k"})
    assert leftovers(folder) == []


def test_a_second_writer_on_a_run_folder_fails_fast(tmp_path: Path) -> None:
    from llmextract.run.folder import RunError, run_lock

    with (
        run_lock(tmp_path / "run"),
        pytest.raises(RunError, match="another llmextract process"),
        run_lock(tmp_path / "run"),
    ):
        pass
    with run_lock(tmp_path / "run"):  # released: the next run may write
        pass
