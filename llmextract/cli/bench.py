"""``bench``: strategies x models on document sets with gold, one row per set."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from llmextract.cli.common import DEFAULT_PROMPT, DEFAULT_STRATEGY, app, fail


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
    prompt: Annotated[str, typer.Option(help="Prompt name or folder.")] = DEFAULT_PROMPT,
    out: Annotated[Path, typer.Option(help="Folder for the benchmark runs.")] = Path("runs/bench"),
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Measure afresh, ignoring cached responses.")
    ] = False,
    markdown: Annotated[
        Path | None, typer.Option(help="Append a dated results section to this file.")
    ] = None,
) -> None:
    """Run strategies x models on document sets with gold: one row per set, and all sets."""
    from rich.console import Console

    from llmextract import bench as benchmarks
    from llmextract.errors import LlmextractError
    from llmextract.prompts import load_prompt
    from llmextract.providers import DEFAULT_MODEL
    from llmextract.strategies import get_strategy

    console = Console(stderr=True)
    models_to_run = model or [DEFAULT_MODEL]
    strategies = strategy or [DEFAULT_STRATEGY]
    cells = []
    try:
        chosen = [get_strategy(name) for name in strategies]
        chosen_sets = [benchmarks.parse_set(s) for s in sets or benchmarks.DEFAULT_SETS]
        for one in chosen:
            load_prompt(prompt).require(one.template_kinds, one.name)
        for spec in models_to_run:
            for name in strategies:
                console.print(f"[bold]bench[/bold] {spec} x {name}", highlight=False)
                cells.extend(
                    benchmarks.run_cell(
                        chosen_sets, spec, name, prompt, out_root=out,
                        use_cache=not no_cache, console=console,
                    )
                )  # fmt: skip
    except LlmextractError as exc:
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
