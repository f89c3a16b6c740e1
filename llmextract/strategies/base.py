"""What a strategy is: its model calls (template, token budget, prompt family) and its code.

A strategy turns one document into incidents by spending model calls.  It owns everything
that used to be spread over tables: the call kinds it renders (``<kind>.j2`` in a prompt
folder), the output-token budget of each (the bound that makes truncation detectable), and
which system prompt and examples each call is shown (its *family*).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from llmextract.errors import LlmextractError

if TYPE_CHECKING:
    from llmextract.documents import Document
    from llmextract.providers.types import Usage
    from llmextract.schema import Incident
    from llmextract.strategies.caller import Caller

    Extract = Callable[[Document, Caller, Usage], list[Incident]]


class StrategyError(LlmextractError):
    """An unknown strategy, or a call a strategy did not declare."""


@dataclass(frozen=True)
class CallKind:
    """One kind of model call: template ``<name>.j2``, at most ``max_tokens`` output tokens."""

    name: str
    max_tokens: int
    family: str | None = None  # system prompt kind and examples; None: the call's own name

    @property
    def prompt_family(self) -> str:
        return self.family or self.name


@dataclass(frozen=True)
class Strategy:
    """A registered way of extracting: ``extract(doc, caller, usage)`` returns the incidents."""

    name: str
    description: str
    calls: tuple[CallKind, ...]
    extract: Extract

    @property
    def template_kinds(self) -> tuple[str, ...]:
        """The call kinds a prompt needs templates for (checked before any document is read)."""
        return tuple(call.name for call in self.calls)

    @property
    def max_tokens(self) -> dict[str, int]:
        return {call.name: call.max_tokens for call in self.calls}

    def call(self, kind: str) -> CallKind:
        for call in self.calls:
            if call.name == kind:
                return call
        raise StrategyError(f"strategy {self.name!r} declares no call kind {kind!r}")
