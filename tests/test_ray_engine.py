"""``--engine ray``: a real Ray cluster on 127.0.0.1 (a head and two worker nodes, each its
own raylet), workers sharing the suite's llama.cpp server; one worker is killed with
SIGKILL mid-run, Ray restarts it and re-runs its document, and every document still lands
in the run folder exactly once.

The cluster's processes are started here and stopped here by their process tree, never by
name: ``ray stop`` would kill any Ray on the machine.  (Ray advertises the machine's own
address rather than 127.0.0.1, but every node and the driver run on this machine.)
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fault_proxy import (  # noqa: F401  (fixtures)
    HOST,
    LlamaServer,
    cli_command,
    cli_env,
    free_port,
    llama_server,
    plumbing_prompt,
    run_cli,
)

from llmextract.schema import Extraction

pytest.importorskip("ray", reason="the ray extra is not installed")

from llmextract.run.engines import Job
from llmextract.run.ray_engine import plan_workers

ARTICLES = [
    "Gunmen fired on a bus near Kaya on Tuesday, wounding five passengers.",
    "A car bomb went off outside a police station in Bossaso, killing two officers.",
    "Rebels burned a market in the village of Tombura overnight, residents said.",
    "Soldiers clashed with militia fighters near Beni for most of Thursday.",
    "An explosive device hit a water truck on the road to Kidal on Saturday.",
    "Armed men seized a health worker at a clinic outside Maiduguri on Monday.",
    "Protesters and riot police fought in the centre of Kisumu after the vote.",
    "A drone strike hit a fuel depot near Marib early on Wednesday, officials said.",
    "Bandits raided cattle herders near Gusau, killing seven and taking the herd.",
    "A grenade thrown into a bar in Bujumbura wounded eleven people on Friday.",
    "Insurgents attacked a checkpoint at the edge of Diffa, the governor said.",
    "Two mortar rounds fell on a camp for displaced families near Goma on Sunday.",
]
DOC_IDS = [f"article-{number:02d}" for number in range(len(ARTICLES))]
CLUSTER_START_SECONDS = 120.0
RUN_SECONDS = 240.0
# Ray 2.5x turns token auth on by itself once a local ray.init() has left ~/.ray/auth_token,
# and then nodes started without it cannot join: say the mode, for every node and driver.
RAY_ENV = {
    "RAY_DISABLE_DOCKER_CPU_WARNING": "1",
    "RAY_USAGE_STATS_ENABLED": "0",
    "RAY_AUTH_MODE": "disabled",
}


# ---------------------------------------------------------------------------------------
# A local cluster


class RayCluster:
    """``ray start --block`` processes: a head without CPUs and two one-CPU worker nodes."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        # Ray's socket paths must stay under 108 bytes: a short temp dir, not tmp_path.
        self.temp_dir = Path(tempfile.mkdtemp(prefix="llmx-ray-"))
        self.port = free_port()
        self.address = f"{HOST}:{self.port}"
        self.nodes: list[subprocess.Popen[bytes]] = []

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
        env.update(RAY_ENV)
        return env

    def _ray(self, *args: str, log: str) -> None:
        script = shutil.which("ray", path=str(Path(sys.executable).parent))
        command = [script] if script else [sys.executable, "-m", "ray.scripts.scripts"]
        with (self.log_dir / log).open("wb") as out:
            self.nodes.append(
                subprocess.Popen(
                    [*command, "start", "--block", *args],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=self.env(),
                    start_new_session=True,  # a terminal's Ctrl-C goes to pytest, not to Ray
                )
            )

    def start(self) -> RayCluster:
        common = ["--object-store-memory", str(100 << 20), "--disable-usage-stats"]
        self._ray(
            "--head", "--port", str(self.port), "--num-cpus", "0", "--include-dashboard=false",
            "--dashboard-port", str(free_port()), "--ray-client-server-port", str(free_port()),
            "--temp-dir", str(self.temp_dir), *common, log="head.log",
        )  # fmt: skip
        self._wait(lambda: self._started("head.log"), "the head")
        # One node at a time: a raylet gets 30 s to register, too few for two at once here.
        for number in (1, 2):
            self._ray("--address", self.address, "--num-cpus", "1", *common, log=f"w{number}.log")
            self._wait(lambda log=f"w{number}.log": self._started(log), f"worker node {number}")
        self._wait(lambda: self.cpus() >= 2, "two worker nodes' CPUs")
        return self

    def _started(self, log: str) -> bool:
        return "Ray runtime started" in (self.log_dir / log).read_text(errors="replace")

    def _wait(self, ready: Any, what: str) -> None:
        deadline = time.monotonic() + CLUSTER_START_SECONDS
        while time.monotonic() < deadline:
            for node in self.nodes:
                if node.poll() is not None:
                    raise RuntimeError(f"a Ray node exited early; logs in {self.log_dir}")
            if ready():
                return
            time.sleep(0.5)
        raise RuntimeError(f"{what} not up after {CLUSTER_START_SECONDS:.0f} s")

    def cpus(self) -> float:
        """CPUs the cluster offers, asked in a child process (this one stays Ray-free)."""
        code = (
            f"import ray; ray.init(address={self.address!r}, log_to_driver=False,"
            " logging_level='ERROR'); print(ray.cluster_resources().get('CPU', 0))"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=self.env(), timeout=60
        )
        try:
            return float(done.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            return 0.0

    def processes(self, nodes: list[subprocess.Popen[bytes]] | None = None) -> dict[int, str]:
        """PID -> command line of every process under these nodes (Ray workers start in
        sessions of their own, so a process group does not hold them)."""
        table = _process_table()
        found = {node.pid for node in (self.nodes if nodes is None else nodes)}
        while True:
            more = {pid for pid, (ppid, _) in table.items() if ppid in found} - found
            if not more:
                return {pid: table[pid][1] for pid in found if pid in table}
            found |= more

    def busy_workers(self) -> list[int]:
        """Ray workers of the two worker nodes now running ``_Worker.extract``."""
        return [
            pid
            for pid, args in self.processes(self.nodes[1:]).items()
            if args.startswith("ray::_Worker.extract")
        ]

    def stop(self) -> None:
        ours = self.processes()
        for node in reversed(self.nodes):
            if node.poll() is None:
                node.send_signal(signal.SIGTERM)  # ray start --block stops its own processes
        for node in reversed(self.nodes):
            with contextlib.suppress(subprocess.TimeoutExpired):
                node.wait(20)
        for pid in {**ours, **self.processes()}:  # whatever is left, and only ours
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        for node in self.nodes:
            node.wait(10)
        shutil.rmtree(self.temp_dir, ignore_errors=True)


def _process_table() -> dict[int, tuple[int, str]]:
    """PID -> (parent PID, command line), from ``ps``."""
    listing = subprocess.run(
        ["ps", "-eo", "pid=,ppid=,args="], capture_output=True, text=True, check=True
    ).stdout
    table = {}
    for line in listing.splitlines():
        pid, ppid, args = [*line.split(None, 2), ""][:3]
        table[int(pid)] = (int(ppid), args)
    return table


def _reachable(host: str, port: int) -> bool:
    import socket

    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture(scope="module")
def ray_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RayCluster]:
    cluster = RayCluster(tmp_path_factory.mktemp("ray-logs"))
    try:
        yield cluster.start()
    finally:
        cluster.stop()


