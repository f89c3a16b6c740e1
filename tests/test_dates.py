"""Date expressions -> UCDP-style ranges (llmextract.normalize.dates).

Calendar facts the cases rely on: 2019-11-16 is a Saturday, 2019-11-18 a Monday,
2020-01-01 a Wednesday, 2020-03-01 a Sunday; 2020 is a leap year, 2019 and 2021 are not.
"""

from __future__ import annotations

import datetime as dt
from datetime import date

import pytest

from llmextract.normalize.dates import (
    UNRESOLVED,
    DateMention,
    DateRange,
    anchor_before,
    find_dates,
    resolve_date,
    resolve_in_context,
)
from llmextract.schema import DatePrecision as P

SAT = date(2019, 11, 16)  # a Saturday
MON = date(2019, 11, 18)  # a Monday


def d(text: str) -> date:
    return date.fromisoformat(text)


def rng(start: str, end: str | None, precision: P) -> DateRange:
    return DateRange(d(start), d(end or start), precision)


def test_calendar_facts_used_here() -> None:
    assert SAT.weekday() == 5
    assert MON.weekday() == 0
    assert date(2020, 1, 1).weekday() == 2
    assert date(2020, 3, 1).weekday() == 6


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # absolute dates
        ("Nov. 11, 2019", SAT, rng("2019-11-11", None, P.day)),
        ("November 11, 2019", SAT, rng("2019-11-11", None, P.day)),
        ("November 11 2019", SAT, rng("2019-11-11", None, P.day)),
        ("11 November 2019", SAT, rng("2019-11-11", None, P.day)),
        ("11th of November, 2019", SAT, rng("2019-11-11", None, P.day)),
        ("2019-11-11", SAT, rng("2019-11-11", None, P.day)),
        ("on Nov. 11th", SAT, rng("2019-11-11", None, P.day)),
        ("Sept. 3, 2018", SAT, rng("2018-09-03", None, P.day)),
        ("Sep 3 2018", SAT, rng("2018-09-03", None, P.day)),
        ("the night of Nov. 11, 2019", SAT, rng("2019-11-11", None, P.day)),
        # an absolute date needs no publication date
        ("Nov. 11, 2019", None, rng("2019-11-11", None, P.day)),
        ("2019-11-11", None, rng("2019-11-11", None, P.day)),
        # month and day without a year: the publication year, unless after publication
        ("Oct. 23", d("2017-10-27"), rng("2017-10-23", None, P.day)),
        ("Jan. 22", d("2020-01-27"), rng("2020-01-22", None, P.day)),
        ("Nov. 16", SAT, rng("2019-11-16", None, P.day)),
        ("Nov. 17", SAT, rng("2018-11-17", None, P.day)),
        ("Dec. 28 of last year", d("2020-01-27"), rng("2019-12-28", None, P.day)),
        ("Dec. 28, last year", d("2020-01-27"), rng("2019-12-28", None, P.day)),
        ("Jan. 2 this year", d("2020-01-27"), rng("2020-01-02", None, P.day)),
        # ranges of days
        ("Nov. 11-12", SAT, rng("2019-11-11", "2019-11-12", P.days)),
        ("Nov. 11 to 13, 2019", SAT, rng("2019-11-11", "2019-11-13", P.days)),
        ("between Nov. 11 and 13", SAT, rng("2019-11-11", "2019-11-13", P.days)),
        ("Oct. 30 - Nov. 2", SAT, rng("2019-10-30", "2019-11-02", P.days)),
        ("11-12 November", SAT, rng("2019-11-11", "2019-11-12", P.days)),
        # words for days around publication
        ("yesterday", SAT, rng("2019-11-15", None, P.day)),
        ("yesterday's", SAT, rng("2019-11-15", None, P.day)),
        ("Yesterday’s attack", SAT, rng("2019-11-15", None, P.day)),
        ("late yesterday", SAT, rng("2019-11-15", None, P.day)),
        ("last night", SAT, rng("2019-11-15", None, P.day)),
        ("today", SAT, rng("2019-11-16", None, P.day)),
        ("earlier today", SAT, rng("2019-11-16", None, P.day)),
        ("this morning", SAT, rng("2019-11-16", None, P.day)),
        ("the day before yesterday", SAT, rng("2019-11-14", None, P.day)),
        # weekdays: the most recent one, the publication day itself included (wire copy
        # filed on a Tuesday says "on Tuesday" for today); "last X" strictly before
        ("Monday", SAT, rng("2019-11-11", None, P.day)),
        ("late Monday", SAT, rng("2019-11-11", None, P.day)),
        ("on Monday night", SAT, rng("2019-11-11", None, P.day)),
        ("Friday", SAT, rng("2019-11-15", None, P.day)),
        ("Saturday", SAT, rng("2019-11-16", None, P.day)),
        ("last Saturday", SAT, rng("2019-11-09", None, P.day)),
        ("Sunday's", SAT, rng("2019-11-10", None, P.day)),
        ("Sunday’s ambush", SAT, rng("2019-11-10", None, P.day)),
        ("last Friday", SAT, rng("2019-11-15", None, P.day)),
        ("Monday", MON, rng("2019-11-18", None, P.day)),
        ("on Monday", MON, rng("2019-11-18", None, P.day)),
        ("last Monday", MON, rng("2019-11-11", None, P.day)),
        ("Sunday", MON, rng("2019-11-17", None, P.day)),
        ("Tuesday", MON, rng("2019-11-12", None, P.day)),
        ("this Monday", MON, rng("2019-11-18", None, P.day)),
        ("today, Monday", MON, rng("2019-11-18", None, P.day)),
        ("Monday", d("2020-01-01"), rng("2019-12-30", None, P.day)),
        ("Monday and Tuesday", SAT, rng("2019-11-11", "2019-11-12", P.days)),
        ("Friday to Monday", MON, rng("2019-11-15", "2019-11-18", P.days)),
        ("overnight Monday to Tuesday", SAT, rng("2019-11-11", "2019-11-12", P.days)),
        ("over the weekend", MON, rng("2019-11-16", "2019-11-17", P.days)),
        ("last weekend", SAT, rng("2019-11-09", "2019-11-10", P.days)),
        # weeks
        ("earlier this week", SAT, rng("2019-11-11", "2019-11-16", P.week)),
        ("this week", SAT, rng("2019-11-11", "2019-11-16", P.week)),
        ("earlier this week", MON, rng("2019-11-18", "2019-11-18", P.week)),
        ("last week", SAT, rng("2019-11-04", "2019-11-10", P.week)),
        ("last week", MON, rng("2019-11-11", "2019-11-17", P.week)),
        ("Last week's raid", SAT, rng("2019-11-04", "2019-11-10", P.week)),
        ("the week before last", SAT, rng("2019-10-28", "2019-11-03", P.week)),
        ("two weeks ago", SAT, rng("2019-10-28", "2019-11-03", P.week)),
        ("three days ago", SAT, rng("2019-11-13", None, P.day)),
        ("a day ago", SAT, rng("2019-11-15", None, P.day)),
        # months
        ("this month", SAT, rng("2019-11-01", "2019-11-16", P.month)),
        ("earlier this month", SAT, rng("2019-11-01", "2019-11-16", P.month)),
        ("Earlier this month", SAT, rng("2019-11-01", "2019-11-16", P.month)),
        ("last month", SAT, rng("2019-10-01", "2019-10-31", P.month)),
        ("late last month", SAT, rng("2019-10-01", "2019-10-31", P.month)),
        ("a month ago", SAT, rng("2019-10-01", "2019-10-31", P.month)),
        ("June 2019", SAT, rng("2019-06-01", "2019-06-30", P.month)),
        ("in June", SAT, rng("2019-06-01", "2019-06-30", P.month)),
        ("in November", SAT, rng("2019-11-01", "2019-11-30", P.month)),
        ("in December", SAT, rng("2018-12-01", "2018-12-31", P.month)),
        ("last November", SAT, rng("2018-11-01", "2018-11-30", P.month)),
        ("last June", SAT, rng("2019-06-01", "2019-06-30", P.month)),
        ("mid-January", SAT, rng("2019-01-01", "2019-01-31", P.month)),
        ("early March", SAT, rng("2019-03-01", "2019-03-31", P.month)),
        ("late March 2017", SAT, rng("2017-03-01", "2017-03-31", P.month)),
        ("the end of May", SAT, rng("2019-05-01", "2019-05-31", P.month)),
        ("in February", d("2020-03-10"), rng("2020-02-01", "2020-02-29", P.month)),
        ("June of last year", SAT, rng("2018-06-01", "2018-06-30", P.month)),
        # years
        ("in 2016", SAT, rng("2016-01-01", "2016-12-31", P.year)),
        ("In 2016", SAT, rng("2016-01-01", "2016-12-31", P.year)),
        ("In 2016", None, rng("2016-01-01", "2016-12-31", P.year)),
        ("late 2018", SAT, rng("2018-01-01", "2018-12-31", P.year)),
        ("last year", SAT, rng("2018-01-01", "2018-12-31", P.year)),
        ("late last year", SAT, rng("2018-01-01", "2018-12-31", P.year)),
        ("this year", SAT, rng("2019-01-01", "2019-11-16", P.year)),
        ("earlier this year", SAT, rng("2019-01-01", "2019-11-16", P.year)),
        ("two years ago", SAT, rng("2017-01-01", "2017-12-31", P.year)),
        # rolling spans: the N whole days before publication
        ("over the past two days", SAT, rng("2019-11-14", "2019-11-15", P.days)),
        ("in the past three days", SAT, rng("2019-11-13", "2019-11-15", P.days)),
        ("the past day", SAT, rng("2019-11-15", None, P.day)),
        ("the past 24 hours", SAT, rng("2019-11-15", "2019-11-16", P.days)),
        ("in the past week", SAT, rng("2019-11-09", "2019-11-15", P.week)),
        ("over the last week", SAT, rng("2019-11-09", "2019-11-15", P.week)),
        ("the past two weeks", SAT, rng("2019-11-02", "2019-11-15", P.month)),
        ("the past month", SAT, rng("2019-10-16", "2019-11-15", P.month)),
        ("the past year", SAT, rng("2018-11-16", "2019-11-15", P.year)),
    ],
)
def test_resolve_date(text: str, published: date | None, expected: DateRange) -> None:
    assert resolve_date(text, published) == expected


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        # year rollover: published in January, a December date is last year's
        ("Dec. 28", d("2020-01-05"), rng("2019-12-28", None, P.day)),
        ("December 31", d("2020-01-01"), rng("2019-12-31", None, P.day)),
        ("Jan. 1", d("2020-01-01"), rng("2020-01-01", None, P.day)),
        ("Jan. 2", d("2020-01-01"), rng("2019-01-02", None, P.day)),
        ("yesterday", d("2020-01-01"), rng("2019-12-31", None, P.day)),
        ("last month", d("2020-01-05"), rng("2019-12-01", "2019-12-31", P.month)),
        ("last week", d("2020-01-02"), rng("2019-12-23", "2019-12-29", P.week)),
        ("earlier this week", d("2020-01-02"), rng("2019-12-30", "2020-01-02", P.week)),
        ("in December", d("2020-01-05"), rng("2019-12-01", "2019-12-31", P.month)),
        ("last year", d("2020-01-05"), rng("2019-01-01", "2019-12-31", P.year)),
        ("Dec. 30 - Jan. 2", d("2020-01-05"), rng("2019-12-30", "2020-01-02", P.days)),
        ("over the past two days", d("2020-01-01"), rng("2019-12-30", "2019-12-31", P.days)),
        # leap years
        ("Feb. 29", d("2020-03-01"), rng("2020-02-29", None, P.day)),
        ("Feb. 29", d("2021-03-01"), rng("2020-02-29", None, P.day)),
        ("Feb. 29, 2020", None, rng("2020-02-29", None, P.day)),
        ("yesterday", d("2020-03-01"), rng("2020-02-29", None, P.day)),
        ("yesterday", d("2019-03-01"), rng("2019-02-28", None, P.day)),
        ("last month", d("2020-03-15"), rng("2020-02-01", "2020-02-29", P.month)),
        ("last month", d("2019-03-15"), rng("2019-02-01", "2019-02-28", P.month)),
        ("Saturday", d("2020-03-01"), rng("2020-02-29", None, P.day)),
        ("the past month", d("2020-03-31"), rng("2020-02-29", "2020-03-30", P.month)),
    ],
)
def test_rollover_and_leap_years(text: str, published: date, expected: DateRange) -> None:
    assert resolve_date(text, published) == expected


