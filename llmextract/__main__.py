"""``python -m llmextract``: the same command line as the ``llmextract`` script."""

from llmextract.cli import app

app()
