"""Mentions of one event in a document, joined by what they say.

A report names its main event several times: the lede, the figures, the claim, the
confirmation, the aftermath.  Each mention is coded on its own, then joined here to the
earlier mention it agrees with best: the same place, time, tactic, attacker, victims,
and nearness in the text.  Hard disagreements (two named places, disjoint dates, two
named attackers, two countries, tactics that cannot be one event) keep mentions apart,
as ANNOTATION.md asks; a mention that names neither place nor date joins the nearest
event it does not contradict.  Which tactics can be one event is data
(``same_event_tactics`` in ``data/lexicon.json``).
"""

from __future__ import annotations

import re

from llmextract.normalize.actors import actors_of_kind, family_of, organisations
from llmextract.normalize.attribution import STATE_ACTORS
from llmextract.normalize.count_tables import VAGUE_FIGURES
from llmextract.normalize.counts import NUMBER_PATTERN
from llmextract.normalize.lexicon import groups
from llmextract.normalize.rules import tells_known_event
from llmextract.normalize.text import fold
from llmextract.schema import (
    COUNT_FIELDS,
    Attribution,
    Confirmation,
    DatePrecision,
    GeoPrecision,
    Incident,
    IncidentType,
    Stance,
)
from llmextract.segments import StoryUnits

# Affinity a pair needs to be joined; each agreement below adds to it.
JOIN_AT = 3.0
_NEARBY_CHARS = 600  # mentions this close in the text are likely one story's parts
_GENERIC = actors_of_kind("generic")
_VAGUE_ACTORS = _GENERIC | organisations()
# How precisely a mention places the event: the most precise one tells the merged event's.
_SPECIFICITY = {
    GeoPrecision.unknown: 0,
    GeoPrecision.country: 1,
    GeoPrecision.admin1: 2,
    GeoPrecision.near: 3,
    GeoPrecision.place: 3,
}
_LOCATION_FIELDS = (
    "location_text", "place", "admin1", "country", "geo_precision", "latitude", "longitude",
)  # fmt: skip


def tactics_compatible(a: IncidentType, b: IncidentType) -> bool:
    """Whether two tactics can describe one event ("a suicide car bomb, then gunmen stormed
    the camp"); ``other`` goes with anything."""
    if a == b or IncidentType.other in (a, b):
        return True
    return any(a.value in group and b.value in group for group in groups("same_event_tactics"))


def _actors_compatible(a: str | None, b: str | None) -> bool:
    """The same attacker, or one named vaguely ("gunmen", "the Islamic State") and the
    other precisely; never state forces and an armed group."""
    if not a or not b or a == b:
        return True
    if (a in STATE_ACTORS) != (b in STATE_ACTORS):
        return False
    if a in _VAGUE_ACTORS or b in _VAGUE_ACTORS:
        return True
    return family_of(a) is not None and family_of(a) in (b, family_of(b))


def _dates_overlap(a: Incident, b: Incident) -> bool | None:
    """True/False when both are dated, None when either is not."""
    if not (a.date_start and a.date_end and b.date_start and b.date_end):
        return None
    return not (a.date_end < b.date_start or b.date_end < a.date_start)


def _dates_narrower(inner: Incident, outer: Incident) -> bool:
    """Whether one mention's dates lie within the other's and say less time."""
    if not (inner.date_start and inner.date_end and outer.date_start and outer.date_end):
        return False
    within = outer.date_start <= inner.date_start and inner.date_end <= outer.date_end
    return within and (inner.date_end - inner.date_start) < (outer.date_end - outer.date_start)


def _first_offset(incident: Incident) -> int | None:
    starts = [e.start for e in incident.evidence if e.start is not None]
    return min(starts) if starts else None


def _last_offset(incident: Incident) -> int | None:
    ends = [e.end for e in incident.evidence if e.end is not None]
    return max(ends) if ends else None


def _places_conflict(a: Incident, b: Incident) -> bool:
    if a.place and b.place and fold(a.place) != fold(b.place):
        return True
    if a.admin1 and b.admin1 and fold(a.admin1) != fold(b.admin1):
        return True
    return bool(a.country and b.country and a.country != b.country)


def _thin(incident: Incident) -> bool:
    """A mention that says only when: no place, no attacker, no figure ("vehicles were
    still burning on Sunday morning", "the assault began in the afternoon")."""
    return not (
        incident.place
        or incident.perpetrator
        or any(getattr(incident, name) is not None for name in COUNT_FIELDS)
    )


def _days_apart(a: Incident, b: Incident) -> int | None:
    if not (a.date_start and a.date_end and b.date_start and b.date_end):
        return None
    return max((b.date_start - a.date_end).days, (a.date_start - b.date_end).days, 0)