# ---------------------------------------------------------------------------------------
# Tests


@pytest.mark.server
@pytest.mark.model
def test_killed_worker_is_retried_and_every_document_lands_once(
    ray_cluster: RayCluster,
    llama_server: LlamaServer,  # noqa: F811
    plumbing_prompt: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for doc_id, text in zip(DOC_IDS, ARTICLES, strict=True):
        (docs / f"{doc_id}.txt").write_text(text + "\n", encoding="utf-8")
    out = tmp_path / "run"
    env = cli_env(tmp_path / "cache", **RAY_ENV, LLMEXTRACT_RAY_CPUS_PER_WORKER="1")
    env.pop("RAY_ADDRESS", None)  # one actor per worker node, on our cluster only
    command = cli_command(
        "extract", str(docs), "--engine", "ray", "--address", ray_cluster.address,
        "--model", f"openai-compatible:gemma@{llama_server.url}", "--prompt", str(plumbing_prompt),
        "--out", str(out), "--no-cache", "--concurrency", "1",
    )  # fmt: skip
    log = tmp_path / "extract.log"
    with log.open("w") as stderr_file:
        process = subprocess.Popen(command, env=env, stdout=stderr_file, stderr=subprocess.STDOUT)
    killed: int | None = None
    inodes: dict[str, int] = {}  # each result file as first seen: a rewrite changes it
    deadline = time.monotonic() + RUN_SECONDS
    while process.poll() is None and time.monotonic() < deadline:
        for doc_id in DOC_IDS:
            with contextlib.suppress(FileNotFoundError):
                inodes.setdefault(doc_id, (out / f"{doc_id}.json").stat().st_ino)
        if killed is None:
            busy = ray_cluster.busy_workers()
            if busy:
                killed = busy[0]
                os.kill(killed, signal.SIGKILL)
        time.sleep(0.1)
    if process.poll() is None:
        process.kill()
    process.wait(30)
    stderr = log.read_text()
    assert process.returncode == 0, stderr[-3000:]
    assert killed is not None, "no Ray worker was seen extracting"

    files = sorted(p.stem for p in out.glob("*.json") if p.name != "manifest.json")
    assert files == DOC_IDS
    for doc_id in DOC_IDS:
        Extraction.model_validate_json((out / f"{doc_id}.json").read_text())
    assert inodes  # the files were watched as they landed: none was written a second time
    for doc_id, inode in inodes.items():
        assert (out / f"{doc_id}.json").stat().st_ino == inode, doc_id
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["totals"]["documents"] == len(DOC_IDS)
    assert manifest["totals"]["succeeded"] == len(DOC_IDS)
    assert manifest["totals"]["failed"] == 0
    assert {d for d, e in manifest["documents"].items() if e["status"] == "done"} == set(DOC_IDS)

    # The engine's summary: one result per document, and Ray restarted the killed worker
    # (its answers after the kill came from a reconstructed actor, another process).
    summary = re.search(
        r"ray: (\d+) results from (\d+) workers on (\d+) nodes, (\d+) worker", stderr
    )
    assert summary, stderr[-3000:]
    results, workers, nodes, restarts = map(int, summary.groups())
    assert (results, workers, nodes) == (len(DOC_IDS), 2, 2)
    assert restarts >= 1


def test_unreachable_address_fails_fast_with_one_line(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text(ARTICLES[0] + "\n", encoding="utf-8")
    address = f"{HOST}:{free_port()}"  # nothing listens there
    run = run_cli(
        "extract", str(docs), "--engine", "ray", "--address", address,
        "--model", "openai-compatible:gemma@http://127.0.0.1:9/v1", "--out", str(tmp_path / "run"),
        env=cli_env(tmp_path / "cache"), timeout=120,
    )  # fmt: skip
    assert run.code != 0
    errors = [line for line in run.stderr.splitlines() if "error" in line.lower()]
    assert errors and f"cannot reach the Ray cluster at {address}" in errors[0], run.stderr
    assert "Traceback" not in run.stderr


def test_missing_ray_names_the_extra(tmp_path: Path) -> None:
    shadow = tmp_path / "shadow" / "ray"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('no ray here')\n")
    code = "from llmextract.run.engines import get_engine; get_engine('ray')"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(shadow.parent)},
        timeout=60,
    )
    assert done.returncode != 0
    assert "pip install 'llmextract[ray]'" in done.stderr.splitlines()[-1]


