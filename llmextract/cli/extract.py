"""``extract``, ``models`` and ``schema``: documents into a run folder, and what can run them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from llmextract.cli.common import DEFAULT_MODEL, DEFAULT_PROMPT, DEFAULT_STRATEGY, app, fail


@app.command()
def extract(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders of .txt documents.")],
    model: Annotated[
        str,
        typer.Option(
            help="Model spec (see `llmextract models`); local-batched[:KEY][?slots=N] runs the "
            "local model in llama.cpp's server, N documents decoded together."
        ),
    ] = DEFAULT_MODEL,
    prompt: Annotated[
        str, typer.Option(help="A shipped prompt's name, or the path of your own prompt folder.")
    ] = DEFAULT_PROMPT,
    strategy: Annotated[
        str, typer.Option(help="Extraction strategy: events, mentions, single or a plugin's.")
    ] = DEFAULT_STRATEGY,
    out: Annotated[
        Path | None, typer.Option(help="Run folder (default runs/<model>-<prompt>-<time>/).")
    ] = None,
    concurrency: Annotated[
        int, typer.Option(min=1, help="Documents at once (HTTP and local-batched models).")
    ] = 4,
    no_cache: Annotated[
        bool,
        typer.Option("--no-cache", help="Ignore cached responses (fresh calls are still cached)."),
    ] = False,
    timeout: Annotated[float, typer.Option(help="Seconds before one HTTP call times out.")] = 300.0,
    max_retries: Annotated[int, typer.Option(help="Re-asks after invalid output.")] = 2,
    engine: Annotated[
        str,
        typer.Option(
            help="Where documents run: local (this process), processes (one worker process "
            "per core, HTTP models) or ray (a cluster)."
        ),
    ] = "local",
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Worker processes (--engine processes; default: cores) or Ray actors (--engine ray).",
        ),
    ] = None,
    address: Annotated[
        str | None,
        typer.Option(help="Ray cluster address (default: $RAY_ADDRESS, else a local Ray)."),
    ] = None,
) -> None:
    """Extract incidents from documents into a run folder, one JSON file per document."""
    from rich.console import Console

    from llmextract.documents import find_documents
    from llmextract.errors import LlmextractError
    from llmextract.prompts import load_prompt
    from llmextract.providers import Decoding, load_model
    from llmextract.run.cache import ResponseCache
    from llmextract.run.runner import run_extraction
    from llmextract.strategies import get_strategy

    console = Console(stderr=True)
    try:
        chosen_strategy = get_strategy(strategy)
    except LlmextractError as exc:
        fail(str(exc))
    documents, missing = find_documents(paths)
    for error in missing:
        console.print(f"[red]error:[/red] {error}", highlight=False)
    if not documents:
        fail("no .txt documents found in the given paths")
    try:
        chat_model = load_model(model, Decoding(timeout_s=timeout, max_retries=max_retries))
        chosen_prompt = load_prompt(prompt)
        chosen_prompt.require(chosen_strategy.template_kinds, strategy)
        outcome = run_extraction(
            documents,
            chat_model,
            chosen_prompt,
            strategy=strategy,
            out=out,
            concurrency=concurrency,
            cache=ResponseCache(read=not no_cache),
            console=console,
            engine=engine,
            engine_options={k: v for k, v in {"address": address, "workers": workers}.items() if v},
        )
    except LlmextractError as exc:
        fail(str(exc))
    code = outcome.exit_code
    if missing and code == 0:
        code = 1
    raise typer.Exit(code)


@app.command()
def models(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Known model specs: installed or not, file size and sha256."""
    from rich.console import Console
    from rich.table import Table

    from llmextract.providers import provider_names
    from llmextract.providers.weights import LOCAL_ALIASES, LOCAL_MODELS, local_model_status

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
        "Also: local:/path/model.gguf, local-batched[:KEY][?slots=N] (llama.cpp's server, "
        "N documents decoded together), openai:MODEL (OPENAI_API_KEY, OPENAI_BASE_URL), "
        "openai-compatible:MODEL@http://host:port/v1; providers: " + ", ".join(provider_names())
    )


@app.command()
def schema() -> None:
    """JSON Schema of the incident record (one document's extraction)."""
    from llmextract.schema import incident_json_schema

    print(json.dumps(incident_json_schema(), indent=2))
