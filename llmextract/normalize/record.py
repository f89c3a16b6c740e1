"""From a model's draft to a SPEC incident record, and from mentions to distinct incidents.

Everything here is deterministic code: dates resolved against the publication date,
number phrases turned into conservative counts, actor aliases into canonical names, places
through the gazetteer, evidence located in the text, sources and confirmation derived from
who claimed, confirmed or denied.  Mentions of the same event are then merged, and
incidents that ANNOTATION.md would not code (no date, place or count) are dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from llmextract.drafts import IncidentDraft
from llmextract.normalize.actors import canonical_actor
from llmextract.normalize.attribution import (
    FAMILY_ACTORS,
    GENERIC_ACTORS,
    STATE_ACTORS,
    UNIDENTIFIED,
    actors_in,
    last_group_before,
)
from llmextract.normalize.countries import (
    consistent_with_context,
    with_demonym_country,
    with_document_country,
)
from llmextract.normalize.counts import parse_count
from llmextract.normalize.dates import (
    DateMention,
    DateRange,
    anchor_before,
    find_dates,
    resolve_date,
)
from llmextract.normalize.lexicon import cue
from llmextract.normalize.merge import absorb_headline, merge_mentions, only_in_headline
from llmextract.normalize.places import resolve_location
from llmextract.normalize.tactics import checked_type, type_by_parties
from llmextract.normalize.text import fold
from llmextract.schema import (
    COUNT_FIELDS,
    Attribution,
    Confirmation,
    DatePrecision,
    Evidence,
    GeoPrecision,
    Incident,
    Source,
    Stance,
)
from llmextract.segments import StoryUnits, split_sentences

# Names that say "some group" rather than which: resolved to the nearest named group.
_GENERIC_ACTORS = GENERIC_ACTORS | FAMILY_ACTORS
_COREFERENCE_WINDOW = 800


@dataclass(frozen=True)
class MentionContext:
    """Where a mention sits: its sentence span, the text the model was shown, a label."""

    start: int
    end: int
    label: str
    window: str = ""


def appears_in(text: str, phrase: str | None) -> bool:
    """Whether a phrase the model copied is really in the text (folded comparison)."""
    if not phrase:
        return False
    needle = fold(phrase)
    return bool(needle) and needle in fold(text)


def resolve_dates(
    draft_date: str | None, text: str, mention: MentionContext, published: dt.date | None
) -> tuple[str | None, DateRange]:
    """The event's date expression and its range.

    Small models copy a date from a neighbouring sentence, so the model's expression is
    used when it stands in the mention's own sentence; otherwise a date expression found
    in that sentence wins; otherwise the model's expression if it is in the text it was
    shown.  Relative expressions are resolved where they stand in the text.
    """
    sentence = text[mention.start : mention.end]
    in_sentence = [
        m for m in dates_in(text, published) if mention.start <= m.start_offset < mention.end
    ]
    if draft_date and not find_dates(draft_date, published or dt.date(2000, 1, 1)):
        draft_date = None  # not a date expression at all ("without security ...")
    if draft_date and fold(draft_date) and fold(draft_date) in fold(sentence):
        position = _position_of(text, draft_date, mention.start)
        return draft_date, _resolve_at(draft_date, text, position, published)
    if in_sentence:
        return in_sentence[0].text, in_sentence[0].range
    if appears_in(mention.window or sentence, draft_date):
        assert draft_date is not None
        position = _position_of(text, draft_date, mention.start)
        return draft_date, _resolve_at(draft_date, text, position, published)
    return None, DateRange(None, None, DatePrecision.unknown)


@lru_cache(maxsize=8)
def dates_in(text: str, published: dt.date | None) -> tuple[DateMention, ...]:
    """Every date expression of a document, scanned once per document, not per incident."""
    return tuple(find_dates(text, published))


def _resolve_at(date_text: str, text: str, position: int, published: dt.date | None) -> DateRange:
    """Resolve an expression where it stands, anchored on the document's cached dates."""
    anchor = anchor_before(list(dates_in(text, published)), position)
    return resolve_date(date_text, published, anchor=anchor)


def _position_of(text: str, phrase: str, near: int) -> int:
    """Offset of the occurrence of ``phrase`` nearest to ``near`` (case-insensitive)."""
    hits = [m.start() for m in re.finditer(re.escape(phrase), text, flags=re.IGNORECASE)]
    return min(hits, key=lambda h: abs(h - near)) if hits else near


def grounded_phrase(
    phrase: str | None, window: str, verb: re.Pattern[str] | None = None
) -> str | None:
    """A phrase the model copied, kept only if it is in the text it was shown (and, for a
    confirmer or denier, only if that text says so)."""
    if not phrase or not phrase.strip() or not appears_in(window, phrase):
        return None
    if verb is not None and not verb.search(window):
        return None
    return phrase.strip()


def mentions_actor(window: str, actor: str) -> bool:
    """Whether the text names the actor by any of its aliases."""
    return any(mention.canonical == actor for mention in actors_in(window))


