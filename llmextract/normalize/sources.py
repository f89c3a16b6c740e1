"""Who says an event happened: the sources a report quotes and their stance (reports,
confirms, denies), read from the verbs of speech, confirmation and denial around them
("the Malian military confirmed", "according to residents", "..., said the official",
"the account was denied by French forces").  The claimant is left out: its claim is the
attribution's business (``normalize.attribution``)."""

from __future__ import annotations

import re

from llmextract.normalize.actors import alias_table
from llmextract.normalize.attribution import (
    _NEUTRAL_SOURCE,
    _SOURCE_NOUN,
    OFFICIAL,
    STATE_ACTORS,
    _source_name,
    actors_in,
)
from llmextract.normalize.lexicon import cue
from llmextract.normalize.text import fold
from llmextract.schema import Stance

_CLAIMANT_WORDS = re.compile(
    r"(?:the |its |their )?(?:it|its|group|jihadist group|jihadists?|militants?|fighters|"
    r"statement|communiqu[eé]|message|claim)",
    re.I,
)
_PASSIVE_DENIAL = re.compile(
    r"\b(?:denied|rejected|refuted|disputed|contested|dismissed)\s+by\s+", re.I
)


_CONFIRM_VERB = re.compile(r"\b(?:confirm\w*|acknowledg\w*|verif\w*)", re.I)


def _stance_of(name: str, verb: str) -> Stance:
    """An official (army, ministry, government) speaking of an event confirms it; a confirm
    verb confirms; anyone else (residents, security sources, media, NGOs) reports it."""
    if _CONFIRM_VERB.match(verb) or OFFICIAL.search(name):
        return Stance.confirms
    if any(m.canonical in STATE_ACTORS for m in actors_in(name)):
        return Stance.confirms
    return Stance.reports


def sources_of(sentences: list[str], claimant: str | None) -> list[tuple[str, Stance]]:
    """Every non-claimant source that reports, confirms or denies the event, in text order.

    The source must stand right before its verb ("the Malian military confirmed"), right
    after "according to", or after a passive denial ("denied by French forces").
    """
    found: list[tuple[str, Stance]] = []
    claimant_aliases = {a for a, c in alias_table().items() if c == claimant} if claimant else set()

    def is_claimant(name: str) -> bool:
        folded = fold(name)
        if _CLAIMANT_WORDS.fullmatch(name) or folded in claimant_aliases:
            return True
        return bool(claimant) and any(m.canonical == claimant for m in actors_in(name))

    def add(name: str | None, stance: Stance) -> None:
        # The accused denying ("that account was denied by French forces") is a source too.
        if (
            name
            and (stance == Stance.denies or not is_claimant(name))
            and (fold(name), stance) not in {(fold(n), s) for n, s in found}
        ):
            found.append((name, stance))

    for sentence in sentences:
        for passive in _PASSIVE_DENIAL.finditer(sentence):
            name = _source_name(sentence[passive.end() : passive.end() + 50], True)
            if name is None:
                name = _actor_subject(sentence, passive.end(), passive.end(), True)
            add(name, Stance.denies)
        for verb in cue("attribute_verbs").finditer(sentence):
            # "The authorities blamed X", "local officials suspect X": they report it.
            span = sentence[max(0, verb.start() - 60) : verb.start()]
            add(_source_name(span, False), Stance.reports)
        for verb in [*cue("deny").finditer(sentence), *cue("confirm").finditer(sentence)]:
            if _PASSIVE_DENIAL.match(sentence[verb.start() :]):
                continue
            according = verb.group(0).lower().startswith("according")
            span = (
                sentence[verb.end() : verb.end() + 50]
                if according
                else sentence[max(0, verb.start() - 60) : verb.start()]
            )
            denies = bool(cue("deny").fullmatch(verb.group(0)))
            name = (
                _source_name(span, according)
                or _actor_subject(sentence, verb.start(), verb.end(), according)
                or _inverted_source(sentence, verb.start(), verb.end())
                or (_speaker_of_pronoun(sentence[: verb.start()]) if denies else None)
            )
            if name is None:
                continue
            add(name, Stance.denies if denies else _stance_of(name, verb.group(0)))
    # Who denies it does not also confirm it ("the government said it rejects ...").
    deniers = {fold(n) for n, s in found if s == Stance.denies}
    return [(n, s) for n, s in found if s == Stance.denies or fold(n) not in deniers]


_SAID_IT = re.compile(
    r"(?P<speaker>[^.;:]{0,60}?)\s+(?:said|says|stated|added|insisted)\s+(?:that\s+)?"
    r"(?:it|they)\s+(?:[\w“”\"']+\s+){0,2}[“\"']?$",
    re.I,
)


def _speaker_of_pronoun(before: str) -> str | None:
    """ "The government later said it 'categorically rejects' ...": the pronoun's speaker."""
    m = _SAID_IT.search(before)
    return _source_name(m.group("speaker"), False) if m else None


def sources_in(sentences: list[str], claimant: str | None) -> tuple[str | None, str | None]:
    """(confirmed_by, denied_by): the first source that reports or confirms the event, and
    the first that denies it (``sources_of`` lists them all)."""
    found = sources_of(sentences, claimant)
    confirmed_by = next((n for n, s in found if s != Stance.denies), None)
    denied_by = next((n for n, s in found if s == Stance.denies), None)
    return confirmed_by, denied_by


_INVERTED_VERBS = frozenset({"said", "says", "told", "added", "reported", "confirmed", "denied"})


def _inverted_source(sentence: str, verb_start: int, verb_end: int) -> str | None:
    """ "..., said the official", "..., added a security source": the speaker after its verb,
    where the verb follows a comma or a closing quote."""
    after = sentence[verb_end : verb_end + 50]
    if sentence[verb_start:verb_end].lower() not in _INVERTED_VERBS:
        return None
    if not re.search(r"[,\"”’]\s*$", sentence[:verb_start]):
        return None
    source = _SOURCE_NOUN.search(after)
    if source is None or not re.fullmatch(
        r"\s*(?:the|a|an|one|two|several)?\s*", after[: source.start()]
    ):
        return None
    if _NEUTRAL_SOURCE.match(source.group(0).strip()):
        return None
    return source.group(0).strip()


def _actor_subject(sentence: str, verb_start: int, verb_end: int, according: bool) -> str | None:
    """An actor named as the verb's subject ("FAMa said", "according to Barkhane")."""
    for m in actors_in(sentence):
        if according and verb_end <= m.start <= verb_end + 8:
            return sentence[m.start : m.end]
        if not according and 0 <= verb_start - m.end <= 3:
            return sentence[m.start : m.end]
    return None
