"""What a language model is asked to fill: small, bounded drafts, not the full record.

Every field the tool can derive in code (resolved dates, region, country, coordinates,
canonical actor, offsets, sources, confirmation) is left out of the drafts: a 1.5B model
writes ~23 tokens a second, and a field it does not write is one it cannot get wrong.
Lists and strings carry ``maxItems``/``maxLength`` so that a grammar-constrained decoder
cannot loop until its token limit.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from llmextract.schema import Attribution, IncidentType, TargetType

Phrase = str | None
Count = int | str | None


class IncidentDraft(BaseModel):
    """One incident as written in the text; counts may be phrases ("at least 20")."""

    model_config = ConfigDict(extra="ignore")

    incident_type: IncidentType
    date_text: Phrase = Field(default=None, max_length=60)
    location_text: Phrase = Field(default=None, max_length=120)
    perpetrator: Phrase = Field(default=None, max_length=80)
    attribution: Attribution = Attribution.unknown
    target: Phrase = Field(default=None, max_length=80)
    target_type: TargetType = TargetType.unknown
    killed: Count = None
    wounded: Count = None
    kidnapped: Count = None
    perpetrators_killed: Count = None
    confirmed_by: Phrase = Field(default=None, max_length=60)
    denied_by: Phrase = Field(default=None, max_length=60)


class QuotedIncidentDraft(IncidentDraft):
    """The single-call strategy's draft: the model also quotes its evidence."""

    quote: str = Field(max_length=300)


class IncidentList(BaseModel):
    incidents: list[QuotedIncidentDraft] = Field(default_factory=list, max_length=12)


class Mention(BaseModel):
    """One event mention: the sentence number it appears in and a few words naming it."""

    sentence: int = Field(ge=0)
    event: str = Field(max_length=100)


class MentionList(BaseModel):
    events: list[Mention] = Field(default_factory=list, max_length=8)


class EventTag(BaseModel):
    """One event as the ``events`` strategy asks for it: where it is told, what, on whom.

    Everything else (date, place, actors, counts, sources) is read from that sentence by
    rules, so the model writes ~15 tokens per event instead of a whole record.
    """

    sentence: int = Field(ge=0)
    type: IncidentType
    target: Phrase = Field(default=None, max_length=60)


class EventTagList(BaseModel):
    events: list[EventTag] = Field(default_factory=list, max_length=8)
