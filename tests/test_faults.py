"""Faults never lose work: transient faults are retried (bounded, with backoff that
honours Retry-After), invalid answers are re-asked, a permanent fault ends the run with a
clear error, and a run killed midway finishes on restart with each document once.

Every test runs ``llmextract extract`` against a real llama.cpp server (Gemma 270M)
behind the fault proxy of ``fault_proxy``, and asserts from the proxy's log what the
client did.  Wait assertions are lower bounds (a retry came no sooner than asked), never
timing targets.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fault_proxy import (  # noqa: F401  (fixtures)
    FaultProxy,
    LlamaServer,
    Run,
    cli_command,
    cli_env,
    close,
    content,
    delay,
    free_port,
    garbage_body,
    interruptible,
    llama_server,
    plumbing_prompt,
    proxy,
    reap,
    reset,
    run_cli,
    stall,
    status,
    truncate,
)
from typer.testing import CliRunner

from llmextract.cli import app
from llmextract.run.folder import RunStore
from llmextract.schema import Extraction

ARTICLES = {
    "a": "Gunmen attacked an army post near Mopti on Monday, killing three soldiers.",
    "b": "A roadside bomb struck a convoy near Gao on Friday, wounding two peacekeepers.",
    "c": "Militants stormed a gendarmerie post in Djibo on Sunday, officials said.",
    "d": "An ambush on a patrol near Ménaka killed four soldiers, the army said.",
}


def write_docs(folder: Path, ids: str = "a") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id in ids:
        (folder / f"{doc_id}.txt").write_text(ARTICLES[doc_id] + "\n", encoding="utf-8")
    return folder


def extract(
    proxy: FaultProxy,  # noqa: F811
    prompt: Path,
    tmp_path: Path,
    *extra: str,
    ids: str = "a",
    out: str = "run",
) -> tuple[Run, dict[str, Any]]:
    docs = write_docs(tmp_path / "docs", ids)
    run = run_cli(
        "extract", str(docs), "--model", proxy.spec(), "--prompt", str(prompt),
        "--out", str(tmp_path / out), "--no-cache", *extra,
        env=cli_env(tmp_path / "cache"),
    )  # fmt: skip
    manifest = json.loads((tmp_path / out / "manifest.json").read_text())
    return run, manifest


def run_command(
    proxy: FaultProxy,  # noqa: F811
    prompt: Path,
    tmp_path: Path,
    ids: str,
    *,
    concurrency: int,
) -> tuple[list[str], dict[str, str], Path]:
    """The command, environment and run folder of an extraction to interrupt and resume."""
    docs = write_docs(tmp_path / "docs", ids)
    out = tmp_path / "run"
    args = cli_command(
        "extract", str(docs), "--model", proxy.spec(), "--prompt", str(prompt),
        "--out", str(out), "--no-cache", "--concurrency", str(concurrency),
    )  # fmt: skip
    return args, cli_env(tmp_path / "cache"), out


def assert_done(tmp_path: Path, manifest: dict[str, Any], ids: str = "a", out: str = "run") -> None:
    for doc_id in ids:
        assert manifest["documents"][doc_id]["status"] == "done", manifest["documents"][doc_id]
        Extraction.model_validate_json((tmp_path / out / f"{doc_id}.json").read_text())


def uses_server(test: Any) -> Any:
    """Marks a test that starts the llama.cpp server and runs a model."""
    return pytest.mark.server(pytest.mark.model(test))


# ---------------------------------------------------------------------------------------
# Transient faults are retried


@uses_server
def test_429_waits_at_least_retry_after(
    proxy: FaultProxy,  # noqa: F811
    plumbing_prompt: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    proxy.script(status(429, retry_after="1"))
    run, manifest = extract(proxy, plumbing_prompt, tmp_path)
    assert run.code == 0, run.output
    assert_done(tmp_path, manifest)
    limited, after = proxy.chat()[0], proxy.chat()[1]
    assert limited.fault.status == 429
    assert after.received - limited.answered >= 1.0  # type: ignore[operator]
    assert manifest["documents"]["a"]["retries"] >= 1


@uses_server
def test_500_and_503_are_retried_with_backoff(
    proxy: FaultProxy,  # noqa: F811
    plumbing_prompt: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    proxy.script(status(500), status(503))
    run, manifest = extract(proxy, plumbing_prompt, tmp_path)
    assert run.code == 0, run.output
    assert_done(tmp_path, manifest)
    first, second, third = proxy.chat()[:3]
    assert [first.fault.status, second.fault.status] == [500, 503]
    # Backoff: never an immediate retry (the shortest wait is half the initial 0.5 s).
    assert second.received - first.answered >= 0.25  # type: ignore[operator]
    assert third.received - second.answered >= 0.25  # type: ignore[operator]
    assert manifest["documents"]["a"]["retries"] >= 2


@uses_server
@pytest.mark.parametrize(
    "fault",
    [reset(), close(), truncate(), garbage_body(), garbage_body("{}")],
    ids=["reset-on-connect", "closed-without-answer", "body-cut-mid-way", "garbled", "no-choices"],
)
def test_broken_connections_and_bodies_are_retried(
    proxy: FaultProxy,  # noqa: F811
    plumbing_prompt: Path,  # noqa: F811
    tmp_path: Path,
    fault: object,
) -> None:
    proxy.script(fault)  # type: ignore[arg-type]
    run, manifest = extract(proxy, plumbing_prompt, tmp_path)
    assert run.code == 0, run.output
    assert_done(tmp_path, manifest)
    assert proxy.pending() == 0  # the fault was served
    assert manifest["documents"]["a"]["retries"] >= 1


@uses_server
def test_connection_refused_while_the_server_is_down_then_recovered(
    llama_server: LlamaServer,  # noqa: F811
    plumbing_prompt: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nothing listens on the port at first (a real ECONNREFUSED); the server comes up
    after the client's second refused attempt, and the run finishes."""
    port = free_port()
    late = FaultProxy(llama_server.port, port=port)
    outcomes: list[str] = []
    lock = threading.Lock()
    connect = socket.create_connection

    def watching(address: tuple[str, int], *args: object, **kwargs: object) -> socket.socket:
        if address[1] != port:
            return connect(address, *args, **kwargs)  # type: ignore[arg-type]
        with lock:
            if len(outcomes) == 2:
                late.start()  # the server is back
            try:
                sock = connect(address, *args, **kwargs)  # type: ignore[arg-type]
            except ConnectionRefusedError:
                outcomes.append("refused")
                raise
            outcomes.append("connected")
            return sock

    monkeypatch.setattr(socket, "create_connection", watching)
    monkeypatch.setenv("LLMEXTRACT_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("LLMEXTRACT_RESPONSE_CACHE", raising=False)
    docs = write_docs(tmp_path / "docs")
    try:
        result = CliRunner().invoke(
            app,
            ["extract", str(docs), "--model", late.spec(), "--prompt", str(plumbing_prompt),
             "--out", str(tmp_path / "run"), "--no-cache"],
        )  # fmt: skip
    finally:
        late.stop()
    assert result.exit_code == 0, result.output
    assert outcomes[:3] == ["refused", "refused", "connected"]
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert_done(tmp_path, manifest)


@uses_server
def test_a_stalled_response_times_out_and_is_retried(
    proxy: FaultProxy,  # noqa: F811
    plumbing_prompt: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    # The same request once without faults: the server's KV cache then holds its prompt,
    # so the healthy retry answers well within the 2 s timeout.
    warm, _ = extract(proxy, plumbing_prompt, tmp_path, out="warm")
    assert warm.code == 0, warm.output
    proxy.clear()
    proxy.script(stall(30))
    run, manifest = extract(proxy, plumbing_prompt, tmp_path, "--timeout", "2")
    assert run.code == 0, run.output
    assert_done(tmp_path, manifest)
    stalled = proxy.chat()[0]
    assert stalled.fault.kind == "stall"
    assert stalled.client_gone is not None  # the client hung up, long before 30 s
    assert 1.5 <= stalled.client_gone - stalled.received < 20  # type: ignore[operator]
    assert run.seconds < 30


# ---------------------------------------------------------------------------------------
# Invalid answers are re-asked


@uses_server
@pytest.mark.parametrize(
    ("answer", "error"),
    [('{"events": [', "json_invalid"), ('{"events": "many"}', "events")],
    ids=["invalid-json", "schema-invalid-json"],
)
def test_invalid_answers_are_reasked_with_the_error(
    proxy: FaultProxy,  # noqa: F811
    plumbing_prompt: Path,  # noqa: F811
    tmp_path: Path,
    answer: str,
    error: str,
) -> None:
    proxy.script(content(answer))
    run, manifest = extract(proxy, plumbing_prompt, tmp_path)
    assert run.code == 0, run.output
    assert_done(tmp_path, manifest)
    answered = [e for e in proxy.chat() if e.upstream_status == 200]
    corrupted, reask = answered[0], answered[1]
    assert corrupted.fault.kind == "content"
    messages = reask.json()["messages"]
    assert messages[-2] == {"role": "assistant", "content": answer}
    assert messages[-1]["role"] == "user" and error in messages[-1]["content"]
    assert manifest["documents"]["a"]["model_calls"] == 2


@uses_server
def test_invalid_answers_every_time_fail_after_bounded_reasks(
    proxy: FaultProxy,  # noqa: F811
    plumbing_prompt: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    proxy.default = content('{"events": "many"}')
    run, manifest = extract(proxy, plumbing_prompt, tmp_path, "--max-retries", "1")
    assert run.code == 1
    answered = [e for e in proxy.chat() if e.upstream_status == 200]
    assert len(answered) == 2  # one answer and one re-ask, then it gives up
    error = manifest["documents"]["a"]["error"]
    assert "a.txt" in error and "invalid output after 2 answers" in error
    assert "Traceback" not in run.output


@uses_server
def test_an_answer_cut_at_the_token_limit_fails_the_document_with_one_line(
    proxy: FaultProxy,  # noqa: F811
    plumbing_prompt: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    proxy.script(content('{"events": [{"sentence": 0, "event": "raid on', finish_reason="length"))
    run, manifest = extract(proxy, plumbing_prompt, tmp_path, ids="ab", out="run")
    assert run.code == 1
    failed = [m for m in manifest["documents"].values() if m["status"] == "failed"]
    assert (
        len(failed) == 1
        and "TruncatedOutput: output truncated at max_tokens=" in failed[0]["error"]
    )
    assert sum(m["status"] == "done" for m in manifest["documents"].values()) == 1
    lines = [line for line in run.stderr.splitlines() if line.startswith("failed:")]
    assert len(lines) == 1 and "TruncatedOutput" in lines[0]


@uses_server
def test_an_answer_cut_at_the_token_limit_is_asked_again_in_halves(
    proxy: FaultProxy,  # noqa: F811
    plumbing_prompt: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A looping list is cut at max_tokens: each half of the passage is asked on its own,
    and the document is done.  (The cut is injected: a real loop cannot be provoked on
    demand; the halves are answered by the real server.)"""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "two.txt").write_text(f"{ARTICLES['a']} {ARTICLES['b']}\n", encoding="utf-8")
    proxy.script(content('{"events": [{"sentence": 0, "type": "ambu', finish_reason="length"))
    run = run_cli(
        "extract", str(docs), "--model", proxy.spec(), "--prompt", str(plumbing_prompt),
        "--out", str(tmp_path / "run"), "--no-cache", env=cli_env(tmp_path / "cache"),
    )  # fmt: skip
    assert run.code == 0, run.output
    entry = json.loads((tmp_path / "run" / "manifest.json").read_text())["documents"]["two"]
    assert entry["status"] == "done" and entry["split_passages"] == 1
    shown = [
        re.findall(r"^\[(\d+)\]", e.json()["messages"][-1]["content"], re.M)
        for e in proxy.chat()
        if e.upstream_status != 500  # llama.cpp server refusing json_schema: form switch
    ]
    assert shown == [["0", "1"], ["0"], ["1"]]


# ---------------------------------------------------------------------------------------
# Permanent faults end the run, bounded


@uses_server
def test_a_permanently_failing_server_ends_the_run_with_a_clear_error(
    proxy: FaultProxy,  # noqa: F811
    plumbing_prompt: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    proxy.default = status(500)
    run, manifest = extract(proxy, plumbing_prompt, tmp_path, ids="ab")
    assert run.code == 1
    assert len(proxy.chat()) == 2 * 5  # five attempts per document, then it gives up
    for doc_id in "ab":
        error = manifest["documents"][doc_id]["error"]
        assert f"{doc_id}.txt: InternalServerError: Error code: 500" in error
        failed = [
            line
            for line in run.stderr.splitlines()
            if line.startswith("failed:") and f"{doc_id}.txt" in line
        ]
        assert len(failed) == 1 and "500" in failed[0]
    assert manifest["status"] == "complete_with_failures"
    assert "Traceback" not in run.output


@uses_server
def test_a_permanently_stalled_server_ends_the_run_bounded(
    proxy: FaultProxy,  # noqa: F811
    plumbing_prompt: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    proxy.default = stall(60)
    run, manifest = extract(proxy, plumbing_prompt, tmp_path, "--timeout", "1")
    assert run.code == 1
    assert len(proxy.chat()) == 5
    assert all(e.client_gone is not None for e in proxy.chat())
    assert "APITimeoutError" in manifest["documents"]["a"]["error"]
    assert run.seconds < 60  # never waited out a stall


# ---------------------------------------------------------------------------------------
# Killed midway, then resumed


@uses_server
def test_sigkill_midway_then_resume_finishes_each_document_once(
    proxy: FaultProxy,  # noqa: F811
    plumbing_prompt: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    ids = "abcd"
    args, env, out = run_command(proxy, plumbing_prompt, tmp_path, ids, concurrency=1)
    proxy.default = delay(1.0)  # a slow server, so the kill lands between documents
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if [p for p in out.glob("*.json") if p.name != "manifest.json"]:
                break
            time.sleep(0.02)
        assert process.poll() is None, "the run ended before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
    finally:
        reap(process)
    done_before = {p.stem for p in out.glob("*.json") if p.name != "manifest.json"}
    assert done_before and done_before != set(ids)  # killed midway
    seen_before = len(proxy.chat())

    proxy.default = delay(0)
    rerun = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert "already done" in rerun.stderr
    assert not list(out.glob("*.tmp")) and not list(out.glob(".*.tmp"))
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["documents"]) == sorted(ids)
    assert all(entry["status"] == "done" for entry in manifest["documents"].values())
    assert manifest["status"] == "complete" and manifest["resumed"] == 1
    for path in out.glob("*.json"):
        json.loads(path.read_text())  # whole files only
    asked_again = "\n".join(e.text() for e in proxy.chat()[seen_before:])
    for doc_id in done_before:  # a finished document is never extracted twice
        assert ARTICLES[doc_id] not in asked_again


@uses_server
def test_ctrl_c_abandons_the_calls_in_flight_and_resume_redoes_them(
    proxy: FaultProxy,  # noqa: F811
    plumbing_prompt: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    # Four documents at once behind a server that takes two minutes an answer: Ctrl-C
    # must end the run now, not when the calls in flight come back, and record none of
    # them (neither done nor failed), so a rerun extracts all four, each once.
    ids = "abcd"
    args, env, out = run_command(proxy, plumbing_prompt, tmp_path, ids, concurrency=4)
    proxy.default = delay(120)
    process = subprocess.Popen(
        args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=interruptible
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len(proxy.chat()) < len(ids):
            time.sleep(0.05)
        assert len(proxy.chat()) == len(ids), "the four calls never reached the server"
        interrupted = time.monotonic()
        os.kill(process.pid, signal.SIGINT)
        stderr = process.communicate(timeout=100)[1].decode()
        waited = time.monotonic() - interrupted
    finally:
        reap(process)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr
    assert waited < 100, "Ctrl-C waited for the calls in flight"  # each answer takes 120 s
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "interrupted"
    assert manifest["documents"] == {}, "an abandoned call was recorded"

    proxy.clear()
    proxy.default = delay(0)
    rerun = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert_done(tmp_path, manifest, ids)
    assert sorted(manifest["documents"]) == sorted(ids) and manifest["resumed"] == 1
    asked = "\n".join(e.text() for e in proxy.chat())
    assert all(ARTICLES[doc_id] in asked for doc_id in ids)  # none was taken as done


@uses_server
def test_a_crash_between_index_and_file_is_recovered(
    proxy: FaultProxy,  # noqa: F811
    plumbing_prompt: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The narrowest crash window: ``b`` committed to the index, its file not yet renamed
    into place (a temporary left behind).  The re-run writes ``b.json`` from the index and
    asks the model nothing."""
    run, manifest = extract(proxy, plumbing_prompt, tmp_path, ids="ab")
    assert run.code == 0, run.output
    out = tmp_path / "run"
    before = (out / "b.json").read_text()
    (out / "b.json").unlink()
    (out / ".b.json.k1ll3d.tmp").write_text('{"doc_id": "b", "inci')
    asked = len(proxy.chat())
    rerun, manifest = extract(proxy, plumbing_prompt, tmp_path, ids="ab")
    assert rerun.code == 0, rerun.output
    assert len(proxy.chat()) == asked
    assert (out / "b.json").read_text() == before
    assert manifest["documents"]["b"]["status"] == "done"
    assert manifest["totals"]["succeeded"] == 2 and manifest["status"] == "complete"
    assert not list(out.glob(".*.tmp"))


@uses_server
def test_a_finished_file_the_index_does_not_know_is_recorded_not_redone(
    proxy: FaultProxy,  # noqa: F811
    plumbing_prompt: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A run folder assembled by hand (or by an older version): ``b.json`` is there, the
    index has no row for it.  The re-run records ``b`` from its file, asks nothing."""
    run, manifest = extract(proxy, plumbing_prompt, tmp_path, ids="ab")
    assert run.code == 0, run.output
    out = tmp_path / "run"
    with sqlite3.connect(out / "run.db") as db:
        db.execute("DELETE FROM documents WHERE doc_id = 'b'")
    asked = len(proxy.chat())
    rerun, manifest = extract(proxy, plumbing_prompt, tmp_path, ids="ab")
    assert rerun.code == 0, rerun.output
    assert len(proxy.chat()) == asked
    assert manifest["documents"]["b"]["status"] == "done"
    assert manifest["documents"]["b"]["recovered"] is True
    assert manifest["totals"]["succeeded"] == 2


# ---------------------------------------------------------------------------------------
# Concurrency: documents finishing together


def test_documents_finishing_together_never_corrupt_the_manifest(tmp_path: Path) -> None:
    """HTTP runs finish documents in worker threads; recording must be serialised or the
    manifest's serialisation meets a dict that changes size (the whole run crashed)."""
    store = RunStore(tmp_path / "run", {"config_key": "k"})
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(60):
                store.record(f"doc-{n}-{i}", {"status": "done", "incidents": 1})
        except BaseException as exc:
            errors.append(exc)

    try:
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    store.flush("complete")
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert len(manifest["documents"]) == 8 * 60
    assert manifest["totals"]["succeeded"] == 8 * 60
