"""The tactic of an incident as SPEC names it: the model's tag, kept when the sentence's
own trigger words (``tactic_cues`` of the lexicon, ACLED-style keyword coding) allow
it, and set by who did it to whom (a state raid is a military operation; a massacre
hits civilians)."""

from __future__ import annotations

from functools import lru_cache

from llmextract.normalize.attribution import STATE_ACTORS
from llmextract.normalize.lexicon import cue_table
from llmextract.normalize.rules import EVENT_REFERENCE
from llmextract.schema import IncidentType, TargetType

# Tactics a sentence must name in its own words: a model's "prison_break" for "killed two
# gendarmes" is a copy from the examples, not a reading.
_NEEDS_CUE = frozenset(
    {IncidentType.prison_break, IncidentType.ied, IncidentType.suicide_bombing,
     IncidentType.indirect_fire, IncidentType.kidnapping, IncidentType.airstrike}
)  # fmt: skip


def supported_type(model_type: IncidentType, cues: list[IncidentType]) -> IncidentType:
    """The model's tactic unless it needs a trigger word its sentences lack."""
    if model_type in _NEEDS_CUE and model_type not in cues:
        return cues[0] if cues else IncidentType.other
    return model_type


def cue_types(sentence: str) -> list[IncidentType]:
    """Tactics the sentence names by trigger word (``tactic_cues`` of the lexicon), in
    priority order (ACLED-style keyword coding)."""
    return list(_cue_types(sentence))


@lru_cache(maxsize=4096)  # the rules ask this of the same sentences several times a document
def _cue_types(sentence: str) -> tuple[IncidentType, ...]:
    return tuple(
        IncidentType(kind) for kind, pattern in cue_table("tactic_cues") if pattern.search(sentence)
    )


def own_cue_types(sentence: str) -> list[IncidentType]:
    """Tactics the sentence names for its own event: "the prison attack" in "strikes killed
    fighters who took part in the prison attack" names another one, unless nothing else
    is named."""
    return cue_types(EVENT_REFERENCE.sub(" ", sentence)) or cue_types(sentence)


def checked_type(model_type: IncidentType, sentence: str) -> IncidentType:
    """The model's tactic if its sentence supports it (or names none), else the one it names."""
    cues = own_cue_types(sentence)
    if not cues or model_type in cues:
        return model_type
    if model_type == IncidentType.military_operation and IncidentType.airstrike not in cues:
        return model_type if len(cues) > 1 else cues[0]
    return cues[0]


# SPEC: a raid or operation by state or foreign forces is a military operation; a mass
# killing of civilians is a massacre.  How many dead make one "mass" killing:
MASSACRE_DEAD = 3


def type_by_parties(
    incident_type: IncidentType,
    perpetrator: str | None,
    target_type: TargetType,
    killed: int | None,
) -> IncidentType:
    """The tactic as SPEC names it given who did it to whom: state forces' raid or unnamed
    operation is a military operation; an unnamed tactic that killed civilians in
    numbers is a massacre."""
    if perpetrator in STATE_ACTORS and incident_type in (
        IncidentType.armed_assault,
        IncidentType.other,
    ):
        return IncidentType.military_operation
    if (
        incident_type == IncidentType.other
        and target_type == TargetType.civilians
        and (killed or 0) >= MASSACRE_DEAD
    ):
        return IncidentType.massacre
    return incident_type
