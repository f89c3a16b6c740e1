"""What an event's sentences say: the reading the ``events`` strategy does in code.

The model names the sentence that tells an event, its tactic and target; this module reads
the rest from that sentence and those around it: the block of sentences that add to it,
who did it and who says so, counts, target, place phrase and date, and the sentences after
it where reporting names its sources.  Every cue comes from ``data/lexicon.json`` through
the ``normalize`` modules; nothing here names a document's place, date or count.
"""

from __future__ import annotations

import datetime as dt

from llmextract.drafts import EventTag, IncidentDraft
from llmextract.normalize.actors import family_of, state_force_of
from llmextract.normalize.attribution import (
    GENERIC_ACTORS,
    OFFICIAL,
    STATE_ACTORS,
    STATE_TYPES,
    actors_in,
    last_group_before,
    official_speaks,
    perpetrator_in,
    state_agent_in,
    state_speaker,
)
from llmextract.normalize.count_phrases import counts_in, militants_in, victims_in
from llmextract.normalize.countries import document_country
from llmextract.normalize.lexicon import cue
from llmextract.normalize.places import find_places
from llmextract.normalize.rules import (
    event_date_text,
    location_phrase,
    target_in,
    target_type_of,
    tells_known_event,
    usable_target,
)
from llmextract.normalize.sources import sources_of
from llmextract.normalize.tactics import cue_types, supported_type
from llmextract.normalize.text import fold
from llmextract.schema import Attribution, IncidentType, Stance, TargetType
from llmextract.segments import Sentence, StoryUnits


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
        if places and own_places and not places & own_places:
            break  # another place: another event (a sentence with none of its own goes on)
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
    and every source the sentences quote (``said``: the sentences after the block and
    before the next event, read for sources, a later claim and counts).  ``text`` is the
    document as rules read it (datelines blanked), at the sentences' offsets."""
    texts = [text[s.start : s.end] for s in block]
    further = [text[s.start : s.end] for s in said or []]
    rule_target = usable_target(target_in(texts[0]), texts[0])
    perpetrator, attribution, target = _perpetrator_of(
        tag, texts, further, text, block[0].start, rule_target
    )
    cues = cue_types(" ".join(texts))
    supported = supported_type(tag.type, cues)
    strike = supported in STATE_TYPES or IncidentType.airstrike in cues
    if strike and perpetrator in STATE_ACTORS:
        target = target or militants_in(texts)  # whom a strike or sweep hit
    target = target or victims_in(texts)
    target_type = target_type_of(target, supported)  # "prison" only for a prison break
    draft = IncidentDraft(
        incident_type=_fits_target(supported, target_type, cues),
        date_text=next((d for t in texts if (d := event_date_text(t, published))), None),
        location_text=next((p for t in texts if (p := location_phrase(t))), None),
        perpetrator=perpetrator,
        attribution=attribution,
        target=target,
        target_type=target_type,
        **_counts_of(texts, further, state_operation=strike and perpetrator in STATE_ACTORS),
    )
    sources = sources_of([*texts, *further], perpetrator)
    if perpetrator in STATE_ACTORS:
        # The army's or ministry's own account of its operation is its claim.
        sources = [
            (n, Stance.claims if s == Stance.confirms and OFFICIAL.search(n) else s)
            for n, s in sources
        ]
        if any(s == Stance.claims for _, s in sources):
            draft.attribution = Attribution.claimed
    return draft, sources


# Who can be hit in a massacre (SPEC: a mass killing of civilians) is not an armed side.
_ARMED_SIDES = frozenset(
    {TargetType.military, TargetType.police, TargetType.militia, TargetType.peacekeepers,
     TargetType.foreign_military, TargetType.militants}
)  # fmt: skip


def _fits_target(
    incident_type: IncidentType, target_type: TargetType, cues: list[IncidentType]
) -> IncidentType:
    """A "massacre" of soldiers or militiamen is an attack: the tactic the text names, else
    an armed assault."""
    if incident_type != IncidentType.massacre or target_type not in _ARMED_SIDES:
        return incident_type
    return next((c for c in cues if c != IncidentType.massacre), IncidentType.armed_assault)


