"""``llmextract events``: one event told by several documents becomes one record.

Three steps, each testable on its own:

1. **Blocking** (``candidate_pairs``): only incidents that could be one event are ever
   compared.  Two blocks: the same named place in the same country (sorted by date, so
   only incidents within the date window are paired; an undated one is paired with the
   whole block when the block is small), and, for a dated incident whose place is
   missing or not in the gazetteer, the dated incidents of its region (country, admin1)
   within the date window; an undated incident that names a place is also paired with
   its region's incidents when that block is small.  An incident with neither a place nor a date
   is never a candidate: type and country alone do not identify an attack.  Cost grows
   with the incidents per place and per day, not with the square of the table.
2. **Pairwise decision** (``compatible`` then ``pair_score``): hard vetoes first (same
   document: the extraction already merged a document's mentions; two countries or two
   regions; two named places more than ``NEAR_KM`` apart; date ranges more than
   ``DATE_WINDOW_DAYS`` apart; tactics that cannot be one event, from the lexicon's
   ``same_event_tactics``; state or foreign forces against an armed group as the
   perpetrator), then evidence for: the same named place, overlapping narrow dates, the
   same tactic, the same figure, the same perpetrator and target kind.  Tolls that differ
   never veto (they rise as a story develops).  A pair merges at ``MERGE_SCORE``.
3. **Clusters** (``cluster``): pairs are taken best first; two clusters join only when
   they share no document and every member of one is compatible on place, date and
   country with every member of the other, so an undated or placeless incident cannot
   bridge two different attacks.

Conflicting values are resolved by ``resolve`` (the policy is in its docstring) and every
member's value is kept under ``values``, with a link (run, doc_id, index, file) to each
per-document record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Sequence
from typing import Any

from llmextract.dataset.export import iso3
from llmextract.dataset.matching import (
    COUNT_FIELDS,
    COUNT_RATIO,
    DATE_WINDOW_DAYS,
    GEO_RANK,
    MERGE_SCORE,
    NARROW_DAYS,
    NEAR_KM,
    SCORE,
    _enum,
    cluster,
    features,
)
from llmextract.dataset.records import Record
from llmextract.normalize.actors import actors_of_kind

# --------------------------------------------------------------------------- events


def _precision_key(record: Record) -> tuple[int, int, str]:
    """Narrower date ranges first, then earlier publication, then doc_id (stable)."""
    i = record.incident
    width = (i.date_end - i.date_start).days if i.date_start and i.date_end else 10**6
    published = record.published.toordinal() if record.published else 10**7
    return (width, published, record.ref)


def _latest_confirmed(records: list[Record], name: str) -> tuple[int | None, str | None]:
    """The figure of the latest-published member whose sources are not only the claimant,
    else of the latest-published member giving one."""
    given = [r for r in records if getattr(r.incident, name) is not None]
    if not given:
        return None, None
    independent = [r for r in given if any(_enum(s.stance) != "claims" for s in r.incident.sources)]
    pool = independent or given
    best = max(pool, key=lambda r: (r.published or dt.date.min, r.ref))
    return getattr(best.incident, name), best.ref


def resolve(records: list[Record]) -> dict[str, Any]:
    """One event's values from its members' (the conflict policy):

    * date: the narrowest resolved range (ties: the earliest publication);
    * place, admin1, country, coordinates, geo precision: from the member with the most
      precise location (place > near > admin1 > country; coordinates preferred), ties by
      the most common place;
    * incident type and target type: the most common (ties: the member with the
      narrowest date);
    * perpetrator: a claimant's if any member records a claim, else the most common named
      actor other than a generic one, else the first given; attribution follows it;
    * killed, wounded, kidnapped, perpetrators killed: the latest figure from a member
      with a source other than the claimant (the toll grows as a story develops; a
      claimant's figure is kept only when no one else gives one);
    * confirmation: disputed if any member says so, else confirmed if any, else the most
      common;
    * sources and evidence: all of them, each tagged with its document.
    """
    by_date = sorted(records, key=_precision_key)
    dated = next((r for r in by_date if r.incident.date_start), None)
    places = Counter(r.incident.place for r in records if r.incident.place)

    def geo_key(r: Record) -> tuple[int, int, int, tuple[int, int, str]]:
        i = r.incident
        return (
            GEO_RANK.get(_enum(i.geo_precision), 4) if i.place or i.admin1 else 5,
            0 if i.latitude is not None else 1,
            -places.get(i.place, 0),
            _precision_key(r),
        )

    located = min(records, key=geo_key)

    def common(name: str, skip: tuple[Any, ...] = (None,)) -> Any:
        values = [_enum(getattr(r.incident, name)) for r in by_date]
        counts = Counter(v for v in values if v not in skip)
        if not counts:  # only skipped values: the first given, narrowest date first
            return next((v for v in values if v is not None), None)
        top = max(counts.values())
        return next(v for v in values if counts.get(v) == top)

    claimed = [
        r for r in by_date if _enum(r.incident.attribution) == "claimed" and r.incident.perpetrator
    ]
    if claimed:
        perpetrator, attribution = claimed[0].incident.perpetrator, "claimed"
    else:
        perpetrator = common("perpetrator", (None, *actors_of_kind("generic")))
        attribution = next(
            (
                _enum(r.incident.attribution)
                for r in by_date
                if r.incident.perpetrator == perpetrator
            ),
            "unknown",
        )
    confirmations = {_enum(r.incident.confirmation) for r in records}
    confirmation = next(
        (c for c in ("disputed", "confirmed") if c in confirmations), common("confirmation")
    )
    event: dict[str, Any] = {
        "date_start": dated.incident.date_start if dated else None,
        "date_end": dated.incident.date_end if dated else None,
        "date_precision": _enum(dated.incident.date_precision) if dated else "unknown",
        "place": located.incident.place,
        "admin1": located.incident.admin1,
        "country": located.incident.country or common("country"),
        "geo_precision": _enum(located.incident.geo_precision),
        "latitude": located.incident.latitude,
        "longitude": located.incident.longitude,
        "location_text": located.incident.location_text,
        "incident_type": common("incident_type"),
        "perpetrator": perpetrator,
        "attribution": attribution,
        "target": next((r.incident.target for r in by_date if r.incident.target), None),
        "target_type": common("target_type", (None, "unknown")),
        "confirmation": confirmation,
        "summary": by_date[0].incident.summary,
    }
    chosen = {"date": dated.ref if dated else None, "location": located.ref}
    for name in COUNT_FIELDS:
        event[name], chosen[name] = _latest_confirmed(records, name)
    event["chosen_from"] = chosen
    return event


def event_id(records: list[Record], event: dict[str, Any]) -> str:
    """Stable id: country, first day, and a hash of the member links."""
    digest = hashlib.sha1(
        "|".join(sorted(f"{r.run}/{r.ref}" for r in records)).encode()
    ).hexdigest()[:8]
    day = event["date_start"].isoformat() if event["date_start"] else "undated"
    return f"{iso3(event['country'])}-{day}-{digest}"


def _member(record: Record) -> dict[str, Any]:
    return {
        "run": record.run,
        "doc_id": record.doc_id,
        "incident": record.index,
        "file": record.file,
        "published": record.published.isoformat() if record.published else None,
        "url": record.url,
        "outlet": record.outlet,
        "model": record.model,
        "prompt": record.prompt,
        "strategy": record.strategy,
    }


def _values(records: list[Record]) -> dict[str, list[dict[str, Any]]]:
    """Every member's value of every field it fills: nothing is lost in the merge."""
    fields = (
        "incident_type", "date_text", "date_start", "date_end", "date_precision",
        "location_text", "place", "admin1", "country", "latitude", "longitude",
        "perpetrator", "attribution", "target", "target_type", *COUNT_FIELDS, "confirmation",
    )  # fmt: skip
    out: dict[str, list[dict[str, Any]]] = {}
    for name in fields:
        values = []
        for r in records:
            value = _enum(getattr(r.incident, name))
            if value is not None:
                values.append({"doc_id": r.doc_id, "incident": r.index, "value": value})
        out[name] = values
    return out


def build_events(records: Sequence[Record]) -> list[dict[str, Any]]:
    """Cluster records and describe each event (JSON-ready except for dates)."""
    feats = [features(r) for r in records]
    events = []
    for indexes in cluster(feats):
        members = [records[i] for i in indexes]
        event = resolve(members)
        event["event_id"] = event_id(members, event)
        event["documents"] = len({r.document for r in members})
        event["members"] = [_member(r) for r in members]
        event["sources"] = [
            {**s.model_dump(mode="json"), "doc_id": r.doc_id}
            for r in members
            for s in r.incident.sources
        ]
        event["evidence"] = [
            {**e.model_dump(mode="json"), "doc_id": r.doc_id}
            for r in members
            for e in r.incident.evidence
        ]
        event["values"] = _values(members)
        events.append(event)
    return events


def policy() -> dict[str, Any]:
    """The decision's settings, written into every events file."""
    return {
        "date_window_days": DATE_WINDOW_DAYS,
        "narrow_days": NARROW_DAYS,
        "near_km": NEAR_KM,
        "merge_score": MERGE_SCORE,
        "score": dict(SCORE),
        "count_ratio": COUNT_RATIO,
    }