def _refers_back(incident: Incident) -> bool:
    """A mention with no place of its own that reports on "the attack" told before."""
    return (
        not incident.place
        and bool(incident.evidence)
        and tells_known_event(incident.evidence[0].quote)
    )


def _gap(earlier: Incident, later: Incident) -> int | None:
    """Characters between the end of one mention and the start of the next (None: unknown
    or out of order)."""
    end, start = _last_offset(earlier), _first_offset(later)
    if end is None or start is None:
        return None
    return max(0, start - end) if start >= _first_offset(earlier) else None  # type: ignore[operator]


def _nearby(earlier: Incident, later: Incident) -> bool:
    gap = _gap(earlier, later)
    return gap is not None and gap <= _NEARBY_CHARS


def mention_affinity(
    earlier: Incident, later: Incident, units: StoryUnits | None = None
) -> float | None:
    """How strongly two mentions agree on one event; None when they cannot be one.
    ``units``: a listing page's stories; nearness counts only within one story."""
    if _places_conflict(earlier, later):
        return None
    if (
        earlier.date_text
        and later.date_text
        and not (earlier.date_start or later.date_start)
        and fold(earlier.date_text) != fold(later.date_text)
    ):
        return None  # "Sunday's siege" and "last month's assault", neither resolvable
    overlap = _dates_overlap(earlier, later)
    if overlap is False:
        # An aftermath or a statement told a day or two later, right after the event.
        gap = _days_apart(earlier, later)
        if not (_thin(later) and _nearby(earlier, later) and gap is not None and gap <= 2):
            return None
        overlap = None
    if not _actors_compatible(earlier.perpetrator, later.perpetrator):
        return None
    if not tactics_compatible(earlier.incident_type, later.incident_type):
        return None
    score = 0.0
    if earlier.place and later.place:
        score += 3.0
    if overlap:
        same_day = (
            earlier.date_precision == DatePrecision.day
            and later.date_precision == DatePrecision.day
        )
        score += 2.0 if same_day else 1.0
    if earlier.incident_type == later.incident_type and earlier.incident_type != IncidentType.other:
        score += 1.0
    if earlier.perpetrator and earlier.perpetrator == later.perpetrator:
        score += 1.0
    if earlier.target_type == later.target_type and earlier.target_type.value != "unknown":
        score += 1.0
    if earlier.killed is not None and earlier.killed == later.killed:
        score += 1.0
    gap = _gap(earlier, later)
    if (
        gap is not None
        and units is not None
        and not units.same(_last_offset(earlier) or 0, _first_offset(later) or 0)
    ):
        gap = None
    if gap is not None and _refers_back(later):
        score += 3.0 - min(gap, 3 * _NEARBY_CHARS) / (3 * _NEARBY_CHARS)  # the nearest one
    if gap is not None and gap <= _NEARBY_CHARS:
        # Told close together: a mention without a place or date of its own adds to the
        # event beside it ("The army confirmed the toll."), the nearer the likelier.
        score += 2.0 - gap / _NEARBY_CHARS
        if _thin(later):
            score += 1.0
        for one in (earlier, later):
            if not one.place:
                score += 1.0
            if not one.place and not one.date_text:
                score += 1.0
    return score


def _actor_precision(actor: str | None) -> int:
    """0 none, 1 generic ("gunmen"), 2 an organisation ("the Islamic State"), 3 named."""
    if not actor:
        return 0
    if actor in _GENERIC:
        return 1
    return 2 if actor in _VAGUE_ACTORS else 3


def _head_count(target: str | None) -> bool:
    """A target that is only a count of victims ("14 soldiers", "at least 11 civilians")."""
    return bool(target) and bool(_COUNTED_TARGET.match(target or ""))


_QUALIFIER_WORDS = r"(?:at least|about|around|some|more than|over|nearly|almost)"
_COUNTED_TARGET = re.compile(rf"^(?:{_QUALIFIER_WORDS}\s+)?(?:{NUMBER_PATTERN})\s", re.I)


def _claimed_counts(incident: Incident) -> bool:
    return incident.attribution == Attribution.claimed and not any(
        s.stance == Stance.confirms for s in incident.sources
    )


