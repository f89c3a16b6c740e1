"""The ``llmextract`` command line: extract, models, schema, bench, and the eval commands."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from llmextract import __version__, cli_eval
from llmextract.dataset import cli as dataset_cli
from llmextract.documents import discover
from llmextract.extraction import DEFAULT_STRATEGY, STRATEGIES, STRATEGY_KINDS
from llmextract.models import (
    DEFAULT_MODEL,
    LOCAL_ALIASES,
    LOCAL_MODELS,
    Decoding,
    ModelError,
    load_model,
    local_model_status,
    redact_secrets,
)
from llmextract.prompts import DEFAULT_PROMPT, PromptError, load_prompt
from llmextract.runner import RunError, run_extraction
from llmextract.schema import incident_json_schema
from llmextract.store import (
    ResponseCache,
)

app = typer.Typer(
    help="Turn news articles about political violence into checkable incident records.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
cli_eval.register(app)
dataset_cli.register(app)  # export, events


def fail(message: str, code: int = 2) -> None:
    console.print(f"[red]error:[/red] {redact_secrets(message)}", highlight=False)
    raise typer.Exit(code)


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of .txt documents.")],
    model: Annotated[
        str, typer.Option(help="Model spec (see `llmextract models`).")
    ] = DEFAULT_MODEL,
    prompt: Annotated[
        str, typer.Option(help="Prompt name under prompts/, or a folder.")
    ] = DEFAULT_PROMPT,
    strategy: Annotated[
        str, typer.Option(help="Extraction strategy: events, mentions or single.")
    ] = DEFAULT_STRATEGY,
    out: Annotated[
        Path | None, typer.Option(help="Run folder (default runs/<model>-<prompt>-<time>/).")
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Documents at once (HTTP models).")] = 4,
    no_cache: Annotated[
        bool,
        typer.Option("--no-cache", help="Ignore cached responses (fresh calls are still cached)."),
    ] = False,
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
        chosen_prompt.require(STRATEGY_KINDS[strategy], strategy)
    except (ModelError, PromptError) as exc:
        fail(str(exc))
    try:
        outcome = run_extraction(
            documents,
            chat_model,
            chosen_prompt,
            strategy=strategy,
            out=out,
            concurrency=concurrency,
            cache=ResponseCache(read=not no_cache),
            console=console,
        )
    except RunError as exc:
        fail(str(exc))
    code = outcome.exit_code
    if missing and code == 0:
        code = 1
    raise typer.Exit(code)


@app.command()
def bench(
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Document set: seeds, dev, NAME=FOLDER (docs/ and gold/ inside) or "
            "NAME=DOCS:GOLD; repeat for several (default: seeds, dev and holdout).",
        ),
    ] = None,
    model: Annotated[
        list[str] | None, typer.Option("--model", help="Model spec; repeat for several.")
    ] = None,
    strategy: Annotated[
        list[str] | None, typer.Option("--strategy", help="Strategy; repeat for several.")
    ] = None,
    prompt: Annotated[str, typer.Option(help="Prompt name.")] = DEFAULT_PROMPT,
    out: Annotated[Path, typer.Option(help="Folder for the benchmark runs.")] = Path("runs/bench"),
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Measure afresh, ignoring cached responses.")
    ] = False,
    markdown: Annotated[
        Path | None, typer.Option(help="Append a dated results section to this file.")
    ] = None,
) -> None:
    """Run strategies x models on document sets with gold: one row per set, and all sets."""
    from llmextract import bench as benchmarks

    models_to_run = model or [DEFAULT_MODEL]
    strategies = strategy or [DEFAULT_STRATEGY]
    unknown = [s for s in strategies if s not in STRATEGIES]
    if unknown:
        fail(f"unknown strategy {unknown[0]!r}; choose from: {', '.join(STRATEGIES)}")
    cells = []
    try:
        chosen_sets = [benchmarks.parse_set(s) for s in sets or benchmarks.DEFAULT_SETS]
        for name in strategies:
            load_prompt(prompt).require(STRATEGY_KINDS[name], name)
        for spec in models_to_run:
            for name in strategies:
                console.print(f"[bold]bench[/bold] {spec} x {name}", highlight=False)
                cells.extend(
                    benchmarks.run_cell(
                        chosen_sets, spec, name, prompt, out_root=out,
                        use_cache=not no_cache, console=console,
                    )
                )  # fmt: skip
    except (ModelError, PromptError, RunError) as exc:
        fail(str(exc))
    terminal = Console(width=None if sys.stdout.isatty() else 200)
    terminal.print(benchmarks.table(cells))
    terminal.print(benchmarks.field_table(cells))
    if markdown:
        section = benchmarks.markdown(cells, chosen_sets)
        existing = markdown.read_text(encoding="utf-8") if markdown.exists() else "# Benchmarks\n\n"
        markdown.parent.mkdir(parents=True, exist_ok=True)
        markdown.write_text(existing.rstrip("\n") + "\n\n" + section, encoding="utf-8")
        console.print(f"appended results to {markdown}")


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
