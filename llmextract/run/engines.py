"""Engines: where a run's documents are extracted (this process, or a cluster).

An engine takes the pending documents and a ``Job`` and hands every ``DocumentResult``
back to the driver through ``on_result``, in the driver's process, so the run store has
one writer whatever the engine.  ``job.caller`` is the pipeline built in this process;
``job.config`` is enough to rebuild it elsewhere (a Ray worker), since a loaded model
cannot travel.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from llmextract.errors import LlmextractError, redact_secrets
from llmextract.run.manifest import DocumentEntry

if TYPE_CHECKING:
    from llmextract.documents import Document
    from llmextract.providers.chat import ChatModel
    from llmextract.providers.types import Decoding
    from llmextract.schema import Extraction
    from llmextract.strategies.caller import Caller


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker needs to build the same pipeline: picklable, no loaded model."""

    model: str
    decoding: Decoding
    prompt: str
    strategy: str
    use_cache: bool = True
    cache_folder: str | None = None  # None: the default response cache
    cache_read: bool = True


@dataclass
class Job:
    caller: Caller
    config: WorkerConfig
    concurrency: int = 1
    options: dict[str, Any] = field(default_factory=dict)  # engine options (e.g. address)


@dataclass
class DocumentResult:
    """One document's outcome: its extraction (None when it failed) and manifest entry."""

    doc_id: str
    extraction: Extraction | None
    entry: DocumentEntry


ResultSink = Callable[[DocumentResult], None]


class EngineError(LlmextractError):
    """An engine that cannot start (a missing extra, an unreachable cluster)."""


class Engine(Protocol):
    name: str

    def prepare(self, model: ChatModel) -> None:
        """Called once the run is known to have documents to do, before they are all found:
        start what can get ready while the driver sets the run up."""

    def run(self, pending: Sequence[Document], job: Job, on_result: ResultSink) -> None: ...


def build_caller(config: WorkerConfig) -> Caller:
    """The pipeline of ``config`` built in this process (a worker's first document)."""
    from pathlib import Path

    from llmextract.prompts import load_prompt
    from llmextract.providers import load_model
    from llmextract.run.cache import ResponseCache
    from llmextract.strategies import get_strategy
    from llmextract.strategies.caller import Caller

    cache = (
        ResponseCache(
            Path(config.cache_folder) if config.cache_folder else None, read=config.cache_read
        )
        if config.use_cache
        else None
    )
    return Caller(
        load_model(config.model, config.decoding),
        load_prompt(config.prompt),
        cache,
        get_strategy(config.strategy),
    )


def extract_one(doc: Document, caller: Caller) -> DocumentResult:
    """Extract one document; any failure becomes a failed entry, never an exception."""
    from llmextract.strategies.caller import extract_document

    started = time.perf_counter()
    try:
        outcome = extract_document(doc, caller)
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # one bad document never stops the batch
        # Redact before cutting: a key cut in half is no longer recognisable.
        message = redact_secrets(f"{doc.path}: {type(exc).__name__}: {' '.join(str(exc).split())}")
        entry = DocumentEntry(
            status="failed",
            error=message[:500],
            path=str(doc.path),
            seconds=round(time.perf_counter() - started, 3),
        )
        return DocumentResult(doc.doc_id, None, entry)
    usage = outcome.usage
    entry = DocumentEntry(
        status="done",
        path=str(doc.path),
        seconds=round(usage.seconds, 3),
        model_seconds=round(usage.model_seconds, 3),
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        model_calls=usage.calls,
        cached_calls=usage.cached_calls,
        retries=usage.retries,
        split_passages=usage.split_passages,
        incidents=len(outcome.extraction.incidents),
        warnings=outcome.warnings,
        error=None,
    )
    return DocumentResult(doc.doc_id, outcome.extraction, entry)


class LocalEngine:
    """This process: one document at a time, or up to ``concurrency`` in threads when the
    model is concurrent (an HTTP endpoint, or a server with parallel slots)."""

    name = "local"

    def prepare(self, model: ChatModel) -> None:
        return None  # the pipeline is this process's, built already

    def run(self, pending: Sequence[Document], job: Job, on_result: ResultSink) -> None:
        caller = job.caller
        if caller.model.concurrent and job.concurrency > 1 and len(pending) > 1:
            concurrently(pending, caller, on_result, job.concurrency)
            return
        for doc in pending:
            on_result(extract_one(doc, caller))


_FINISHED = object()  # a worker's last word on the results queue


def concurrently(
    pending: Sequence[Document], caller: Caller, on_result: ResultSink, concurrency: int
) -> None:
    """``concurrency`` worker threads pulling from one iterator, results handed to
    ``on_result`` in this thread (one writer).

    Documents are read as a worker is free, so a run of 100,000 never holds (or waits to
    read) them all.  The workers are daemon threads, not an executor's: on Ctrl-C this
    returns at once, and the calls still in flight (minutes each on a local server) are
    abandoned unrecorded, to be redone on resume, instead of being waited for.
    """
    documents = iter(pending)
    lock = threading.Lock()
    stopping = threading.Event()
    results: queue.SimpleQueue[Any] = queue.SimpleQueue()

    def work() -> None:
        try:
            while not stopping.is_set():
                with lock:  # one generator, several threads
                    doc = next(documents, None)
                if doc is None:
                    break
                results.put(extract_one(doc, caller))
        except BaseException as exc:  # reading a document failed: the driver re-raises it
            results.put(exc)
        finally:
            results.put(_FINISHED)

    workers = [
        threading.Thread(target=work, name=f"llmextract-worker-{n}", daemon=True)
        for n in range(concurrency)
    ]
    for worker in workers:
        worker.start()
    running = len(workers)
    try:
        while running:
            item = results.get()
            if item is _FINISHED:
                running -= 1
            elif isinstance(item, BaseException):
                raise item
            else:
                on_result(item)
    finally:
        stopping.set()  # on an error or Ctrl-C: no worker takes another document


_ENGINES: dict[str, Engine] = {}


def register_engine(engine: Engine) -> None:
    _ENGINES[engine.name] = engine


def get_engine(name: str) -> Engine:
    if name == "ray" and "ray" not in _ENGINES:
        import llmextract.run.ray_engine  # registers itself; needs the extra
    if name == "processes" and "processes" not in _ENGINES:
        import llmextract.run.process_engine  # noqa: F401  (registers itself)
    if name not in _ENGINES:
        known = ", ".join(sorted({*_ENGINES, "processes", "ray"}))
        raise EngineError(f"unknown engine {name!r} (known: {known})")
    return _ENGINES[name]


register_engine(LocalEngine())