def resolve_perpetrator(
    draft: IncidentDraft, text: str, mention: MentionContext, *, read_by_rules: bool = False
) -> tuple[str | None, Attribution]:
    """The draft's perpetrator, canonical; a name the text lacks is dropped, except the
    state forces code reads from an official's account ("the defence ministry announced
    strikes")."""
    perpetrator = canonical_actor(draft.perpetrator)
    window = mention.window or text[mention.start : mention.end]
    if (
        perpetrator
        and not (read_by_rules and perpetrator in STATE_ACTORS)
        and not (appears_in(window, draft.perpetrator) or mentions_actor(window, perpetrator))
    ):
        perpetrator = None  # not in the text the model was shown: copied from elsewhere
    attribution = draft.attribution
    # "The jihadist group claimed ..." names the claimant earlier in the text; "freed by
    # jihadists" with no claim stays generic.
    if attribution == Attribution.claimed and (
        perpetrator is None or perpetrator in _GENERIC_ACTORS
    ):
        named = last_group_before(text, mention.end, window=_COREFERENCE_WINDOW)
        if named:
            perpetrator = named
    if perpetrator is None:
        attribution = Attribution.unknown
    elif attribution == Attribution.unknown and perpetrator != UNIDENTIFIED:
        attribution = Attribution.attributed
    return perpetrator, attribution


def confirmation_of(sources: list[Source]) -> Confirmation:
    """Disputed when someone other than the claimant denies it; confirmed when someone
    other than the claimant reports or confirms it, or when the text tells it as fact with
    no source at all (the outlet reports it); unconfirmed when only the claimant speaks."""
    stances = {s.stance for s in sources}
    if Stance.denies in stances:
        return Confirmation.disputed
    if stances & {Stance.confirms, Stance.reports}:
        return Confirmation.confirmed
    if Stance.claims in stances:
        return Confirmation.unconfirmed
    return Confirmation.confirmed


def sources_and_confirmation(
    perpetrator: str | None,
    attribution: Attribution,
    draft: IncidentDraft,
    window: str,
    read_sources: list[tuple[str, Stance]] | None = None,
) -> tuple[list[Source], Confirmation]:
    """Who said what, and whether someone other than the claimant confirms it.

    ``read_sources`` are sources the rules read from the text; without them, the model's
    ``confirmed_by``/``denied_by`` are kept if the text it was shown says so."""
    sources: list[Source] = []
    if perpetrator and attribution == Attribution.claimed:
        sources.append(Source(source=perpetrator, stance=Stance.claims))
    if read_sources is not None:
        for name, stance in read_sources:
            if stance == Stance.denies and canonical_actor(name) == perpetrator:
                continue  # a claimant does not deny its own claim
            sources.append(Source(source=name, stance=stance))
        return sources, confirmation_of(sources)
    confirmer = grounded_phrase(draft.confirmed_by, window, cue("confirm")) or ""
    if confirmer and canonical_actor(confirmer) != perpetrator:
        sources.append(Source(source=confirmer, stance=Stance.confirms))
    else:
        confirmer = ""
    denier = grounded_phrase(draft.denied_by, window, cue("deny")) or ""
    if denier and canonical_actor(denier) == perpetrator and attribution == Attribution.claimed:
        denier = ""  # a claimant does not deny its own claim
    if denier:
        sources.append(Source(source=denier, stance=Stance.denies))
    if denier:
        return sources, Confirmation.disputed
    if confirmer:
        return sources, Confirmation.confirmed
    if attribution == Attribution.claimed:
        return sources, Confirmation.unconfirmed
    return sources, Confirmation.unknown


def draft_to_incident(
    draft: IncidentDraft,
    *,
    text: str,
    published: dt.date | None,
    mention: MentionContext,
    evidence: list[Evidence],
    read_by_rules: bool = False,
    read_sources: list[tuple[str, Stance]] | None = None,
) -> Incident:
    """Turn one draft into a validated SPEC incident.

    ``read_by_rules``: the draft was read from the text by rules: its counts may be
    sums, "18 ... and two" = 20), so they need no check that a model did not copy them.
    """
    window = mention.window or text[mention.start : mention.end]
    sentence = text[mention.start : mention.end]
    if read_by_rules and draft.date_text is None:
        # The rules found no date of the event itself (only the statement's, or none).
        date_text, dates = None, DateRange(None, None, DatePrecision.unknown)
    else:
        date_text, dates = resolve_dates(draft.date_text, text, mention, published)
    # A model's place must be in the mention's own sentence (small models copy a
    # neighbour's); rules read it from the event's own sentences.
    location_text = grounded_phrase(draft.location_text, window if read_by_rules else sentence)
    location = with_document_country(
        with_demonym_country(
            consistent_with_context(
                resolve_location(location_text, fallback_text=sentence), window, text
            ),
            sentence,
        ),
        text,
    )
    perpetrator, attribution = resolve_perpetrator(
        draft, text, mention, read_by_rules=read_by_rules
    )
    sources, confirmation = sources_and_confirmation(
        perpetrator, attribution, draft, window, read_sources
    )
    counts = {
        name: parse_count(getattr(draft, name))
        if read_by_rules or grounded_count(getattr(draft, name), window, name)
        else None
        for name in COUNT_FIELDS
    }
    incident = Incident(
        summary="",
        incident_type=type_by_parties(
            checked_type(draft.incident_type, sentence),
            perpetrator,
            draft.target_type,
            counts["killed"],
        ),
        date_text=date_text,
        date_start=dates.start,
        date_end=dates.end,
        date_precision=dates.precision,
        location_text=location_text,
        place=location.place,
        admin1=location.admin1,
        country=location.country,
        geo_precision=location.geo_precision,
        latitude=location.latitude,
        longitude=location.longitude,
        perpetrator=perpetrator,
        attribution=attribution,
        target=grounded_phrase(draft.target, window),
        target_type=draft.target_type,
        confirmation=confirmation,
        sources=sources,
        evidence=evidence,
        **counts,
    )
    incident.summary = summarise(incident)
    return incident


