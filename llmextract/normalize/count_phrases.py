"""Count phrases of conflict reporting, read by rules: "killing three officers", "the
blast left 14 people dead", "14 soldiers dead, 11 wounded", "the toll rose to 47" (which
field each figure belongs to, and who was counted); ``normalize.counts`` turns the
phrase into a number.  Who counts as a person or an attacker is data
(``persons``/``attackers`` of the lexicon)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from llmextract.normalize.counts import NUMBER_PATTERN, parse_count
from llmextract.normalize.lexicon import cue

# --- counts -------------------------------------------------------------------------------

_QUALIFIER = (
    r"(?:(?:at least|nearly|almost|about|around|some|roughly|approximately|more than|over|"
    r"up to|another|a further|an additional|a total of|as many as|no fewer than|not fewer than|"
    r"no less than|not less than)\s+)?"
)
_FIGURE = rf"(?:a dozen|a handful|dozens|scores|hundreds|{NUMBER_PATTERN})"
_DETERMINER = r"(?:our|their|his|her|its|the)(?![\w-])"
_NUM = rf"(?P<num>{_QUALIFIER}{_FIGURE})"
# Up to three words between a figure and its verb ("two Malian gendarmes were"), none of
# them a clause break.
_NOT_IN_NOUN_PHRASE = (
    r"(?!(?:killed|dead|died|wounded|injured|hurt|kidnapped|abducted|captured|seized|missing|with|and|or|"
    r"but|while|who|which|that|in|on|at|near|during|after|were|was|are|is|been|neutrali[sz]ed)\b)"
)
_WORDS = rf"(?P<words>(?:{_NOT_IN_NOUN_PHRASE}[\w'’-]+[”\"]?\s+){{0,3}}?)"
# "were killed", "are alleged to have been killed", "were confirmed to have been killed";
# an aside before the verb (", mainly women and children, were killed") only with one.
_BE = (
    r"(?:[\w'’-]+,\s[^,.;:]{1,40},\s+(?=(?:were|was|are|is|have|had)\b))?"
    r"(?:(?:were|was|have been|had been|are|is|being)\s+)?"
    r"(?:(?:alleged|confirmed|reported|believed|said|thought|feared|known|estimated)\s+to\s+"
    r"have\s+been\s+)?(?:\w+ly\s+)?"
)
# Who can be counted ("three soldiers", "a nurse") and who attacks ("12 assailants"):
# ``persons`` and ``attackers`` of the lexicon.
_PERSONS = cue("persons")
_ATTACKERS = cue("attackers")

_VERB_FIRST = {
    "killed": r"\b(?:kill(?:ed|ing|s)?|slay(?:ing)?|slew|execut(?:ed|ing)|shot dead|gunned down|"
    r"neutrali[sz](?:ed|ing)|los(?:t|ing|es))\s+",
    "wounded": r"\b(?:wound(?:ed|ing|s)?|injur(?:ed|ing|es?))\s+",
    "kidnapped": r"\b(?:kidnapp?(?:ed|ing)?|abduct(?:ed|ing)?|captur(?:ed|ing)|seiz(?:ed|ing)|"
    r"took|taking|(?:abduction|kidnapping)s?(?:\s+(?:on|late|early)\s+\w+)?\s+of)\s+",
}
_VERB_AFTER = {
    "killed": r"[\"“”']?(?:killed|dead|died|slain|executed|massacred|lost their lives|perished|"
    r"neutrali[sz]ed|eliminated)\b",
    "wounded": r"(?:wounded|injured|hurt)\b",
    "kidnapped": r"(?:kidnapped|abducted|taken hostage|held hostage|captured|seized)\b",
}
_LEFT_DEAD = re.compile(
    rf"\b(?:left|leaving)\s+(?:behind\s+)?{_NUM}(?:\s*\(\d+\))?\s+{_WORDS}dead\b", re.I
)
_TOLL = re.compile(
    rf"\b(?:(?:death\s+)?toll\s+(?:of|at|rose to|to|reached|stood at|climbed to|now stands at)"
    rf"|puts?\s+(?:the\s+)?(?:[\w-]+\s+)?toll(?:\s+[\w-]+){{0,4}}?\s+at|gave a (?:death\s+)?toll of"
    rf"|puts?\s+the\s+number\s+of\s+(?:[\w-]+\s+){{0,3}}?(?:killed|dead)\s+at"
    rf"|toll\b[^.;]{{0,120}}?\b(?:has|had|have)\s+(?:now\s+)?(?:risen|climbed|increased|reached|"
    rf"gone up)(?:\s+to)?)\s+{_NUM}",
    re.I,
)


# Compiled once: the patterns are too many for ``re``'s own cache to keep across a run.
_VERB_FIRST_PATTERNS = {
    field: re.compile(
        verb
        + rf"[\"“']?(?P<num>{_QUALIFIER}{_FIGURE}|{_DETERMINER})[\"”']?"
        + r"(?P<words>(?:\s+[\w'’-]+){0,3})",
        re.I,
    )
    for field, verb in _VERB_FIRST.items()
}
_VERB_AFTER_PATTERNS = {
    field: re.compile(
        rf"(?<![\w.,])(?:{_NUM}(?:\s*\(\d+\))?\s+{_WORDS}(?:and\s+(?P<num2>{_QUALIFIER}{_FIGURE})\s+"
        rf"(?P<words2>(?:{_NOT_IN_NOUN_PHRASE}[\w'’-]+\s+){{0,3}}?))?{_BE}{verb})",
        re.I,
    )
    for field, verb in _VERB_AFTER.items()
}
_ARTICLE = re.compile(r"an?", re.I)


def _is_year(phrase: str, value: int) -> bool:
    return phrase.strip().isdigit() and 1900 <= value <= 2100


_PLURAL_PERSONS = frozenset({"people", "children", "women", "men", "gunmen", "personnel", "staff"})


def _one_person(words: str) -> bool:
    """Whether the words after "a"/"an" name one person ("army officer", not "few people")."""
    person = _PERSONS.search(words)
    if person is None or len(words[: person.start()].split()) > 2:
        return False
    word = person.group(0).lower()
    return not (word.endswith("s") or word in _PLURAL_PERSONS)


def _is_article(phrase: str) -> bool:
    return bool(_ARTICLE.fullmatch(phrase.strip()))


# "... and two truck drivers", "... and \u201cabout twenty\u201d of his fighters": a second group.
_AND_MORE = re.compile(
    rf"^[\"”']?(?:\s+[\w'’-]+){{0,3}}?\s+and\s+[\"“']?(?P<num>{_QUALIFIER}{_FIGURE})[\"”']?"
    r"(?P<words>(?:\s+of\s+(?:his|her|their|its))?(?:\s+[\w'’-]+){1,3})",
    re.I,
)


@dataclass(frozen=True)
class CountPhrase:
    field: str
    phrase: str
    value: int
    words: str = ""  # what was counted ("Malian soldiers")


def _count_matches(sentence: str) -> list[CountPhrase]:
    found: list[CountPhrase] = []

    def add(field: str, phrase: str, words: str) -> None:
        if _ARTICLE.fullmatch(phrase.strip()):
            # "a soldier was killed": the article is the count, for one person only
            # ("a few people", "a number of soldiers" give no figure).
            if not _one_person(words):
                return
            phrase = "one"
        value = parse_count(phrase)
        if value is None or _is_year(phrase, value):
            return
        if field == "killed" and _ATTACKERS.search(words):
            field = "perpetrators_killed"
        found.append(CountPhrase(field, phrase.strip(), value, words.strip()))

    for field, pattern in _VERB_FIRST_PATTERNS.items():
        for m in pattern.finditer(sentence):
            words = m.group("words")
            more = _AND_MORE.match(sentence[m.end("num") :])
            first = 1 if _is_article(m.group("num")) and _one_person(words) else None
            first = first or parse_count(m.group("num"))
            if (
                more
                and first is not None
                and (_PERSONS.search(more.group("words")) or _ATTACKERS.search(more.group("words")))
            ):
                # "abducted a customs officer and two truck drivers": three people
                second = parse_count(more.group("num"))
                if second is not None:
                    both = f"{words} and {more.group('words')}"
                    name = (
                        "perpetrators_killed"
                        if field == "killed" and _ATTACKERS.search(both)
                        else field
                    )
                    found.append(
                        CountPhrase(name, f"{first + second}", first + second, both.strip())
                    )
                    continue
            if re.fullmatch(r"(?:our|their|his|her|its|the)", m.group("num").strip(), re.I):
                if _one_person(words):
                    add(field, "a", words)
                continue
            lost = m.group(0).lower().startswith("los")
            if (field == "kidnapped" or lost) and not _PERSONS.search(words):
                continue  # "capturing weapons", "took control", "lost two vehicles"
            if _ARTICLE.fullmatch(m.group("num").strip()) and not _PERSONS.search(words):
                continue
            add(field, m.group("num"), words)
    for field, pattern in _VERB_AFTER_PATTERNS.items():
        for m in pattern.finditer(sentence):
            words = m.group("words") or ""
            phrase = m.group("num")
            if _ARTICLE.fullmatch(phrase.strip()) and not _PERSONS.search(words):
                continue
            first = 1 if _is_article(phrase) and _one_person(words) else parse_count(phrase)
            second = parse_count(m.group("num2")) if m.group("num2") else None
            if first is not None and second is not None and not _is_year(phrase, first):
                both = f"{words} and {m.group('words2') or ''}"
                found.append(CountPhrase(field, f"{first + second}", first + second, both.strip()))
                continue
            add(field, phrase, words)
    for pattern in (_LEFT_DEAD, _TOLL):
        for m in pattern.finditer(sentence):
            add("killed", m.group("num"), m.groupdict().get("words") or "")
    return found


def militants_in(sentences: list[str]) -> str | None:
    """Whom a state operation hit, as written ("terrorists", "jihadist fighters"): the
    attackers' words are the target of a strike or sweep."""
    for sentence in sentences:
        found = _ATTACKERS.search(sentence)
        if found:
            return found.group(0)
    return None


def victims_in(sentences: list[str]) -> str | None:
    """Who was killed, wounded or taken, as written ("Malian soldiers"): the target when a
    sentence names no attacked party ("Three soldiers died when their vehicle ...")."""
    for sentence in sentences:
        for match in _count_matches(sentence):
            if match.field == "perpetrators_killed":
                continue
            person = _PERSONS.search(match.words)
            if person:
                return match.words[: person.end()].strip()
    return None


def counts_in(sentences: list[str]) -> dict[str, str]:
    """Count phrases per field, each from the first sentence that states one."""
    counts: dict[str, str] = {}
    for sentence in sentences:
        for match in _count_matches(sentence):
            counts.setdefault(match.field, match.phrase)
    return counts