@pytest.mark.parametrize(
    ("text", "published"),
    [
        ("Feb. 29", d("2022-03-01")),  # no Feb. 29 in 2022 or 2021
        ("Feb. 29, 2019", None),
        ("Feb. 30, 2020", SAT),
        ("Nov. 31", SAT),
        ("2019-13-01", SAT),
    ],
)
def test_impossible_dates_are_unresolved(text: str, published: date | None) -> None:
    assert resolve_date(text, published) == UNRESOLVED


@pytest.mark.parametrize(
    "text",
    [
        "recently",
        "in recent weeks",
        "recent weeks",
        "several days ago",
        "a few days later",
        "days later",
        "weeks ago",
        "some time ago",
        "since 2013",
        "since Monday",
        "next Monday",
        "the past few days",
        "the past two years",
        "several",
        "",
        "   ",
        "unknown",
        "n/a",
    ],
)
def test_vague_expressions_are_unresolved(text: str) -> None:
    assert resolve_date(text, SAT, anchor=d("2019-11-03")) == UNRESOLVED


@pytest.mark.parametrize(
    "text",
    [
        "yesterday",
        "today",
        "late Monday",
        "Sunday's",
        "Oct. 23",
        "Dec. 28 of last year",
        "earlier this week",
        "last week",
        "this month",
        "last month",
        "last year",
        "in June",
        "mid-January",
        "over the past two days",
        "three days ago",
        "over the weekend",
    ],
)
def test_relative_without_published_is_unresolved(text: str) -> None:
    """SPEC: with no publication date, a relative date stays unresolved."""
    assert resolve_date(text, None) == UNRESOLVED
    assert resolve_date(text, None, anchor=d("2019-11-03")) == UNRESOLVED


