"""Batched local decoding: the local model in llama.cpp's server, several documents at once.

Real parts only: ``llama-server`` built from llama-cpp-python's vendored llama.cpp
(``server_build``; ``make test`` builds it before the suite), the Qwen2.5-Coder-0.5B model,
and ``llmextract extract`` in a subprocess, so that the server's fate after the tool's exit,
interrupt or death is observed from outside.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import write_doc
from fault_proxy import interruptible

from llmextract.providers import ModelError, load_model, parse_model_spec
from llmextract.providers.llama_server import DEFAULT_SLOTS
from llmextract.providers.server_build import ENV_BINARY, server_binary

pytestmark = [pytest.mark.model, pytest.mark.server]
BATCHED = "local-batched:qwen2.5-coder-0.5b?slots=2"
IN_PROCESS = "local:qwen2.5-coder-0.5b"
# Invented one-sentence reports, several wordings.
ARTICLES = {
    "ambush": "Gunmen ambushed a military convoy near Douentza on Tuesday, killing five soldiers.",
    "bomb": "A roadside bomb wounded three police officers outside Dori on Saturday morning.",
    "raid": "Armed men raided the village of Tinzaouaten overnight and abducted six herders.",
    "claim": "The group JNIM said it attacked a gendarmerie post in Kaya on 4 May, killing two.",
    "quiet": "The regional council of Sikasso approved a new budget for rural schools on Friday.",
}
SERVER_LINE = re.compile(r"llama-server pid (\d+) on (http://127\.0\.0\.1:\d+)")


@pytest.fixture(scope="module")
def server_bin() -> Path:
    """The cached llama-server (built here on first use, which takes minutes)."""
    try:
        return server_binary()
    except ModelError as exc:
        pytest.fail(f"llama-server cannot be built: {exc}")


@pytest.fixture
def env(server_bin: Path, response_cache: Path, qwen05_path: Path) -> dict[str, str]:
    return {**os.environ, ENV_BINARY: str(server_bin), "PYTHONUNBUFFERED": "1"}


def extract_command(docs: Path, out: Path, *, model: str = BATCHED) -> list[str]:
    return [
        sys.executable, "-m", "llmextract", "extract", str(docs), "--model", model,
        "--out", str(out), "--concurrency", "2", "--no-cache",
    ]  # fmt: skip


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "\nState:\tZ" in status.read_text())


def gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.1)
    return False


def server_pid(stderr: str) -> int:
    found = SERVER_LINE.search(stderr)
    assert found, f"the tool did not report its server:\n{stderr[-2000:]}"
    return int(found.group(1))


def incidents(run: Path, doc_id: str) -> list[dict]:
    return json.loads((run / f"{doc_id}.json").read_text())["incidents"]


KEY_FIELDS = ("incident_type", "place", "country", "killed", "wounded", "kidnapped")


def test_batched_run_writes_every_document_matches_in_process_and_stops_its_server(
    env: dict[str, str], tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    for doc_id, text in ARTICLES.items():
        write_doc(docs, doc_id, text, published="2024-05-06")
    run = tmp_path / "batched"
    done = subprocess.run(
        extract_command(docs, run), env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    pid = server_pid(done.stderr)
    assert gone_within(pid, 5), "the server outlived a finished run"
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["totals"]["succeeded"] == len(ARTICLES)
    assert {p.stem for p in run.glob("*.json")} - {"manifest"} == set(ARTICLES)
    assert manifest["documents"]["ambush"]["model_calls"] > 0
    assert incidents(run, "ambush"), "the ambush is an incident"
    assert not incidents(run, "quiet"), "a council budget is no incident"

    # The same documents one at a time, in process: the same incidents.
    sequential = tmp_path / "sequential"
    compared = ("ambush", "raid")
    for doc_id in compared:
        write_doc(tmp_path / "pair", doc_id, ARTICLES[doc_id], published="2024-05-06")
    done = subprocess.run(
        extract_command(tmp_path / "pair", sequential, model=IN_PROCESS),
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    for doc_id in compared:
        batched, alone = incidents(run, doc_id), incidents(sequential, doc_id)
        assert len(batched) == len(alone), (doc_id, batched, alone)
        for one, other in zip(batched, alone, strict=True):
            assert {k: one[k] for k in KEY_FIELDS} == {k: other[k] for k in KEY_FIELDS}


@pytest.mark.parametrize("how", ["interrupt", "kill"])
def test_no_server_outlives_an_interrupted_or_killed_run(
    env: dict[str, str], tmp_path: Path, how: str
) -> None:
    docs = tmp_path / "docs"
    for number in range(6):
        write_doc(docs, f"d{number}", ARTICLES["ambush"].replace("five", str(number + 2)))
    process = subprocess.Popen(
        extract_command(docs, tmp_path / "run"),
        env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
        start_new_session=True,  # its own process group, as a terminal gives a command
        preexec_fn=interruptible,
    )  # fmt: skip
    assert process.stderr is not None
    seen = ""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not SERVER_LINE.search(seen):
        line = process.stderr.readline()
        if not line:
            break
        seen += line
    pid = server_pid(seen)
    assert alive(pid)
    time.sleep(1.0)  # calls under way
    try:
        if how == "interrupt":  # Ctrl-C at a terminal: SIGINT to the whole process group
            os.killpg(process.pid, signal.SIGINT)
        else:  # the tool killed outright: no atexit, the kernel's death signal stops it
            process.kill()
        rest = process.communicate(timeout=600)[1]
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if how == "interrupt":
        assert process.returncode == 130, seen + rest
        assert "interrupted" in rest
        manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
        assert manifest["status"] == "interrupted"
        # The calls under way were abandoned, not recorded as failed documents.
        assert all(e["status"] == "done" for e in manifest["documents"].values()), manifest
    assert gone_within(pid, 10), f"llama-server {pid} outlived the tool ({how})"


def test_specs_and_identity_keep_batched_answers_apart() -> None:
    spec = parse_model_spec("local-batched?slots=3")
    assert (spec.backend, spec.slots, spec.registered.key) == (
        "local-batched",
        3,
        "qwen2.5-coder-1.5b",
    )
    assert parse_model_spec("local-batched:qwen2.5-coder-0.5b").slots == DEFAULT_SLOTS
    for bad in ("local-batched?slots=0", "local-batched?slots=x", "local-batched?batch=2"):
        with pytest.raises(ModelError, match="slots=N"):
            parse_model_spec(bad)
    batched, alone = load_model(BATCHED), load_model(IN_PROCESS)
    assert batched.concurrent and batched.parallel == 2 and not alone.concurrent
    assert batched.identity() != alone.identity()
    assert batched.identity()["sha256"] == alone.identity()["sha256"]
    assert batched.server is None, "no server before the first uncached call"
