"""The eval commands: ``gold check``, ``eval`` and ``compare``.

``llmextract.cli`` owns the application and calls ``register(app)``; keeping the eval
commands here lets the scoring side of the tool grow without touching extraction's CLI.
Every failure the user can cause (a missing folder, an empty run, broken gold) is one
line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from llmextract.compare import compare_results
from llmextract.dataset.clusters_eval import report_events
from llmextract.gold import DEFAULT_GOLD_DIR, GoldError, check_gold, gold_and_docs, load_gold_dir
from llmextract.reports import (
    compare_html,
    eval_html,
    print_compare,
    print_eval,
    write_json,
    write_text,
)
from llmextract.scoring import EvalResult, RunError, load_run, score_run

GoldDirOption = Annotated[
    Path,
    typer.Option(
        "--gold",
        help="Gold folder, one <doc_id>.json per document, or a set folder with gold/ and "
        "docs/ inside (evals/dev).",
    ),
]
DocsOption = Annotated[
    Path | None,
    typer.Option(
        "--docs",
        help="Folder of <doc_id>.txt documents, used when a run does not record the path "
        "(default: the set folder's docs/, else seeds/).",
    ),
]
JsonOption = Annotated[Path | None, typer.Option("--json", help="Write every figure as JSON here.")]
HtmlOption = Annotated[
    Path | None, typer.Option("--html", help="Write a self-contained HTML report here.")
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _score(run_dir: Path, gold_dir: Path, docs: Path | None) -> EvalResult:
    gold_dir, docs = gold_and_docs(gold_dir, docs)
    gold = load_gold_dir(gold_dir)
    run = load_run(run_dir)
    return score_run(run, gold, docs_dir=docs, gold_path=gold_dir)


def register(app: typer.Typer) -> None:
    """Add ``gold check``, ``eval`` and ``compare`` to ``app``."""
    gold_app = typer.Typer(help="Gold records: validate them before scoring against them.")

    @gold_app.command("check")
    def gold_check(
        gold_dir: Annotated[
            Path, typer.Argument(help="Gold folder, or a set folder with gold/ and docs/.")
        ] = DEFAULT_GOLD_DIR,
        docs: DocsOption = None,
    ) -> None:
        """Validate gold files: JSON, schema, enums, canonical actors, doc_id, evidence quotes."""
        try:
            gold_dir, docs = gold_and_docs(gold_dir, docs)
            report = check_gold(gold_dir, docs)
        except GoldError as exc:
            raise _fail(str(exc)) from None
        # Plain echo, not rich: one problem per line, never wrapped, easy to grep.
        if report.problems:
            for problem in report.problems:
                typer.echo(str(problem))
            typer.echo(
                f"{len(report.problems)} problem(s) in {report.files} gold file(s) in {gold_dir}"
            )
            raise typer.Exit(1)
        typer.echo(report.summary_line())

    app.add_typer(gold_app, name="gold")

    @app.command("eval")
    def eval_command(
        run_dir: Annotated[
            Path, typer.Argument(help="Run folder (or a gold folder, for annotator agreement).")
        ],
        gold: GoldDirOption = DEFAULT_GOLD_DIR,
        json_path: JsonOption = None,
        html_path: HtmlOption = None,
        fail_under: Annotated[
            float | None,
            typer.Option("--fail-under", help="Exit 1 when incident F1 is below this (0-1)."),
        ] = None,
        docs: DocsOption = None,
    ) -> None:
        """Score a run against gold: incident P/R/F1, field accuracy, slot recall, grounding."""
        try:
            result = _score(run_dir, gold, docs)
        except (GoldError, RunError) as exc:
            raise _fail(str(exc)) from None
        console = Console(highlight=False)
        print_eval(result, console)
        events = report_events([(result.label, result)], console)  # hook: event scores
        if json_path is not None:
            write_json({**result.to_dict(), **events}, json_path)
        if html_path is not None:
            write_text(eval_html(result), html_path)
        if fail_under is not None:
            f1 = result.incident_f1
            if f1 < fail_under:
                typer.echo(
                    f"FAIL: incident F1 {f1:.3f} is below --fail-under {fail_under:.3f}", err=True
                )
                raise typer.Exit(1)

    @app.command("compare")
    def compare_command(
        run_dirs: Annotated[list[Path], typer.Argument(help="Two or more run folders.")],
        gold: GoldDirOption = DEFAULT_GOLD_DIR,
        json_path: JsonOption = None,
        html_path: HtmlOption = None,
        docs: DocsOption = None,
    ) -> None:
        """Compare runs on the same gold: figures per run, F1 differences with bootstrap CIs."""
        if len(run_dirs) < 2:
            raise _fail("compare needs at least two run folders")
        try:
            gold, docs = gold_and_docs(gold, docs)
            gold_records = load_gold_dir(gold)
            results = [
                score_run(load_run(run_dir), gold_records, docs_dir=docs, gold_path=gold)
                for run_dir in run_dirs
            ]
        except (GoldError, RunError) as exc:
            raise _fail(str(exc)) from None
        comparison = compare_results(results)
        for result in results:
            for warning in result.warnings:
                typer.echo(f"warning: {warning}", err=True)
        console = Console(highlight=False)
        print_compare(comparison, console)
        labelled = [(row.label, r) for row, r in zip(comparison.runs, results, strict=True)]
        events = report_events(labelled, console)  # hook: event scores
        if json_path is not None:
            write_json({**comparison.to_dict(), **events}, json_path)
        if html_path is not None:
            write_text(compare_html(comparison), html_path)