ANCHOR = d("2019-11-03")  # a Sunday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("two days later", rng("2019-11-05", None, P.day)),
        ("Two days later", rng("2019-11-05", None, P.day)),
        ("three days later", rng("2019-11-06", None, P.day)),
        ("2 days later", rng("2019-11-05", None, P.day)),
        ("twenty-one days later", rng("2019-11-24", None, P.day)),
        ("a day later", rng("2019-11-04", None, P.day)),
        ("the next day", rng("2019-11-04", None, P.day)),
        ("the following day", rng("2019-11-04", None, P.day)),
        ("the following morning", rng("2019-11-04", None, P.day)),
        ("the day after", rng("2019-11-04", None, P.day)),
        ("the same day", rng("2019-11-03", None, P.day)),
        ("on that day", rng("2019-11-03", None, P.day)),
        ("that same day", rng("2019-11-03", None, P.day)),
        ("later that night", rng("2019-11-03", None, P.day)),
        ("hours later", UNRESOLVED),
        ("two hours later", rng("2019-11-03", None, P.day)),
        ("the previous day", rng("2019-11-02", None, P.day)),
        ("the day before", rng("2019-11-02", None, P.day)),
        ("two days earlier", rng("2019-11-01", None, P.day)),
        ("a week later", rng("2019-11-10", None, P.day)),
        ("two weeks later", rng("2019-11-17", None, P.day)),
        ("a week earlier", rng("2019-10-27", None, P.day)),
        ("a month later", rng("2019-12-01", "2019-12-31", P.month)),
        ("a year earlier", rng("2018-01-01", "2018-12-31", P.year)),
        ("the following week", rng("2019-11-04", "2019-11-10", P.week)),
        ("the previous week", rng("2019-10-21", "2019-10-27", P.week)),
        ("that week", rng("2019-10-28", "2019-11-03", P.week)),
        ("later that month", rng("2019-11-03", "2019-11-30", P.month)),
        ("earlier that month", rng("2019-11-01", "2019-11-03", P.month)),
        ("the following month", rng("2019-12-01", "2019-12-31", P.month)),
        ("that year", rng("2019-01-01", "2019-12-31", P.year)),
        ("the following Monday", rng("2019-11-04", None, P.day)),
        ("the following Sunday", rng("2019-11-10", None, P.day)),
        ("the previous Friday", rng("2019-11-01", None, P.day)),
    ],
)
def test_relative_to_anchor(text: str, expected: DateRange) -> None:
    assert resolve_date(text, SAT, anchor=ANCHOR) == expected
    # the anchor, not the publication date, is what they count from
    assert resolve_date(text, None, anchor=ANCHOR) == expected


