"""The typer application, the stderr console and the one-line failure every command uses."""

from __future__ import annotations

from typing import Annotated, NoReturn

import typer

from llmextract import __version__

app = typer.Typer(
    help="Turn news articles about political violence into checkable incident records.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Defaults named here rather than imported, so that building the CLI imports no stage.
DEFAULT_MODEL = "local"
DEFAULT_PROMPT = "incidents-v3"
DEFAULT_STRATEGY = "events"


def fail(message: str, code: int = 2) -> NoReturn:
    """One line on stderr (secrets redacted) and exit ``code``: never a traceback."""
    from llmextract.errors import redact_secrets

    typer.echo(f"error: {redact_secrets(message)}", err=True)
    raise typer.Exit(code)


@app.callback(invoke_without_command=True)
def main(
    version: Annotated[bool, typer.Option("--version", help="Print the version.")] = False,
) -> None:
    if version:
        print(__version__)
        raise typer.Exit(0)
