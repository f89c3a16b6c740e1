"""The strategy registry: built-ins, plugins from the ``llmextract.strategies`` entry point
group (an entry point names a ``Strategy`` or a module that registers one), and code calling
``register_strategy``."""

from __future__ import annotations

from llmextract.plugins import Registry
from llmextract.strategies.base import Strategy, StrategyError

ENTRY_POINT_GROUP = "llmextract.strategies"
DEFAULT_STRATEGY = "events"
BUILTIN_MODULES = (
    "llmextract.strategies.events",
    "llmextract.strategies.mentions",
    "llmextract.strategies.single",
)

_STRATEGIES: Registry[Strategy] = Registry(
    "strategy",
    ENTRY_POINT_GROUP,
    BUILTIN_MODULES,
    accepts=lambda item: isinstance(item, Strategy),
    error=StrategyError,
)


def register_strategy(strategy: Strategy, *, replace: bool = False) -> Strategy:
    """Make ``strategy`` available to ``--strategy NAME``; returns it."""
    return _STRATEGIES.register(strategy, replace=replace)


def load_plugins() -> list[str]:
    """Register every installed ``llmextract.strategies`` entry point."""
    return _STRATEGIES.load_plugins()


def strategy_names() -> list[str]:
    return _STRATEGIES.names()


def get_strategy(name: str) -> Strategy:
    strategy = _STRATEGIES.get(name)
    if strategy is None:
        known = ", ".join(_STRATEGIES.names())
        raise StrategyError(f"unknown strategy {name!r}; choose one of: {known}")
    return strategy
