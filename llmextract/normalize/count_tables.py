"""The tables of the count policy (``normalize.counts`` applies them): number words,
qualifiers ("at least", "nearly"), vague quantities ("dozens" = 12, "several" = null),
ranges and articles, each a small table a reviewer reads in one screen."""

from __future__ import annotations

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
