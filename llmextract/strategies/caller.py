"""Model calls as a strategy makes them: through the response cache, within its budgets.

``Caller(kind, ResponseModel, usage, **variables)`` renders the prompt's ``<kind>.j2`` with
the system prompt and examples of the call's family, bounds the answer by the call's
output-token budget, and adds the tokens, calls and seconds to ``usage``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from llmextract.providers.types import TruncatedOutput, Usage, schema_of

if TYPE_CHECKING:
    from llmextract.documents import Document
    from llmextract.prompts import Prompt
    from llmextract.providers.chat import ChatModel
    from llmextract.run.cache import ResponseCache
    from llmextract.schema import Extraction
    from llmextract.strategies.base import Strategy

T = TypeVar("T", bound=BaseModel)

# Bumped whenever the way a request is shaped from its messages changes (e.g. what the
# model layer strips or adds), so older cached responses are not served for new requests.
REQUEST_PROTOCOL = 2


class Caller:
    """One strategy's model calls for a run, with usage summed per document."""

    def __init__(
        self,
        model: ChatModel,
        prompt: Prompt,
        cache: ResponseCache | None,
        strategy: Strategy,
    ) -> None:
        self.model = model
        self.prompt = prompt
        self.cache = cache
        self.strategy = strategy

    def __call__(self, kind: str, response_model: type[T], usage: Usage, **variables: Any) -> T:
        call = self.strategy.call(kind)
        messages = self.prompt.messages(kind, family=call.prompt_family, **variables)
        max_tokens = call.max_tokens
        key = None
        if self.cache is not None:
            key = self.cache.key(
                protocol=REQUEST_PROTOCOL,
                model=self.model.identity(),
                decoding=self.model.decoding.as_dict(),
                messages=messages,
                schema=schema_of(response_model),
                max_tokens=max_tokens,
            )
            hit = self.cache.get(key, response_model)
            if hit is not None:
                value, cached_usage = hit
                usage.cached_calls += 1
                usage.input_tokens += cached_usage.input_tokens
                usage.output_tokens += cached_usage.output_tokens
                usage.model_seconds += cached_usage.model_seconds or cached_usage.seconds
                return value  # type: ignore[return-value]
        try:
            completion = self.model.complete(messages, response_model, max_tokens=max_tokens)
        except TruncatedOutput as exc:
            if exc.usage is not None:
                usage.add(exc.usage)
            raise
        usage.add(completion.usage)
        if self.cache is not None and key is not None:
            self.cache.put(key, completion.value, completion.usage)
        return completion.value


@dataclass
class DocumentOutcome:
    extraction: Extraction
    usage: Usage
    warnings: list[str] = field(default_factory=list)


def extract_document(doc: Document, caller: Caller) -> DocumentOutcome:
    """One document's incidents with its usage; empty documents make no call."""
    from llmextract.normalize.publisher import with_publisher
    from llmextract.schema import Extraction

    usage = Usage()
    started = time.perf_counter()
    strategy = caller.strategy
    incidents = strategy.extract(doc, caller, usage) if doc.text.strip() else []
    # A communiqué, statement or release tells its incidents in its publisher's voice.
    incidents = [with_publisher(incident, doc.source) for incident in incidents]
    usage.seconds = time.perf_counter() - started
    meta = {
        "document": doc.meta(),
        "strategy": strategy.name,
        "prompt": caller.prompt.manifest(),
        "model": caller.model.spec.text,
        "ungrounded_quotes": sum(1 for i in incidents for e in i.evidence if e.start is None),
    }
    extraction = Extraction(doc_id=doc.doc_id, incidents=incidents, meta=meta)
    return DocumentOutcome(extraction=extraction, usage=usage, warnings=list(doc.warnings))
