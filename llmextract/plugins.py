"""One registry type for everything a plugin can add (providers, strategies).

Built-in modules register on first use; then every entry point of the registry's group is
loaded.  An entry point may name an object the registry accepts, a class or factory that
returns one, or a module that registers on import.  Names are unique: registering a second
object under a taken name is an error unless ``replace`` is given.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from typing import Any, Generic, Protocol, TypeVar

from llmextract.errors import LlmextractError


class Named(Protocol):
    name: str


T = TypeVar("T", bound=Named)


class Registry(Generic[T]):
    """Objects by name, filled from ``builtins`` (module names) and entry point ``group``."""

    def __init__(
        self,
        kind: str,
        group: str,
        builtins: tuple[str, ...],
        accepts: Callable[[Any], bool],
        error: type[LlmextractError],
    ) -> None:
        self.kind = kind
        self.group = group
        self.builtins = builtins
        self.accepts = accepts
        self.error = error
        self._items: dict[str, T] = {}
        self._loaded = False

    def register(self, item: T, *, replace: bool = False) -> T:
        """Make ``item`` known under ``item.name``; returns it."""
        if not self.accepts(item):
            raise TypeError(f"{item!r} is not a {self.kind}")
        known = self._items.get(item.name)
        if known is not None and known is not item and not replace:
            raise ValueError(f"a {self.kind} named {item.name!r} is already registered")
        self._items[item.name] = item
        return item

    def _load(self) -> None:
        """Built-ins first, then entry points: a plugin cannot silently take a built-in name."""
        if self._loaded:
            return
        self._loaded = True
        for module in self.builtins:
            importlib.import_module(module)
        self.load_plugins()

    def load_plugins(self) -> list[str]:
        """Register every installed entry point of the group; returns the names registered.

        Called on first use; call it again after installing a plugin in a running process.
        """
        names = []
        for point in entry_points(group=self.group):
            try:
                loaded = point.load()
                if isinstance(loaded, type) or (callable(loaded) and not self.accepts(loaded)):
                    loaded = loaded()
            except Exception as exc:  # a broken plugin names itself, not a traceback
                raise self.error(
                    f"{self.kind} plugin {point.name!r} ({point.value}) failed: {exc}"
                ) from exc
            if self.accepts(loaded):
                known = self._items.get(loaded.name)
                self.register(loaded, replace=known is not None and type(known) is type(loaded))
                names.append(loaded.name)
        return names

    def names(self) -> list[str]:
        self._load()
        return list(self._items)

    def __iter__(self) -> Iterator[T]:
        self._load()
        return iter(list(self._items.values()))

    def get(self, name: str) -> T | None:
        self._load()
        return self._items.get(name)
