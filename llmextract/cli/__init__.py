"""The ``llmextract`` command line.

Only typer is imported here and in the command modules' top level: each command imports
the stages it needs (providers, strategies, eval, report) when it runs, so ``--help`` and
``--version`` start in a fraction of a second (``scripts/help_time.py`` measures it).
"""

from llmextract.cli import extract, evaluate, bench, dataset, runs  # noqa: F401, I001  (each registers commands)
from llmextract.cli.common import app

__all__ = ["app"]
