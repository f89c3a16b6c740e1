"""Batch runs: documents through a strategy into a run folder, with progress and resume.

Shared by ``llmextract extract`` and ``llmextract bench``.  Each finished document is saved
at once (atomically) and recorded in the manifest, so an interrupted run loses nothing and
a re-run skips what is done; a failing document is recorded with its error and the batch
goes on.
"""

from __future__ import annotations

import asyncio
import sys
import time
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
from llmextract.run.folder import RunError, RunStore, default_run_dir, find_unfinished_run, run_lock
from llmextract.run.manifest import DocumentEntry, RunManifest
from llmextract.schema import SCHEMA_VERSION
from llmextract.strategies import Strategy, get_strategy
from llmextract.strategies.caller import Caller, extract_document


@dataclass
class RunOutcome:
    folder: Path
    exit_code: int
    manifest: RunManifest


def run_extraction(
    documents: list[Path],
    chat_model: ChatModel,
    prompt: Prompt,
    *,
    strategy: str,
    out: Path | None,
    concurrency: int,
    cache: ResponseCache | None,
    console: Console,
    quiet: bool = False,
) -> RunOutcome:
    """Extract every document into a run folder; returns the exit code (1 if any failed)."""
    chosen = get_strategy(strategy)
    try:
        identity = chat_model.identity()
    except (ModelError, OSError) as exc:
        raise RunError(str(exc)) from exc
    config = {
        "model": identity,
        "prompt_hash": prompt.hash,
        "strategy": strategy,
        "decoding": chat_model.decoding.as_dict(),
        "schema_version": SCHEMA_VERSION,
    }
    config_key = stable_hash(config)[:16]
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
        store.flush("running")
        code = _run(
            documents, chat_model, prompt, store, chosen, concurrency, cache, console, quiet
        )
        return RunOutcome(folder=folder, exit_code=code, manifest=store.manifest)


def _run(
    documents: list[Path],
    chat_model: ChatModel,
    prompt: Prompt,
    store: RunStore,
    strategy: Strategy,
    concurrency: int,
    cache: ResponseCache | None,
    console: Console,
    quiet: bool,
) -> int:
    caller = Caller(chat_model, prompt, cache, strategy)
    pending: list[Document] = []
    skipped = 0  # done in an earlier run (documents that failed to load are not)
    for path in documents:
        doc_id = document_id(path)
        try:
            doc = load_document(path)
        except DocumentError as exc:
            console.print(f"[red]error:[/red] {exc}", highlight=False)
            store.record(doc_id, DocumentEntry(status="failed", error=str(exc), path=str(path)))
            continue
        for warning in doc.warnings:
            console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
        if store.is_done(doc.doc_id, doc.sha256):
            store.record_finished(doc.doc_id, doc.path)
            skipped += 1
            continue
        pending.append(doc)
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
    with progress:
        task = progress.add_task("extract", total=len(pending), incidents=0, rate="-", current="")

        def process(doc: Document) -> None:
            progress.update(task, current=doc.doc_id)
            try:
                outcome = extract_document(doc, caller)
            except KeyboardInterrupt:
                raise
            except Exception as exc:  # one bad document never stops the batch
                # Redact before cutting: a key cut in half is no longer recognisable.
                message = redact_secrets(
                    f"{doc.path}: {type(exc).__name__}: {' '.join(str(exc).split())}"
                )[:500]
                console.print(f"[red]failed:[/red] {message}", highlight=False)
                store.record(
                    doc.doc_id, DocumentEntry(status="failed", error=message, path=str(doc.path))
                )
            else:
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
                store.save_document(outcome.extraction, entry)
                stats["incidents"] += entry.incidents
                if usage.calls:
                    stats["output_tokens"] += usage.output_tokens
                    stats["seconds"] += usage.seconds
            rate = stats["output_tokens"] / stats["seconds"] if stats["seconds"] else 0
            progress.update(task, advance=1, incidents=stats["incidents"], rate=f"{rate:.1f}")

        try:
            if chat_model.concurrent and concurrency > 1 and len(pending) > 1:
                asyncio.run(_process_concurrently(pending, process, concurrency))
            else:
                for doc in pending:
                    process(doc)
        except KeyboardInterrupt:
            store.flush("interrupted")
            console.print(f"interrupted; run again to finish the rest into {store.folder}")
            return 130
    failures = store.failures()
    store.manifest.wall_seconds = round(time.perf_counter() - started, 2)
    store.flush("complete" if not failures else "complete_with_failures")
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


async def _process_concurrently(pending: list[Document], process: Any, concurrency: int) -> None:
    """HTTP models: up to ``concurrency`` documents in flight, each in a worker thread."""
    semaphore = asyncio.Semaphore(concurrency)

    async def one(doc: Document) -> None:
        async with semaphore:
            await asyncio.to_thread(process, doc)

    await asyncio.gather(*(one(doc) for doc in pending))