def _job(concurrent: bool, concurrency: int = 4, **options: Any) -> Job:
    caller = SimpleNamespace(model=SimpleNamespace(concurrent=concurrent))
    return Job(caller=caller, config=None, concurrency=concurrency, options=options)  # type: ignore[arg-type]


def test_plan_gives_each_llama_copy_its_own_cores() -> None:
    plan = plan_workers(_job(concurrent=False), [8.0, 8.0, 4.0], documents=1000)
    assert (plan.cpus_per_worker, plan.workers, plan.llama_threads, plan.threads) == (4.0, 5, 4, 1)
    plan = plan_workers(_job(False, cpus_per_worker=2), [8.0], documents=1000)
    assert (plan.workers, plan.llama_threads, plan.slots) == (4, 2, 2)


def test_plan_for_an_endpoint_is_io_bound() -> None:
    plan = plan_workers(_job(concurrent=True, concurrency=8), [4.0, 4.0], documents=1000)
    assert (plan.cpus_per_worker, plan.workers, plan.threads, plan.llama_threads) == (
        0.5,
        16,
        8,
        None,
    )
    small = plan_workers(_job(concurrent=True, concurrency=8), [4.0, 4.0], documents=20)
    assert small.workers == 3  # never more actors than the documents can keep busy


def test_a_prompt_folder_on_a_node_is_reused_only_if_it_holds_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llmextract.run.ray_engine import _materialise_prompt

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    files = {"system.j2": "Answer.", "events.j2": "{{ sentences }}"}
    first = _materialise_prompt("mine", files)
    assert first.name == "mine" and (first / "events.j2").read_text() == "{{ sentences }}"
    assert _materialise_prompt("mine", files) == first
    (first / "system.j2").write_text("Tampered.")  # someone else's edit: not trusted
    other = _materialise_prompt("mine", files)
    assert other != first and (other / "system.j2").read_text() == "Answer."
