"""Which incidents of several documents are one event: features, blocking, the pairwise
decision and clusters (steps 1 to 3 of ``llmextract.dataset.events``, which says what
each threshold does)."""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from llmextract.dataset.records import Record
from llmextract.normalize.actors import actor_entries, canonical_actor
from llmextract.normalize.lexicon import groups
from llmextract.normalize.text import fold

# Thresholds of the decision, in one place (``dataset.events``' docstring says what each does).
DATE_WINDOW_DAYS = 3  # two resolved ranges further apart than this are two events
NARROW_DAYS = 7  # a range at most this long counts as a precise date
NEAR_KM = 25.0  # two named places with coordinates closer than this can be one place
MAX_SWEEP_DAYS = 31  # ranges longer than this are not swept against unlocated incidents
MAX_UNDATED_BLOCK = 400  # an undated incident is paired with its place block up to this size
MERGE_SCORE = 3.0
SCORE = {
    "same_place": 2.0,  # both name the place and it is the same (or within NEAR_KM)
    "same_admin1": 1.0,  # one names no place, both name the same region
    "same_dates": 2.0,  # both dates within NARROW_DAYS, and the ranges overlap
    "near_dates": 1.5,  # both narrow, apart by at most DATE_WINDOW_DAYS
    "wide_dates": 1.0,  # dates compatible but one is a week, a month or a year
    "undated": -0.5,  # one side has no date: place and tactic alone are not enough
    "same_tactic": 1.0,
    "related_tactic": 0.5,  # different tactics that can be one event
    "same_count": 1.0,  # the same killed (or kidnapped) figure
    "close_count": 0.5,  # figures within COUNT_RATIO of each other
    "same_perpetrator": 0.5,
    "same_target": 0.5,
}
COUNT_RATIO = 0.75
ARMED_SIDES = {"state": "forces", "foreign": "forces", "jihadist": "groups", "militia": "groups"}
# SPEC's generic actors that still name a side: "jihadists" are an armed group;
# "unidentified armed group" names none.
GENERIC_SIDES = {"jihadists": "groups"}
GEO_RANK = {"place": 0, "near": 1, "admin1": 2, "country": 3, "unknown": 4}
COUNT_FIELDS = ("killed", "wounded", "kidnapped", "perpetrators_killed")


def _enum(value: Any) -> Any:
    return getattr(value, "value", value)


@dataclass(frozen=True)
class Features:
    """What the decision reads of one incident, computed once."""

    document: tuple[str, str]
    country: str | None
    admin1: str | None
    place: str | None
    coords: tuple[float, float] | None
    start: dt.date | None
    end: dt.date | None
    tactic: str
    perpetrator: str | None
    side: str | None
    target_type: str | None
    killed: int | None
    kidnapped: int | None


def _key(name: str | None) -> str | None:
    """Folded with spaces and hyphens removed: "Bani Bangou" and "Banibangou" agree."""
    return fold(name).replace(" ", "") or None if name else None


def features(record: Record) -> Features:
    i = record.incident
    perpetrator = canonical_actor(i.perpetrator)
    entry = actor_entries().get(perpetrator or "")
    start, end = i.date_start, i.date_end
    if start is not None and end is None:
        end = start
    if end is not None and start is None:
        start = end
    coords = (
        (i.latitude, i.longitude) if i.latitude is not None and i.longitude is not None else None
    )
    target = _enum(i.target_type)
    return Features(
        document=record.document,
        country=_key(i.country),
        admin1=_key(i.admin1),
        place=_key(i.place),
        coords=coords,
        start=start,
        end=end,
        tactic=_enum(i.incident_type),
        perpetrator=perpetrator,
        side=GENERIC_SIDES.get(perpetrator or "")
        or (ARMED_SIDES.get(entry.kind) if entry else None),
        target_type=None if target in (None, "unknown", "other") else target,
        killed=i.killed,
        kidnapped=i.kidnapped,
    )


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 12742.0 * math.asin(math.sqrt(h))


@cache
def _tactic_groups() -> tuple[frozenset[str], ...]:
    return groups("same_event_tactics")


