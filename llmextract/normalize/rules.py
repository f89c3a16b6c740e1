"""Fields that news text states in set phrases, read by rules instead of a model.

The target and its kind, the place phrase, the event's date (not its report's) and the
sentences that add to an event told before follow a handful of patterns in conflict
reporting; counts are read in ``normalize.count_phrases``, who did it in
``normalize.attribution``, who says so in ``normalize.sources``.  Cue words live in
``data/lexicon.json``.  Reading these in code costs nothing and cannot copy a
neighbouring event's values.
"""

from __future__ import annotations

import datetime as dt
import re

from llmextract.normalize.attribution import (
    STATE_ACTORS,
    actors_in,
)
from llmextract.normalize.dates import DateMention, find_dates
from llmextract.normalize.lexicon import cue, cue_table
from llmextract.normalize.places import DESCRIBED_AFTER, find_places, resolve_location
from llmextract.normalize.text import fold
from llmextract.schema import GeoPrecision, IncidentType, TargetType

# --- target ------------------------------------------------------------------------------

_ATTACK_NOUN = (
    r"(?:attack|assault|ambush|raid|bombing|blast|siege|barrage|strike|explosion|offensive|"
    r"operation|shelling|fire|IED|incursion|massacre|killing|kidnapping|abduction|jailbreak|"
    r"execution)\w*"
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
    r"hotel|mine))\s+(?:assault|attack|raid|break|bombing|siege|ambush)",
    re.I,
)
# "a patrol of the security forces repelled an attack": who fought it off was attacked.
_TARGET_DEFENDER = re.compile(
    r"\b(?:an?|the)\s+(?P<target>(?:[\w'’-]+\s+){0,7}?[\w'’-]+)\s+(?:had\s+)?"
    r"(?:repelled|repulsed|fought off|beat back|pushed back|foiled|thwarted)\b",
    re.I,
)
_ATTACK_WORDS = re.compile(rf"\b{_ATTACK_NOUN}", re.I)
# "the border with X", "the area": where it happened, not whom it hit.
_GEOGRAPHY = re.compile(
    r"(?:the\s+)?(?:border|frontier|area|region|zone|forest|province|district|north|south|"
    r"east|west|centre|center)s?\b",
    re.I,
)


_NOT_A_TARGET = re.compile(
    r"^\d+\s+(?:wounded|injured|dead|killed)$|\b(?:\d+\s*(?:km|kilomet\w+|miles?)|motorbikes?|motorcycles?|pick-?ups?|vehicles? of the "
    r"attackers|foot|night|dawn|morning|evening|afternoon|hours?)\b",
    re.I,
)
_LEADING_PREPOSITION = re.compile(r"(?:of|in|on|at|to|from|with|by)\s", re.I)
_POSSESSIVE_LEAD = re.compile(r"^(?:their|its|his|her|our)\s+", re.I)


def usable_target(target: str | None, sentence: str, perpetrator: str | None = None) -> str | None:
    """A model's target, kept if it is the sentence's words for who or what was attacked:
    not the attack itself ("IED attack"), not the attacker, not only a place name."""
    if not target or not target.strip() or fold(target) not in fold(sentence):
        return None
    if _LEADING_PREPOSITION.match(target):
        return None  # "of its members": a fragment, not a party
    if _ATTACK_WORDS.search(target) or _GEOGRAPHY.match(target.strip()):
        return None
    if cue("weapons").search(target) and not any(
        pattern.search(target) for _, pattern in cue_table("target_kinds")
    ):
        return None  # "an improvised explosive device": what hit, not whom
    if find_dates(target, None) or _NOT_A_TARGET.search(target):
        return None  # "Sunday", "about 15 km", "motorbikes": when, how far, how
    target = _POSSESSIVE_LEAD.sub("", target.strip())
    if all(word[:1].isupper() for word in target.split()):
        return None  # "raided Kossouma": a name, where it happened, not whom it hit
    actors = actors_in(target)
    if actors and perpetrator and any(a.canonical == perpetrator for a in actors):
        return None
    if (
        actors
        and all(a.canonical not in STATE_ACTORS for a in actors)
        and len(actors) == len(target.split())
    ):
        return None
    places = find_places(target)
    if places and sum(b - a for a, b, _ in places) >= len(target.strip()) - 4:
        return None
    return target.strip()


