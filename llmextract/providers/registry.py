"""The provider registry: a model spec's prefix (``local:``, ``openai:``) names its provider.

A provider is any object with a ``name`` (the prefix), ``parse`` (spec text to a
``ModelSpec``) and ``load`` (a ``ChatModel`` for it).  The built-in ones register when
this registry is first used; others come from installed packages through the entry point
group ``llmextract.providers`` (see ``llmextract.plugins``), or from code calling
``register_provider``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from llmextract.plugins import Registry
from llmextract.providers.types import Decoding, ModelError, ModelSpec

if TYPE_CHECKING:
    from llmextract.providers.chat import ChatModel

ENTRY_POINT_GROUP = "llmextract.providers"
DEFAULT_MODEL = "local"
BUILTIN_MODULES = (
    "llmextract.providers.llamacpp",
    "llmextract.providers.llama_server",
    "llmextract.providers.openai_compat",
)


@runtime_checkable
class Provider(Protocol):
    """What a backend implements to be reachable from a model spec."""

    name: str
    usage: str  # the spec forms it accepts, for error messages

    def parse(self, text: str, rest: str) -> ModelSpec:
        """``text`` is the whole spec, ``rest`` what follows ``name:``; ModelError if bad."""
        ...

    def load(self, spec: ModelSpec, decoding: Decoding) -> ChatModel:
        """A ready model (heavy resources may load lazily, on the first call)."""
        ...


_PROVIDERS: Registry[Provider] = Registry(
    "provider",
    ENTRY_POINT_GROUP,
    BUILTIN_MODULES,
    accepts=lambda item: isinstance(item, Provider) and not isinstance(item, type),
    error=ModelError,
)


def register_provider(provider: Provider, *, replace: bool = False) -> Provider:
    """Make ``provider`` answer specs starting with ``provider.name``; returns it."""
    return _PROVIDERS.register(provider, replace=replace)


def load_plugins() -> list[str]:
    """Register the providers of every installed ``llmextract.providers`` entry point."""
    return _PROVIDERS.load_plugins()


def provider_names() -> list[str]:
    return _PROVIDERS.names()


def get_provider(name: str) -> Provider:
    provider = _PROVIDERS.get(name)
    if provider is None:
        raise ModelError(f"no provider {name!r}; known: {', '.join(_PROVIDERS.names())}")
    return provider


def parse_model_spec(text: str) -> ModelSpec:
    """``PROVIDER[:REST]`` (or ``PROVIDER?OPTIONS``) parsed by the provider of that prefix."""
    spec = text.strip()
    name, _, rest = spec.partition(":")
    if "?" in name:  # options straight after the prefix: ``local-batched?slots=2``
        name, _, options = name.partition("?")
        rest = f"?{options}" + (f":{rest}" if rest else "")
    provider = _PROVIDERS.get(name)
    if provider is None:
        forms = ", ".join(p.usage for p in _PROVIDERS)
        raise ModelError(f"bad model spec {spec!r}: use {forms}")
    return provider.parse(spec, rest)


def load_model(spec_text: str, decoding: Decoding | None = None) -> ChatModel:
    """A ready ChatModel for a spec (local weights are loaded lazily)."""
    spec = parse_model_spec(spec_text)
    return get_provider(spec.backend).load(spec, decoding or Decoding())
