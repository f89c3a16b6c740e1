"""Fields that news text states in set phrases, read by rules instead of a model.

Counts ("killing three officers", "left at least 50 people dead"), who claimed it ("its
fighters", "took responsibility"), who confirmed or denied it, the target's kind, and the
place phrase follow a handful of patterns in conflict reporting.  Reading them in code
costs nothing, cannot copy a neighbouring event's values, and leaves the model the one
thing rules cannot do: decide which sentences report a distinct event.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

from llmextract.normalize.actors import alias_table
from llmextract.normalize.counts import NUMBER_PATTERN, parse_count
from llmextract.normalize.dates import find_dates
from llmextract.normalize.places import find_places
from llmextract.normalize.text import fold, strip_accents
from llmextract.schema import Attribution, IncidentType, TargetType

# --- counts -------------------------------------------------------------------------------

_QUALIFIER = (
    r"(?:(?:at least|nearly|almost|about|around|some|roughly|approximately|more than|over|"
    r"up to|another|a further|an additional|a total of|as many as)\s+)?"
)
_FIGURE = rf"(?:a dozen|a handful|dozens|scores|hundreds|{NUMBER_PATTERN})"
_NUM = rf"(?P<num>{_QUALIFIER}{_FIGURE})"
# Up to three words between a figure and its verb ("two Malian gendarmes were"), none of
# them a clause break.
_NOT_IN_NOUN_PHRASE = (
    r"(?!(?:killed|dead|died|wounded|injured|hurt|kidnapped|abducted|captured|seized|and|or|"
    r"but|while|who|which|that|in|on|at|near|during|after)\b)"
)
_WORDS = rf"(?P<words>(?:{_NOT_IN_NOUN_PHRASE}[\w'’-]+\s+){{0,3}}?)"
_BE = r"(?:(?:were|was|have been|had been|are|is|being)\s+)?"
_PERSONS = re.compile(
    r"\b(soldiers?|troops?|people|civilians?|persons?|gendarmes?|police\w*|officers?|"
    r"peacekeepers?|villagers?|residents?|herders?|farmers?|fighters?|militants?|jihadists?|"
    r"attackers?|assailants?|terrorists?|insurgents?|gunmen|members?|workers?|passengers?|"
    r"children|women|men|guards?|personnel|others?|hostages?|prisoners?|staff|chiefs?|"
    r"traders?|merchants?|students?|teachers?|officials?|employees?|drivers?|miners?)\b",
    re.I,
)
_ATTACKERS = re.compile(
    r"\b(attackers?|assailants?|terrorists?|insurgents?|militants?|jihadists?|gunmen|"
    r"fighters?|jihadis)\b",
    re.I,
)

_VERB_FIRST = {
    "killed": r"\b(?:kill(?:ed|ing|s)?|slay(?:ing)?|slew|execut(?:ed|ing))\s+",
    "wounded": r"\b(?:wound(?:ed|ing|s)?|injur(?:ed|ing|es?))\s+",
    "kidnapped": r"\b(?:kidnapp?(?:ed|ing)?|abduct(?:ed|ing)?|captur(?:ed|ing)|seiz(?:ed|ing)|"
    r"took|taking)\s+",
}
_VERB_AFTER = {
    "killed": r"(?:killed|dead|died|slain|executed|massacred|lost their lives|perished)\b",
    "wounded": r"(?:wounded|injured|hurt)\b",
    "kidnapped": r"(?:kidnapped|abducted|taken hostage|held hostage|captured|seized)\b",
}
_LEFT_DEAD = re.compile(rf"\b(?:left|leaving)\s+{_NUM}\s+{_WORDS}dead\b", re.I)
_TOLL = re.compile(rf"\bdeath toll\s+(?:of|at|rose to|to|reached)\s+{_NUM}", re.I)


def _is_year(phrase: str, value: int) -> bool:
    return phrase.strip().isdigit() and 1900 <= value <= 2100


@dataclass(frozen=True)
class CountPhrase:
    field: str
    phrase: str
    value: int


def _count_matches(sentence: str) -> list[CountPhrase]:
    found: list[CountPhrase] = []

    def add(field: str, phrase: str, words: str) -> None:
        value = parse_count(phrase)
        if value is None or _is_year(phrase, value):
            return
        if field == "killed" and _ATTACKERS.search(words):
            field = "perpetrators_killed"
        found.append(CountPhrase(field, phrase.strip(), value))

    for field, verb in _VERB_FIRST.items():
        pattern = re.compile(verb + _NUM + r"(?P<words>(?:\s+[\w'’-]+){0,3})", re.I)
        for m in pattern.finditer(sentence):
            words = m.group("words")
            if field == "kidnapped" and not _PERSONS.search(words):
                continue  # "capturing weapons", "took control"
            if re.fullmatch(r"an?", m.group("num").strip(), re.I) and not _PERSONS.search(words):
                continue
            add(field, m.group("num"), words)
    for field, verb in _VERB_AFTER.items():
        pattern = re.compile(
            rf"(?<![\w.,])(?:{_NUM}\s+{_WORDS}(?:and\s+(?P<num2>{_QUALIFIER}{_FIGURE})\s+"
            rf"(?P<words2>(?:{_NOT_IN_NOUN_PHRASE}[\w'’-]+\s+){{0,3}}?))?{_BE}{verb})",
            re.I,
        )
        for m in pattern.finditer(sentence):
            words = m.group("words") or ""
            phrase = m.group("num")
            if re.fullmatch(r"an?", phrase.strip(), re.I) and not _PERSONS.search(words):
                continue
            first = parse_count(phrase)
            second = parse_count(m.group("num2")) if m.group("num2") else None
            if first is not None and second is not None and not _is_year(phrase, first):
                found.append(CountPhrase(field, f"{first + second}", first + second))
                continue
            add(field, phrase, words)
    for pattern in (_LEFT_DEAD, _TOLL):
        for m in pattern.finditer(sentence):
            add("killed", m.group("num"), m.groupdict().get("words") or "")
    return found


def counts_in(sentences: list[str]) -> dict[str, str]:
    """Count phrases per field, each from the first sentence that states one."""
    counts: dict[str, str] = {}
    for sentence in sentences:
        for match in _count_matches(sentence):
            counts.setdefault(match.field, match.phrase)
    return counts


# --- perpetrator and attribution ------------------------------------------------------------

_CLAIM = re.compile(
    r"\bclaim(?:s|ed|ing)?\b|\btook responsibility|\bresponsib|\b(?:took|takes|taking|take) credit\b|"
    r"\b(?:its|their) (?:men|fighters|forces|militants|members|mujahideen|soldiers)\b|"
    r"\bsaid (?:that )?(?:it|its)\b",
    re.I,
)
_NO_CLAIM = re.compile(
    r"\b(?:not|never|yet to|no one has|nobody has)\s+(?:been\s+|yet\s+|publicly\s+)?claim\w*|"
    r"\bunclaimed\b|\bno (?:group|one) (?:has )?claimed|\bno claim\b",
    re.I,
)
_BLAME = re.compile(r"\bblam(?:e|es|ing)\s+(?:an?\s+|the\s+)?", re.I)
_SUSPECT = re.compile(
    r"\bsuspect\w*|\bblam(?:e|ed|es|ing)\b|\bhallmarks?\b|\bbelieved to\b|\bthought to\b|"
    r"\bpresumed\b|\blikely\b",
    re.I,
)
# "the group", "its men", "it claimed": a reference to a group named earlier.
_GROUP_REFERENCE = re.compile(
    r"\b(?:it|its|the (?:jihadist |militant |terrorist )?(?:group|organi[sz]ation|"
    r"conglomerate|coalition|alliance|affiliate|branch|outfit|movement))\b",
    re.I,
)
_STATE_ACTORS = frozenset(
    {"Malian armed forces", "Burkinabe armed forces", "Nigerien armed forces", "French forces",
     "MINUSMA", "G5 Sahel", "Wagner Group"}
)  # fmt: skip
_GENERIC = frozenset({"jihadists", "unidentified armed group", "al Qaeda", "Islamic State"})
# Groups a later "it", "its men" or "the group" can refer back to.
ARMED_GROUPS = frozenset(
    {
        "JNIM", "AQIM", "Ansar Dine", "Katiba Macina", "Al Mourabitoun", "ISGS", "ISWAP",
        "Islamic State", "Boko Haram", "MNLA", "GATIA", "MSA", "Dan Na Ambassagou",
    }
)  # fmt: skip
_STATE_TYPES = frozenset({IncidentType.military_operation, IncidentType.airstrike})
_TARGET_LEAD = re.compile(
    r"(?:\b(?:on|against|targeting|at|into)|\b(?:attack|ambush|killing|massacre|kidnapping|"
    r"abduction|execution)\w*\s+of)\s+(?:the\s+|an?\s+)?$",
    re.I,
)


@dataclass(frozen=True)
class ActorMention:
    canonical: str
    start: int
    end: int


def _alias_pattern(alias: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in alias.split()]
    return re.compile(r"(?<![\w])" + r"[^0-9A-Za-z]+".join(words) + r"(?![\w])", re.I)


@cache
def _alias_patterns() -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    table = sorted(alias_table().items(), key=lambda kv: -len(kv[0]))
    return tuple((alias, canonical, _alias_pattern(alias)) for alias, canonical in table)


def actors_in(sentence: str) -> list[ActorMention]:
    """Actors named in a sentence (offsets into it), longest alias first, none overlapping.

    Short aliases ("IS", "FAN", "MSA") count only in capitals: "is" is a verb.
    """
    plain = strip_accents(sentence)
    if len(plain) != len(sentence):
        plain = sentence
    hits: list[ActorMention] = []
    for alias, canonical, pattern in _alias_patterns():
        for m in pattern.finditer(plain):
            if len(alias) <= 4 and not m.group(0).isupper():
                continue
            if any(m.start() < h.end and h.start < m.end() for h in hits):
                continue
            hits.append(ActorMention(canonical, m.start(), m.end()))
    return sorted(hits, key=lambda h: h.start)


def _as_target(sentence: str, mention: ActorMention) -> bool:
    """Whether the actor stands where the attacked side does ("an ambush on Malian troops")."""
    lead = sentence[max(0, mention.start - 30) : mention.start]
    return bool(_TARGET_LEAD.search(lead)) and not re.search(r"\bblamed? on\s+(?:the\s+)?$", lead)


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
    candidates = [
        m
        for m in actors_in(sentence)
        if not _as_target(sentence, m)
        and not (folded_target and f" {fold(sentence[m.start : m.end])} " in folded_target)
    ]
    named = [m for m in candidates if m.canonical not in _GENERIC | _STATE_ACTORS]
    generic = [m for m in candidates if m.canonical in _GENERIC]
    state = [m for m in candidates if m.canonical in _STATE_ACTORS]
    claimed = bool(_CLAIM.search(sentence)) and not _NO_CLAIM.search(sentence)
    # "a statement blaming a French military raid for ...": the blamed party did it.
    for blame in _BLAME.finditer(sentence):
        blamed = [m for m in candidates if blame.end() <= m.start <= blame.end() + 3]
        if blamed:
            return blamed[0].canonical, Attribution.attributed
    perpetrator: str | None = None
    refers_back = generic or not state or _GROUP_REFERENCE.search(sentence)
    if named:
        perpetrator = named[0].canonical
    elif claimed and earlier_group and refers_back:
        # "it claimed", "the jihadist group took credit", "the first claim was for ...":
        # the claimant is the group named before.
        perpetrator = earlier_group
    elif generic:
        perpetrator = generic[0].canonical
    elif state and incident_type in _STATE_TYPES:
        perpetrator = state[0].canonical  # an operation or strike by state forces
    if perpetrator is None:
        return None, Attribution.unknown
    if claimed:
        return perpetrator, Attribution.claimed
    if _SUSPECT.search(sentence):
        return perpetrator, Attribution.suspected
    return perpetrator, Attribution.attributed


def last_group_before(text: str, offset: int, window: int = 1500) -> str | None:
    """The armed group (not a state force, not a generic word) named last before ``offset``:
    whom "it claimed" refers to.  Both strategies resolve such references with it."""
    start = max(0, offset - window)
    mentions = [m for m in actors_in(text[start:offset]) if m.canonical in ARMED_GROUPS]
    return mentions[-1].canonical if mentions else None


# --- sources -----------------------------------------------------------------------------

_REPORT_VERB = re.compile(
    r"\b(?:confirm\w*|said|says|told|reported|reports|announced|acknowledged|stated)\b|"
    r"\baccording to\b",
    re.I,
)
_DENY_VERB = re.compile(r"\b(?:den(?:y|ied|ies)|reject\w*|refut\w*|disput\w*)\b", re.I)
_SOURCE_NOUN = re.compile(
    r"\b(?:(?:[A-Z][\w'’-]+|local|regional|security|military|government|hospital|medical|"
    r"defen[cs]e)\s+)?(?:military|army|armed forces|forces|troops|officials?|authorities|"
    r"ministry|government|spokes(?:man|woman|person)|UN|United Nations|MINUSMA|mission|"
    r"residents|sources?|media|press|police|gendarmerie|witnesses|Barkhane|mayor|governor|"
    r"staff|doctors?|army chief|command)\b"
)
_BETWEEN_SOURCE_AND_VERB = re.compile(
    r"(?:(?:have|has|had|also|later|since|indeed|quickly|\w+ly)\s*){0,2}", re.I
)
_CLAIMANT_WORDS = re.compile(r"\b(?:it|its|the group|jihadists?|militants?)\b", re.I)


def sources_in(sentences: list[str], claimant: str | None) -> tuple[str | None, str | None]:
    """(confirmed_by, denied_by): a non-claimant source that reports or denies the event.

    The source must stand right before its verb ("the Malian military confirmed") or
    right after "according to".
    """
    confirmed_by: str | None = None
    denied_by: str | None = None
    claimant_aliases = {a for a, c in alias_table().items() if c == claimant} if claimant else set()
    for sentence in sentences:
        for verb in [*_DENY_VERB.finditer(sentence), *_REPORT_VERB.finditer(sentence)]:
            if verb.group(0).lower().startswith("according"):
                span = sentence[verb.end() : verb.end() + 50]
                source = _SOURCE_NOUN.search(span)
            else:
                span = sentence[max(0, verb.start() - 45) : verb.start()]
                nouns = list(_SOURCE_NOUN.finditer(span))
                source = nouns[-1] if nouns else None
                between = span[source.end() :].strip(" ,") if source else ""
                if source and not _BETWEEN_SOURCE_AND_VERB.fullmatch(between):
                    source = None  # the noun is not the verb's subject
            if source is None:
                continue
            name = source.group(0).strip()
            if _CLAIMANT_WORDS.fullmatch(name) or fold(name) in claimant_aliases:
                continue
            if _DENY_VERB.fullmatch(verb.group(0)):
                denied_by = denied_by or name
            else:
                confirmed_by = confirmed_by or name
    return confirmed_by, denied_by


# --- target ------------------------------------------------------------------------------

_ATTACK_NOUN = (
    r"(?:attack|assault|ambush|raid|bombing|blast|siege|barrage|strike|explosion|offensive|"
    r"operation|shelling|fire|IED|incursion)\w*"
)
_TARGET_AFTER = re.compile(
    rf"\b{_ATTACK_NOUN}\s+(?:on|against|targeting|at|into)\s+(?:the\s+|an?\s+)?"
    r"(?P<target>[\w'’-]+(?:\s[\w'’-]+){0,5}?)"
    r"(?=\s+(?:in|near|between|outside|at|on|with|which|that|who|along|close|around|by|"
    r"from|north|south|east|west|killing|wounding|leaving|as|after|during|and)\b|[,.;:]|$)",
    re.I,
)
_TARGET_OBJECT = re.compile(
    r"\b(?:attacked|ambushed|targeted|stormed|raided|overran|struck|hit)\s+(?:the\s+|an?\s+)?"
    r"(?!(?:in|near|on|at|between|outside|by|with|from|during|after|again)\b)(?P<target>[\w'’-]+(?:\s[\w'’-]+){0,4}?)"
    r"(?=\s+(?:in|near|between|outside|at|on|with|which|that|who|along|close|around|by|"
    r"from|killing|wounding|leaving|as|after|during|and)\b|[,.;:]|$)",
    re.I,
)


_TARGET_COMPOUND = re.compile(
    r"\b(?P<target>(?:military |army |police )?(?:prison|jail|base|camp|post|checkpoint|"
    r"convoy|patrol|police station|gendarmerie|outpost|barracks|market|church|mosque|school|"
    r"hotel|mine))\s+(?:assault|attack|raid|break|bombing|siege)",
    re.I,
)
_ATTACK_WORDS = re.compile(rf"\b{_ATTACK_NOUN}|\b(?:bomb|mine|rocket|mortar)s?\b", re.I)
# "the border with X", "the area": where it happened, not whom it hit.
_GEOGRAPHY = re.compile(
    r"(?:the\s+)?(?:border|frontier|area|region|zone|forest|province|district|north|south|"
    r"east|west|centre|center)s?\b",
    re.I,
)


def usable_target(target: str | None, sentence: str, perpetrator: str | None = None) -> str | None:
    """A model's target, kept if it is the sentence's words for who or what was attacked:
    not the attack itself ("IED attack"), not the attacker, not only a place name."""
    if not target or not target.strip() or fold(target) not in fold(sentence):
        return None
    if _ATTACK_WORDS.search(target) or _GEOGRAPHY.match(target.strip()):
        return None
    actors = actors_in(target)
    if actors and perpetrator and any(a.canonical == perpetrator for a in actors):
        return None
    if (
        actors
        and all(a.canonical not in _STATE_ACTORS for a in actors)
        and len(actors) == len(target.split())
    ):
        return None
    places = find_places(target)
    if places and sum(b - a for a, b, _ in places) >= len(target.strip()) - 4:
        return None
    return target.strip()


def target_in(sentence: str) -> str | None:
    """The attacked party as written after "attack on ..." or "ambushed ..."."""
    for pattern in (_TARGET_AFTER, _TARGET_OBJECT, _TARGET_COMPOUND):
        m = pattern.search(sentence)
        if m:
            return m.group("target").strip()
    return None


_TARGET_KINDS: tuple[tuple[TargetType, re.Pattern[str]], ...] = (
    (TargetType.peacekeepers, re.compile(r"\b(UN|U\.N\.|United Nations|peacekeep\w*|MINUSMA|blue helmets?)\b", re.I)),
    (TargetType.foreign_military, re.compile(r"\b(French|Barkhane|Serval|G5|foreign|European|Takuba|Wagner|Russian|American|U\.S\.)\b", re.I)),
    (TargetType.police, re.compile(r"\b(police\w*|gendarm\w*|customs)\b", re.I)),
    (TargetType.prison, re.compile(r"\b(prisons?|jails?|inmates?|detention)\b", re.I)),
    (TargetType.militia, re.compile(r"\b(militia\w*|dozos?|self-defen[cs]e|vigilantes?|Dan Na Ambassagou|GATIA|MSA)\b", re.I)),
    (TargetType.militants, re.compile(r"\b(militants?|jihadists?|insurgents?|terrorists?|rebels?|MNLA|JNIM|ISGS)\b", re.I)),
    (TargetType.government, re.compile(r"\b(officials?|mayors?|governors?|prefects?|ministers?|administrat\w*|town hall|deput(y|ies))\b", re.I)),
    (TargetType.military, re.compile(r"\b(soldiers?|troops?|army|military|armed forces|base|camp|convoy|patrol|outpost|checkpoint|garrison|FAMa|national guard|barracks)\b|\b(Malian|Nigerien|Burkinabe|Burkinab\u00e9|Chadian|Mauritanian)\s+(vehicles?|trucks?|positions?)\b", re.I)),
    (TargetType.civilians, re.compile(r"\b(civilians?|villagers?|residents?|herders?|farmers?|workers?|passengers?|worshippers?|children|women|traders?|merchants?|market|mosque|church|school|hotel|resort|restaurant|bus|village|people|tourists?|chiefs?|imams?|students?|teachers?)\b", re.I)),
    (TargetType.infrastructure, re.compile(r"\b(bridges?|roads?|telecom\w*|antennas?|mines?|power|pipeline|dam|airport)\b", re.I)),
)  # fmt: skip


def target_type_of(target: str | None, incident_type: IncidentType | None = None) -> TargetType:
    """The kind of target from its words; a prison break with no target named hit a prison."""
    if not target:
        return (
            TargetType.prison if incident_type == IncidentType.prison_break else TargetType.unknown
        )
    for kind, pattern in _TARGET_KINDS:
        if pattern.search(target):
            return kind
    return TargetType.other


# --- location phrase ---------------------------------------------------------------------

_NAME = r"[A-Z][\w'’-]+(?:[\s-][A-Z][\w'’-]+)?"
_PLACE_PHRASE = re.compile(
    r"\b(?:in|near|at|outside|between|around|inside|from|close to|"
    r"(?:north|south|east|west)(?:east|west)? of)\s+(?:(?:the|its|their)\s+)?"
    r"(?:(?:[a-z]+ern|central|remote|border|restive|rural|[A-Z][a-z]+(?:an|ese|be))\s+)*"
    r"(?:(?P<kind>towns?|villages?|city|commune|region|district|province|locality|capital|"
    r"hamlet|border town)\s+(?:of\s+)?)?"
    rf"{_NAME}(?:\s+and\s+{_NAME})?(?:\s+[Rr]egion)?"
    r"(?:,?\s+(?:in|of)\s+(?:the\s+)?(?:(?:[a-z]+ern|central)\s+)?"
    rf"{_NAME}(?:['’]s)?(?:\s+[Rr]egion)?)?"
)


def location_phrase(sentence: str) -> str | None:
    """The place of an event as written: the first locative phrase ("near the town of X in
    the Y region") that names a known place, or a town or village by its kind."""
    for m in _PLACE_PHRASE.finditer(sentence):
        if m.group("kind") or find_places(m.group(0)):
            return m.group(0)
    return None


# --- date of the event, not of the statement ------------------------------------------------

_STATEMENT_BEFORE = re.compile(
    r"\b(?:statement|video|claim|communiqu\w*|message|release[sd]?|published|posted|issued|"
    r"announced|said|says)\b[^.,;]{0,20}$",
    re.I,
)


_OTHER_EVENT_LEAD = re.compile(
    r"^\s*(?:in addition to|besides|apart from|aside from|unlike|like)\b[^,]{0,80},", re.I
)


def event_date_text(sentence: str, published: dt.date | None) -> str | None:
    """The sentence's first date expression that dates the event, not its report ("in a
    statement released today, ... yesterday's assault" is yesterday)."""
    mentions = find_dates(sentence, published)
    lead = _OTHER_EVENT_LEAD.match(sentence)
    for mention in mentions:
        if lead and mention.start_offset < lead.end():
            continue  # "In addition to yesterday's assault, ...": another event's date
        if not _STATEMENT_BEFORE.search(sentence[: mention.start_offset]):
            return mention.text
    return mentions[0].text if mentions else None


# --- tactic -------------------------------------------------------------------------------

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


# --- follow-up sentences ------------------------------------------------------------------

_BACK_REFERENCE = re.compile(
    rf"\b(?:that|this|these|those|each|both|the same)\s+(?:(?:deadly|latest|suicide|twin|"
    rf"first|second|initial|same)\s+)?{_ATTACK_NOUN}",
    re.I,
)
_DEFINITE_REFERENCE = re.compile(rf"\bthe\s+{_ATTACK_NOUN}", re.I)


def is_follow_up(sentence: str, published: dt.date | None, *, same_paragraph: bool = False) -> bool:
    """A sentence that adds to an event told before ("at least 20 soldiers were killed in
    that raid"): it points back to it and names no place or date of its own.  Right after
    the event, in its paragraph, "the blast" points back too."""
    reference = _BACK_REFERENCE.search(sentence) or (
        same_paragraph and _DEFINITE_REFERENCE.search(sentence)
    )
    return bool(reference and not find_places(sentence) and not find_dates(sentence, published))
