"""``python -m llmextract``: the console script, for environments without it on PATH."""

from llmextract.cli import app

if __name__ == "__main__":  # not when multiprocessing re-imports it in a worker
    app()
