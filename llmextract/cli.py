"""The ``llmextract`` command line: extract, models, schema, bench, and the eval commands."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from llmextract import __version__, cli_eval
from llmextract.documents import Document, DocumentError, discover, load_document
from llmextract.extraction import DEFAULT_STRATEGY, STRATEGIES, Caller, extract_document
from llmextract.models import (
    DEFAULT_MODEL,
    LOCAL_ALIASES,
    LOCAL_MODELS,
    ChatModel,
    Decoding,
    ModelError,
    load_model,
    local_model_status,
    redact_secrets,
)
from llmextract.prompts import DEFAULT_PROMPT, PromptError, load_prompt
from llmextract.schema import SCHEMA_VERSION, incident_json_schema
from llmextract.store import (
    ResponseCache,
    RunStore,
    RunStoreError,
    default_run_dir,
    find_unfinished_run,
    run_lock,
    stable_hash,
)

app = typer.Typer(
    help="Turn news articles about political violence into checkable incident records.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
cli_eval.register(app)


def fail(message: str, code: int = 2) -> None:
    console.print(f"[red]error:[/red] {redact_secrets(message)}", highlight=False)
    raise typer.Exit(code)


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of .txt documents.")],
    model: Annotated[str, typer.Option(help="Model spec (see `llmextract models`).")] = DEFAULT_MODEL,
    prompt: Annotated[str, typer.Option(help="Prompt name under prompts/, or a folder.")] = DEFAULT_PROMPT,
    strategy: Annotated[str, typer.Option(help="Extraction strategy: mentions or single.")] = DEFAULT_STRATEGY,
    out: Annotated[Path | None, typer.Option(help="Run folder (default runs/<model>-<prompt>-<time>/).")] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Documents at once (HTTP models).")] = 4,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Ignore cached responses (fresh calls are still cached).")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds before one HTTP call times out.")] = 300.0,
    max_retries: Annotated[int, typer.Option(help="Re-asks after invalid output.")] = 2,
) -> None:
    """Extract incidents from documents into a run folder, one JSON file per document."""
    if strategy not in STRATEGIES:
        fail(f"unknown strategy {strategy!r}; choose one of: {', '.join(STRATEGIES)}")
    documents, missing = discover(paths)
    for error in missing:
        console.print(f"[red]error:[/red] {error}", highlight=False)
    if not documents:
        fail("no .txt documents found in the given paths")
    try:
        chat_model = load_model(model, Decoding(timeout_s=timeout, max_retries=max_retries))
        chosen_prompt = load_prompt(prompt)
    except (ModelError, PromptError) as exc:
        fail(str(exc))
    code = run_extraction(
        documents,
        chat_model,
        chosen_prompt,
        strategy=strategy,
        out=out,
        concurrency=concurrency,
        cache=ResponseCache(read=not no_cache),
    )
    if missing and code == 0:
        code = 1
    raise typer.Exit(code)


def run_extraction(
    documents: list[Path],
    chat_model: ChatModel,
    prompt: Any,
    *,
    strategy: str,
    out: Path | None,
    concurrency: int,
    cache: ResponseCache | None,
    quiet: bool = False,
) -> int:
    """Extract every document into a run folder; returns the exit code (1 if any failed)."""
    try:
        identity = chat_model.identity()
    except (ModelError, OSError) as exc:
        fail(str(exc))
    config = {
        "model": identity,
        "prompt_hash": prompt.hash,
        "strategy": strategy,
        "decoding": chat_model.decoding.as_dict(),
        "schema_version": SCHEMA_VERSION,
    }
    config_key = stable_hash(config)[:16]
    folder = out or find_unfinished_run(config_key) or default_run_dir(chat_model.spec.slug, prompt.name)
    manifest: dict[str, Any] = {
        "tool": "llmextract",
        "tool_version": __version__,
        "model": chat_model.spec.text,
        "model_sha256": identity.get("sha256"),
        "prompt": prompt.manifest(),
        "strategy": strategy,
        "schema_version": SCHEMA_VERSION,
        "decoding": chat_model.decoding.as_dict(),
        "max_tokens": __import__("llmextract.extraction", fromlist=["MAX_TOKENS"]).MAX_TOKENS,
        "config_key": config_key,
        "command": [Path(sys.argv[0]).name, *sys.argv[1:]],
        "status": "running",
    }
    try:
        with run_lock(folder):
            store = RunStore(folder, manifest)
            store.flush("running")
            return _run(documents, chat_model, prompt, store, strategy, concurrency, cache, quiet)
    except RunStoreError as exc:
        fail(str(exc))
    return 2


def _run(
    documents: list[Path],
    chat_model: ChatModel,
    prompt: Any,
    store: RunStore,
    strategy: str,
    concurrency: int,
    cache: ResponseCache | None,
    quiet: bool,
) -> int:
    caller = Caller(chat_model, prompt, cache)
    pending: list[Document] = []
    for path in documents:
        doc_id = path.name.removesuffix(".txt")
        try:
            doc = load_document(path)
        except DocumentError as exc:
            console.print(f"[red]error:[/red] {exc}", highlight=False)
            store.record(doc_id, {"status": "failed", "error": str(exc), "path": str(path)})
            continue
        for warning in doc.warnings:
            console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
        if store.is_done(doc.doc_id, doc.sha256):
            continue
        pending.append(doc)
    skipped = len(documents) - len(pending)
    if not quiet:
        console.print(
            f"run folder: [bold]{store.folder}[/bold]  model: {chat_model.spec.text}  "
            f"prompt: {prompt.name} ({prompt.hash})  strategy: {strategy}"
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
            entry: dict[str, Any]
            try:
                outcome = extract_document(doc, caller, strategy)
            except KeyboardInterrupt:
                raise
            except Exception as exc:  # one bad document never stops the batch
                message = f"{doc.path}: {type(exc).__name__}: {' '.join(str(exc).split())}"[:500]
                console.print(f"[red]failed:[/red] {redact_secrets(message)}", highlight=False)
                entry = {"status": "failed", "error": message, "path": str(doc.path)}
                store.record(doc.doc_id, entry)
            else:
                usage = outcome.usage
                entry = {
                    "status": "done",
                    "path": str(doc.path),
                    "seconds": round(usage.seconds, 3),
                    "input_tokens": usage.input_tokens,
                    "output_tokens": usage.output_tokens,
                    "model_calls": usage.calls,
                    "cached_calls": usage.cached_calls,
                    "retries": usage.retries,
                    "incidents": len(outcome.extraction.incidents),
                    "warnings": outcome.warnings,
                    "error": None,
                }
                store.save_document(outcome.extraction, entry)
                stats["incidents"] += entry["incidents"]
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
    store.manifest["wall_seconds"] = round(time.perf_counter() - started, 2)
    store.flush("complete" if not failures else "complete_with_failures")
    totals = store.manifest["totals"]
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


@app.command()
def models(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Known model specs: installed or not, file size and sha256."""
    rows = [local_model_status(model) for model in LOCAL_MODELS.values()]
    for alias, key in LOCAL_ALIASES.items():
        default = dict(local_model_status(LOCAL_MODELS[key]))
        default["spec"] = alias
        default["description"] = f"the default: {LOCAL_MODELS[key].description}"
        rows.insert(0, default)
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table(title="llmextract models")
    for column in ("spec", "description", "installed", "assembled", "bytes", "sha256", "install"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row["spec"],
            row["description"],
            "yes" if row["installed"] else "[red]no[/red]",
            "yes" if row["assembled"] else "no",
            f"{row['bytes']:,}" if row["bytes"] else "?",
            row["sha256"],
            row["install"],
        )
    Console().print(table)
    Console().print(
        "Also: local:/path/model.gguf, openai:MODEL (OPENAI_API_KEY, OPENAI_BASE_URL), "
        "openai-compatible:MODEL@http://host:port/v1"
    )


@app.command()
def schema() -> None:
    """JSON Schema of the incident record (one document's extraction)."""
    print(json.dumps(incident_json_schema(), indent=2))


@app.callback(invoke_without_command=True)
def main(
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    if version:
        print(__version__)
        raise typer.Exit(0)
