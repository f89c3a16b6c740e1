"""``--engine processes``: an HTTP model's documents over worker processes, one writer.

Against ``scripts/stub_openai.py``, a real OpenAI-compatible HTTP server on 127.0.0.1 that
answers at once (a model's answers are not what these tests are about: the engine's are),
through ``FaultProxy`` where a test needs calls that last long enough to kill something
mid-run.  Each run is the real CLI in its own process, as a user starts it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import write_doc
from fault_proxy import FaultProxy, cli_command, cli_env, delay, interruptible, reap, run_cli
from typer.testing import CliRunner

from llmextract.cli import app
from llmextract.schema import Extraction

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from stub_openai import StubServer

# Invented reports, several wordings of a few kinds of event.
ARTICLES = [
    "Gunmen attacked a police post near Tarvila on Tuesday, killing three officers.",
    "Three officers died when armed men stormed a police post outside Tarvila.",
    "Fighters ambushed a supply convoy near Ombessa, killing four drivers.",
    "Four drivers were killed after a convoy was ambushed on the Ombessa road.",
    "Suspected militants raided the market at Kelpa on Sunday, killing two traders.",
    "Two traders were shot dead when assailants raided a market in Kelpa, residents said.",
]


def write_docs(folder: Path, count: int) -> list[str]:
    ids = [f"item{number:03d}" for number in range(count)]
    for number, doc_id in enumerate(ids):
        text = f"Published 2024-06-{1 + number % 28:02d}\n\n{ARTICLES[number % len(ARTICLES)]}\n"
        write_doc(folder, doc_id, text)
    return ids


@pytest.fixture(scope="module")
def stub() -> StubServer:
    return StubServer().start()


@pytest.fixture
def slow_proxy(stub: StubServer) -> Iterator[FaultProxy]:
    """Every answer held back, so that documents are under way when a test strikes."""
    proxy = FaultProxy(stub.port).start()
    proxy.default = delay(1.0)
    try:
        yield proxy
    finally:
        proxy.stop()


def incidents_by_doc(out: Path, ids: list[str]) -> dict[str, list[dict]]:
    return {
        doc_id: json.loads(Extraction.model_validate_json((out / f"{doc_id}.json").read_text())
                           .model_dump_json())["incidents"]
        for doc_id in ids
    }  # fmt: skip


def totals(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text())["totals"]


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (the fork server and its workers), read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.add(pid)
    return living


def wait_for(condition, seconds: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def start_run(model: str, docs: Path, out: Path, tmp_path: Path, *extra: str) -> subprocess.Popen:
    command = cli_command(
        "extract", str(docs), "--model", model, "--out", str(out), "--no-cache",
        "--engine", "processes", "--workers", "2", "--concurrency", "4", *extra,
    )  # fmt: skip
    return subprocess.Popen(
        command, env=cli_env(tmp_path / "cache"), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True, preexec_fn=interruptible,
    )  # fmt: skip


def finished_files(out: Path) -> dict[str, tuple[int, int]]:
    return {p.stem: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.glob("item*.json")}


def test_worker_processes_write_what_one_process_writes(stub: StubServer, tmp_path: Path) -> None:
    ids = write_docs(tmp_path / "docs", 40)
    env = cli_env(tmp_path / "cache")
    for engine, out in (("local", "one"), ("processes", "many")):
        run = run_cli(
            "extract", str(tmp_path / "docs"), "--model", stub.spec(), "--out",
            str(tmp_path / out), "--no-cache", "--concurrency", "4", "--engine", engine,
            "--workers", "2", env=env,
        )  # fmt: skip
        assert run.code == 0, run.output
    one, many = incidents_by_doc(tmp_path / "one", ids), incidents_by_doc(tmp_path / "many", ids)
    assert one == many
    assert sum(len(v) for v in many.values()) == 40  # the stub's one event in each
    assert totals(tmp_path / "many")["succeeded"] == 40
    assert totals(tmp_path / "many")["incidents"] == totals(tmp_path / "one")["incidents"]
    # No temporary file, and the run folder holds each document once.
    assert not list((tmp_path / "many").glob("*.tmp")) and not list(
        (tmp_path / "many").glob(".*.tmp")
    )
    assert len(list((tmp_path / "many").glob("item*.json"))) == 40


def test_a_killed_worker_stops_the_run_and_the_rerun_finishes_it_writing_nothing_twice(
    slow_proxy: FaultProxy, tmp_path: Path
) -> None:
    ids = write_docs(tmp_path / "docs", 24)
    out = tmp_path / "run"
    process = start_run(slow_proxy.spec("stub"), tmp_path / "docs", out, tmp_path)
    try:
        wait_for(lambda: len(finished_files(out)) >= 4, 60, "four finished documents")
        below = descendants(process.pid)  # the fork server, its two workers, a tracker
        # The fork server's children are the workers; kill one while it holds documents.
        server = [pid for pid in below if descendants(pid)]
        assert len(server) == 1 and len(descendants(server[0])) == 2, below
        os.kill(sorted(descendants(server[0]))[0], signal.SIGKILL)
        _, stderr = process.communicate(timeout=60)
    finally:
        reap(process)
    assert process.returncode == 2, stderr
    assert "worker process" in stderr and "died" in stderr and "run again" in stderr
    wait_for(lambda: not alive(below), 15, "the fork server and workers to exit")
    before = finished_files(out)
    assert 4 <= len(before) < 24
    for doc_id in before:
        Extraction.model_validate_json((out / f"{doc_id}.json").read_text())

    rerun = start_run(slow_proxy.spec("stub"), tmp_path / "docs", out, tmp_path)
    try:
        _, stderr = rerun.communicate(timeout=120)
    finally:
        reap(rerun)
    assert rerun.returncode == 0, stderr
    after = finished_files(out)
    assert set(after) == set(ids)
    assert {d: after[d] for d in before} == before  # finished before: not written again
    assert totals(out)["succeeded"] == 24 and totals(out)["failed"] == 0


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill"])
def test_no_worker_outlives_an_interrupted_or_killed_run(
    slow_proxy: FaultProxy, tmp_path: Path, signal_number: int
) -> None:
    write_docs(tmp_path / "docs", 24)
    out = tmp_path / "run"
    process = start_run(slow_proxy.spec("stub"), tmp_path / "docs", out, tmp_path)
    try:
        wait_for(lambda: len(finished_files(out)) >= 2, 60, "two finished documents")
        below = descendants(process.pid)  # the fork server, its two workers, a tracker
        assert sorted(len(descendants(pid)) for pid in below if descendants(pid)) == [2], below
        if signal_number == signal.SIGINT:
            os.killpg(process.pid, signal_number)  # as a terminal's Ctrl-C reaches the group
        else:
            os.kill(process.pid, signal_number)  # the driver alone, as the OOM killer does
        process.communicate(timeout=60)
    finally:
        reap(process)
    if signal_number == signal.SIGINT:
        assert process.returncode == 130
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["status"] == "interrupted"
        assert not [d for d in manifest["documents"].values() if d["status"] == "failed"]
    wait_for(lambda: not alive(below), 15, "the workers to exit")


def test_a_model_loaded_in_this_process_is_refused_in_one_line(
    scripted_model: str, tmp_path: Path
) -> None:
    write_docs(tmp_path / "docs", 2)
    result = CliRunner().invoke(
        app,
        ["extract", str(tmp_path / "docs"), "--model", scripted_model, "--out",
         str(tmp_path / "run"), "--engine", "processes"],
    )  # fmt: skip
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert any("--engine processes runs HTTP models" in line for line in lines), result.output
    assert not list((tmp_path / "run").glob("item*.json"))


def test_the_fork_server_preload_warms_the_rules_on_an_article_it_reads() -> None:
    from llmextract.extraction import warm_up

    [incident] = warm_up()  # the invented article: one attack, read by the rules
    assert (incident.incident_type.value, incident.killed, incident.wounded) == (
        "armed_assault",
        4,
        2,
    )
    # Importing the preload module (what the fork server does) leaves compiled patterns
    # behind, which every forked worker inherits.
    probe = (
        "import llmextract.run.worker_preload\n"
        "from llmextract.normalize import lexicon\n"
        "print(lexicon.cue.cache_info().currsize, lexicon.cue_table.cache_info().currsize)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert len(out) == 2 and all(int(count) > 0 for count in out), out
