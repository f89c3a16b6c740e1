"""Counts as written -> the SPEC's conservative integers (llmextract.normalize.counts)."""

from __future__ import annotations

import re

import pytest

from llmextract.normalize.count_tables import QUALIFIERS, QUANTITY_WORDS
from llmextract.normalize.counts import NUMBER_PATTERN, parse_count, words_to_int


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # ints and floats pass through; negatives, bools and fractions do not
        (0, 0),
        (7, 7),
        (1500, 1500),
        (-3, None),
        (True, None),
        (12.0, 12),
        (2.5, None),
        (float("nan"), None),
        (float("inf"), None),
        (None, None),
    ],
)
def test_non_strings(value: object, expected: int | None) -> None:
    assert parse_count(value) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # lower bounds: the stated figure (SPEC: "at least 20" = 20)
        ("at least 20", 20),
        ("At least 20 soldiers", 20),
        ("more than 20", 20),
        ("over 20", 20),
        ("well over 30 people", 30),
        ("no fewer than 15", 15),
        ("20 or more", 20),
        ("20+", 20),
        ("upwards of 40", 40),
        # estimates: the figure
        ("around 20", 20),
        ("about 20", 20),
        ("some 20", 20),
        ("approximately 35", 35),
        ("an estimated 50 civilians", 50),
        # upper bounds that include the figure: the only figure given
        ("up to 20", 20),
        ("as many as 20", 20),
        ("no more than 9", 9),
        # upper bounds just short of the figure: the figure just below
        ("nearly a dozen", 11),
        ("Nearly a dozen soldiers", 11),
        ("almost 100", 99),
        ("nearly 100", 99),
        ("close to 40", 39),
        ("almost two dozen", 23),
        ("just under 50", 49),
        # bounds that exclude the figure and give no floor
        ("fewer than 20", None),
        ("less than 10", None),
        ("under 5", None),
        # ranges: the lower end
        ("20-30", 20),
        ("20 - 30", 20),
        ("20–30", 20),
        ("20 to 30", 20),
        ("between 20 and 30", 20),
        ("two or three", 2),
        ("30-20", 20),
        ("five to seven soldiers", 5),
        # quantity words
        ("dozens", 12),
        ("dozens of soldiers", 12),
        ("several dozen", 12),
        ("a dozen", 12),
        ("at least a dozen", 12),
        ("more than a dozen", 12),
        ("two dozen", 24),
        ("half a dozen", 6),
        ("a couple of", 2),
        ("hundreds", 100),
        ("several hundred", 100),
        ("thousands", 1000),
        # words that give no figure
        ("a few", None),
        ("a few soldiers", None),
        ("several", None),
        ("several civilians", None),
        ("many", None),
        ("scores", None),
        ("numerous", None),
        ("a number of soldiers", None),
        ("an unknown number of", None),
        ("some soldiers", None),
        ("a handful", None),
        # comparisons
        ("twice as many", None),
        ("three times as many", None),
        ("half of the soldiers", None),
        ("10%", None),
        # number words
        ("two", 2),
        ("eleven", 11),
        ("Nineteen", 19),
        ("twenty-one", 21),
        ("twenty one", 21),
        ("ninety-nine", 99),
        ("one hundred", 100),
        ("a hundred", 100),
        ("over a hundred", 100),
        ("one hundred and twenty", 120),
        ("one hundred twenty-five", 125),
        ("two thousand five hundred", 2500),
        ("twelve hundred", 1200),
        ("a thousand", 1000),
        # digits
        ("20", 20),
        ("1,200", 1200),
        ("12,345 people", 12345),
        ("20 thousand", 20000),
        ("1.5 million", 1500000),
        # one person
        ("a soldier", 1),
        ("an officer", 1),
        ("one soldier", 1),
        ("One", 1),
        # nobody
        ("none", 0),
        ("None", 0),
        ("no one", 0),
        ("no-one", 0),
        ("nobody", 0),
        ("zero", 0),
        ("no casualties", 0),
        ("0", 0),
        # "no ..." that means no figure
        ("no figure given", None),
        ("no toll was released", None),
        ("no details", None),
        # trailing nouns and leading words
        ("at least 20 soldiers", 20),
        ("two civilians", 2),
        ("the 14 gendarmes", 14),
        ("the attack killed 20 soldiers", 20),
        ("killed in a raid", None),
        ("three soldiers and two civilians", 3),
        # unparseable
        ("", None),
        ("   ", None),
        ("unknown", None),
        ("unclear", None),
        ("N/A", None),
        ("null", None),
        ("-5", None),
        ("soldiers", None),
        ("twenty twenty", 20),
        ("2.5 people", None),
    ],
)
def test_parse_count(text: str, expected: int | None) -> None:
    assert parse_count(text) == expected


@pytest.mark.parametrize(
    "odd",
    [
        "%%%",
        "-",
        "a",
        "an",
        "and",
        "over",
        "nearly",
        "at least",
        "between",
        "dozen dozen",
        "x" * 5000,
    ],
)
def test_odd_strings_never_raise(odd: str) -> None:
    result = parse_count(odd)
    assert result is None or (isinstance(result, int) and result >= 0)


def test_odd_types_never_raise() -> None:
    assert parse_count([20]) is None  # type: ignore[arg-type]
    assert parse_count({"killed": 3}) is None  # type: ignore[arg-type]


def test_spec_examples() -> None:
    """The three figures SPEC.md and ANNOTATION.md spell out, plus "several" = null."""
    assert parse_count("at least 20") == 20
    assert parse_count("dozens") == 12
    assert parse_count("nearly a dozen") == 11
    assert parse_count("several") is None


def test_tables_are_lower_case_and_known() -> None:
    """Table keys are matched against folded text; a capital would never match."""
    for phrase in [*QUALIFIERS, *QUANTITY_WORDS]:
        assert phrase == phrase.lower().strip()
    assert set(QUALIFIERS.values()) <= {"stated", "just_below", "null"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("two", 2),
        ("Three", 3),
        ("twenty-one", 21),
        ("a", 1),
        ("an", 1),
        ("12", 12),
        ("one hundred", 100),
        ("two days", None),
        ("several", None),
        ("", None),
        (None, None),
    ],
)
def test_words_to_int(text: str | None, expected: int | None) -> None:
    assert words_to_int(text) == expected


@pytest.mark.parametrize("word", ["two", "eleven", "twenty-one", "twenty one", "a", "an", "7"])
def test_number_pattern_matches_number_words(word: str) -> None:
    assert re.fullmatch(NUMBER_PATTERN, word, flags=re.IGNORECASE)


@pytest.mark.parametrize("word", ["several", "anyone", "twentyish", "a-b"])
def test_number_pattern_rejects_other_words(word: str) -> None:
    assert not re.fullmatch(NUMBER_PATTERN, word, flags=re.IGNORECASE)
