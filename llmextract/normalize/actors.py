"""Actor names: aliases as written mapped to SPEC.md's canonical names."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from llmextract.normalize.text import fold
from llmextract.schema import CANONICAL_ACTORS, is_canonical_actor

# "Chadian armed forces", "Chadian troops", "Ivorian army": the SPEC's pattern for states.
_STATE_FORCE = re.compile(
    r"^(?:the )?([a-z]+(?: [a-z]+)?) (?:armed forces|army|military|troops|soldiers|forces|gendarmes)$"
)
_LEADING_NOISE = re.compile(r"^(?:the|an|a|its|their|suspected|alleged)\s+")


ACTOR_KINDS = frozenset({"jihadist", "generic", "state", "foreign", "militia"})


@dataclass(frozen=True)
class ActorEntry:
    """One canonical actor of ``llmextract/data/actors.json``."""

    canonical: str
    kind: str
    family: str | None
    aliases: tuple[str, ...]
    country: str | None = None


@cache
def actor_entries() -> dict[str, ActorEntry]:
    """Canonical name -> its entry; the data file is the one owner of actor knowledge."""
    raw = json.loads(resources.files("llmextract.data").joinpath("actors.json").read_text("utf-8"))
    entries: dict[str, ActorEntry] = {}
    for canonical, data in raw.items():
        if canonical.startswith("_"):
            continue
        if canonical not in CANONICAL_ACTORS:
            raise ValueError(f"actors.json: {canonical!r} is not a canonical SPEC actor")
        if data.get("kind") not in ACTOR_KINDS:
            raise ValueError(f"actors.json: {canonical!r} has no kind among {sorted(ACTOR_KINDS)}")
        aliases = (canonical, *data.get("aliases", []))
        entries[canonical] = ActorEntry(
            canonical, data["kind"], data.get("family"), aliases, data.get("country")
        )
    return entries


def actors_of_kind(*kinds: str) -> frozenset[str]:
    """Canonical names whose kind is one of ``kinds`` ("state", "foreign", ...)."""
    return frozenset(e.canonical for e in actor_entries().values() if e.kind in kinds)


def state_force_of(country: str | None) -> str | None:
    """The national armed forces of a country ("Mali" -> "Malian armed forces")."""
    return next(
        (e.canonical for e in actor_entries().values() if e.country and e.country == country), None
    )


def organisations() -> frozenset[str]:
    """Family-level names ("Islamic State", "al Qaeda"): they say which organisation, not
    which branch."""
    return frozenset(e.canonical for e in actor_entries().values() if e.family == e.canonical)


def family_of(canonical: str | None) -> str | None:
    entry = actor_entries().get(canonical or "")
    return entry.family if entry else None


@cache
def alias_table() -> dict[str, str]:
    """Folded alias -> canonical name."""
    table: dict[str, str] = {}
    for entry in actor_entries().values():
        for alias in entry.aliases:
            table.setdefault(fold(alias), entry.canonical)
    return table


def canonical_actor(name: str | None) -> str | None:
    """The canonical name for an actor as written, or the cleaned name when unknown.

    Unknown actors are kept (not dropped) so that a reviewer sees what the model read.
    """
    if name is None or not name.strip():
        return None
    if is_canonical_actor(name.strip()):
        return name.strip()
    folded = fold(name)
    table = alias_table()
    candidates = [folded, _LEADING_NOISE.sub("", folded)]
    for candidate in candidates:
        if candidate in table:
            return table[candidate]
    # "Al Qaeda's JNIM" / "JNIM fighters": the most specific alias contained in the name.
    padded = f" {candidates[-1]} "
    best: tuple[int, str] | None = None
    for alias, canonical in table.items():
        if len(alias) >= 3 and f" {alias} " in padded and (best is None or len(alias) > best[0]):
            best = (len(alias), canonical)
    if best:
        return best[1]
    state = _STATE_FORCE.match(candidates[-1])
    if state:
        return f"{state.group(1).title()} armed forces"
    return name.strip()