def _perpetrator_of(
    tag: EventTag,
    texts: list[str],
    further: list[str],
    text: str,
    offset: int,
    rule_target: str | None,
) -> tuple[str | None, Attribution, str | None]:
    """Who did it, how that is known, and the attacked party that rules it out."""
    first = texts[0]
    earlier = last_group_before(text, offset)
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
    rest = [*texts[1:], *further]
    if perpetrator is None or perpetrator in GENERIC_ACTORS:
        # "JNIM claimed the ambush the next day", "Residents blamed the attack on JNIM",
        # "JNIM took responsibility on Thursday": told after the event's own sentence and
        # before the next event.
        for later in rest:
            if not _speaks_of_this_event(later):
                continue
            found, how = perpetrator_in(later, tag.type, earlier, target)
            if found is not None and found not in GENERIC_ACTORS:
                perpetrator, attribution = found, how
                break
    elif attribution is not Attribution.claimed:
        # "JNIM fighters attacked the post ..." then "The group claimed the attack the
        # next day": the perpetrator's own claim (or its organisation's), told later.
        for later in rest:
            if not _speaks_of_this_event(later):
                continue
            found, how = perpetrator_in(later, tag.type, perpetrator, target)
            if how is Attribution.claimed and found is not None and _same_group(found, perpetrator):
                attribution = how
                break
    named_here = {m.canonical for t in texts for m in actors_in(t)}
    unsure = perpetrator is None or (
        perpetrator not in STATE_ACTORS
        and (perpetrator in GENERIC_ACTORS or perpetrator not in named_here)
    )
    # A strike, or fighters "neutralised" (the state's word for its own operations) in a
    # sentence that is not about fighting off someone else's attack.
    defended = bool(cue("repel").search(first))
    strike = (
        tag.type in STATE_TYPES
        or IncidentType.airstrike in cue_types(first)
        or (bool(cue("state_operation").search(first)) and not defended)
    )
    if perpetrator is None and state_agent_in(first):
        # "Soldiers detained men at a checkpoint and executed them": whose soldiers, the
        # event's place says.
        state = state_force_of(_country_of(texts) or document_country(text))
        if state is not None:
            return state, Attribution.attributed, target
    if unsure and strike and any(official_speaks(t) for t in texts):
        # "The army said a drone strike near X neutralised ...": the state tells its own
        # operation; whose forces, the speaker says ("the Barkhane command"), else the
        # event's place, else the document's country.
        state = next((n for t in texts if (n := state_speaker(t))), None) or state_force_of(
            _country_of(texts) or document_country(text)
        )
        if state is not None:
            perpetrator, attribution = state, Attribution.claimed
    return perpetrator, attribution, target


def _country_of(texts: list[str]) -> str | None:
    """The one country the event's sentences place it in, if they name places at all."""
    countries = {place.country for t in texts for _, _, place in find_places(t) if place.country}
    return next(iter(countries)) if len(countries) == 1 else None


def _speaks_of_this_event(sentence: str) -> bool:
    """A later sentence that can name who did the event before it: it points back at it
    ("claimed the attack"), blames or suspects someone, or claims with no other object
    ("JNIM took responsibility on Thursday"); never an aggregate ("claimed 24 attacks")."""
    if cue("aggregate").search(sentence):
        return False
    return bool(
        tells_known_event(sentence)
        or cue("blame").search(sentence)
        or cue("suspect").search(sentence)
        or cue("claim").search(sentence)
    )


def _same_group(found: str, perpetrator: str) -> bool:
    """The same group, or a branch and its organisation ("ISGS" and "Islamic State")."""
    return (family_of(found) or found) == (family_of(perpetrator) or perpetrator)


def _counts_of(
    texts: list[str], further: list[str], *, state_operation: bool = False
) -> dict[str, str]:
    """Counts from the event's sentences; a figure they lack from the sentences that follow
    before the next event ("Survivors gave the names of 37 people killed."), never from an
    aggregate ("more than 400 killed since January")."""
    counts = _reported_first(texts)
    later = _reported_first([t for t in further if not cue("aggregate").search(t)])
    merged = {**later, **counts}
    if state_operation and "killed" not in merged and "perpetrators_killed" in merged:
        # A strike's dead are its victims, fighters or not: the attacker is the state.
        merged["killed"] = merged.pop("perpetrators_killed")
    return merged


def _reported_first(texts: list[str]) -> dict[str, str]:
    """Counts per field, a figure others report before one only a claim gives ("the group
    said 40 soldiers had been killed", then "the ministry: 21 soldiers killed")."""
    claims = [t for t in texts if cue("claim").search(t) and not cue("no_claim").search(t)]
    return {**counts_in(claims), **counts_in([t for t in texts if t not in claims])}


def dated_before(
    sentence: Sentence, sentences: list[Sentence], reading: str, published: dt.date | None
) -> Sentence | None:
    """The sentence just before the event's, in its paragraph, when it gives an event date:
    "On Tuesday, a new attack hit the army. Three soldiers were killed when ..." is Tuesday."""
    if sentence.index == 0:
        return None
    other = sentences[sentence.index - 1]
    if other.paragraph != sentence.paragraph:
        return None
    return other if event_date_text(reading[other.start : other.end], published) else None


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