def tactics_related(a: str, b: str) -> bool:
    return a == b or any(a in g and b in g for g in _tactic_groups())


def _date_gap(a: Features, b: Features) -> int | None:
    """Days between two ranges (0 when they overlap); None when either is undated."""
    if a.start is None or b.start is None or a.end is None or b.end is None:
        return None
    return max((b.start - a.end).days, (a.start - b.end).days, 0)


def _same_place(a: Features, b: Features) -> bool | None:
    """True when both name the same place (or places within NEAR_KM); False when both
    name places known to be apart; None when one names none, or two different names of
    which one the gazetteer cannot locate and the regions do not tell them apart (a
    village it lacks may lie next to the town another outlet names)."""
    if a.place is None or b.place is None:
        return None
    if a.place == b.place:
        return True
    if a.coords and b.coords:
        return km(a.coords, b.coords) <= NEAR_KM
    # One name the gazetteer cannot place: apart only when the regions say so.
    return None if not (a.admin1 and b.admin1) or a.admin1 == b.admin1 else False


def coherent(a: Features, b: Features) -> bool:
    """Place, date and country can be one event: the test every pair of a cluster passes."""
    if a.country and b.country and a.country != b.country:
        return False
    if a.admin1 and b.admin1 and a.admin1 != b.admin1:
        return False
    if _same_place(a, b) is False:
        return False
    gap = _date_gap(a, b)
    return gap is None or gap <= DATE_WINDOW_DAYS


def compatible(a: Features, b: Features) -> bool:
    """The hard vetoes of the pairwise decision."""
    if a.document == b.document or not coherent(a, b):
        return False
    if not tactics_related(a.tactic, b.tactic):
        return False
    return not (a.side and b.side and a.side != b.side)


def _narrow(f: Features) -> bool:
    return f.start is not None and f.end is not None and (f.end - f.start).days < NARROW_DAYS


def _count_score(x: int | None, y: int | None) -> float:
    if x is None or y is None:
        return 0.0
    if x == y:
        return SCORE["same_count"]
    if min(x, y) / max(x, y) >= COUNT_RATIO:
        return SCORE["close_count"]
    return 0.0


def pair_score(a: Features, b: Features) -> float:
    """Evidence that two compatible incidents are one event (see ``SCORE``)."""
    score = 0.0
    if _same_place(a, b):
        score += SCORE["same_place"]
    elif a.admin1 and a.admin1 == b.admin1:
        score += SCORE["same_admin1"]
    gap = _date_gap(a, b)
    if gap is None:
        score += SCORE["undated"]
    elif _narrow(a) and _narrow(b):
        score += SCORE["same_dates"] if gap == 0 else SCORE["near_dates"]
    else:
        score += SCORE["wide_dates"]
    score += SCORE["same_tactic"] if a.tactic == b.tactic else SCORE["related_tactic"]
    score += max(_count_score(a.killed, b.killed), _count_score(a.kidnapped, b.kidnapped))
    if a.perpetrator and a.perpetrator == b.perpetrator:
        score += SCORE["same_perpetrator"]
    if a.target_type and a.target_type == b.target_type:
        score += SCORE["same_target"]
    return score


# --------------------------------------------------------------------------- blocking


def _sweep(indexes: list[int], feats: Sequence[Features], pairs: set[tuple[int, int]]) -> None:
    """Pair every dated incident with those starting within its range plus the window."""
    ordered = sorted(indexes, key=lambda i: feats[i].start)  # type: ignore[arg-type, return-value]
    for pos, i in enumerate(ordered):
        limit = feats[i].end + dt.timedelta(days=DATE_WINDOW_DAYS)  # type: ignore[operator]
        for j in ordered[pos + 1 :]:
            if feats[j].start > limit:  # type: ignore[operator]
                break
            pairs.add((min(i, j), max(i, j)))


Region = tuple[str | None, str | None]  # (country, admin1), folded


def _regions_of(f: Features, regions: Sequence[Region]) -> list[Region]:
    """The (country, admin1) blocks an incident can share an event with: its own, and
    those that leave out the country or the region."""
    if f.country and f.admin1:
        return [(f.country, f.admin1), (f.country, None), (None, f.admin1), (None, None)]
    return [
        r
        for r in regions
        if (f.country is None or r[0] in (f.country, None))
        and (f.admin1 is None or r[1] in (f.admin1, None))
    ]


