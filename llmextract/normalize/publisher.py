"""The publisher as a source: a ministry's communiqué, an embassy's statement or an NGO's
release tells its incidents in its own voice, so the organisation is one of those who say
so, though the text never writes "the ministry said".  A news outlet, monitor or
encyclopedia only relays others and is never a source.  Which publishers speak for
themselves is data (``speaking_publishers`` and ``media_publishers`` in the lexicon)."""

from __future__ import annotations

import re

from llmextract.normalize.actors import state_force_of
from llmextract.normalize.attribution import OFFICIAL, STATE_ACTORS, actors_in
from llmextract.normalize.countries import with_demonym_country
from llmextract.normalize.lexicon import cue
from llmextract.normalize.places import resolve_location
from llmextract.normalize.record import confirmation_of
from llmextract.normalize.text import fold
from llmextract.schema import Attribution, Incident, Source, Stance

_ASIDE = re.compile(r"\s*\([^)]*\)")


def speaking_publisher(publisher: str | None) -> str | None:
    """The publisher's name when it is an organisation speaking in its own voice."""
    if not publisher:
        return None
    name = _ASIDE.sub("", publisher).split(",")[0].strip()
    if not name or cue("media_publishers").search(name):
        return None
    return name if cue("speaking_publishers").search(name) else None


def _speaks_for(name: str) -> set[str]:
    """The state forces an official publisher speaks for: named ("FAMa General Staff"), or
    the armed forces of the country its name gives ("Nigerien Ministry of Defence")."""
    forces = {m.canonical for m in actors_in(name)}
    if OFFICIAL.search(name):
        country = with_demonym_country(resolve_location(name), name).country
        if (force := state_force_of(country)) is not None:
            forces.add(force)
    return forces


def with_publisher(incident: Incident, publisher: str | None) -> Incident:
    """The incident with its publisher among its sources: the state's own account of its
    own operation is its claim, anything else a report."""
    name = speaking_publisher(publisher)
    if name is None or any(fold(s.source) == fold(name) for s in incident.sources):
        return incident
    own_operation = incident.perpetrator in STATE_ACTORS and incident.perpetrator in _speaks_for(
        name
    )
    stance = Stance.claims if own_operation else Stance.reports
    sources = [*incident.sources, Source(source=name, stance=stance)]
    update: dict[str, object] = {"sources": sources, "confirmation": confirmation_of(sources)}
    if own_operation:
        update["attribution"] = Attribution.claimed
    return incident.model_copy(update=update)