def merge_pair(first: Incident, second: Incident) -> Incident:
    """One incident from two mentions: the first mention's values, gaps filled from the
    second; counts from the highest figure a source other than the claimant gives (tolls
    rise as bodies are found; a claim's figure only when nobody else gives one)."""
    data = first.model_dump()
    other = second.model_dump()
    for name, value in other.items():
        if name in ("evidence", "sources", "summary", *COUNT_FIELDS):
            continue
        if data[name] in (None, "", [], "unknown") and value not in (None, "", [], "unknown"):
            data[name] = value
    for name in COUNT_FIELDS:
        data[name] = _merged_count(first, second, name)
    more_precise = _SPECIFICITY[second.geo_precision] > _SPECIFICITY[first.geo_precision]
    if more_precise and not _places_conflict(first, second):
        # "in northern Burkina Faso" in the lede, "at the site of X, 25 km from Y" later.
        for name in _LOCATION_FIELDS:
            data[name] = other[name]
    if (first.date_start is None and second.date_start is not None) or _dates_narrower(
        second, first
    ):
        # "this year" in the lede, "18 July" in the figures: the most precise date.
        for name in ("date_text", "date_start", "date_end", "date_precision"):
            data[name] = other[name]
    if first.incident_type == IncidentType.other:
        data["incident_type"] = second.incident_type
    if _head_count(first.target) and second.target and not _head_count(second.target):
        # "14 soldiers" in a headline, "an army supply convoy" in the body: the party hit.
        data["target"], data["target_type"] = second.target, second.target_type
    if _actor_precision(second.perpetrator) > _actor_precision(first.perpetrator):
        # "jihadists" in the lede, "the Islamic State" in the claim, "ISSP" in the figures.
        data["perpetrator"], data["attribution"] = second.perpetrator, second.attribution
    if second.attribution == Attribution.claimed and second.perpetrator == data["perpetrator"]:
        data["attribution"] = Attribution.claimed
    seen_quotes = {e["quote"] for e in data["evidence"]}
    data["evidence"] += [e for e in other["evidence"] if e["quote"] not in seen_quotes]
    seen_sources = {(s["source"], s["stance"]) for s in data["sources"]}
    data["sources"] += [
        s for s in other["sources"] if (s["source"], s["stance"]) not in seen_sources
    ]
    merged = Incident.model_validate(data)
    stances = {s.stance for s in merged.sources}
    if Stance.denies in stances:
        merged.confirmation = Confirmation.disputed
    elif stances & {Stance.confirms, Stance.reports}:
        merged.confirmation = Confirmation.confirmed
    return merged


def _merged_count(first: Incident, second: Incident, name: str) -> int | None:
    """The higher of two figures from sources other than the claimant; a claim's figure
    only when nobody else gives one.  A vague word's figure ("dozens" = 12) yields to a
    stated number, whichever is higher."""
    values = [(getattr(i, name), _claimed_counts(i)) for i in (first, second)]
    plain = [v for v, claimed in values if v is not None and not claimed]
    if len(plain) == 2 and plain[0] != plain[1] and VAGUE_FIGURES & set(plain):
        exact = [v for v in plain if v not in VAGUE_FIGURES]
        if exact:
            return exact[0]
    if plain:
        return max(plain)
    claimed = [v for v, _ in values if v is not None]
    return claimed[0] if claimed else None


def merge_mentions(incidents: list[Incident], units: StoryUnits | None = None) -> list[Incident]:
    """Fold each mention into the earlier incident it agrees with best, if well enough."""
    merged: list[Incident] = []
    for incident in incidents:
        scored = [
            (mention_affinity(kept, incident, units), index) for index, kept in enumerate(merged)
        ]
        best = max(((s, -i) for s, i in scored if s is not None), default=None)
        if best is not None and best[0] >= JOIN_AT:
            index = -best[1]
            merged[index] = merge_pair(merged[index], incident)
        else:
            merged.append(incident)
    return merged


def only_in_headline(incident: Incident, headline_end: int) -> bool:
    return bool(incident.evidence) and all(
        e.start is not None and e.start < headline_end for e in incident.evidence
    )


def absorb_headline(incidents: list[Incident], headline_end: int) -> list[Incident]:
    """A headline names the story's main event: a headline mention with no place of its own
    joins the body incident it agrees with best (the first, on a tie)."""
    result = list(incidents)
    for incident in incidents:
        if not only_in_headline(incident, headline_end) or incident.place:
            continue
        scored = [
            (affinity, -index)
            for index, other in enumerate(result)
            if other is not incident and not only_in_headline(other, headline_end)
            for affinity in [mention_affinity(incident, other)]
            if affinity is not None
        ]
        if not scored:
            continue
        partner = -max(scored)[1]
        joined = merge_pair(result[partner], incident)
        joined.evidence = [*incident.evidence, *result[partner].evidence]
        result[partner] = joined
        result.remove(incident)
    return result
