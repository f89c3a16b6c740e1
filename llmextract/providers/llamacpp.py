"""The ``local`` provider: a GGUF model run in process by llama-cpp-python.

Specs: ``local`` (the default model), ``local:KEY`` (a registered model, assembled from
its chunk packages) or ``local:/path/model.gguf``.  llama-cpp-python is imported on the
first call that misses the response cache, so the core install does not need it.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import Any

from llmextract.providers.chat import ChatModel
from llmextract.providers.registry import register_provider
from llmextract.providers.types import Decoding, ModelError, ModelSpec
from llmextract.providers.weights import (
    LOCAL_ALIASES,
    LOCAL_MODELS,
    resolve_local_path,
    sha256_file,
)


class LocalChatModel(ChatModel):
    """llama.cpp in process; decoding constrained by a grammar built from the JSON Schema.

    The model is loaded lazily on the first call that misses the response cache, so a
    fully cached re-run never loads a GB of weights.  llama.cpp reuses the KV cache of the
    longest common prompt prefix between calls, so prompts put their fixed parts first.
    """

    concurrent = False

    def __init__(self, spec: ModelSpec, decoding: Decoding, *, n_ctx: int | None = None) -> None:
        self.spec = spec
        self.decoding = decoding
        self.n_ctx = n_ctx or (spec.registered.n_ctx if spec.registered else 8192)
        self.sha256 = spec.registered.sha256 if spec.registered else None
        self._llama: Any = None
        self._lock = threading.Lock()

    def identity(self) -> dict[str, Any]:
        if self.sha256 is None and self.spec.path is not None:
            self.sha256 = sha256_file(self.spec.path)
        return {"spec": self.spec.text, "sha256": self.sha256, "n_ctx": self.n_ctx}

    def ensure_loaded(self) -> Any:
        if self._llama is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise ModelError(
                    'llama-cpp-python is not installed; install it with: pip install -e ".[local]"'
                ) from exc
            path, sha = resolve_local_path(self.spec)
            self.sha256 = sha or self.sha256
            self._llama = Llama(
                model_path=str(path),
                n_ctx=self.n_ctx,
                n_threads=_threads(),
                n_batch=512,
                flash_attn=True,
                seed=self.decoding.seed,
                verbose=False,
            )
        return self._llama

    def count_tokens(self, text: str) -> int:
        return len(self.ensure_loaded().tokenize(text.encode("utf-8"), add_bos=False))

    def _create(self, **kwargs: Any) -> Any:
        response_format = kwargs.pop("response_format", None)
        if response_format and response_format.get("type") == "json_schema":
            schema = response_format["json_schema"]["schema"]
            response_format = {"type": "json_object", "schema": schema}
            kwargs["messages"] = without_schema_dump(kwargs["messages"])
        with self._lock:
            llama = self.ensure_loaded()
            return llama.create_chat_completion_openai_v1(response_format=response_format, **kwargs)

    def close(self) -> None:
        if self._llama is not None:
            with contextlib.suppress(Exception):
                self._llama.close()
            self._llama = None


def _threads() -> int:
    """``$LLMEXTRACT_THREADS`` (set by the ray engine for each copy), else every core."""
    value = os.environ.get("LLMEXTRACT_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else max(1, os.cpu_count() or 1)


_SCHEMA_DUMP_MARK = "As a genius expert, your task is to understand the content"


def without_schema_dump(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop the JSON Schema text instructor appends to the system message.

    In process the grammar already forces the schema; the text would only add ~600 prompt
    tokens to every prefix on a CPU that reads ~200 tokens a second.
    """
    cleaned = [dict(m) for m in messages]
    if cleaned and cleaned[0]["role"] == "system" and isinstance(cleaned[0]["content"], str):
        content = cleaned[0]["content"]
        if _SCHEMA_DUMP_MARK in content:
            cleaned[0]["content"] = content[: content.index(_SCHEMA_DUMP_MARK)].rstrip()
    return cleaned


class LlamaCppProvider:
    """Parses ``local[:KEY|:PATH]`` specs; loads a ``LocalChatModel``."""

    name = "local"
    usage = "local, local:KEY, local:/path/model.gguf"

    def parse(self, text: str, rest: str) -> ModelSpec:
        if not rest:
            return ModelSpec(
                text, "local", "local", registered=LOCAL_MODELS[LOCAL_ALIASES["local"]]
            )
        if rest in LOCAL_MODELS:
            return ModelSpec(text, "local", rest, registered=LOCAL_MODELS[rest])
        if rest.endswith(".gguf") or "/" in rest:
            return ModelSpec(text, "local", Path(rest).name, path=Path(rest).expanduser())
        known = ", ".join(["local", *(f"local:{k}" for k in LOCAL_MODELS)])
        raise ModelError(f"unknown local model {rest!r}: use {known}, or local:/path/model.gguf")

    def load(self, spec: ModelSpec, decoding: Decoding) -> LocalChatModel:
        return LocalChatModel(spec, decoding)


register_provider(LlamaCppProvider())
