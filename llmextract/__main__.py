"""``python -m llmextract``: the console script, for environments without it on PATH."""

from llmextract.cli import app

app()
