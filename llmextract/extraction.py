"""Extraction strategies: how model calls are spent to turn one document into incidents.

``single``: one call per document (per overlapping chunk for long ones) asking for every
incident with a quote.  Small models return one incident per article this way.

``mentions`` (the default, built for small models): split the text into passages of whole
paragraphs; ask per passage which numbered sentences describe a distinct event (a short
answer a small model gets right); then fill one incident per call from that sentence, its
neighbours, sentences naming the same place, and the publication date; then code in
``normalize.record`` resolves dates, counts, actors and places, merges mentions of the same
event and drops what ANNOTATION.md would not code.  Evidence is the mention's sentence, so
it is grounded by construction.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel
from rapidfuzz import fuzz

from llmextract.documents import Document
from llmextract.drafts import IncidentDraft, IncidentList, MentionList
from llmextract.grounding import ground
from llmextract.models import ChatModel, Usage
from llmextract.normalize.places import find_places
from llmextract.normalize.record import (
    MentionContext,
    absorb_headline,
    draft_to_incident,
    is_codable,
    merge_mentions,
)
from llmextract.normalize.text import fold
from llmextract.prompts import Prompt
from llmextract.schema import Extraction, Incident
from llmextract.segments import Sentence, chunk_text, group_passages, split_sentences
from llmextract.store import ResponseCache

T = TypeVar("T", bound=BaseModel)

DEFAULT_STRATEGY = "mentions"

# Output-token budgets: each bounds one call, sized to the draft it returns.
MAX_TOKENS = {"mentions": 320, "fill": 220, "single": 1400}

# A passage with none of these word stems cannot describe a violent event; skipping it
# saves a call (most boilerplate: bylines, tags, donation appeals).
_VIOLENCE_STEMS = re.compile(
    r"\b(attack|assault|ambush|raid|storm|kill|dead|death|die|wound|injur|bomb|explo|blast|"
    r"ied\b|mine|landmine|rocket|mortar|shell|gun|shot|shoot|fire|clash|fight|battle|siege|"
    r"kidnap|abduct|hostage|captur|seiz|prison|jail|inmate|freed|massacre|strike|airstrike|"
    r"drone|operation|offensive|target|detonat|suicide|burn|loot|execut|behead|murder|"
    r"assassin|casualt|fatal|violence|insurg|militant|jihad|terror|raze|overran|overrun)",
    re.IGNORECASE,
)


@dataclass
class DocumentOutcome:
    extraction: Extraction
    usage: Usage
    warnings: list[str] = field(default_factory=list)


class Caller:
    """Model calls through the response cache, with usage summed per document."""

    def __init__(self, model: ChatModel, prompt: Prompt, cache: ResponseCache | None) -> None:
        self.model = model
        self.prompt = prompt
        self.cache = cache

    def __call__(self, kind: str, response_model: type[T], usage: Usage, **variables: Any) -> T:
        messages = self.prompt.messages(kind, **variables)
        max_tokens = MAX_TOKENS[kind]
        key = None
        if self.cache is not None:
            key = self.cache.key(
                model=self.model.identity(),
                decoding=self.model.decoding.as_dict(),
                messages=messages,
                schema=response_model.model_json_schema(),
                max_tokens=max_tokens,
            )
            hit = self.cache.get(key, response_model)
            if hit is not None:
                value, cached_usage = hit
                usage.cached_calls += 1
                usage.input_tokens += cached_usage.input_tokens
                usage.output_tokens += cached_usage.output_tokens
                return value  # type: ignore[return-value]
        completion = self.model.complete(messages, response_model, max_tokens=max_tokens)
        usage.add(completion.usage)
        if self.cache is not None and key is not None:
            self.cache.put(key, completion.value, completion.usage)
        return completion.value


def is_candidate(passage_text: str) -> bool:
    return bool(_VIOLENCE_STEMS.search(passage_text))


# ---------------------------------------------------------------------------------------
# Strategy: mentions


def find_mentions(
    caller: Caller, sentences: list[Sentence], usage: Usage, *, passage_chars: int
) -> list[tuple[Sentence, str]]:
    """(sentence, label) for each event mention, passage by passage."""
    found: list[tuple[Sentence, str]] = []
    for passage in group_passages(sentences, max_chars=passage_chars):
        if not is_candidate(" ".join(s.text for s in passage)):
            continue
        numbered = [(s.index, s.text) for s in passage]
        answer = caller("mentions", MentionList, usage, sentences=numbered)
        by_index = {s.index: s for s in passage}
        for mention in answer.events:
            sentence = by_index.get(mention.sentence)
            if sentence is None:
                sentence = _sentence_for_label(passage, mention.event)
            if sentence is None:
                continue
            duplicate = any(
                s.index == sentence.index
                and fuzz.token_set_ratio(fold(label), fold(mention.event)) >= 85
                for s, label in found
            )
            if not duplicate:
                found.append((sentence, mention.event.strip()))
    return found


def _sentence_for_label(passage: list[Sentence], label: str) -> Sentence | None:
    """A mention whose sentence number is off: the passage sentence its words best match."""
    scored = [(fuzz.partial_token_set_ratio(fold(label), fold(s.text)), s) for s in passage]
    score, best = max(scored, key=lambda pair: pair[0], default=(0, None))
    return best if score >= 70 else None


def mention_context(
    sentences: list[Sentence], target: Sentence, *, neighbours: int = 2
) -> list[Sentence]:
    """The sentence, the ones just before and after, the headline, and sentences elsewhere
    that name the same place (casualty figures often come paragraphs later)."""
    chosen = {
        s.index for s in sentences if target.index - neighbours <= s.index <= target.index + 1
    }
    if sentences and sentences[0].paragraph == 0:
        chosen.add(0)
    names = {fold(place.name) for _, _, place in find_places(target.text)}
    if names:
        extra = [
            s
            for s in sentences
            if s.index not in chosen and any(name in fold(s.text) for name in names)
        ]
        chosen.update(s.index for s in extra[:2])
    return [s for s in sentences if s.index in chosen]


def extract_mentions(
    doc: Document, caller: Caller, usage: Usage, *, passage_chars: int = 900
) -> list[Incident]:
    sentences = split_sentences(doc.text)
    published = doc.published.isoformat() if doc.published else None
    incidents: list[Incident] = []
    for sentence, label in find_mentions(caller, sentences, usage, passage_chars=passage_chars):
        context = mention_context(sentences, sentence)
        draft = caller(
            "fill",
            IncidentDraft,
            usage,
            published=published,
            context=[s.text for s in context],
            event=label,
            sentence=sentence.text,
        )
        evidence = [ground(doc.text, sentence.text, near=sentence.start)]
        incidents.append(
            draft_to_incident(
                draft,
                text=doc.text,
                published=doc.published,
                mention=MentionContext(sentence.start, sentence.end, label),
                evidence=evidence,
            )
        )
    headline_end = sentences[0].end if sentences and sentences[0].paragraph == 0 else 0
    distinct = merge_mentions(absorb_headline(incidents, headline_end))
    return [incident for incident in distinct if is_codable(incident)]


# ---------------------------------------------------------------------------------------
# Strategy: single


def extract_single(
    doc: Document, caller: Caller, usage: Usage, *, chunk_chars: int = 6000, overlap: int = 600
) -> list[Incident]:
    published = doc.published.isoformat() if doc.published else None
    incidents: list[Incident] = []
    for offset, chunk in chunk_text(doc.text, max_chars=chunk_chars, overlap=overlap):
        answer = caller("single", IncidentList, usage, published=published, text=chunk)
        for draft in answer.incidents:
            evidence = ground(doc.text, draft.quote, near=offset)
            start = evidence.start if evidence.start is not None else offset
            end = evidence.end if evidence.end is not None else offset
            incidents.append(
                draft_to_incident(
                    draft,
                    text=doc.text,
                    published=doc.published,
                    mention=MentionContext(start, end, ""),
                    evidence=[evidence],
                )
            )
    return [incident for incident in merge_mentions(incidents) if is_codable(incident)]


STRATEGIES: dict[str, Callable[..., list[Incident]]] = {
    "mentions": extract_mentions,
    "single": extract_single,
}


def extract_document(doc: Document, caller: Caller, strategy: str) -> DocumentOutcome:
    """One document's incidents with its usage; empty documents make no call."""
    usage = Usage()
    started = time.perf_counter()
    incidents = STRATEGIES[strategy](doc, caller, usage) if doc.text.strip() else []
    usage.seconds = time.perf_counter() - started
    meta = {
        "document": doc.meta(),
        "strategy": strategy,
        "prompt": caller.prompt.manifest(),
        "model": caller.model.spec.text,
        "ungrounded_quotes": sum(1 for i in incidents for e in i.evidence if e.start is None),
    }
    extraction = Extraction(doc_id=doc.doc_id, incidents=incidents, meta=meta)
    return DocumentOutcome(extraction=extraction, usage=usage, warnings=list(doc.warnings))