@pytest.mark.parametrize(
    "text", ["two days later", "the same day", "the next day", "a week later", "that week"]
)
def test_relative_to_anchor_without_anchor_is_unresolved(text: str) -> None:
    assert resolve_date(text, SAT) == UNRESOLVED


def test_anchor_does_not_change_publication_relative_dates() -> None:
    assert resolve_date("yesterday", SAT, anchor=ANCHOR) == rng("2019-11-15", None, P.day)
    assert resolve_date("Oct. 23", SAT, anchor=d("2016-05-01")) == rng("2019-10-23", None, P.day)


@pytest.mark.parametrize(
    ("date_text", "published", "anchor"),
    [
        (None, SAT, None),
        (123, SAT, None),
        (["Monday"], SAT, None),
        ("Monday", "not a date", None),
        ("Monday", 20191116, None),
        ("two days later", SAT, "garbage"),
        ("yesterday", date.min, None),
        ("tomorrow", date.max, None),
        ("a week later", SAT, date.max),
        ("99999999 days later", SAT, ANCHOR),
        ("9999 years ago", SAT, None),
        ("Nov. 99, 2019", SAT, None),
        ("0000-00-00", SAT, None),
        ("\x00\ufffd", SAT, None),
        ("Monday " * 2000, SAT, None),
    ],
)
def test_never_raises(date_text: object, published: object, anchor: object) -> None:
    result = resolve_date(date_text, published, anchor=anchor)  # type: ignore[arg-type]
    assert isinstance(result, DateRange)
    assert (result.start is None) == (result.end is None)
    if result.start is not None and result.end is not None:
        assert result.start <= result.end
    else:
        assert result.precision == P.unknown


