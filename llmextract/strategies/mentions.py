"""``mentions``: per passage, one conversation: list the events, then code each one in its
own call, the model filling the whole draft (``llmextract.extraction.extract_mentions``).
Both calls are turns of one conversation, so they share the ``passage`` examples."""

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
    from llmextract.extraction import extract_mentions

    return extract_mentions(doc, caller, usage)


register_strategy(
    Strategy(
        name="mentions",
        description="the model lists events, then fills one draft per event",
        calls=(
            CallKind("mentions", max_tokens=320, family="passage"),
            CallKind("fill", max_tokens=220, family="passage"),
        ),
        extract=extract,
    )
)
