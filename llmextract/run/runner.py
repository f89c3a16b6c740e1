"""Batch runs: documents through a strategy into a run folder, with progress and resume.

Shared by ``llmextract extract`` and ``llmextract bench``.  Each finished document is saved
at once (atomically) and recorded in the manifest, so an interrupted run loses nothing and
a re-run skips what is done; a failing document is recorded with its error and the batch
goes on.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from llmextract import __version__
from llmextract.documents import Document, DocumentError, document_id, load_document
from llmextract.errors import redact_secrets
from llmextract.prompts import Prompt
from llmextract.providers.chat import ChatModel
from llmextract.providers.types import ModelError
from llmextract.run.atomic import stable_hash
from llmextract.run.cache import ResponseCache
from llmextract.run.engines import DocumentResult, Engine, Job, WorkerConfig, get_engine
from llmextract.run.folder import RunError, RunStore, default_run_dir, find_unfinished_run, run_lock
from llmextract.run.manifest import DocumentEntry, RunManifest
from llmextract.schema import SCHEMA_VERSION
from llmextract.strategies import Strategy, get_strategy
from llmextract.strategies.caller import Caller


@dataclass
class RunOutcome:
    folder: Path
    exit_code: int
    manifest: RunManifest


def run_extraction(
    documents: Sequence[str | Path],
    chat_model: ChatModel,
    prompt: Prompt,
    *,
    strategy: str,
    out: Path | None,
    concurrency: int,
    cache: ResponseCache | None,
    console: Console,
    quiet: bool = False,
    engine: str = "local",
    engine_options: dict[str, Any] | None = None,
) -> RunOutcome:
    """Extract every document into a run folder; returns the exit code (1 if any failed)."""
    chosen = get_strategy(strategy)
    chosen_engine = get_engine(engine)
    config = WorkerConfig(
        model=chat_model.spec.text,
        decoding=chat_model.decoding,
        prompt=str(prompt.folder),
        strategy=strategy,
        use_cache=cache is not None,
        cache_folder=str(cache.folder) if cache is not None else None,
        cache_read=cache.read if cache is not None else False,
    )
    try:
        identity = chat_model.identity()
    except (ModelError, OSError) as exc:
        raise RunError(str(exc)) from exc
    config_parts = {
        "model": identity,
        "prompt_hash": prompt.hash,
        "strategy": strategy,
        "decoding": chat_model.decoding.as_dict(),
        "schema_version": SCHEMA_VERSION,
    }
    config_key = stable_hash(config_parts)[:16]
    folder = (
        out or find_unfinished_run(config_key) or default_run_dir(chat_model.spec.slug, prompt.name)
    )
    manifest = RunManifest(
        tool="llmextract",
        tool_version=__version__,
        model=chat_model.spec.text,
        model_sha256=identity.get("sha256"),
        prompt=prompt.manifest(),
        strategy=strategy,
        schema_version=SCHEMA_VERSION,
        decoding=chat_model.decoding.as_dict(),
        max_tokens=chosen.max_tokens,
        config_key=config_key,
        command=[Path(sys.argv[0]).name, *sys.argv[1:]],
        status="running",
    )
    with run_lock(folder):
        store = RunStore(folder, manifest)
        try:
            code = _run(
                documents, chat_model, prompt, store, chosen, cache, console, quiet,
                engine=chosen_engine, job_config=config, concurrency=concurrency,
                engine_options=engine_options,
            )  # fmt: skip
        finally:
            store.close()
        return RunOutcome(folder=folder, exit_code=code, manifest=store.manifest)


def _run(
    documents: Sequence[str | Path],
    chat_model: ChatModel,
    prompt: Prompt,
    store: RunStore,
    strategy: Strategy,
    cache: ResponseCache | None,
    console: Console,
    quiet: bool,
    *,
    engine: Engine,
    job_config: WorkerConfig,
    concurrency: int,
    engine_options: dict[str, Any] | None,
) -> int:
    caller = Caller(chat_model, prompt, cache, strategy)

    def load(path: Path) -> Document | None:
        doc_id = document_id(path)
        try:
            doc = load_document(path)
        except DocumentError as exc:
            console.print(f"[red]error:[/red] {exc}", highlight=False)
            store.record(doc_id, DocumentEntry(status="failed", error=str(exc), path=str(path)))
            return None
        for warning in doc.warnings:
            console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
        return doc

    queued: list[Document | Path] = []
    skipped = 0  # done in an earlier run (documents that failed to load are not)
    prepared = False
    for name in documents:
        doc_id = document_id(name)
        try:
            found = os.stat(name)
        except OSError:
            pass  # a vanished file fails when it is loaded
        else:
            if store.unchanged_since_done(doc_id, found.st_size, found.st_mtime_ns):
                skipped += 1
                continue
            store.source_stats[doc_id] = (found.st_size, found.st_mtime_ns)
        path = Path(name)
        if not prepared:
            engine.prepare(chat_model)  # there may be work: the engine starts getting ready
            prepared = True
        if not store.may_be_done(doc_id):
            queued.append(path)  # read when its turn comes, not all up front
            continue
        doc = load(path)
        if doc is not None and store.is_done(doc.doc_id, doc.sha256):
            store.record_finished(doc.doc_id, doc.path)
            skipped += 1
        elif doc is not None:
            queued.append(doc)
    if queued or not store.manifest_path.exists():
        store.flush("running")  # readers (and find_unfinished_run) see a run under way
    if not quiet:
        console.print(
            f"run folder: [bold]{store.folder}[/bold]  model: {chat_model.spec.text}  "
            f"prompt: {prompt.name} ({prompt.hash})  strategy: {strategy.name}"
            + (f"  resuming: {skipped} document(s) already done" if skipped else ""),
            highlight=False,
        )
    stats = {"incidents": 0, "output_tokens": 0, "seconds": 0.0}
    progress = Progress(
        TextColumn("[bold]extract"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[incidents]} incidents"),
        TextColumn("{task.fields[rate]} tok/s"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}"),
        console=console,
        disable=quiet,
        transient=False,
    )
    started = time.perf_counter()
    job = Job(
        caller=caller, config=job_config, concurrency=concurrency, options=engine_options or {}
    )
    with progress:
        task = progress.add_task("extract", total=len(queued), incidents=0, rate="-", current="")

        def on_result(result: DocumentResult) -> None:
            entry = result.entry
            if result.extraction is None:
                console.print(f"[red]failed:[/red] {entry.error}", highlight=False)
                store.record(result.doc_id, entry)
            else:
                store.save_document(result.extraction, entry)
                stats["incidents"] += entry.incidents
                if entry.model_calls:
                    stats["output_tokens"] += entry.output_tokens
                    stats["seconds"] += entry.seconds
            rate = stats["output_tokens"] / stats["seconds"] if stats["seconds"] else 0
            progress.update(
                task, advance=1, incidents=stats["incidents"], rate=f"{rate:.1f}",
                current=result.doc_id,
            )  # fmt: skip

        def failed_to_load(path: Path) -> None:
            progress.update(task, advance=1, current=document_id(path))

        pending = PendingDocuments(queued, load, failed_to_load)
        try:
            engine.run(pending, job, on_result)
        except KeyboardInterrupt:
            store.finish("interrupted")
            console.print(f"interrupted; run again to finish the rest into {store.folder}")
            return 130
    failures = store.failures()
    store.manifest.wall_seconds = round(time.perf_counter() - started, 2)
    store.finish("complete" if not failures else "complete_with_failures")
    totals = store.manifest.totals or {}
    summary = (
        f"{totals['succeeded']}/{totals['documents']} documents, {totals['incidents']} incidents, "
        f"{totals['seconds_per_document'] or 0:.1f} s/doc, {totals['tokens_per_document'] or 0:.0f} tokens/doc"
        f" -> {store.folder}"
    )
    if failures:
        first = next(iter(failures.values()))
        console.print(
            f"[red]{len(failures)} document(s) failed[/red] (first: {redact_secrets(first)}); {summary}",
            highlight=False,
        )
        return 1
    if not quiet:
        console.print(f"[green]done:[/green] {summary}", highlight=False)
    return 0


class PendingDocuments(Sequence[Document]):
    """The documents still to extract, read from disk as an engine reaches them.

    A run of 100,000 documents neither waits for all of them to be read nor holds them all
    in memory.  A document that fails to load is recorded as failed by ``load`` and skipped.
    """

    def __init__(
        self,
        items: list[Document | Path],
        load: Callable[[Path], Document | None],
        on_failed_load: Callable[[Path], None],
    ) -> None:
        self._items = items
        self._load = load
        self._on_failed_load = on_failed_load

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index: int) -> Document:  # type: ignore[override]
        item = self._items[index]
        doc = item if isinstance(item, Document) else self._load(item)
        if doc is None:
            raise DocumentError(f"{item}: could not be read")
        return doc

    def __iter__(self) -> Iterator[Document]:
        for item in self._items:
            doc = item if isinstance(item, Document) else self._load(item)
            if doc is None:
                self._on_failed_load(item)  # type: ignore[arg-type]
                continue
            yield doc