def test_published_may_be_a_datetime_or_iso_string() -> None:
    expected = rng("2019-11-15", None, P.day)
    assert resolve_date("yesterday", dt.datetime(2019, 11, 16, 23, 59)) == expected
    assert resolve_date("yesterday", "2019-11-16") == expected  # type: ignore[arg-type]


# A made-up report, written for these tests.
PARAGRAPH = (
    "Militants raided a border post late Tuesday, the ministry said today. "
    "The same group had attacked a market on Oct. 30. Two days later, a truck hit a "
    "landmine on the northern road, and three days later gunmen burned a school. "
    "The following day, soldiers killed four attackers. In 2016 the region saw a "
    "similar wave. That same day, a clinic was looted. Earlier this month a convoy was "
    "ambushed; officials may release details in March. Attacks have risen in recent weeks."
)
PUBLISHED = d("2019-11-21")  # a Thursday


def _mentions() -> list[DateMention]:
    return find_dates(PARAGRAPH, PUBLISHED)


def test_find_dates_finds_expressions_in_order() -> None:
    mentions = _mentions()
    assert [m.text for m in mentions] == [
        "late Tuesday",
        "today",
        "Oct. 30",
        "Two days later",
        "three days later",
        "The following day",
        "In 2016",
        "That same day",
        "Earlier this month",
        "in March",
        "in recent weeks",
    ]
    for m in mentions:
        assert PARAGRAPH[m.start_offset : m.end_offset] == m.text
    assert [m.start_offset for m in mentions] == sorted(m.start_offset for m in mentions)


def test_find_dates_resolves_chains_against_the_previous_date() -> None:
    by_text = {m.text: m.range for m in _mentions()}
    assert by_text["late Tuesday"] == rng("2019-11-19", None, P.day)
    assert by_text["today"] == rng("2019-11-21", None, P.day)
    assert by_text["Oct. 30"] == rng("2019-10-30", None, P.day)
    assert by_text["Two days later"] == rng("2019-11-01", None, P.day)
    assert by_text["three days later"] == rng("2019-11-04", None, P.day)
    assert by_text["The following day"] == rng("2019-11-05", None, P.day)
    assert by_text["In 2016"] == rng("2016-01-01", "2016-12-31", P.year)
    # "In 2016" gives no day, so the anchor is still the last single day, Nov. 5
    assert by_text["That same day"] == rng("2019-11-05", None, P.day)
    assert by_text["Earlier this month"] == rng("2019-11-01", "2019-11-21", P.month)
    assert by_text["in March"] == rng("2019-03-01", "2019-03-31", P.month)
    assert by_text["in recent weeks"] == UNRESOLVED


def test_find_dates_ignores_lowercase_month_and_weekday_words() -> None:
    text = "Officials may march on sunday, if it does not rain in may."
    assert find_dates(text, PUBLISHED) == []


