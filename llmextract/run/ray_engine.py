"""The ``ray`` engine: a run's documents spread over a Ray cluster (``--engine ray``).

A pool of Ray actors each rebuilds the pipeline once from ``job.config`` (a local model is
loaded once per actor, not per document) and extracts the documents sent to it.  Documents
travel with their text and the prompt with its files, so a node needs llmextract installed
but no shared file system.  The driver keeps a bounded number of documents in flight and
hands each result to ``on_result`` as it arrives, so the run store keeps one writer: a
worker killed mid-document is restarted by Ray, which re-runs the document, and its one
result still reaches the driver once.

Needs the ``ray`` extra.  Options (``job.options``, else the environment):

* ``address`` (``$RAY_ADDRESS``): the cluster; unset starts a Ray on this machine.
* ``cpus_per_worker`` (``$LLMEXTRACT_RAY_CPUS_PER_WORKER``): Ray CPUs each actor reserves.
  A local llama.cpp model gets the smallest node's CPUs, one copy per node, and that many
  threads, so copies never share cores; an HTTP model is I/O bound: half a CPU.
* ``workers`` (``$LLMEXTRACT_RAY_WORKERS``): actors; default as many as the CPUs allow.

``job.concurrency`` is documents at once per actor (threads) when the model is concurrent.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import socket
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmextract import __version__
from llmextract.run.engines import (
    DocumentResult,
    EngineError,
    Job,
    ResultSink,
    WorkerConfig,
    build_caller,
    extract_one,
    register_engine,
)
from llmextract.run.manifest import DocumentEntry

try:
    import ray
    from ray.exceptions import ActorDiedError, RayError
except ImportError:
    raise EngineError(
        "the ray engine needs Ray; install the extra: pip install 'llmextract[ray]'"
    ) from None

if TYPE_CHECKING:
    from llmextract.documents import Document
    from llmextract.providers.chat import ChatModel

# Ray restarts a dead actor and re-runs the documents it held this many times; a document
# that kills its worker every time (a crash in native code) ends as a failed entry.
MAX_RESTARTS = 3
MAX_TASK_RETRIES = 3
HTTP_CPUS_PER_WORKER = 0.5
CONNECT_SECONDS = 10.0
# Environment the workers need from the driver's: the API key of an OpenAI-style endpoint.
FORWARDED_ENV = ("OPENAI_API_KEY", "OPENAI_BASE_URL")


@dataclass(frozen=True)
class Plan:
    """How the documents are spread: actors, what each reserves, documents in flight."""

    workers: int
    cpus_per_worker: float
    threads: int  # documents one actor extracts at once
    llama_threads: int | None  # llama.cpp threads for a local model

    @property
    def slots(self) -> int:
        """Documents queued per actor: one more than it runs, so it never waits on us."""
        return self.threads + 1


class _Worker:
    """One Ray actor: the pipeline built once, then one document per call."""

    def __init__(self, config: WorkerConfig, prompt_name: str, prompt_files: dict[str, str]):
        folder = _materialise_prompt(prompt_name, prompt_files)
        self.caller = build_caller(replace(config, prompt=str(folder)))
        self.pid = os.getpid()

    def extract(self, doc: Document) -> tuple[DocumentResult, dict[str, Any]]:
        context = ray.get_runtime_context()
        worker = {
            "pid": self.pid,
            "node": context.get_node_id(),
            "restarted": context.was_current_actor_reconstructed,
            "version": __version__,
        }
        return extract_one(doc, self.caller), worker

    def ready(self) -> bool:
        return True


def _materialise_prompt(name: str, files: dict[str, str]) -> Path:
    """The driver's prompt files in a folder of this node, shared by its actors; a folder
    already there is used only if it holds exactly these files."""
    import hashlib
    import shutil

    digest = hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / f"llmextract-prompts-{os.getuid()}" / digest / name
    if _holds(folder, files):
        return folder
    staging = Path(tempfile.mkdtemp(prefix="llmextract-prompt-")) / name  # private
    staging.mkdir()
    for file_name, text in files.items():
        (staging / file_name).write_text(text, encoding="utf-8")
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(folder)
    except OSError:  # another actor got there first, or the shared folder is not ours
        if not _holds(folder, files):
            return staging
    shutil.rmtree(staging.parent, ignore_errors=True)
    return folder


def _holds(folder: Path, files: dict[str, str]) -> bool:
    try:
        return all((folder / n).read_text(encoding="utf-8") == t for n, t in files.items())
    except OSError:
        return False


class RayEngine:
    """Documents over a Ray actor pool; results back to the driver as they complete."""

    name = "ray"

    def prepare(self, model: ChatModel) -> None:
        return None  # the cluster is joined in run, where its failure can stop the run cleanly

    def run(self, pending: Sequence[Document], job: Job, on_result: ResultSink) -> None:
        if not pending:
            return
        started_here = _connect(job.options.get("address") or os.environ.get("RAY_ADDRESS"))
        actors: list[Any] = []
        try:
            plan = plan_workers(job, _node_cpus(), len(pending))
            actors = _start_actors(job, plan)
            _first_ready(actors)
            _dispatch(pending, actors, plan, on_result)
        finally:
            for actor in actors:
                with contextlib.suppress(Exception):
                    ray.kill(actor)
            if started_here:
                ray.shutdown()


def _connect(address: str | None) -> bool:
    """Join (or start) Ray; False when this process was already connected."""
    if ray.is_initialized():
        return False
    if address and address not in ("auto", "local"):
        _check_reachable(address)
    options: dict[str, Any] = {"log_to_driver": False, "logging_level": logging.WARNING}
    if not address:  # a Ray of this machine: no dashboard, as small as it goes
        options["include_dashboard"] = False
    try:
        ray.init(address=address or None, **options)
    except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError...
        raise EngineError(
            f"cannot start or join Ray at {address or 'this machine'}: {_line(exc)}"
        ) from exc
    return True


def _check_reachable(address: str) -> None:
    """Fail in seconds, not minutes: ``ray.init`` retries an unreachable GCS for long."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise EngineError(f"Ray address {address!r} is not HOST:PORT (or ray://HOST:PORT, auto)")
    try:
        socket.create_connection((host, int(port)), timeout=CONNECT_SECONDS).close()
    except OSError as exc:
        raise EngineError(f"cannot reach the Ray cluster at {address}: {exc}") from exc


def _node_cpus() -> list[float]:
    return [
        float(node["Resources"].get("CPU", 0))
        for node in ray.nodes()
        if node.get("Alive") and node["Resources"].get("CPU", 0) > 0
    ]


def _option(job: Job, key: str, env: str) -> str | None:
    value = job.options.get(key)
    return str(value) if value is not None else os.environ.get(env) or None


def plan_workers(job: Job, node_cpus: list[float], documents: int) -> Plan:
    """Actors and their reservations from the cluster's CPUs and the model's kind."""
    if not node_cpus:
        raise EngineError("the Ray cluster has no node with a CPU to run a worker on")
    concurrent = job.caller.model.concurrent
    raw_cpus = _option(job, "cpus_per_worker", "LLMEXTRACT_RAY_CPUS_PER_WORKER")
    try:
        cpus = (
            float(raw_cpus)
            if raw_cpus
            else (HTTP_CPUS_PER_WORKER if concurrent else min(node_cpus))
        )
        raw_workers = _option(job, "workers", "LLMEXTRACT_RAY_WORKERS")
        fit = sum(int(c // cpus) for c in node_cpus) if cpus > 0 else len(node_cpus)
        workers = int(raw_workers) if raw_workers else fit
    except ValueError as exc:
        raise EngineError(f"ray engine option: {exc}") from exc
    if cpus < 0 or workers < 1:
        raise EngineError("ray engine: cpus_per_worker must be >= 0 and workers >= 1")
    if cpus > max(node_cpus):
        raise EngineError(
            f"ray engine: a worker needs {cpus:g} CPUs but the largest node has {max(node_cpus):g}"
        )
    threads = max(1, job.concurrency) if concurrent else 1
    workers = max(1, min(workers, -(-documents // threads)))  # no idle actors to start
    llama_threads = None if concurrent else max(1, int(cpus))
    return Plan(workers, cpus, threads, llama_threads)


def _start_actors(job: Job, plan: Plan) -> list[Any]:
    env = {key: os.environ[key] for key in FORWARDED_ENV if os.environ.get(key)}
    if plan.llama_threads is not None:
        env["LLMEXTRACT_THREADS"] = str(plan.llama_threads)
    actor_class = ray.remote(_Worker).options(
        num_cpus=plan.cpus_per_worker,
        max_concurrency=plan.threads,
        max_restarts=MAX_RESTARTS,
        max_task_retries=MAX_TASK_RETRIES,
        runtime_env={"env_vars": env} if env else None,
    )
    prompt = job.caller.prompt
    return [
        actor_class.remote(job.config, prompt.name, dict(prompt.files)) for _ in range(plan.workers)
    ]


def _first_ready(actors: list[Any]) -> None:
    """Wait for one actor to be built: a pipeline that cannot start on the workers (a bad
    model spec, llmextract missing on a node) ends the run with one line, not a failed
    entry per document."""
    probes = [actor.ready.remote() for actor in actors]
    while probes:
        ready, probes = ray.wait(probes, num_returns=1)
        try:
            ray.get(ready[0])
            return
        except RayError as exc:
            if not probes:
                raise EngineError(f"the Ray workers could not start: {_line(exc)}") from exc


def _dispatch(
    pending: Sequence[Document], actors: list[Any], plan: Plan, on_result: ResultSink
) -> None:
    """Each actor holds up to ``plan.slots`` documents; ``ray.wait`` hands back the first done.

    Documents are taken from ``pending`` only as slots free up: the runner reads each from
    disk when it is reached, so a large run is never in memory at once.
    """
    documents = iter(pending)
    exhausted = False
    load = [0] * len(actors)
    dead: set[int] = set()
    in_flight: dict[Any, tuple[Document, int]] = {}
    restarted: set[int] = set()  # pids of actors Ray rebuilt after their process died
    last_error = ""
    nodes: set[str] = set()
    versions: set[str] = set()
    delivered = 0
    while not exhausted or in_flight:
        while not exhausted:
            live = [i for i in range(len(actors)) if i not in dead and load[i] < plan.slots]
            if not live:
                break
            doc = next(documents, None)
            if doc is None:
                exhausted = True
                break
            index = min(live, key=load.__getitem__)
            in_flight[actors[index].extract.remote(doc)] = (doc, index)
            load[index] += 1
        if not in_flight:
            if exhausted:
                break
            raise EngineError(
                f"every Ray worker died; {len(pending) - delivered} document(s) or fewer not "
                f"extracted (run again to resume); last: {last_error}"
            )
        refs = list(in_flight)
        ready, _ = ray.wait(refs, num_returns=1, timeout=1.0)  # a timeout keeps Ctrl-C live
        if ready:  # and whatever else is done by now, in one call
            ready, _ = ray.wait(refs, num_returns=len(refs), timeout=0)
        for ref in ready:
            doc, index = in_flight.pop(ref)
            load[index] -= 1
            try:
                result, worker = ray.get(ref)
            except ActorDiedError as exc:  # restarts used up: give up on this actor
                dead.add(index)
                result = _failed(doc, exc)
                last_error = _line(exc)
            except RayError as exc:
                result = _failed(doc, exc)
            else:
                if worker["restarted"]:
                    restarted.add(worker["pid"])
                nodes.add(worker["node"])
                versions.add(worker["version"])
            on_result(result)
            delivered += 1
    print(
        f"ray: {delivered} results from {len(actors)} workers on {len(nodes)} nodes, "
        f"{len(restarted)} worker restart(s)",
        file=sys.stderr,
    )
    if versions - {__version__}:
        print(
            f"ray: warning: workers run llmextract {', '.join(sorted(versions))}, "
            f"this driver {__version__}",
            file=sys.stderr,
        )


def _failed(doc: Document, exc: BaseException) -> DocumentResult:
    error = f"{doc.path}: Ray worker lost: {_line(exc)}"[:500]
    return DocumentResult(
        doc.doc_id, None, DocumentEntry(status="failed", error=error, path=str(doc.path))
    )


def _line(exc: BaseException) -> str:
    """Ray's messages run to paragraphs: the first line, and the cause's last line."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(exc))  # Ray colours its messages
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    return lines[0] if len(lines) == 1 else f"{lines[0]} ... {lines[-1]}"


register_engine(RayEngine())
