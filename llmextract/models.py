"""Old import path of the model layer, kept so code written against it still imports.

New code imports from ``llmextract.providers`` (registry, types), ``.chat``, ``.weights``
and ``.retry``.
"""

from llmextract.errors import redact_secrets
from llmextract.providers.chat import ChatModel
from llmextract.providers.llamacpp import LocalChatModel
from llmextract.providers.openai_compat import OpenAIChatModel
from llmextract.providers.registry import DEFAULT_MODEL, load_model, parse_model_spec
from llmextract.providers.retry import backoff_wait, is_transient, retry_after_seconds
from llmextract.providers.types import (
    Completion,
    Decoding,
    MalformedResponse,
    ModelError,
    ModelSpec,
    TruncatedOutput,
    Usage,
)
from llmextract.providers.weights import (
    LOCAL_ALIASES,
    LOCAL_MODELS,
    LocalModel,
    assemble_local_model,
    cache_root,
    local_model_status,
    sha256_file,
)

__all__ = [
    "DEFAULT_MODEL",
    "LOCAL_ALIASES",
    "LOCAL_MODELS",
    "ChatModel",
    "Completion",
    "Decoding",
    "LocalChatModel",
    "LocalModel",
    "MalformedResponse",
    "ModelError",
    "ModelSpec",
    "OpenAIChatModel",
    "TruncatedOutput",
    "Usage",
    "assemble_local_model",
    "backoff_wait",
    "cache_root",
    "is_transient",
    "load_model",
    "local_model_status",
    "parse_model_spec",
    "redact_secrets",
    "retry_after_seconds",
    "sha256_file",
]
