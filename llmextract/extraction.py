"""What the built-in strategies (``llmextract.strategies``, each a registered object that
calls in here) do with one document: how model calls are spent to turn it into incidents.

``single``: one call per document (per overlapping chunk for long ones) asking for every
incident with a quote.  Small models return one incident per article this way.

``events`` (the default, built for small models): split the text into passages of whole
paragraphs; per passage, one call asks which numbered sentences report a distinct event,
each with its tactic and target as written (~15 output tokens per event).  Everything else
is read from the event's sentence and the few after it in code (``normalize.event`` and
the modules it calls); sentences that add to an event ("killed in that raid", "JNIM took
responsibility on Thursday") join it.

``mentions``: per passage, one conversation: first ask which numbered sentences describe a
distinct event, then ask to code each event, one incident per call, each question
following the listing.  The prefix up to the listing is shared, so the model re-reads only
the new question (~25 tokens) for each incident.

For both, code in ``normalize.record`` then resolves dates, counts, actors and places,
merges mentions of the same event across passages and drops what ANNOTATION.md would not
code.  Evidence is the event's sentence, so it is grounded by construction.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel
from rapidfuzz import fuzz

from llmextract.documents import Document
from llmextract.drafts import EventTag, EventTagList, IncidentDraft, IncidentList, MentionList
from llmextract.grounding import ground
from llmextract.normalize.event import dated_before, draft_from_rules, event_block, said_about
from llmextract.normalize.lexicon import cue
from llmextract.normalize.record import (
    MentionContext,
    distinct_incidents,
    draft_to_incident,
)
from llmextract.normalize.rules import (
    event_date_text,
    is_follow_up,
)
from llmextract.normalize.text import fold
from llmextract.providers.types import TruncatedOutput, Usage
from llmextract.schema import Incident
from llmextract.segments import (
    Sentence,
    blank_datelines,
    chunk_text,
    group_passages,
    split_sentences,
    story_units,
)

if TYPE_CHECKING:
    from llmextract.strategies.caller import Caller

T = TypeVar("T", bound=BaseModel)


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
    doc: Document,
    passage_chars: int,
    *,
    strict: bool = False,
    sentences: list[Sentence] | None = None,
) -> tuple[Sentence | None, list[list[Sentence]]]:
    """The article's headline and those passages of its body that could tell violence;
    ``strict``: only passages with a sentence that can tell one event (the ``events``
    strategy keeps no other, so asking about the rest is a wasted call)."""
    sentences = article_body(split_sentences(doc.text) if sentences is None else sentences)
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
    sentences = split_sentences(doc.text)
    headline, passages = read_passages(doc, passage_chars, strict=True, sentences=sentences)
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


# ---------------------------------------------------------------------------------------
# Warm-up


_WARM_UP_TEXT = (
    "Gunmen attack army post\n\n"
    "Gunmen on motorbikes attacked an army post near a village on Tuesday, killing four "
    "soldiers and wounding two, the army said in a statement. No group claimed the attack."
)


def warm_up() -> list[Incident]:
    """Read one invented article with a canned answer: the rules' patterns are compiled and
    their tables loaded (~0.1 s).  The processes engine's fork server calls this once, so
    each forked worker inherits them instead of building its own.  Returns what it read
    (one attack)."""

    def canned(kind: str, response_model: type[BaseModel], usage: Usage, **_: Any) -> Any:
        return EventTagList.model_validate(
            {"events": [{"sentence": 1, "type": "armed_assault", "target": "soldiers"}]}
        )

    doc = Document("warm-up", Path("warm-up.txt"), _WARM_UP_TEXT)
    return extract_events(doc, canned, Usage())  # type: ignore[arg-type]