def test_find_dates_without_published_keeps_absolute_and_anchor_chains() -> None:
    text = "Gunmen attacked a post on Nov. 3, 2019. Two days later they struck again, yesterday."
    mentions = find_dates(text, None)
    assert [m.text for m in mentions] == ["Nov. 3, 2019", "Two days later", "yesterday"]
    assert mentions[0].range == rng("2019-11-03", None, P.day)
    assert mentions[1].range == rng("2019-11-05", None, P.day)
    assert mentions[2].range == UNRESOLVED


def test_find_dates_chain_without_any_date_is_unresolved() -> None:
    mentions = find_dates("Two days later, the next day, a convoy was hit.", PUBLISHED)
    assert [m.text for m in mentions] == ["Two days later", "the next day"]
    assert all(m.range == UNRESOLVED for m in mentions)


@pytest.mark.parametrize("text", ["", None, 42, "no dates here at all"])
def test_find_dates_odd_input(text: object) -> None:
    assert find_dates(text, PUBLISHED) == []  # type: ignore[arg-type]


def test_find_dates_more_forms() -> None:
    text = (
        "A raid on 12 March 2018 and one on 5-6 May were followed by a bombing "
        "between Nov. 11 and 13, another in mid-January, strikes over the past two days, "
        "and Sunday's ambush; a mine went off last week and another on 2019-11-20."
    )
    found = {m.text: m.range for m in find_dates(text, PUBLISHED)}
    assert found == {
        "12 March 2018": rng("2018-03-12", None, P.day),
        "5-6 May": rng("2019-05-05", "2019-05-06", P.days),
        "between Nov. 11 and 13": rng("2019-11-11", "2019-11-13", P.days),
        "in mid-January": rng("2019-01-01", "2019-01-31", P.month),
        "over the past two days": rng("2019-11-19", "2019-11-20", P.days),
        "Sunday's": rng("2019-11-17", None, P.day),
        "last week": rng("2019-11-11", "2019-11-17", P.week),
        "2019-11-20": rng("2019-11-20", None, P.day),
    }


def test_anchor_before() -> None:
    mentions = _mentions()
    offset = {m.text: m.start_offset for m in mentions}
    assert anchor_before(mentions, 0) is None
    assert anchor_before(mentions, offset["today"]) == d("2019-11-19")
    assert anchor_before(mentions, offset["Two days later"]) == d("2019-10-30")
    assert anchor_before(mentions, offset["In 2016"]) == d("2019-11-05")
    assert anchor_before(mentions, offset["That same day"]) == d("2019-11-05")
    assert anchor_before(mentions, len(PARAGRAPH)) == d("2019-11-05")
    assert anchor_before([], 100) is None


def test_anchor_before_uses_the_end_of_a_few_days_and_skips_unresolved() -> None:
    few_days = DateMention(0, 10, "Nov. 1-3", rng("2019-11-01", "2019-11-03", P.days))
    month = DateMention(20, 30, "last month", rng("2019-10-01", "2019-10-31", P.month))
    vague = DateMention(40, 50, "recently", UNRESOLVED)
    assert anchor_before([few_days, month, vague], 60) == d("2019-11-03")
    # a mention that has not ended by the offset is not before it
    assert anchor_before([few_days], 5) is None


def test_resolve_in_context() -> None:
    at = PARAGRAPH.index("three days later")
    assert resolve_in_context("three days later", PARAGRAPH, at, PUBLISHED) == rng(
        "2019-11-04", None, P.day
    )
    at = PARAGRAPH.index("That same day")
    assert resolve_in_context("the same day", PARAGRAPH, at, PUBLISHED) == rng(
        "2019-11-05", None, P.day
    )
    # publication-relative text ignores the anchor
    assert resolve_in_context("yesterday", PARAGRAPH, at, PUBLISHED) == rng(
        "2019-11-20", None, P.day
    )
    # before any date, nothing to count from
    assert resolve_in_context("two days later", PARAGRAPH, 0, PUBLISHED) == UNRESOLVED
    assert resolve_in_context(None, PARAGRAPH, 10, PUBLISHED) == UNRESOLVED
    assert resolve_in_context("two days later", None, 10, PUBLISHED) == UNRESOLVED  # type: ignore[arg-type]
