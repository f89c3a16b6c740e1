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
from dataclasses import dataclass, replace
from functools import lru_cache

from rapidfuzz import fuzz

from llmextract.drafts import IncidentDraft
from llmextract.normalize.actors import canonical_actor
from llmextract.normalize.counts import parse_count
from llmextract.normalize.dates import (
    DateMention,
    DateRange,
    anchor_before,
    find_dates,
    resolve_date,
)
from llmextract.normalize.places import Location, resolve_location
from llmextract.normalize.rules import actors_in, last_group_before
from llmextract.normalize.text import fold
from llmextract.schema import (
    COUNT_FIELDS,
    Attribution,
    Confirmation,
    DatePrecision,
    Evidence,
    GeoPrecision,
    Incident,
    IncidentType,
    Source,
    Stance,
)
from llmextract.segments import split_sentences

# Names that say "some group" rather than which: resolved to the nearest named group.
_GENERIC_ACTORS = frozenset({"jihadists", "al Qaeda", "unidentified armed group"})
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


_DENIAL = re.compile(r"\b(den(y|ied|ies|ial)|reject|refut|dismiss|disput)", re.IGNORECASE)
_CONFIRMATION = re.compile(
    r"\b(confirm|said|says|say|report|according|announc|stated|told|acknowledg)", re.IGNORECASE
)


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
    draft: IncidentDraft, text: str, mention: MentionContext
) -> tuple[str | None, Attribution]:
    perpetrator = canonical_actor(draft.perpetrator)
    window = mention.window or text[mention.start : mention.end]
    if perpetrator and not (
        appears_in(window, draft.perpetrator) or mentions_actor(window, perpetrator)
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
    elif attribution == Attribution.unknown:
        attribution = Attribution.attributed
    return perpetrator, attribution


def sources_and_confirmation(
    perpetrator: str | None, attribution: Attribution, draft: IncidentDraft, window: str
) -> tuple[list[Source], Confirmation]:
    """Who said what, and whether someone other than the claimant confirms it."""
    sources: list[Source] = []
    if perpetrator and attribution == Attribution.claimed:
        sources.append(Source(source=perpetrator, stance=Stance.claims))
    confirmer = grounded_phrase(draft.confirmed_by, window, _CONFIRMATION) or ""
    if confirmer and canonical_actor(confirmer) != perpetrator:
        sources.append(Source(source=confirmer, stance=Stance.confirms))
    else:
        confirmer = ""
    denier = grounded_phrase(draft.denied_by, window, _DENIAL) or ""
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


# Trigger words that name the tactic, in priority order (ACLED-style keyword coding): the
# model's type is kept when its sentence supports it, replaced when the sentence names
# exactly one other tactic.
TYPE_CUES: tuple[tuple[IncidentType, re.Pattern[str]], ...] = (
    (IncidentType.suicide_bombing, re.compile(r"\bsuicide\b", re.I)),
    (
        IncidentType.ied,
        re.compile(r"\b(IEDs?|roadside bombs?|landmines?|mines?|explosive devices?)\b", re.I),
    ),
    (
        IncidentType.indirect_fire,
        re.compile(r"\b(rockets?|mortars?|shell(ing|ed)?|artillery)\b", re.I),
    ),
    (IncidentType.prison_break, re.compile(r"\b(prison|jail)\b|\binmates?\b", re.I)),
    (IncidentType.kidnapping, re.compile(r"\b(kidnap\w*|abduct\w*|hostages?)\b", re.I)),
    (IncidentType.airstrike, re.compile(r"\b(air ?strikes?|drone strikes?|bombard\w*)\b", re.I)),
    (IncidentType.ambush, re.compile(r"\bambush\w*\b", re.I)),
    (IncidentType.massacre, re.compile(r"\b(massacre\w*|civilians? (were )?killed)\b", re.I)),
    (IncidentType.clash, re.compile(r"\b(clash\w*|fighting between|battle)\b", re.I)),
    (
        IncidentType.armed_assault,
        re.compile(
            r"\b(assault\w*|raid\w*|storm\w*|siege|overr[au]n|attack\w* on (a|an|the) [\w ]{0,30}(base|post|camp|station|town|village|outpost|checkpoint))\b",
            re.I,
        ),
    ),
)


def cue_types(sentence: str) -> list[IncidentType]:
    return [kind for kind, pattern in TYPE_CUES if pattern.search(sentence)]


def checked_type(model_type: IncidentType, sentence: str) -> IncidentType:
    """The model's tactic if its sentence supports it (or names none), else the one it names."""
    cues = cue_types(sentence)
    if not cues or model_type in cues:
        return model_type
    if model_type == IncidentType.military_operation and IncidentType.airstrike not in cues:
        return model_type if len(cues) > 1 else cues[0]
    return cues[0]


def draft_to_incident(
    draft: IncidentDraft,
    *,
    text: str,
    published: dt.date | None,
    mention: MentionContext,
    evidence: list[Evidence],
    counts_from_text: bool = False,
) -> Incident:
    """Turn one draft into a validated SPEC incident.

    ``counts_from_text``: the draft's counts were read from the text by rules (they may be
    sums, "18 ... and two" = 20), so they need no check that a model did not copy them.
    """
    window = mention.window or text[mention.start : mention.end]
    sentence = text[mention.start : mention.end]
    date_text, dates = resolve_dates(draft.date_text, text, mention, published)
    # The place must be in the mention's own sentence: small models copy a neighbour's.
    location_text = grounded_phrase(draft.location_text, sentence)
    location = with_demonym_country(
        consistent_with_context(
            resolve_location(location_text, fallback_text=sentence), window, text
        ),
        sentence,
    )
    perpetrator, attribution = resolve_perpetrator(draft, text, mention)
    sources, confirmation = sources_and_confirmation(perpetrator, attribution, draft, window)
    counts = {
        name: parse_count(getattr(draft, name))
        if counts_from_text or grounded_count(getattr(draft, name), window, name)
        else None
        for name in COUNT_FIELDS
    }
    incident = Incident(
        summary="",
        incident_type=checked_type(draft.incident_type, sentence),
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


_DEMONYMS = {
    "malian": "Mali",
    "burkinabe": "Burkina Faso",
    "burkinabé": "Burkina Faso",
    "nigerien": "Niger",
}


_COUNTRY_WORDS = {
    "Mali": re.compile(r"\b(Mali|Malian)s?\b"),
    "Burkina Faso": re.compile(r"\b(Burkina|Burkinabe|Burkinabé)\b"),
    "Niger": re.compile(r"\b(Niger|Nigerien)s?\b(?! River)"),
}


def countries_named(text: str) -> set[str]:
    return {country for country, pattern in _COUNTRY_WORDS.items() if pattern.search(text)}


def consistent_with_context(location: Location, window: str, document: str = "") -> Location:
    """Drop a gazetteer match that the text contradicts.

    A spelling-variant match (the name is not literally in the text) in a country the text
    never names, while it names another, is a near-homonym elsewhere: keep only the country
    the text gives.  With no country in the window, the whole document's countries count.
    """
    if not location.place or not location.country or fold(location.place) in fold(window):
        return location
    named = countries_named(window) or countries_named(document)
    if not named or location.country in named:
        return location
    country = next(iter(named)) if len(named) == 1 else None
    precision = GeoPrecision.country if country else GeoPrecision.unknown
    return Location(None, None, country, precision, None, None)


def with_demonym_country(location: Location, sentence: str) -> Location:
    """A sentence that names no place but one Sahel demonym ("a Burkinabe gendarmerie post")
    still tells the country."""
    if location.country or location.place or location.admin1:
        return location
    found = {
        country for word, country in _DEMONYMS.items() if re.search(rf"\b{word}\b", sentence, re.I)
    }
    if len(found) != 1:
        return location
    return replace(location, country=found.pop(), geo_precision=GeoPrecision.country)


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


def _dates_conflict(a: Incident, b: Incident) -> bool:
    if a.date_start and b.date_start and a.date_end and b.date_end:
        return a.date_end < b.date_start or b.date_end < a.date_start
    return False


def _evidence_overlaps(a: Incident, b: Incident) -> bool:
    return any(
        x.start is not None
        and y.start is not None
        and x.end
        and y.end
        and x.start < y.end
        and y.start < x.end
        for x in a.evidence
        for y in b.evidence
    )


def same_event(a: Incident, b: Incident) -> bool:
    """Whether two coded mentions describe one event (conservative: different places,
    dates or means stay apart, as ANNOTATION.md says)."""
    if a.place and b.place and fold(a.place) != fold(b.place):
        return False
    if _dates_conflict(a, b):
        return False
    if a.perpetrator and b.perpetrator and a.perpetrator != b.perpetrator:
        return False
    same_place = bool(a.place and b.place)
    same_day = bool(
        a.date_start and a.date_start == b.date_start and a.date_precision == DatePrecision.day
    )
    same_type = a.incident_type == b.incident_type
    if _evidence_overlaps(a, b):
        return same_type or (same_place or same_day)
    if same_place:
        return True  # one named place, no conflicting date or perpetrator
    if same_day and same_type:
        # One side names no place: the same kind of event on the same day, told twice.
        return bool(a.place or b.place) or (
            fuzz.token_set_ratio(fold(a.target or ""), fold(b.target or "")) >= 80
        )
    return False


def merge_pair(first: Incident, second: Incident) -> Incident:
    """Keep the first mention's values, filling what it lacks from the second."""
    data = first.model_dump()
    other = second.model_dump()
    for name, value in other.items():
        if name in ("evidence", "sources", "summary"):
            continue
        if data[name] in (None, "", [], "unknown") and value not in (None, "", [], "unknown"):
            data[name] = value
    if first.geo_precision == GeoPrecision.unknown and second.geo_precision != GeoPrecision.unknown:
        for name in (
            "location_text",
            "place",
            "admin1",
            "country",
            "geo_precision",
            "latitude",
            "longitude",
        ):
            data[name] = other[name]
    if first.date_start is None and second.date_start is not None:
        for name in ("date_text", "date_start", "date_end", "date_precision"):
            data[name] = other[name]
    if first.incident_type == IncidentType.other:
        data["incident_type"] = second.incident_type
    seen_quotes = {e["quote"] for e in data["evidence"]}
    data["evidence"] += [e for e in other["evidence"] if e["quote"] not in seen_quotes]
    seen_sources = {(s["source"], s["stance"]) for s in data["sources"]}
    data["sources"] += [
        s for s in other["sources"] if (s["source"], s["stance"]) not in seen_sources
    ]
    merged = Incident.model_validate(data)
    if merged.confirmation == Confirmation.unconfirmed and any(
        s.stance == Stance.confirms for s in merged.sources
    ):
        merged.confirmation = Confirmation.confirmed
    if any(s.stance == Stance.denies for s in merged.sources):
        merged.confirmation = Confirmation.disputed
    merged.summary = summarise(merged)
    return merged


def merge_mentions(incidents: list[Incident]) -> list[Incident]:
    """Fold each incident into the first earlier one describing the same event."""
    merged: list[Incident] = []
    for incident in incidents:
        for index, kept in enumerate(merged):
            if same_event(kept, incident):
                merged[index] = merge_pair(kept, incident)
                break
        else:
            merged.append(incident)
    return merged


def absorb_headline(incidents: list[Incident], headline_end: int) -> list[Incident]:
    """A headline-only incident with no place or date joins the first body incident of its type."""
    kept: list[Incident] = []
    for incident in incidents:
        in_headline = all(e.start is not None and e.start < headline_end for e in incident.evidence)
        vague = not (incident.place or incident.admin1 or incident.date_text)
        if in_headline and vague and incident.evidence:
            partner = next(
                (
                    i
                    for i, other in enumerate(incidents)
                    if other is not incident and other.incident_type == incident.incident_type
                ),
                None,
            )
            if partner is not None:
                target = incidents[partner]
                target.evidence = [*incident.evidence, *target.evidence]
                continue
        kept.append(incident)
    return kept
