"""The ``processes`` engine: an HTTP model's documents over this machine's cores.

Against a fast endpoint the tool's own work (prompt rendering, the SDK's request, the
reading rules) is Python holding one interpreter lock: ~10 ms a document, one core, however
many threads wait on the endpoint.  This engine runs the same pipeline in one worker process
per core (``--workers``), each with its share of ``--concurrency`` threads; the driver reads
the documents, feeds the workers through a bounded queue and alone writes the run store, so
a result lands once and nothing finished is lost on a crash.

Workers are forked from a fork server that has already imported the pipeline, so they start
in milliseconds, not the seconds a fresh interpreter takes.  A worker that dies abandons the
documents it held (not recorded; the next run redoes them), and the run stops with an error
rather than waiting on them.  Only HTTP models: a model loaded in this process (llama.cpp,
or the llama-server it started) cannot be shared with other processes.
"""

from __future__ import annotations

import itertools
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import os
import queue
import signal
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from llmextract.run.engines import (
    EngineError,
    Job,
    ResultSink,
    WorkerConfig,
    build_caller,
    concurrently,
    register_engine,
)

if TYPE_CHECKING:
    from llmextract.documents import Document
    from llmextract.providers.chat import ChatModel

HTTP_BACKENDS = ("openai", "openai-compatible")
# Imported once by the fork server, so every worker starts with the pipeline loaded.
PRELOAD = [
    "llmextract.run.process_engine",
    "llmextract.extraction",
    "llmextract.prompts",
    "llmextract.providers.openai_compat",
    "llmextract.run.cache",
    "instructor",
    "openai",
    "httpcore",  # the SDK's transport imports it with the first client: ~0.1 s a worker
    "jinja2",
    "llmextract.run.worker_preload",  # last: warms the rules with everything imported
]
_DONE = "done"  # a worker's last message: it has sent every result it will send
_POLL_SECONDS = 0.5  # how often the driver checks, while waiting, that every worker lives


def worker_count() -> int:
    """``$LLMEXTRACT_WORKERS``, else the cores this process may run on."""
    configured = os.environ.get("LLMEXTRACT_WORKERS")
    if configured:
        if not configured.isdigit() or int(configured) < 1:
            raise EngineError(f"LLMEXTRACT_WORKERS must be a whole number >= 1, not {configured!r}")
        return int(configured)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _serve(config: WorkerConfig, threads: int, inbox: Any, outbox: Any) -> None:
    """One worker process: the pipeline built once, then documents until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the driver's to handle
    _die_with_driver()
    caller = build_caller(config)

    def documents() -> Iterator[Document]:
        while (doc := inbox.get()) is not None:
            yield doc

    try:
        concurrently(documents(), caller, outbox.put, threads)  # type: ignore[arg-type]
    finally:
        caller.model.close()
    outbox.put(_DONE)  # not after a failure: the driver then sees the exit code instead


def _die_with_driver() -> None:
    """A worker whose driver is gone (SIGKILLed) exits at once instead of waiting forever on
    a queue nobody feeds.  The fork server cannot do it: every worker inherits its copy of
    the driver's "alive" pipe, so it sees no end of the driver while a worker lives."""
    driver = multiprocessing.parent_process()
    if driver is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([driver.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="llmextract-driver-watch", daemon=True).start()


class ProcessEngine:
    """Worker processes over this machine's cores; results back to the one writer."""

    name = "processes"

    def prepare(self, model: ChatModel) -> None:
        """Start the fork server now: its imports and warm-up (~0.8 s) overlap the driver's
        scan of the input files (~0.5 s at 100,000) instead of following it."""
        if model.spec.backend in HTTP_BACKENDS:
            _fork_context()
            multiprocessing.forkserver.ensure_running()

    def run(self, pending: Sequence[Document], job: Job, on_result: ResultSink) -> None:
        if not pending:
            return  # a resume with nothing left to do starts no process
        spec = job.caller.model.spec
        if spec.backend not in HTTP_BACKENDS:
            raise EngineError(
                f"--engine processes runs HTTP models (openai, openai-compatible), not "
                f"{spec.text!r}: a model loaded in this process cannot be shared; use "
                f"--engine local"
            )
        workers = min(int(job.options.get("workers") or worker_count()), len(pending))
        threads = max(1, -(-job.concurrency // workers))  # the run's concurrency, shared
        context = _fork_context()
        inbox = context.Queue(maxsize=workers * threads * 2)  # bounded: a run is never all read
        outbox = context.Queue()
        processes = [
            context.Process(
                target=_serve,
                args=(job.config, threads, inbox, outbox),
                name=f"llmextract-worker-{n}",
                daemon=True,
            )
            for n in range(workers)
        ]
        for process in processes:
            process.start()
        stopping = threading.Event()
        feeding = threading.Thread(
            target=_feed, args=(pending, inbox, workers, stopping), name="llmextract-feeder",
            daemon=True,
        )  # fmt: skip
        feeding.start()
        try:
            _drain(outbox, processes, on_result)
        finally:
            stopping.set()
            for process in processes:
                if process.is_alive():
                    process.kill()  # in-flight calls are abandoned, redone on resume
            for process in processes:
                process.join()
            inbox.cancel_join_thread()
            outbox.cancel_join_thread()


def _fork_context() -> Any:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context


def _feed(pending: Sequence[Document], inbox: Any, workers: int, stopping: threading.Event) -> None:
    """Documents into the workers' queue as they have room, then one stop per worker.  A
    document that fails to read is recorded by the loader and skipped, so none is lost."""
    for item in itertools.chain(pending, [None] * workers):  # read as the queue has room
        while not stopping.is_set():
            try:
                inbox.put(item, timeout=_POLL_SECONDS)
                break
            except queue.Full:
                continue
        if stopping.is_set():
            return


def _drain(outbox: Any, processes: list[Any], on_result: ResultSink) -> None:
    running = len(processes)
    while running:
        try:
            item = outbox.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            dead = [p for p in processes if p.exitcode not in (None, 0)]
            if dead:
                raise EngineError(
                    f"worker process {dead[0].name} died (exit code {dead[0].exitcode}); the "
                    f"documents it held were not recorded: run again to redo them"
                ) from None
            continue
        if item == _DONE:
            running -= 1
        else:
            on_result(item)


register_engine(ProcessEngine())
