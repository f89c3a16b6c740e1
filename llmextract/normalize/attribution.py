"""Who did it, who says so, and who confirms or denies it, read from an event's sentences.

Reporting tells these by roles, not by words alone: the *speaker* of a sentence ("..., the
group said", "according to the army", "JNIM said on Telegram that its fighters ...") is a
source; a *claim* is the perpetrator speaking of its own act; an *accused* party ("accused
French troops of killing", "blamed on JNIM") is the perpetrator by attribution; a party
that "repelled" an attack or is attacked ("an ambush on Malian troops") is not the
attacker.  The cue words are in ``data/lexicon.json``; the actors and their kinds in
``data/actors.json``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from llmextract.normalize.actors import actors_of_kind, alias_table, family_of, organisations
from llmextract.normalize.counts import NUMBER_PATTERN
from llmextract.normalize.lexicon import cue, words
from llmextract.normalize.text import fold, strip_accents
from llmextract.schema import Attribution, IncidentType

STATE_ACTORS = actors_of_kind("state", "foreign")
GENERIC_ACTORS = actors_of_kind("generic")
# A family-level name ("Islamic State", "al Qaeda") says which organisation, not which branch.
FAMILY_ACTORS = organisations()
# Groups a later "it", "its men" or "the group" can refer back to.
ARMED_GROUPS = actors_of_kind("jihadist", "militia")
UNIDENTIFIED = "unidentified armed group"
STATE_TYPES = frozenset({IncidentType.military_operation, IncidentType.airstrike})

# "the group", "its men", "it claimed": a reference to a group named earlier.
_GROUP_REFERENCE = re.compile(
    r"\b(?:it|its|the (?:jihadist |militant |terrorist |armed |islamist )?(?:group|organi[sz]ation|"
    r"conglomerate|coalition|alliance|affiliate|branch|outfit|movement|militants|jihadists|"
    r"insurgents))\b",
    re.I,
)
# "its fighters stormed ...", not "six of its fighters were killed": the group's own men
# doing the deed.
_SELF_REFERENCE = re.compile(
    r"(?:\b(?:its|their|our) (?:men|fighters|forces|militants|members|mujahideen|soldiers|brothers|"
    r"units|troops|lions|knights)\b|\bthe mujahideen\b)"
    r"(?!\s+(?:were|was|had been|have been)\s+(?:\w+\s+)?(?:killed|wounded|injured|captured|abducted))",
    re.I,
)
_TARGET_LEAD = re.compile(
    r"(?:\b(?:on|against|targeting|at|into|attacked|ambushed|struck|hit|killing|killed|"
    r"neutrali[sz]ed|neutrali[sz]ing|eliminated|"
    r"wounding|targeted|stormed|raided|overran)|\b(?:attack|ambush|killing|massacre|kidnapping|"
    r"abduction|execution|assault|raid)\w*\s+(?:of|on)|\b(?:attacked|ambushed|struck|hit|"
    r"targeted|stormed|raided|overran|on|against)\s+(?:the\s+|an?\s+)?(?:base|post|position|"
    r"camp|convoy|patrol|members|fighters|men|detachment|checkpoint)s?\s+(?:of|held by|"
    r"belonging to)|\b(?:commander|leader|emir|chief|member|cadre|official)s?\s+(?:of|in|from))"
    r"\s+(?:(?:the|an?|two|(?!(?:its|their|his|her|our)\b)[\w“”\"'’-]+)\s+){0,2}$",
    re.I,
)
# "strikes had killed 'dozens' of JNIM fighters": the actor is among those a kill verb hit.
_KILLED_LEAD = re.compile(
    r"\b(?:killed|killing|neutrali[sz]ed|neutrali[sz]ing|eliminated|captured|arrested)\b"
    r"[^.;:,]{0,25}?\b(?:of|among)\s+(?:the\s+)?$",
    re.I,
)
_STATE_AGENT_VERB = re.compile(
    r"^(?![^.;:]{0,40}?\b(?:were|was|been|being|are|is|be)\s+(?:\w+\s+)?(?:killed|executed|shot|"
    r"wounded|injured|attacked|ambushed|targeted))"
    r"[^.;:]{0,130}?\b(?:killed|executed|shot|opened fire|rounded up|struck|bombed|attacked|"
    r"raided|burned|torched|massacred|arrested|detained|carried out|conducted|launched|"
    r"neutrali[sz]ed|eliminated|fired)\b",
    re.I,
)
_PASSIVE_AGENT = re.compile(
    r"\b(?:carried out|committed|perpetrated|conducted|launched|led|killed|attacked|ambushed|"
    r"targeted|kidnapped|abducted|executed|shot|claimed|raided|stormed|struck|hit)\s+by\s+"
    r"(?:the\s+|an?\s+)?(?:[\w-]+\s+)?$",
    re.I,
)
_AFFILIATION_LEAD = re.compile(
    r"\b(?:linked|affiliated|allied|tied|close|loyal|belonging)\s+(?:to|with)\s+(?:the\s+)?$"
    r"|\baffiliates?\s+of\s+(?:the\s+)?$",
    re.I,
)
_CLAUSE_BREAK = re.compile(r"[.;:!?\n]|,\s+(?:while|but|and)\b")


@dataclass(frozen=True)
class ActorMention:
    canonical: str
    start: int
    end: int


def _alias_pattern(alias: str) -> re.Pattern[str]:
    parts = [re.escape(w) for w in alias.split()]
    return re.compile(r"(?<![\w])" + r"[^0-9A-Za-z]+".join(parts) + r"(?![\w])", re.I)


@cache
def _alias_patterns() -> tuple[tuple[str, str, re.Pattern[str], str], ...]:
    """Aliases longest first, each with its pattern and a word it cannot match without."""
    table = sorted(alias_table().items(), key=lambda kv: -len(kv[0]))
    return tuple(
        (alias, canonical, _alias_pattern(alias), _required_word(alias))
        for alias, canonical in table
    )


def _required_word(alias: str) -> str:
    """The alias's longest ASCII word, lower-cased ("" when it has none): a substring test
    that rules out most of ~230 patterns per sentence before any regex runs."""
    words = [w for w in re.split(r"[^0-9A-Za-z]+", alias) if w.isascii()]
    return max(words, key=len).lower() if words else ""


def actors_in(sentence: str) -> list[ActorMention]:
    """Actors named in a sentence (offsets into it), longest alias first, none overlapping.

    Short aliases ("IS", "FAN", "FAMa") count only with two capitals at least: "is" is a verb.
    """
    return list(_actors_in(sentence))


# The rules ask about the same few sentences of a document ~20 times over.
@lru_cache(maxsize=4096)
def _actors_in(sentence: str) -> tuple[ActorMention, ...]:
    plain = strip_accents(sentence)
    if len(plain) != len(sentence):
        plain = sentence
    hits: list[ActorMention] = []
    lowered = plain.lower()
    for alias, canonical, pattern, word in _alias_patterns():
        if word not in lowered:
            continue
        for m in pattern.finditer(plain):
            if len(alias) <= 4 and sum(c.isupper() for c in m.group(0)) < 2:
                continue
            if any(m.start() < h.end and h.start < m.end() for h in hits):
                continue
            hits.append(ActorMention(canonical, m.start(), m.end()))
    return tuple(sorted(hits, key=lambda h: h.start))


def _as_target(sentence: str, mention: ActorMention) -> bool:
    """Whether the actor stands where the attacked or defending side does ("an ambush on
    Malian troops", "Nigerien soldiers repelled ...")."""
    lead = sentence[max(0, mention.start - 45) : mention.start]
    killed = _KILLED_LEAD.search(sentence[max(0, mention.start - 50) : mention.start])
    if (_TARGET_LEAD.search(lead) or killed) and not re.search(
        r"\b(?:blamed? on|by)\s+(?:the\s+)?$", lead
    ):
        return True
    after = sentence[mention.end : mention.end + 40]
    defended = cue("repel").search(after)  # "Nigerien soldiers repelled ..."
    return bool(
        defended and defended.start() <= 25 and not re.search(r"[.;,]", after[: defended.start()])
    )


def _clause_gap(text: str) -> bool:
    return bool(_CLAUSE_BREAK.search(text))


OTHER_SPEAKER = "(a source)"


def speakers(sentence: str, earlier_group: str | None = None) -> list[tuple[str | None, int]]:
    """Who speaks in the sentence, with the offset of the speech cue: the actor (or "the
    group", resolved to ``earlier_group``) right before a speech or claim cue, or right
    after "according to"; ``OTHER_SPEAKER`` for a source that is no actor ("the army",
    "security sources", "residents")."""
    found: list[tuple[str | None, int]] = []
    mentions = actors_in(sentence)
    for verb in [*cue("speech").finditer(sentence), *cue("claim").finditer(sentence)]:
        if verb.group(0).lower().startswith("according"):
            after = sentence[verb.end() : verb.end() + 60]
            actor = next((m for m in mentions if verb.end() <= m.start <= verb.end() + 8), None)
            if actor is not None:
                found.append((actor.canonical, verb.start()))
            elif _GROUP_REFERENCE.match(after.strip()) and earlier_group:
                found.append((earlier_group, verb.start()))
            elif _source_name(after, True):
                found.append((OTHER_SPEAKER, verb.start()))
            continue
        before = sentence[max(0, verb.start() - 60) : verb.start()]
        actor = next(
            (
                m
                for m in reversed(mentions)
                if m.end <= verb.start()
                and not _clause_gap(sentence[m.end : verb.start()])
                and verb.start() - m.end <= 40
            ),
            None,
        )
        if actor is not None:
            # "the jihadist group said": a generic name speaking is the group named before.
            generic = actor.canonical in GENERIC_ACTORS and earlier_group
            found.append((earlier_group if generic else actor.canonical, verb.start()))
        elif re.search(
            r"\b(?:it|the (?:\w+ )?(?:group|organi[sz]ation|militants|jihadists))\s+(?:\w+\s+)?$",
            before,
            re.I,
        ):
            found.append((earlier_group, verb.start()))
        elif _source_name(before, False):
            found.append((OTHER_SPEAKER, verb.start()))
    return found


def accused(sentence: str, candidates: list[ActorMention]) -> ActorMention | None:
    """The party a sentence blames ("accused French troops of", "blamed on JNIM", "held the
    army responsible", "JNIM was accused of")."""
    for blame in cue("blame").finditer(sentence):
        inside = [m for m in candidates if blame.start() < m.start and m.end < blame.end()]
        if inside:
            return inside[0]
        after = [m for m in candidates if blame.end() <= m.start <= blame.end() + 12]
        if after:
            return after[0]
        passive = re.search(
            r"\b(?:was|were|is|are|been|being|stands?)\s+$", sentence[: blame.start()]
        )
        if passive:
            before = [
                m for m in candidates if m.end <= passive.start() and passive.start() - m.end <= 25
            ]
            if before:
                return before[-1]
    return None


def _negated_claim(sentence: str) -> bool:
    return bool(cue("no_claim").search(sentence))


def _claims(
    sentence: str,
    perpetrator: str,
    earlier_group: str | None,
    said: list[tuple[str | None, int]] | None = None,
) -> bool:
    """Whether the perpetrator itself claims the event in this sentence."""
    if _negated_claim(sentence):
        return False
    said = speakers(sentence, earlier_group) if said is None else said
    said_by = {speaker for speaker, _ in said} - {None}
    family = family_of(perpetrator)
    for speaker in said_by:
        if speaker == perpetrator or (family is not None and family_of(speaker) == family):
            return True  # the group, or its organisation ("the Islamic State claimed ...")
    if said_by:
        return False  # someone else speaks: "the army said its soldiers ..."
    if perpetrator in STATE_ACTORS:
        return False
    return bool(cue("claim").search(sentence) or _SELF_REFERENCE.search(sentence))


def _attribution(
    sentence: str, perpetrator: str, earlier_group: str | None, said: list[tuple[str | None, int]]
) -> Attribution:
    """Claimed, suspected, or attributed; "gunmen" whom nobody names stay unknown."""
    if _claims(sentence, perpetrator, earlier_group, said):
        return Attribution.claimed
    if cue("suspect").search(sentence):
        return Attribution.suspected
    if perpetrator == UNIDENTIFIED:
        return Attribution.unknown
    return Attribution.attributed


def perpetrator_in(
    sentence: str,
    incident_type: IncidentType,
    earlier_group: str | None,
    target: str | None = None,
) -> tuple[str | None, Attribution]:
    """The perpetrator a sentence names or refers to, and how it is attributed.

    ``earlier_group`` is the armed group named last before the sentence: "it claimed",
    "its men" and "the group" refer to it.
    """
    folded_target = f" {fold(target)} " if target else ""
    mentions = actors_in(sentence)
    said = speakers(sentence, earlier_group)
    speaking = {m.start for m in mentions for _, at in said if 0 <= at - m.end <= 40}
    # One name written twice ("the Movement for ... (MSA)") has one role in the sentence; a
    # group named as another's affiliation ("fighters linked to the Katiba Macina") has none.
    attacked = {
        m.canonical
        for m in mentions
        if _as_target(sentence, m) or _AFFILIATION_LEAD.search(sentence[: m.start])
    }
    candidates = [
        m
        for m in mentions
        if m.canonical not in attacked
        and not (folded_target and f" {fold(sentence[m.start : m.end])} " in folded_target)
    ]
    agent = next(
        (m for m in mentions if _PASSIVE_AGENT.search(sentence[max(0, m.start - 40) : m.start])),
        None,
    )
    if agent is not None:  # "the massacre was carried out by Malian soldiers"
        return agent.canonical, _attribution(sentence, agent.canonical, earlier_group, said)
    blamed = accused(sentence, mentions)
    if blamed is not None:
        suspected = bool(
            cue("suspect").search(sentence) or re.search(r"\bblamed on\b", sentence, re.I)
        )
        return blamed.canonical, Attribution.suspected if suspected else Attribution.attributed
    named = [m for m in candidates if m.canonical not in GENERIC_ACTORS | STATE_ACTORS]
    generic = [m for m in candidates if m.canonical in GENERIC_ACTORS]
    state = [m for m in candidates if m.canonical in STATE_ACTORS and m.start not in speaking]
    claim_words = bool(cue("claim").search(sentence) or _SELF_REFERENCE.search(sentence))
    speaking_now = {speaker for speaker, _ in said} - {None}
    # "the group said it ...", "its men ...": the group named before, unless someone else
    # is the one speaking ("the army said its soldiers ...").
    refers_back = (
        earlier_group is not None
        and not _negated_claim(sentence)
        and speaking_now <= {earlier_group}
        and (claim_words or earlier_group in speaking_now)
    )
    perpetrator: str | None = None
    if named:
        # A branch named beside its organisation ("the Islamic State, writing as Islamic
        # State Sahel Province") is the more precise name.
        branches = [m for m in named if m.canonical not in FAMILY_ACTORS]
        perpetrator = (branches or named)[0].canonical
        if (
            perpetrator in FAMILY_ACTORS
            and earlier_group
            and family_of(earlier_group) == perpetrator
        ):
            perpetrator = earlier_group  # "the Islamic State" claiming its Sahel branch's act
    elif refers_back and (generic or not state or _GROUP_REFERENCE.search(sentence)):
        perpetrator = earlier_group
    elif state and (
        incident_type in STATE_TYPES or _STATE_AGENT_VERB.match(sentence[state[0].end :])
    ):
        perpetrator = state[0].canonical  # an operation, strike or killing by state forces
    elif generic:
        perpetrator = generic[0].canonical
    if perpetrator is None:
        return None, Attribution.unknown
    return perpetrator, _attribution(sentence, perpetrator, earlier_group, said)


def state_agent_in(sentence: str) -> bool:
    """Whether unnamed state forces do the deed ("soldiers and volunteers detained men and
    later executed them"), not suffer it ("three soldiers were killed")."""
    for m in cue("state_agents").finditer(sentence):
        if _COUNTED.search(sentence[max(0, m.start() - 30) : m.start()]):
            continue  # "four soldiers killed in attack": counted, so the victims
        mention = ActorMention("", m.start(), m.end())
        if not _as_target(sentence, mention) and _STATE_AGENT_VERB.match(sentence[m.end() :]):
            return True
    return False


_COUNTED = re.compile(rf"\b(?:{NUMBER_PATTERN}|several|many|dozens|scores)\s+(?:[\w-]+\s+)?$", re.I)


def state_speaker(sentence: str) -> str | None:
    """The state or foreign force speaking in the sentence ("the Barkhane command said")."""
    for speaker, _ in speakers(sentence):
        if speaker in STATE_ACTORS:
            return speaker
    return None


def official_speaks(sentence: str) -> bool:
    """Whether an army, ministry or government speaks in the sentence ("the army said")."""
    for verb in cue("speech").finditer(sentence):
        before = sentence[max(0, verb.start() - 60) : verb.start()]
        name = _source_name(before, False) or _source_name(
            sentence[verb.end() : verb.end() + 60], True
        )
        if name and OFFICIAL.search(name):
            return True
    return False


def last_group_before(text: str, offset: int, window: int = 1500) -> str | None:
    """The armed group (not a state force, not a generic word) named last before ``offset``:
    whom "it claimed" refers to.  A family-level name ("the Islamic State") counts only
    when no branch of it was named."""
    start = max(0, offset - window)
    mentions = [m for m in actors_in(text[start:offset]) if m.canonical in ARMED_GROUPS]
    if not mentions:
        return None
    last = mentions[-1].canonical
    if last in FAMILY_ACTORS:
        branch = next(
            (
                m.canonical
                for m in reversed(mentions)
                if family_of(m.canonical) == last and m.canonical != last
            ),
            None,
        )
        return branch or last
    return last


# --- sources -----------------------------------------------------------------------------


def _source_noun_pattern() -> re.Pattern[str]:
    """Who speaks as a source ("security sources", "a local elected official", "the UN",
    "OCHA"): ``source_modifiers`` and ``source_nouns`` of the lexicon, or an acronym."""
    modifiers = "|".join(re.escape(w) for w in words("source_modifiers"))
    nouns = cue("source_nouns").pattern
    return re.compile(rf"\b(?:(?:[A-Z][\w'’-]+|(?i:{modifiers}))\s+)?(?i:{nouns})|\b[A-Z]{{3,6}}\b")


_SOURCE_NOUN = _source_noun_pattern()
# A statement, communiqué or message speaks for whoever issued it, so it names no speaker.
_NEUTRAL_SOURCE = re.compile(
    r"^(?:the |its |their |a |an |this |that )?(?:statement|communiqu[eé]|message|release|video|"
    r"text|post|claim)$",
    re.I,
)
_BETWEEN_SOURCE_AND_VERB = re.compile(
    r"(?:(?:have|has|had|is|are|was|were|also|later|since|indeed|quickly|\w+ly|"
    r"[,\s]+who[\w\s]{0,40}[,\s]+|\)|\(\w+\)|"
    # "a health source in Bandiagara said", "residents of the nearby neighbourhoods described"
    r"(?:in|from|at|of|near)\s+(?:the\s+)?(?:[\w'’-]+\s+){0,2}[\w'’-]+)\s*){0,3}",
    re.I,
)


def _source_name(span: str, verb_is_according: bool) -> str | None:
    if verb_is_according:
        source = _SOURCE_NOUN.search(span)
        if source is None or _NEUTRAL_SOURCE.match(source.group(0).strip()):
            return None
        return source.group(0).strip()
    nouns = list(_SOURCE_NOUN.finditer(span))
    if not nouns:
        return None
    source = nouns[-1]
    between = span[source.end() :].strip(" ,")
    if not _BETWEEN_SOURCE_AND_VERB.fullmatch(between):
        return None  # the noun is not the verb's subject
    if _NEUTRAL_SOURCE.match(source.group(0).strip()):
        return None
    return source.group(0).strip()


OFFICIAL = cue("official_sources")  # an army, ministry or government speaking