_REFERENCE_LEAD = re.compile(
    r"\b(?:in|of|after|since|for|before|during|to|behind)\s+(?:the|that|this|last)\s+"
    r"(?:[\w'’-]+\s+)?$",
    re.I,
)


def target_in(sentence: str) -> str | None:
    """The attacked party as written after "attack on ..." or "ambushed ...": the first
    such phrase that names a party, not a time ("an attack on Sunday") or a place."""
    for pattern in (_TARGET_AFTER, _TARGET_OBJECT, _TARGET_COMPOUND, _TARGET_DEFENDER):
        for m in pattern.finditer(sentence):
            if pattern is _TARGET_COMPOUND and _REFERENCE_LEAD.search(sentence[: m.start()]):
                continue  # "fighters who took part in the prison attack": an earlier event
            target = usable_target(m.group("target").strip(), sentence)
            if target:
                return target
    return None


def target_type_of(target: str | None, incident_type: IncidentType | None = None) -> TargetType:
    """The kind of target from its words; a prison break with no target named hit a prison."""
    if not target:
        return (
            TargetType.prison if incident_type == IncidentType.prison_break else TargetType.unknown
        )
    for kind, pattern in cue_table("target_kinds"):
        if pattern.search(target):
            return TargetType(kind)
    return TargetType.other


# --- location phrase ---------------------------------------------------------------------

_NAME = r"[A-Z][\w'’-]+(?:[\s-][A-Z][\w'’-]+)?"
_PLACE_PHRASE = re.compile(
    r"(?<![\w'’-])(?:in|near|at|outside|between|around|inside|from|close to|"
    r"(?:north|south|east|west)(?:east|west)? of|"
    # "about 15 km from X", "some 8 kilometres north-east of X"; "the village of X"
    r"(?:(?:about|some|around|roughly|nearly)\s+)?\d+\s*(?:km|kms|kilomet(?:re|er)s|miles)\s+"
    r"(?:(?:north|south|east|west)(?:-?(?:east|west))?\s+)?(?:of|from)|"
    r"(?=the\s+(?:town|village|hamlet|commune|locality)\s+of\s))\s*(?:(?:the|its|their)\s+)?"
    r"(?:(?:[a-z]+ern|central|remote|border|restive|rural|[A-Z][a-z]+(?:an|ese|be))\s+)*"
    r"(?:(?P<kind>towns?|villages?|city|commune|region|district|province|locality|capital|"
    r"hamlet|border town)\s+(?:of\s+)?)?"
    rf"{_NAME}(?:\s+and\s+{_NAME})?(?:\s+(?:[Rr]egion|province|department|cercle|district|area))?"
    r"(?:,?\s+(?:in|of)\s+(?:the\s+)?(?:(?:[a-z]+ern|central)\s+)?"
    rf"{_NAME}(?:['’]s)?(?:\s+(?:[Rr]egion|province|department|cercle|district))?)?"
)


def _locates(phrase: str) -> bool:
    return resolve_location(phrase).geo_precision is not GeoPrecision.unknown


def location_phrase(sentence: str) -> str | None:
    """The place of an event as written: the first locative phrase ("near the town of X in
    the Y region", "at X") that names a known place, a town or village by its kind, or a
    name the gazetteer lacks written where a place goes."""
    found: list[tuple[int, str]] = []
    groups = [(a.start, a.end) for a in actors_in(sentence)]
    for m in _PLACE_PHRASE.finditer(sentence):
        phrase = m.group(0)
        if actors_in(phrase) or any(a < m.end() and m.start() < b for a, b in groups):
            continue  # "from Jama'at Nasr al-Islam": a group's name, not a place
        if (
            m.group("kind")
            or DESCRIBED_AFTER.match(sentence[m.end() :])
            or phrase.endswith(" area")
        ):
            found.append((2, phrase))  # "at X, a village in ...", "in the X area": unlisted
        elif find_places(phrase) or _locates(phrase):
            found.append((_PHRASE_DETAIL[resolve_location(phrase).geo_precision], phrase))
    for m in _DESCRIBED_NAME.finditer(sentence):
        # "raided X, a village about 25 km north of Y": X, described as a place, is it.
        if DESCRIBED_AFTER.match(sentence[m.end() :]) and not any(
            a < m.end() and m.start() < b for a, b in groups
        ):
            found.append((3, m.group(0)))
    # The most specific phrase, the first on a tie: "The deadliest attack in Burkina Faso hit
    # a convoy near X" happened near X.
    return max(found, key=lambda f: f[0])[1] if found else None


