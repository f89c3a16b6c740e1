"""What every provider shares: model specs, decoding parameters, usage, completions, errors.

Nothing here imports a client library, so the CLI and the registry stay quick to import.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel

from llmextract.errors import LlmextractError

if TYPE_CHECKING:
    from llmextract.providers.weights import LocalModel

T = TypeVar("T", bound=BaseModel)


@cache
def schema_of(response_model: type[BaseModel]) -> dict[str, Any]:
    """A response model's JSON Schema, built once (pydantic rebuilds it on every call).

    Callers must not modify it: it is shared.
    """
    return response_model.model_json_schema()


class ModelError(LlmextractError):
    """A model that cannot be loaded or called; the message says what to do."""


class TruncatedOutput(ModelError):
    """The model hit its output-token limit before closing the JSON."""

    usage: Usage | None = None


class MalformedResponse(ModelError):
    """A server answer that is not a chat completion (a garbled body): worth another try."""


@dataclass(frozen=True)
class ModelSpec:
    """A parsed model spec string: ``backend`` names the provider that parsed it."""

    text: str
    backend: str
    name: str
    path: Path | None = None
    base_url: str | None = None
    registered: LocalModel | None = None
    slots: int | None = None  # parallel sequences of a server-backed local model

    @property
    def slug(self) -> str:
        """A file-name-safe label for run folders."""
        label = (
            self.registered.key if self.registered else (self.path.stem if self.path else self.name)
        )
        return "".join(ch if ch.isalnum() or ch in ".-_" else "-" for ch in label)[:60]


@dataclass(frozen=True)
class Decoding:
    """Decoding parameters: part of every cache key and of the manifest."""

    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0
    max_retries: int = 2
    timeout_s: float = 300.0
    transient_attempts: int = 5

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    calls: int = 0
    cached_calls: int = 0
    retries: int = 0
    seconds: float = 0.0
    # Time inside model calls; for calls served from the cache, the time the original call
    # took, so benchmarks replayed from the cache still report what the model costs.
    model_seconds: float = 0.0
    # Passages asked again in halves after an answer was cut at the token limit.
    split_passages: int = 0

    def add(self, other: Usage) -> None:
        for name in (
            "input_tokens", "output_tokens", "calls", "cached_calls", "retries", "split_passages"
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.seconds += other.seconds
        self.model_seconds += other.model_seconds


@dataclass
class Completion(Generic[T]):
    value: T
    usage: Usage = field(default_factory=Usage)
    raw: str = ""
