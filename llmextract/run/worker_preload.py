"""Imported by the ``processes`` engine's fork server, whose only hook is importing modules:
the reading rules are warmed there once (``extraction.warm_up``), so every forked worker
inherits their compiled patterns and loaded tables instead of building them on its first
document."""

from llmextract.extraction import warm_up

warm_up()