# A count is about the field it fills only if a word of that kind stands in its sentence:
# "dozens of prisoners were freed" is no death toll.
_COUNT_WORDS = {
    "killed": re.compile(
        r"\b(kill|dead|death|died|die|dying|lives|fatalit|slain|execut|massacr|toll|murder|behead)",
        re.I,
    ),
    "wounded": re.compile(r"\b(wound|injur|hurt|casualt)", re.I),
    "kidnapped": re.compile(r"\b(kidnap|abduct|captur|hostage|seiz|taken|missing|held|hold)", re.I),
    "perpetrators_killed": re.compile(r"\b(kill|dead|death|died|neutrali|slain|eliminat)", re.I),
}


def grounded_count(value: int | str | None, window: str, field: str) -> bool:
    """Whether the count's number is in the text shown, in a sentence about that count."""
    if value is None:
        return False
    words = [w for w in fold(str(value)).split() if w not in ("at", "least", "about", "some")]
    if not words:
        return False
    for sentence in split_sentences(window):
        folded = f" {fold(sentence.text)} "
        if any(f" {w} " in folded for w in words) and _COUNT_WORDS[field].search(sentence.text):
            return True
    return False


_TYPE_WORDS = {
    "ied": "IED attack",
    "armed_assault": "Armed assault",
    "indirect_fire": "Indirect fire",
    "military_operation": "Military operation",
    "prison_break": "Prison break",
    "suicide_bombing": "Suicide bombing",
}


def summarise(incident: Incident) -> str:
    """One sentence in the tool's words, built from the coded fields (never a model's)."""
    kind = incident.incident_type.value
    parts = [_TYPE_WORDS.get(kind, kind.replace("_", " ").capitalize())]
    if incident.target:
        parts.append(f"on {incident.target}")
    if incident.perpetrator:
        parts.append(f"by {incident.perpetrator}")
    where = ", ".join(p for p in (incident.place, incident.admin1, incident.country) if p)
    if where:
        parts.append(("near " if incident.geo_precision == GeoPrecision.near else "in ") + where)
    if incident.date_start:
        parts.append(f"on {incident.date_start.isoformat()}")
    elif incident.date_text:
        parts.append(f"({incident.date_text})")
    tolls = [
        f"{getattr(incident, n)} {n.replace('_', ' ')}"
        for n in COUNT_FIELDS
        if getattr(incident, n)
    ]
    return " ".join(parts) + (f": {', '.join(tolls)}." if tolls else ".")


# ---------------------------------------------------------------------------------------
# Distinct incidents


def is_codable(incident: Incident) -> bool:
    """ANNOTATION.md's bar: a date, a named place or region, or a count of victims."""
    has_date = bool(incident.date_text)
    has_place = bool(incident.place or incident.admin1)
    has_count = any(getattr(incident, name) is not None for name in COUNT_FIELDS)
    return has_date or has_place or has_count


def distinct_incidents(
    mentions: list[Incident], headline_end: int, units: StoryUnits | None = None
) -> list[Incident]:
    """One incident per event: mentions joined (``normalize.merge``), then those that
    ANNOTATION.md would not code dropped; summaries are written last, from merged fields.
    On a listing page (``units`` of several stories) the page title names no event."""
    listing = units is not None and len(units.spans) > 1
    if listing:
        joined = merge_mentions(mentions, units)
    else:
        # The body's mentions first, so a headline joins whole events, not a stray clause.
        heads = [m for m in mentions if only_in_headline(m, headline_end)]
        body = merge_mentions([m for m in mentions if m not in heads], units)
        joined = merge_mentions(absorb_headline([*heads, *body], headline_end), units)
    for incident in joined:
        incident.summary = summarise(incident)
    return [incident for incident in joined if is_codable(incident)]