_DESCRIBED_NAME = re.compile(rf"(?<![\w'’-]){_NAME}")


_PHRASE_DETAIL = {
    GeoPrecision.unknown: 0,
    GeoPrecision.country: 0,
    GeoPrecision.admin1: 1,
    GeoPrecision.near: 2,
    GeoPrecision.place: 2,
}


# --- date of the event, not of the statement ------------------------------------------------

# A statement's date stands between its verb and what it says: "said on Monday that ...";
# "claimed that on Friday its fighters attacked ..." dates the attack.
_STATEMENT_BEFORE = re.compile(
    r"\b(?:statement|video|claim\w*|communiqu\w*|message|release[sd]?|published|posted|issued|"
    r"announced|said|says|responsibility|credit|account|toll|briefing|television|radio|told|"
    r"reported|confirmed|denied)\b(?P<between>(?:(?!\bthat\b)[^.;]){0,40})$",
    re.I,
)


_EVENT_NOUN_AFTER = re.compile(rf"^(?:['’]s)?\s+(?:[\w-]+\s+)?{_ATTACK_NOUN}|^['’]s\b", re.I)
_EVENT_NOUN_BEFORE = re.compile(
    rf"\b{_ATTACK_NOUN}(?:\s+(?!on\b|in\b)[\w'’-]+){{0,3}}\s+(?:on|in|late|early|of|that)?\s*$|"
    r"\b(?:prison break|jailbreak|kidnapping|abduction|massacre|killings?)\s+(?:on\s+|in\s+)?$",
    re.I,
)
# "took responsibility for the ambush on Sunday": a claim of an event already told (the
# definite article) dated at the clause's end is the claim's date.
_CLAIMED_KNOWN_EVENT = re.compile(
    rf"\b(?:claim\w*|responsibility for|credit for|took responsibility)\s+(?:for\s+)?the\s+"
    rf"(?:[\w-]+\s+)?{_ATTACK_NOUN}\s+(?:on\s+|late\s+|early\s+)?$",
    re.I,
)
_CLAUSE_END = re.compile(
    r"^\s*(?:[.;]|,?\s+(?:saying|according|in a|in an|via|through|on Telegram|on social|and)\b|$)",
    re.I,
)
# "JNIM issued a statement claiming the attack", "the army said the assault had been
# repelled": a report about an event already told (the definite article), not a new one.
_TELLS_OF = re.compile(
    r"\b(?:claim\w*|said|says|reported|issued|released|published|announced|statement|"
    r"communiqu\w*|confirmed|denied|gave|put)\b"
)
_DEFINITE_EVENT = re.compile(rf"\bthe\s+(?:[\w-]+\s+)?{_ATTACK_NOUN}", re.I)
_INDEFINITE_EVENT = re.compile(rf"\b(?:an?|another)\s+(?:[\w-]+\s+){{0,2}}{_ATTACK_NOUN}", re.I)


def tells_known_event(sentence: str) -> bool:
    """Whether a sentence reports on an event told before ("In a communiqué issued the same
    day, the army said the assault had been repelled") rather than telling a new one."""
    return bool(
        _TELLS_OF.search(sentence)
        and _DEFINITE_EVENT.search(sentence)
        and not _INDEFINITE_EVENT.search(sentence)
    )