def candidate_pairs(feats: Sequence[Features]) -> set[tuple[int, int]]:
    """Blocking: the pairs worth deciding on (see ``dataset.events``' docstring)."""
    pairs: set[tuple[int, int]] = set()
    by_place: dict[str, list[int]] = defaultdict(list)
    by_region: dict[Region, list[tuple[dt.date, int]]] = defaultdict(list)
    unlocated: list[int] = []
    for i, f in enumerate(feats):
        if f.place:
            by_place[f.place].append(i)
        if f.start is not None and f.end is not None:
            if (f.end - f.start).days <= MAX_SWEEP_DAYS:
                by_region[(f.country, f.admin1)].append((f.start, i))
            if not f.place or f.coords is None:
                unlocated.append(i)
    # An undated incident that names a place: against its region's incidents while the
    # block is small ("attack on a patrol near X" in a teaser list, the dated report from a
    # village near X in another).
    by_admin1: dict[Region, list[int]] = defaultdict(list)
    for i, f in enumerate(feats):
        if f.admin1:
            by_admin1[(f.country, f.admin1)].append(i)
    for members in by_admin1.values():
        if len(members) <= MAX_UNDATED_BLOCK:
            for i in members:
                if feats[i].start is None and feats[i].place:
                    pairs.update((min(i, j), max(i, j)) for j in members if j != i)
    for members in by_place.values():
        dated = [i for i in members if feats[i].start is not None]
        _sweep(dated, feats, pairs)
        if len(members) <= MAX_UNDATED_BLOCK:
            for i in members:
                if feats[i].start is None:
                    pairs.update((min(i, j), max(i, j)) for j in members if j != i)
    # A dated incident without a located place: against every dated incident of its
    # region (and of the blocks that name no region or no country) within the window.
    index = {}
    for region, rows in by_region.items():
        rows.sort()
        index[region] = ([d for d, _ in rows], [i for _, i in rows])
    regions = list(index)
    back = dt.timedelta(days=DATE_WINDOW_DAYS + MAX_SWEEP_DAYS)
    ahead = dt.timedelta(days=DATE_WINDOW_DAYS)
    for i in unlocated:
        f = feats[i]
        for region in _regions_of(f, regions):
            if region not in index:
                continue
            days, ids = index[region]
            lo = bisect.bisect_left(days, f.start - back)  # type: ignore[operator]
            hi = bisect.bisect_right(days, f.end + ahead)  # type: ignore[operator]
            pairs.update((min(i, j), max(i, j)) for j in ids[lo:hi] if j != i)
    return pairs


# --------------------------------------------------------------------------- clusters


def scored_pairs(feats: Sequence[Features]) -> list[tuple[float, int, int]]:
    """Candidate pairs that pass the decision, best first (ties in index order)."""
    kept = []
    for i, j in candidate_pairs(feats):
        a, b = feats[i], feats[j]
        if compatible(a, b):
            score = pair_score(a, b)
            if score >= MERGE_SCORE:
                kept.append((score, i, j))
    kept.sort(key=lambda t: (-t[0], t[1], t[2]))
    return kept


def cluster(feats: Sequence[Features]) -> list[list[int]]:
    """Clusters of incident indexes (singletons included), each sorted, in first-member order."""
    owner = list(range(len(feats)))
    members: dict[int, list[int]] = {i: [i] for i in range(len(feats))}
    for _, i, j in scored_pairs(feats):
        ci, cj = owner[i], owner[j]
        if ci == cj:
            continue
        a, b = members[ci], members[cj]
        if {feats[x].document for x in a} & {feats[y].document for y in b}:
            continue
        if not all(coherent(feats[x], feats[y]) for x in a for y in b):
            continue
        if len(a) < len(b):
            ci, cj, a, b = cj, ci, b, a
        a.extend(b)
        for y in b:
            owner[y] = ci
        del members[cj]
    return sorted((sorted(m) for m in members.values()), key=lambda m: m[0])
