"""``single``: one call per document (per overlapping chunk for long ones) for all incidents
(``llmextract.extraction.extract_single``)."""

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
    from llmextract.extraction import extract_single

    return extract_single(doc, caller, usage)


register_strategy(
    Strategy(
        name="single",
        description="one call per document (or chunk) for every incident",
        calls=(CallKind("single", max_tokens=1400),),
        extract=extract,
    )
)