_STATEMENT_AFTER = re.compile(
    r"^(?P<between>[^.;]{0,80}?)\b(?:put out|issued|released|published|posted|"
    r"put the (?:death )?toll|gave (?:a|the) (?:death )?toll|(?:were|was) speaking of|spoke of)\b",
    re.I,
)
_OTHER_EVENT_LEAD = re.compile(
    r"^\s*(?:in addition to|besides|apart from|aside from|unlike|like)\b[^,]{0,80},", re.I
)


_PRECISION_ORDER = ("day", "days", "week", "month", "year", "unknown")


def _precision_rank(mention: DateMention) -> tuple[int, int]:
    """The most precise date first ("In mid-February, on 14 February": the 14th), then
    the first written."""
    return _PRECISION_ORDER.index(mention.range.precision.value), mention.start_offset


def event_date_text(sentence: str, published: dt.date | None) -> str | None:
    """The sentence's first date expression that dates the event, not its report ("in a
    statement released today, ... yesterday's assault" is yesterday)."""
    mentions = sorted(find_dates(sentence, published), key=_precision_rank)
    lead = _OTHER_EVENT_LEAD.match(sentence)
    for mention in mentions:
        if lead and mention.start_offset < lead.end():
            continue  # "In addition to yesterday's assault, ...": another event's date
        end = mention.start_offset + len(mention.text)
        before = sentence[: mention.start_offset]
        if _CLAIMED_KNOWN_EVENT.search(before) and _CLAUSE_END.match(sentence[end:]):
            continue  # "JNIM claimed the ambush on Sunday.": the event was told before
        if _EVENT_NOUN_AFTER.match(sentence[end:]) or _EVENT_NOUN_BEFORE.search(before):
            return mention.text  # "Friday's ambush", "the March 8 raid", "the raid on Sunday"
        if tells_known_event(sentence):
            continue  # "On 16 January, JNIM issued a statement claiming the attack"
        statement = _STATEMENT_BEFORE.search(sentence[: mention.start_offset])
        if statement and not cue("event_words").search(statement.group("between")):
            continue  # "said on Monday", not "said 23 civilians were killed on Thursday"
        after = _STATEMENT_AFTER.match(sentence[end:])
        if after and not cue("event_words").search(after.group("between")):
            continue  # "Then, on Thursday, JNIM put out a statement saying ...": the statement's
        return mention.text
    return None


# --- follow-up sentences ------------------------------------------------------------------

_BACK_REFERENCE = re.compile(
    rf"\b(?:that|this|these|those|each|both|the same)\s+(?:(?:deadly|latest|suicide|twin|"
    rf"first|second|initial|same)\s+)?{_ATTACK_NOUN}",
    re.I,
)
_DEFINITE_REFERENCE = re.compile(rf"\bthe\s+{_ATTACK_NOUN}", re.I)
# "the prison attack", "that Ouallam jailbreak": an event named as already known.
EVENT_REFERENCE = re.compile(
    rf"\b(?:the|this|these|those)\s+(?:[\w-]+\s+){{0,2}}{_ATTACK_NOUN}", re.I
)


def is_follow_up(sentence: str, published: dt.date | None, *, same_paragraph: bool = False) -> bool:
    """A sentence that adds to an event told before ("nine gendarmes died in that
    assault"): it names no place or event date of its own and points back to it.  Right
    after the event, in its paragraph, "the blast" points back too, and so does a claim,
    denial or confirmation that names no other event ("JNIM took responsibility on
    Thursday", "Local sources confirmed strikes in the area")."""
    if find_places(sentence) or event_date_text(sentence, published):
        return False
    if _BACK_REFERENCE.search(sentence):
        return True
    if not same_paragraph:
        return False
    if _DEFINITE_REFERENCE.search(sentence):
        return True
    says_about = any(cue(section).search(sentence) for section in _ABOUT_AN_EVENT)
    return says_about and not _INDEFINITE_EVENT.search(sentence)


# What a sentence says about an event it does not name: who claims, denies or confirms it.
_ABOUT_AN_EVENT = ("claim", "no_claim", "deny", "confirm")
