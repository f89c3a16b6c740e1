"""Victim counts as written ("at least 20 soldiers", "dozens", "nearly a dozen") to integers.

The SPEC follows ACLED's conservative convention: record the figure the text commits to,
never a guess above it.  So a lower bound counts as its stated figure ("at least 20" = 20,
"more than 20" = 20), a range counts as its lower end ("20-30" = 20), a stated upper
bound just short of a figure counts as the figure just below ("nearly a dozen" = 11), and
words that give no figure at all ("several", "many") are null, not a guess.

Every rule lives in a small table at the top of this module, so a reviewer can read the
whole policy in one screen and a new phrase is one dict entry, not a new branch.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Literal

# --- tables -----------------------------------------------------------------------------

# Number words, exact values.  Shared with ``llmextract.normalize.dates`` ("two days later").
UNITS: dict[str, int] = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS: dict[str, int] = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES: dict[str, int] = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}

Rule = Literal["stated", "just_below", "null"]

# Words before a figure, and what they do to it.  Longest phrases are tried first.
# - "stated": keep the figure.  A lower bound ("at least", "more than", "over") is
#   recorded as the figure itself (ACLED: never count above what the text commits to); an
#   estimate ("about", "some") is its figure; an upper bound that includes the figure
#   ("up to 20", "as many as 20", "no more than 20") is recorded as the figure, because it
#   is the only figure the text gives (add null to a gold ``accept`` when that matters).
# - "just_below": "nearly a dozen" = 11 in the SPEC, so every "nearly/almost N" is N - 1.
# - "null": a bound that excludes its figure and gives no floor ("fewer than 20").
QUALIFIERS: dict[str, Rule] = {
    "at least": "stated",
    "no fewer than": "stated",
    "no less than": "stated",
    "not less than": "stated",
    "a minimum of": "stated",
    "minimum of": "stated",
    "more than": "stated",
    "over": "stated",
    "well over": "stated",
    "just over": "stated",
    "upwards of": "stated",
    "in excess of": "stated",
    "about": "stated",
    "around": "stated",
    "some": "stated",
    "approximately": "stated",
    "approx": "stated",
    "roughly": "stated",
    "circa": "stated",
    "an estimated": "stated",
    "estimated": "stated",
    "a reported": "stated",
    "reportedly": "stated",
    "a total of": "stated",
    "total of": "stated",
    "between": "stated",
    "up to": "stated",
    "as many as": "stated",
    "as much as": "stated",
    "no more than": "stated",
    "not more than": "stated",
    "at most": "stated",
    "a maximum of": "stated",
    "nearly": "just_below",
    "almost": "just_below",
    "close to": "just_below",
    "just under": "just_below",
    "just short of": "just_below",
    "fewer than": "null",
    "less than": "null",
    "under": "null",
    "below": "null",
}

# Quantity words that stand for a figure, or for no figure (None).  Longest first.
# "dozens" = 12 is the SPEC's (and ACLED's) rule; "hundreds" = 100 and "thousands" = 1000
# follow ACLED the same way (the smallest figure the word names, not its plural).
# "several", "many", "scores", "a few" and the like commit to no figure, so they are null.
QUANTITY_WORDS: dict[str, int | None] = {
    "half a dozen": 6,
    "a half dozen": 6,
    "several dozen": 12,
    "a few dozen": 12,
    "dozens": 12,
    "a dozen": 12,
    "dozen": 12,
    "a couple of": 2,
    "a couple": 2,
    "couple of": 2,
    "a pair of": 2,
    "tens": 10,
    "several hundred": 100,
    "a few hundred": 100,
    "hundreds": 100,
    "several thousand": 1_000,
    "a few thousand": 1_000,
    "thousands": 1_000,
    "several": None,
    "a few": None,
    "few": None,
    "many": None,
    "scores": None,
    "numerous": None,
    "multiple": None,
    "a number of": None,
    "an unknown number": None,
    "unknown number": None,
    "an undetermined number": None,
    "an unspecified number": None,
    "unspecified number": None,
    "a large number": None,
    "large numbers": None,
    "a significant number": None,
    "a handful": None,
    "handful": None,
    "a lot": None,
    "lots": None,
    "countless": None,
    "untold": None,
    "heavy": None,
    "some": None,  # "some soldiers": only reached when no figure follows ("some 20" above)
}
# Figures that only a plural quantity word gives ("dozens" = 12, "hundreds" = 100): a
# stated number about the same victims is the better reading.
_PLURAL_QUANTITIES = ("dozens", "tens", "hundreds", "thousands")
VAGUE_FIGURES: frozenset[int] = frozenset(
    value
    for word, value in QUANTITY_WORDS.items()
    if value is not None
    and (word.split()[-1] in _PLURAL_QUANTITIES or word.startswith(("several ", "a few ")))
)

# Whole values that mean "nobody": zero.
ZERO_WORDS: dict[str, int] = {
    "none": 0,
    "no one": 0,
    "no-one": 0,
    "nobody": 0,
    "zero": 0,
    "nil": 0,
    "no": 0,  # "no casualties", "no soldiers"; only after NO_FIGURE_MARKERS did not match
}

# Values that start like "no casualties" but say the figure is not known: null, not zero.
NO_FIGURE_MARKERS: tuple[str, ...] = (
    "no figure",
    "no number",
    "no toll",
    "no death toll",
    "no details",
    "no information",
    "no data",
    "no count",
    "no estimate",
    "no report",
    "no reports",
    "no word",
    "no official",
    "no confirmed",
    "no independent",
)

# Comparisons with another group give no figure of their own: null.  Regexes, because
# "as many as 20" is a qualifier (20) while "twice as many" is a comparison (null).
RELATIVE_MARKERS: tuple[str, ...] = (
    r"\btwice\b",
    r"\bthrice\b",
    r"\btimes (?:as|more|higher)\b",
    r"\bas many\b(?! as\b)",
    r"\bdouble\b",
    r"\btriple\b",
    r"\b(?:half|a third|a quarter|most|all) of\b",
    r"\bper ?cent\b",
    r"%",
    r"\bmajority\b",
)

# "a soldier", "an officer": one person.  These words after "a"/"an" are not nouns of
# people but start a quantity phrase, handled by the tables above.
_ARTICLES = ("a", "an")

# --- parsing ----------------------------------------------------------------------------

_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+(?![\d,])|\d+(?:\.\d+)?|[a-z]+(?:'[a-z]+)?|[+\-%/]")
_RANGE_JOINERS = frozenset({"-", "to", "or", "/"})


def _normalise(text: str) -> str:
    text = text.casefold().replace("’", "'").replace("–", "-").replace("—", "-")
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)  # "twenty-one" -> "twenty one"
    return re.sub(r"\s+", " ", text).strip(" .;:!?\"'()[]")


def _phrase_at(tokens: list[str], i: int, phrases: Iterable[str]) -> tuple[str, int] | None:
    """The longest phrase of ``phrases`` that starts at token ``i``, with its length."""
    best: tuple[str, int] | None = None
    for phrase in phrases:
        words = phrase.split(" ")
        if tokens[i : i + len(words)] == words and (best is None or len(words) > best[1]):
            best = (phrase, len(words))
    return best


def _number_at(tokens: list[str], i: int) -> tuple[int, int] | None:
    """An exact number (digits or words, "a hundred", "1,200", "20 thousand") at token ``i``.

    Returns ``(value, next_index)``, or None when no number starts there.  Stops at the
    first token that cannot continue the number, so trailing nouns are left alone.
    """
    n = len(tokens)
    if i >= n:
        return None
    tok = tokens[i]
    if tok[0].isdigit():
        if "." in tok:
            whole = float(tok)
            j = i + 1
            if j < n and tokens[j] in SCALES:
                return int(whole * SCALES[tokens[j]]), j + 1
            return None  # "2.5 people" is not a count
        value = int(tok.replace(",", ""))
        j = i + 1
        while j < n and tokens[j] in SCALES:
            value *= SCALES[tokens[j]]
            j += 1
        return value, j
    total = 0
    current = 0
    last: str | None = None  # kind of the previous number token
    j = i
    if tok in _ARTICLES and i + 1 < n and tokens[i + 1] in SCALES:
        current, last, j = 1, "unit", i + 1
    while j < n:
        t = tokens[j]
        if t in UNITS and last in (None, "tens", "scale", "and"):
            if last == "tens" and UNITS[t] >= 10:
                break
            current += UNITS[t]
            last = "unit"
        elif t in TENS and last in (None, "scale", "and"):
            current += TENS[t]
            last = "tens"
        elif t == "hundred" and last in ("unit", "tens") and current < 100:
            current *= 100
            last = "scale"
        elif t in SCALES and t != "hundred" and last in ("unit", "tens", "scale"):
            total += max(current, 1) * SCALES[t]
            current = 0
            last = "scale"
        elif (
            t == "and"
            and last == "scale"
            and j + 1 < n
            and (tokens[j + 1] in UNITS or tokens[j + 1] in TENS)
        ):
            last = "and"
        else:
            break
        j += 1
    if last is None or last == "and":
        return None
    return total + current, j


def _quantity_at(
    tokens: list[str], i: int, *, article: bool = True
) -> tuple[int | None, int] | None:
    """A figure (or an explicit no-figure word) starting at token ``i``.

    Returns ``(value_or_None, next_index)``; None when nothing quantity-like starts here.
    ``article`` allows "a soldier" = 1, which is only safe at the start of a value ("killed
    in a raid" must not read as one).
    """
    n = len(tokens)
    number = _number_at(tokens, i)
    if number is not None:
        value, j = number
        if j < n and tokens[j] in ("dozen", "dozens"):  # "two dozen" = 24
            return value * 12, j + 1
        joined = j < n and (
            tokens[j] in _RANGE_JOINERS
            or (tokens[j] == "and" and i > 0 and tokens[i - 1] == "between")
        )
        if joined:  # "20-30", "20 to 30", "between 20 and 30": the lower end
            other = _number_at(tokens, j + 1)
            if other is not None:
                return min(value, other[0]), other[1]
        return value, j
    phrase = _phrase_at(tokens, i, QUANTITY_WORDS)
    if phrase is not None:
        return QUANTITY_WORDS[phrase[0]], i + phrase[1]
    if article and tokens[i] in _ARTICLES and i + 1 < n and tokens[i + 1].isalpha():
        return 1, i + 1  # "a soldier"
    return None


def _parse_from(tokens: list[str], i: int, *, article: bool) -> tuple[bool, int | None]:
    """Qualifiers then a quantity at token ``i``: ``(found, value)``."""
    rule: Rule = "stated"
    j = i
    while j < len(tokens):
        qualifier = _phrase_at(tokens, j, QUALIFIERS)
        if qualifier is None:
            break
        after = j + qualifier[1]
        # "some soldiers", "over" at the end: the word is not a qualifier here.
        if after >= len(tokens) or _quantity_at(tokens, after, article=True) is None:
            break
        if QUALIFIERS[qualifier[0]] != "stated":
            rule = QUALIFIERS[qualifier[0]]
        j = after
        article = True  # "nearly a dozen", "over a hundred"
    if j >= len(tokens):
        return False, None
    quantity = _quantity_at(tokens, j, article=article)
    if quantity is None:
        return False, None
    value = quantity[0]
    if value is None or rule == "null":
        return True, None
    if rule == "just_below":
        return True, max(value - 1, 0)
    return True, value


def _parse_text(text: str) -> int | None:
    s = _normalise(text)
    if not s or re.match(r"-\s*\d", s):  # empty, or a negative number
        return None
    if any(re.search(marker, s) for marker in RELATIVE_MARKERS):
        return None
    tokens = _TOKEN.findall(s)
    if not tokens:
        return None
    zero = _phrase_at(tokens, 0, ZERO_WORDS)
    if zero is not None and _phrase_at(tokens, 0, QUALIFIERS) is not None:
        zero = None  # "no fewer than 15", "no more than 9" are qualifiers
    if zero is not None and not any(re.match(rf"{re.escape(m)}\b", s) for m in NO_FIGURE_MARKERS):
        return ZERO_WORDS[zero[0]]
    if tokens[0] == "the":  # "the 20 soldiers"
        tokens = tokens[1:]
    # The figure is normally at the start; otherwise take the first quantity in the text
    # ("the attack killed 20 soldiers").
    for i in range(len(tokens)):
        found, value = _parse_from(tokens, i, article=i == 0)
        if found:
            return value
    return None


def parse_count(value: int | float | str | None) -> int | None:
    """A count as written to the SPEC's conservative integer, or None when none is given.

    Never raises: anything that is not a readable, non-negative count is None.
    """
    try:
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value if value >= 0 else None
        if isinstance(value, float):
            if math.isfinite(value) and value >= 0 and value.is_integer():
                return int(value)
            return None
        if isinstance(value, str):
            result = _parse_text(value)
            return result if result is not None and result >= 0 else None
    except (ValueError, TypeError, OverflowError, IndexError):
        return None
    return None


def words_to_int(text: str | None) -> int | None:
    """An exact number written in digits or words ("two", "twenty-one", "a", "12"), or None.

    Unlike :func:`parse_count` this applies no conservative rule and accepts nothing but
    a number; ``llmextract.normalize.dates`` uses it for "two days later".  Kept rather than
    text2num: on the 220 count phrases of evals/dev both read the same 212 figures
    (``scripts/measure_number_words.py``), and text2num reads neither digits nor "a".
    """
    if not text:
        return None
    tokens = _TOKEN.findall(_normalise(text))
    if tokens in (["a"], ["an"]):
        return 1
    try:
        number = _number_at(tokens, 0)
    except (ValueError, OverflowError):
        return None
    if number is None or number[1] != len(tokens):
        return None
    return number[0]


def _number_word_pattern() -> str:
    """A regex (no groups) for a number in digits ("12", "1,200") or words ("two",
    "twenty-one", "one hundred and twenty", "a hundred"), or "a"/"an"."""
    units = "|".join(sorted(UNITS, key=len, reverse=True))
    tens = "|".join(sorted(TENS, key=len, reverse=True))
    ones = "one|two|three|four|five|six|seven|eight|nine"
    below_hundred = rf"(?:(?:{tens})(?:[\s-](?:{ones}))?|{units})"
    scale = r"(?:hundred|thousand)"
    words = (
        rf"(?:(?:{below_hundred}|an?)[\s-]{scale}(?:[\s-](?:and[\s-])?{below_hundred})?"
        rf"|{below_hundred})"
    )
    return rf"(?:\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d+|{words}|an|a)(?![\w-])"


NUMBER_PATTERN: str = _number_word_pattern()
