"""Strategies: registered ways of spending model calls to turn a document into incidents.

Adding one is one module that builds a ``Strategy`` (its call kinds, token budgets and
extract function) and passes it to ``register_strategy`` (or names it in the
``llmextract.strategies`` entry point group).  The built-ins wrap the extraction code of
``llmextract.extraction``.
"""

from llmextract.strategies.base import CallKind, Strategy, StrategyError
from llmextract.strategies.registry import (
    DEFAULT_STRATEGY,
    ENTRY_POINT_GROUP,
    get_strategy,
    register_strategy,
    strategy_names,
)

__all__ = [
    "DEFAULT_STRATEGY",
    "ENTRY_POINT_GROUP",
    "CallKind",
    "Strategy",
    "StrategyError",
    "get_strategy",
    "register_strategy",
    "strategy_names",
]
