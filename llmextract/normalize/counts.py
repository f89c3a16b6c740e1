"""Victim counts as written ("at least 20 soldiers", "dozens", "nearly a dozen") to integers.

The SPEC follows ACLED's conservative convention: record the figure the text commits to,
never a guess above it.  So a lower bound counts as its stated figure ("at least 20" = 20,
"more than 20" = 20), a range counts as its lower end ("20-30" = 20), a stated upper
bound just short of a figure counts as the figure just below ("nearly a dozen" = 11), and
words that give no figure at all ("several", "many") are null, not a guess.

Every rule lives in a small table in ``normalize.count_tables``, so a reviewer can read
the whole policy in one screen and a new phrase is one dict entry, not a new branch.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from llmextract.normalize.count_tables import (
    _ARTICLES,
    NO_FIGURE_MARKERS,
    QUALIFIERS,
    QUANTITY_WORDS,
    RELATIVE_MARKERS,
    SCALES,
    TENS,
    UNITS,
    ZERO_WORDS,
    Rule,
)

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
