"""``events`` (the default, built for small models): per passage, one call lists which
numbered sentences report a distinct violent event with its tactic and target; code reads
the rest from those sentences (``llmextract.extraction.extract_events``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llmextract.strategies.base import CallKind, Strategy
from llmextract.strategies.registry import register_strategy

if TYPE_CHECKING:
    from llmextract.documents import Document
    from llmextract.providers.types import Usage
    from llmextract.schema import Incident
    from llmextract.strategies.caller import Caller


def extract(doc: Document, caller: Caller, usage: Usage) -> list[Incident]:
    from llmextract.extraction import extract_events

    return extract_events(doc, caller, usage)


register_strategy(
    Strategy(
        name="events",
        description="events and their sentences from the model, every field from code",
        calls=(CallKind("events", max_tokens=300),),
        extract=extract,
    )
)
