"""The eval commands: ``gold check``, ``eval`` and ``compare``.

Every failure the user can cause (a missing folder, an empty run, broken gold) is one
line on stderr and a non-zero exit, never a traceback.  Reports are written through the
report format registry (``llmextract.report``), one option per format.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from llmextract.cli.common import app, fail

if TYPE_CHECKING:
    from llmextract.eval.metrics import EvalResult

# Relative to the current folder, as in a clone of the repository; elsewhere pass --gold.
DEFAULT_GOLD_DIR = Path("evals/gold")

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


def _score(run_dir: Path, gold_dir: Path, docs: Path | None) -> EvalResult:
    from llmextract.eval.gold import gold_and_docs, load_gold_dir
    from llmextract.eval.metrics import score_run
    from llmextract.run.folder import load_run

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
        from llmextract.errors import LlmextractError
        from llmextract.eval.gold import check_gold, gold_and_docs

        try:
            gold_dir, docs = gold_and_docs(gold_dir, docs)
            report = check_gold(gold_dir, docs)
        except LlmextractError as exc:
            fail(str(exc))
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
        worst: Annotated[
            int | None,
            typer.Option(
                "--worst",
                min=0,
                help="Documents to list, worst first (default: all up to 50 documents, "
                "else the 20 worst).",
            ),
        ] = None,
        all_documents: Annotated[
            bool,
            typer.Option("--all-documents", help="List every document, however many."),
        ] = False,
    ) -> None:
        """Score a run against gold: incident P/R/F1, field accuracy, slot recall, grounding.

        Large runs list their worst documents; every document is in --json and --html.
        """
        from rich.console import Console

        from llmextract.errors import LlmextractError
        from llmextract.eval.gold import CLUSTERS_FILE
        from llmextract.report import print_eval, write_json, write_report

        try:
            result = _score(run_dir, gold, docs)
        except LlmextractError as exc:
            fail(str(exc))
        console = Console(highlight=False)
        print_eval(result, console, worst=worst, all_documents=all_documents)
        events: dict[str, Any] = {}
        if result.gold_path is not None and (result.gold_path / CLUSTERS_FILE).is_file():
            # Cross-document events; imported only when there are gold events to score.
            from llmextract.dataset.clusters_eval import report_events

            events = report_events([(result.label, result)], console)
        if json_path is not None:
            write_json({**result.to_dict(), **events}, json_path)
        if html_path is not None:
            write_report("html", "eval", result, html_path)
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
            fail("compare needs at least two run folders")
        from rich.console import Console

        from llmextract.dataset.clusters_eval import report_events
        from llmextract.errors import LlmextractError
        from llmextract.eval.compare import compare_results
        from llmextract.eval.gold import gold_and_docs, load_gold_dir
        from llmextract.eval.metrics import score_run
        from llmextract.report import print_compare, write_json, write_report
        from llmextract.run.folder import load_run

        try:
            gold, docs = gold_and_docs(gold, docs)
            gold_records = load_gold_dir(gold)
            results = [
                score_run(load_run(run_dir), gold_records, docs_dir=docs, gold_path=gold)
                for run_dir in run_dirs
            ]
        except LlmextractError as exc:
            fail(str(exc))
        comparison = compare_results(results)
        for result in results:
            for warning in result.warnings:
                typer.echo(f"warning: {warning}", err=True)
        console = Console(highlight=False)
        print_compare(comparison, console)
        labelled = [(row.label, r) for row, r in zip(comparison.runs, results, strict=True)]
        events = report_events(labelled, console)  # cross-document events
        if json_path is not None:
            write_json({**comparison.to_dict(), **events}, json_path)
        if html_path is not None:
            write_report("html", "compare", comparison, html_path)


register(app)
