"""Extraction strategies: how model calls are spent to turn one document into incidents.

``single``: one call per document (per overlapping chunk for long ones) asking for every
incident with a quote.  Small models return one incident per article this way.

``events`` (the default, built for small models): split the text into passages of whole
paragraphs; per passage, one call asks which numbered sentences report a distinct event,
each with its tactic and target as written (~15 output tokens per event).  Everything else
is read from the event's sentence and the few after it by the rules of
``normalize.rules``; sentences that point back at an event ("killed in that raid") join it.

``mentions``: per passage, one conversation: first ask which numbered sentences describe a
distinct event, then ask to code each event, one incident per call, each question
following the listing.  The prefix up to the listing is shared, so the model re-reads only
the new question (~25 tokens) for each incident.

For both, code in ``normalize.record`` then resolves dates, counts, actors and places,
merges mentions of the same event across passages and drops what ANNOTATION.md would not
code.  Evidence is the event's sentence, so it is grounded by construction.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel
from rapidfuzz import fuzz

from llmextract.documents import Document
from llmextract.drafts import EventTag, EventTagList, IncidentDraft, IncidentList, MentionList
from llmextract.grounding import ground
from llmextract.models import ChatModel, TruncatedOutput, Usage
from llmextract.normalize.actors import state_force_of
from llmextract.normalize.attribution import (
    GENERIC_ACTORS,
    STATE_ACTORS,
    STATE_TYPES,
    actors_in,
    last_group_before,
    official_speaks,
    perpetrator_in,
    sources_of,
)
from llmextract.normalize.lexicon import cue
from llmextract.normalize.places import find_places
from llmextract.normalize.record import (
    MentionContext,
    cue_types,
    distinct_incidents,
    document_country,
    draft_to_incident,
)
from llmextract.normalize.rules import (
    counts_in,
    event_date_text,
    is_follow_up,
    location_phrase,
    militants_in,
    supported_type,
    target_in,
    target_type_of,
    tells_known_event,
    usable_target,
    victims_in,
)
from llmextract.normalize.text import fold
from llmextract.prompts import Prompt
from llmextract.schema import Attribution, Extraction, Incident, Stance
from llmextract.segments import (
    Sentence,
    StoryUnits,
    blank_datelines,
    chunk_text,
    group_passages,
    split_sentences,
    story_units,
)
from llmextract.store import ResponseCache

T = TypeVar("T", bound=BaseModel)

DEFAULT_STRATEGY = "events"

# Bumped whenever the way a request is shaped from its messages changes (e.g. what the
# model layer strips or adds), so older cached responses are not served for new requests.
REQUEST_PROTOCOL = 2

# Output-token budgets: each bounds one call, sized to the draft it returns.
MAX_TOKENS = {"mentions": 320, "fill": 220, "single": 1400, "events": 300}


# A sentence the model lists must name a violent event (``event_words`` of the lexicon):
# "militants" or "jihadist" alone describe actors and trends.  A passage with no violence
# word at all cannot tell an event; skipping it saves a call (bylines, tags, appeals).
def _names_event(text: str) -> bool:
    """A sentence that can tell one event: a violence word, and no aggregate ("more than 400
    killed since the start of the year") or trend, threat or method ("we expect attacks
    to continue", "a video warning drivers")."""
    return bool(cue("event_words").search(text)) and not (
        cue("aggregate").search(text) or cue("not_an_event").search(text)
    )


def is_candidate(passage_text: str) -> bool:
    return bool(
        cue("event_words").search(passage_text) or cue("violence_words").search(passage_text)
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
                protocol=REQUEST_PROTOCOL,
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


# Where an article ends and reader comments or link lists begin: nothing after is reported.
_END_OF_ARTICLE = re.compile(
    r"^(\d+\s+comments?|comments?|leave a (reply|comment)|related (articles|posts|stories)|"
    r"read more|tags:.*|share this:?)\s*$|\bsays:\s*$",
    re.IGNORECASE,
)


def article_body(sentences: list[Sentence]) -> list[Sentence]:
    """Sentences before the first end-of-article marker (comments, tags, related links)."""
    for position, sentence in enumerate(sentences):
        if position > 2 and _END_OF_ARTICLE.search(sentence.text.strip()):
            return sentences[:position]
    return sentences


def read_passages(
    doc: Document, passage_chars: int, *, strict: bool = False
) -> tuple[Sentence | None, list[list[Sentence]]]:
    """The article's headline and those passages of its body that could tell violence;
    ``strict``: only passages with a sentence that can tell one event (the ``events``
    strategy keeps no other, so asking about the rest is a wasted call)."""
    sentences = article_body(split_sentences(doc.text))
    headline = sentences[0] if sentences and sentences[0].paragraph == 0 else None
    passages = group_passages(sentences, max_chars=passage_chars)
    if strict:
        return headline, [p for p in passages if any(_names_event(s.text) for s in p)]
    return headline, [p for p in passages if is_candidate(" ".join(s.text for s in p))]


def headline_beside(headline: Sentence | None, passage: list[Sentence]) -> str | None:
    """The headline, shown above a passage that does not contain it: context for "it"."""
    return headline.text if headline and headline not in passage else None


# ---------------------------------------------------------------------------------------
# Strategy: mentions


def passage_mentions(
    answer: MentionList, passage: list[Sentence], found: list[tuple[Sentence, str]]
) -> list[tuple[Sentence, str]]:
    """Valid, new (sentence, label) pairs from one passage's list of events."""
    by_index = {s.index: s for s in passage}
    fresh: list[tuple[Sentence, str]] = []
    for mention in answer.events:
        sentence = by_index.get(mention.sentence) or _sentence_for_label(passage, mention.event)
        if sentence is None:
            continue
        label = mention.event.strip() or "event"
        duplicate = any(
            s.index == sentence.index and fuzz.token_set_ratio(fold(other), fold(label)) >= 85
            for s, other in [*found, *fresh]
        )
        if not duplicate:
            fresh.append((sentence, label))
    return fresh


def _sentence_for_label(passage: list[Sentence], label: str) -> Sentence | None:
    """A mention whose sentence number is off: the passage sentence its words best match."""
    scored = [(fuzz.partial_token_set_ratio(fold(label), fold(s.text)), s) for s in passage]
    score, best = max(scored, key=lambda pair: pair[0], default=(0, None))
    return best if score >= 70 else None


def _turn(kind: str, caller: Caller, answer: BaseModel, **variables: Any) -> list[dict[str, str]]:
    """The user turn and the model's answer, appended to the passage's conversation."""
    content = answer.model_dump_json(exclude_none=True)
    return [caller.prompt.user_turn(kind, **variables), {"role": "assistant", "content": content}]


def extract_mentions(
    doc: Document, caller: Caller, usage: Usage, *, passage_chars: int = 900
) -> list[Incident]:
    headline, passages = read_passages(doc, passage_chars)
    published = doc.published.isoformat() if doc.published else None
    incidents: list[Incident] = []
    found: list[tuple[Sentence, str]] = []
    for passage in passages:
        listing = {
            "published": published,
            "headline": headline_beside(headline, passage),
            "sentences": [(s.index, s.text) for s in passage],
        }
        answer = caller("mentions", MentionList, usage, **listing)
        history = _turn("mentions", caller, answer, **listing)
        window = "\n".join(s.text for s in ([headline] if listing["headline"] else []) + passage)
        for sentence, label in passage_mentions(answer, passage, found):
            found.append((sentence, label))
            question = {"event": label, "number": sentence.index}
            # Each question follows the listing only, not earlier answers: a small model
            # copies the previous event's fields otherwise.  The KV cache still holds the
            # shared prefix, so only the question is read.
            draft = caller("fill", IncidentDraft, usage, history=history, **question)
            evidence = [ground(doc.text, sentence.text, near=sentence.start)]
            mention = MentionContext(sentence.start, sentence.end, label, window=window)
            incidents.append(
                draft_to_incident(
                    draft,
                    text=doc.text,
                    published=doc.published,
                    mention=mention,
                    evidence=evidence,
                )
            )
    return distinct_incidents(incidents, headline.end if headline else 0)


# ---------------------------------------------------------------------------------------
# Strategy: events


def passage_events(
    answer: EventTagList, passage: list[Sentence]
) -> list[tuple[Sentence, EventTag]]:
    """The answer's events whose sentence is in the passage and could tell violence."""
    by_index = {s.index: s for s in passage}
    kept: list[tuple[Sentence, EventTag]] = []
    for tag in answer.events:
        sentence = by_index.get(tag.sentence)
        if sentence is None or not _names_event(sentence.text):
            continue
        if any(s.index == sentence.index and t.type == tag.type for s, t in kept):
            continue
        kept.append((sentence, tag))
    return sorted(kept, key=lambda pair: pair[0].index)


def event_block(
    passage: list[Sentence],
    sentence: Sentence,
    event_indexes: set[int],
    follow_ups: frozenset[int] | set[int] = frozenset(),
    *,
    follow: int = 2,
    units: StoryUnits | None = None,
) -> list[Sentence]:
    """The event's sentence and those after it that add to it: up to the next event's
    sentence, at most ``follow`` plain ones in its paragraph (or the next one's opening when
    it ends its own), none past a sentence naming another place; follow-ups ("... killed in
    that raid") always."""
    block = [sentence]
    own_places = {fold(sentence.text[a:b]) for a, b, _ in find_places(sentence.text)}
    plain = 0
    for other in passage:
        if other.index <= sentence.index:
            continue
        if other.index in event_indexes:
            break
        if other.index in follow_ups:
            block.append(other)
            continue
        places = {fold(other.text[a:b]) for a, b, _ in find_places(other.text)}
        if places and not places & own_places:
            break
        # A paragraph's last event may go on in the first sentence of the next one
        # ("According to witnesses, soldiers rounded up the men ..."), no further.
        next_opening = other.paragraph == sentence.paragraph + 1 and plain == 0
        if other.paragraph != sentence.paragraph and not next_opening:
            break
        if units is not None and not units.same(sentence.start, other.start):
            break
        if cue("aggregate").search(other.text):
            continue
        plain += 1
        if plain <= follow:
            block.append(other)
    return block


def draft_from_rules(
    tag: EventTag,
    block: list[Sentence],
    text: str,
    published: dt.date | None,
    said: list[Sentence] | None = None,
) -> tuple[IncidentDraft, list[tuple[str, Stance]]]:
    """An incident draft read from the event's sentences (the model gave type and target),
    and every source the sentences quote (``said``: further sentences read for sources
    only).  ``text`` is the document as rules read it (datelines blanked), at the
    sentences' offsets."""
    texts = [text[s.start : s.end] for s in block]
    first = texts[0]
    earlier = last_group_before(text, block[0].start)
    rule_target = usable_target(target_in(first), first)
    perpetrator, attribution = perpetrator_in(first, tag.type, earlier, rule_target)
    # The attacked party as the sentence's syntax gives it ("stormed a military outpost")
    # first, else the model's words for it.
    target = rule_target or usable_target(tag.target, first, perpetrator)
    if target != rule_target:
        perpetrator, attribution = perpetrator_in(first, tag.type, earlier, target)
    for later in texts[1:]:
        if perpetrator is not None:
            break
        perpetrator, attribution = perpetrator_in(later, tag.type, earlier, target)
    if perpetrator is None or perpetrator in GENERIC_ACTORS:
        # "JNIM claimed the ambush the next day", "Residents blamed the attack on JNIM",
        # told after the event's own sentences and before the next event.
        for later in (text[s.start : s.end] for s in said or []):
            if not (
                tells_known_event(later)
                or cue("blame").search(later)
                or cue("suspect").search(later)
            ):
                continue
            found, how = perpetrator_in(later, tag.type, earlier, target)
            if found is not None and found not in GENERIC_ACTORS:
                perpetrator, attribution = found, how
                break
    named_here = {m.canonical for t in texts for m in actors_in(t)}
    unsure = perpetrator is None or (
        perpetrator not in STATE_ACTORS
        and (perpetrator in GENERIC_ACTORS or perpetrator not in named_here)
    )
    if unsure and tag.type in STATE_TYPES and any(official_speaks(t) for t in texts):
        # "The army said a drone strike near X neutralised ...": the state tells its own
        # operation; whose army, the document's country says.
        perpetrator = state_force_of(document_country(text))
        attribution = Attribution.claimed if perpetrator else attribution
    sources = sources_of([*texts, *(text[s.start : s.end] for s in said or [])], perpetrator)
    if tag.type in STATE_TYPES and perpetrator in STATE_ACTORS:
        target = target or militants_in(texts) or victims_in(texts)
    target = target or victims_in(texts)
    draft = IncidentDraft(
        incident_type=supported_type(tag.type, cue_types(" ".join(texts))),
        date_text=next((d for t in texts if (d := event_date_text(t, published))), None),
        location_text=next((p for t in texts if (p := location_phrase(t))), None),
        perpetrator=perpetrator,
        attribution=attribution,
        target=target,
        target_type=target_type_of(target, tag.type),
        **_counts_of(texts, [text[s.start : s.end] for s in said or []]),
    )
    return draft, sources


def _counts_of(texts: list[str], further: list[str]) -> dict[str, str]:
    """Counts from the event's sentences; a figure they lack from the sentences that follow
    before the next event ("Survivors gave the names of 37 people killed."), never from an
    aggregate ("more than 400 killed since January")."""
    counts = counts_in(texts)
    later = counts_in([t for t in further if not cue("aggregate").search(t)])
    return {**later, **counts}


def tag_passage(
    caller: Caller,
    usage: Usage,
    passage: list[Sentence],
    published: str | None,
    headline: str | None,
) -> list[tuple[Sentence, EventTag]]:
    """The passage's events; an answer cut at the token limit is asked again in halves.

    A small model can loop in its list until the limit; half the sentences hold fewer
    events and give it less to repeat.  A single sentence that still overflows fails the
    document (recorded, retried on resume) rather than losing its events silently.
    """
    listing = {
        "published": published,
        "headline": headline,
        "sentences": [(s.index, s.text) for s in passage],
    }
    try:
        answer = caller("events", EventTagList, usage, **listing)
    except TruncatedOutput:
        if len(passage) == 1:
            raise
        usage.split_passages += 1
        half = len(passage) // 2
        return [
            *tag_passage(caller, usage, passage[:half], published, headline),
            *tag_passage(caller, usage, passage[half:], published, headline),
        ]
    return passage_events(answer, passage)


def extract_events(
    doc: Document, caller: Caller, usage: Usage, *, passage_chars: int = 900
) -> list[Incident]:
    headline, passages = read_passages(doc, passage_chars, strict=True)
    units = story_units(doc.text, doc.published)
    published = doc.published.isoformat() if doc.published else None
    events: list[tuple[EventTag, list[Sentence]]] = []
    for passage in passages:
        tagged = tag_passage(caller, usage, passage, published, headline_beside(headline, passage))
        # A listed sentence that points back at the event before it ("... killed in that
        # raid") is more about that event, also when the event was told in an earlier passage.
        follow_ups = []
        previous = events[-1][1][0] if events else None
        for sentence, _ in tagged:
            if previous is not None and is_follow_up(
                sentence.text,
                doc.published,
                same_paragraph=previous.paragraph == sentence.paragraph,
            ):
                follow_ups.append(sentence)
            else:
                previous = sentence
        follow_indexes = {s.index for s in follow_ups}
        tagged = [(s, tag) for s, tag in tagged if s.index not in follow_indexes]
        event_indexes = {sentence.index for sentence, _ in tagged}
        for sentence in follow_ups:  # before this passage's first event: the last one's
            if not tagged or sentence.index < tagged[0][0].index:
                events[-1][1].append(sentence)
        for sentence, tag in tagged:
            block = event_block(passage, sentence, event_indexes, follow_indexes, units=units)
            events.append((tag, block))
    reading = blank_datelines(doc.text)
    sentences = split_sentences(doc.text)
    said = said_about(events, sentences, units)
    incidents = [
        _incident_from_event(
            tag,
            block,
            doc,
            reading,
            extra,
            dated_before(block[0], sentences, reading, doc.published),
        )
        for (tag, block), extra in zip(events, said, strict=True)
    ]
    return distinct_incidents(incidents, headline.end if headline else 0, units)


def dated_before(
    sentence: Sentence, sentences: list[Sentence], reading: str, published: dt.date | None
) -> Sentence | None:
    """The nearest earlier sentence of the event's paragraph that gives an event date: "On
    Tuesday, a new attack hit the army. Three soldiers were killed when ..." is Tuesday."""
    for other in reversed(sentences[: sentence.index]):
        if other.paragraph != sentence.paragraph:
            return None
        if event_date_text(reading[other.start : other.end], published):
            return other
    return None


def said_about(
    events: list[tuple[EventTag, list[Sentence]]],
    sentences: list[Sentence],
    units: StoryUnits,
    *,
    most: int = 5,
) -> list[list[Sentence]]:
    """For each event, the sentences after its block and before the next event's sentence
    (at most ``most``, within its story): where reporting says who told it ("A municipal
    official told our station ...", "..., residents said.")."""
    starts = sorted(block[0].index for _, block in events)
    result: list[list[Sentence]] = []
    for _, block in events:
        first = block[0]
        following = [i for i in starts if i > first.index]
        stop = following[0] if following else len(sentences)
        taken = {s.index for s in block}
        extra = [
            s
            for s in sentences[first.index + 1 : stop]
            if s.index not in taken and units.same(first.start, s.start)
        ]
        result.append(extra[:most])
    return result


def _incident_from_event(
    tag: EventTag,
    block: list[Sentence],
    doc: Document,
    reading: str,
    said: list[Sentence],
    dated: Sentence | None,
) -> Incident:
    sentence = block[0]
    draft, sources = draft_from_rules(tag, block, reading, doc.published, said)
    context = block
    if draft.date_text is None and dated is not None and draft.location_text:
        # Only a mention that places a new event takes the date before it; one with no
        # place of its own is more about an event already told.
        draft.date_text = event_date_text(reading[dated.start : dated.end], doc.published)
        context = [dated, *block]
    label = f"{tag.type.value} on {draft.target or 'unknown'}"
    return draft_to_incident(
        draft,
        text=reading,
        published=doc.published,
        mention=MentionContext(
            sentence.start,
            sentence.end,
            label,
            window="\n".join(reading[s.start : s.end] for s in context),
        ),
        evidence=[ground(doc.text, sentence.text, near=sentence.start)],
        read_by_rules=True,
        read_sources=sources,
    )


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
                    mention=MentionContext(start, end, "", window=chunk),
                    evidence=[evidence],
                )
            )
    return distinct_incidents(incidents, 0)


STRATEGIES: dict[str, Callable[..., list[Incident]]] = {
    "events": extract_events,
    "mentions": extract_mentions,
    "single": extract_single,
}


# The prompt templates (call kinds) each strategy renders.
STRATEGY_KINDS: dict[str, tuple[str, ...]] = {
    "events": ("events",),
    "mentions": ("mentions", "fill"),
    "single": ("single",),
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
