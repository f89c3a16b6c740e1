"""The date rules: one pattern and handler per way articles write a date ("Nov. 11,
2019", "11-12 November", "two days later", "last Friday", "the past 24 hours"), in
priority order.  ``normalize.dates`` scans text for date expressions and applies them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from llmextract.normalize.counts import NUMBER_PATTERN, words_to_int
from llmextract.normalize.date_arith import (
    DAY_WORDS,
    MONTHS,
    UNIT_DAYS,
    UNRESOLVED,
    WEEKDAYS,
    DateRange,
    _add_months,
    _day,
    _infer_year,
    _month_range,
    _month_year,
    _safe_date,
    _span,
    _week_of,
    _weekday_after,
    _weekday_before,
    _year_range,
)
from llmextract.schema import DatePrecision

# --- rules ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    published: date | None
    anchor: date | None


Handler = Callable[[re.Match[str], _Context], DateRange]

_MON = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b\.?"
_WD = r"(?:" + "|".join(WEEKDAYS) + r")"
_DAYNUM = r"[0-3]?\d(?:st|nd|rd|th)?\b"
_YEAR = r"(?:1[89]|2\d)\d\d\b"
_NUM = NUMBER_PATTERN
_PART = r"(?:day|night|morning|afternoon|evening)"


def _month_of(name: str) -> int:
    return MONTHS[name.rstrip(".").strip()]


def _int(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def _rule_iso(m: re.Match[str], ctx: _Context) -> DateRange:
    """'2019-11-11', '2019/11/11': an explicit calendar date."""
    return _day(_safe_date(int(m["y"]), int(m["m"]), int(m["d"])))


def _month_day(month: int, day: int, m: re.Match[str], ctx: _Context) -> date | None:
    """The date of (month, day) with the year the match wrote, or the inferred one.

    A written year wins; "of last year" / "this year" count from publication; with no
    year at all, the most recent such day on or before publication.
    """
    if m["y"]:
        return _safe_date(int(m["y"]), month, day)
    if ctx.published is None:
        return None
    if m["rel"]:
        return _safe_date(ctx.published.year - (m["rel"] == "last"), month, day)
    return _infer_year(month, day, ctx.published)


def _rule_month_day(m: re.Match[str], ctx: _Context) -> DateRange:
    """'Nov. 11, 2019', 'Jan. 22', 'Dec. 28 of last year', 'Nov. 11-12', 'Nov. 30 - Dec. 2'.

    Without a year: the publication year, or the year before when that would be after
    publication.  A range is resolved from its end, so "Dec. 30 - Jan. 2" spans the new
    year.
    """
    month = _month_of(m["mon"])
    day = _int(m["d"])
    if not m["d2"]:
        return _day(_month_day(month, day, m, ctx))
    month2 = _month_of(m["mon2"]) if m["mon2"] else month
    end = _month_day(month2, _int(m["d2"]), m, ctx)
    if end is None:
        return UNRESOLVED
    start = _safe_date(end.year, month, day)
    if start is not None and start > end:
        start = _safe_date(end.year - 1, month, day)
    return _span(start, end) if start else UNRESOLVED


def _rule_day_month(m: re.Match[str], ctx: _Context) -> DateRange:
    """'11 November 2019', '11th of November', '11-12 November': day first."""
    month = _month_of(m["mon"])
    start = _month_day(month, _int(m["d"]), m, ctx)
    if not m["d2"]:
        return _day(start)
    end = _month_day(month, _int(m["d2"]), m, ctx)
    return _span(start, end) if start and end else UNRESOLVED


def _rule_since(m: re.Match[str], ctx: _Context) -> DateRange:
    """'since 2013', 'since Monday': an open-ended period is an aggregate, not a date."""
    return UNRESOLVED


def _rule_day_word(m: re.Match[str], ctx: _Context) -> DateRange:
    """'yesterday', "yesterday's", 'today', 'last night': an offset from publication."""
    if ctx.published is None:
        return UNRESOLVED
    return _day(ctx.published + timedelta(days=DAY_WORDS[re.sub(r"\s+", " ", m["w"])]))


def _rule_anchor_same(m: re.Match[str], ctx: _Context) -> DateRange:
    """'the same day', 'on that day', 'later that night': the anchor itself."""
    return _day(ctx.anchor)


def _anchor_offset(days: int) -> Handler:
    """'the next day' (+1), 'the previous day', 'the day before' (-1) from the anchor."""

    def handler(m: re.Match[str], ctx: _Context) -> DateRange:
        return _day(ctx.anchor + timedelta(days=days)) if ctx.anchor else UNRESOLVED

    return handler


def _rule_anchor_shift(m: re.Match[str], ctx: _Context) -> DateRange:
    """'two days later', 'three days later', 'a week later', 'a month after': anchor +/- N.

    "A week later" is the day seven days on, the figure the text states; months and
    years are the calendar unit they land in.
    """
    n = words_to_int(m["n"])
    if ctx.anchor is None or n is None:
        return UNRESOLVED
    sign = -1 if m["dir"] in ("earlier", "before", "prior") else 1
    unit = m["unit"]
    if unit == "hour":
        return _day(ctx.anchor)
    if unit in UNIT_DAYS:
        return _day(ctx.anchor + timedelta(days=sign * n * UNIT_DAYS[unit]))
    if unit == "month":
        moved = _add_months(ctx.anchor, sign * n)
        return _month_range(moved.year, moved.month)
    return _year_range(ctx.anchor.year + sign * n)


def _rule_anchor_period(m: re.Match[str], ctx: _Context) -> DateRange:
    """'that week', 'the following week', 'later that month', 'the previous year'.

    "later that month" runs from the anchor to the month's end, "earlier that month" from
    its start to the anchor.
    """
    if ctx.anchor is None:
        return UNRESOLVED
    rel, unit, a = m["rel"].split()[0], m["unit"], ctx.anchor
    step = {"next": 1, "following": 1, "previous": -1, "preceding": -1}.get(rel, 0)
    if unit == "week":
        week = _week_of(a + timedelta(days=7 * step))
        if rel == "later":
            return DateRange(a, week.end, week.precision)
        if rel == "earlier":
            return DateRange(week.start, a, week.precision)
        return week
    if unit == "month":
        moved = _add_months(a.replace(day=1), step)
        whole = _month_range(moved.year, moved.month)
    else:
        whole = _year_range(a.year + step)
    if rel == "later":
        return DateRange(a, whole.end, whole.precision)
    if rel == "earlier":
        return DateRange(whole.start, a, whole.precision)
    return whole


def _rule_anchor_weekday(m: re.Match[str], ctx: _Context) -> DateRange:
    """'the following Monday' (the first after the anchor), 'the previous Friday'."""
    if ctx.anchor is None:
        return UNRESOLVED
    weekday = WEEKDAYS[m["wd"]]
    if m["rel"] in ("previous", "preceding"):
        return _day(_weekday_before(ctx.anchor, weekday))
    return _day(_weekday_after(ctx.anchor, weekday))


def _rule_ago(m: re.Match[str], ctx: _Context) -> DateRange:
    """'three days ago' (that day), 'two weeks ago' (that Mon-Sun week), 'a month ago'."""
    n = words_to_int(m["n"])
    p = ctx.published
    if p is None or n is None:
        return UNRESOLVED
    unit = m["unit"]
    if unit == "hour":
        return _day(p)
    if unit == "day":
        return _day(p - timedelta(days=n))
    if unit == "week":
        return _week_of(p - timedelta(days=7 * n))
    if unit == "month":
        moved = _add_months(p, -n)
        return _month_range(moved.year, moved.month)
    return _year_range(p.year - n)


def _rule_past(m: re.Match[str], ctx: _Context) -> DateRange:
    """'over the past two days': the N whole days before publication (P-N .. P-1).

    Hours are clock time, so "the past 24 hours" ends on the publication day (P-1 .. P).
    Weeks, months and years count back the same way and end the day before publication;
    one unit keeps its own precision, several take the precision of their length.
    """
    p = ctx.published
    n = words_to_int(m["n"]) if m["n"] else 1
    if p is None or n is None or n <= 0:
        return UNRESOLVED
    unit = m["unit"]
    if unit == "hour":
        return _span(p - timedelta(days=max(1, -(-n // 24))), p)
    end = p - timedelta(days=1)
    if unit in UNIT_DAYS:
        start = p - timedelta(days=n * UNIT_DAYS[unit])
    elif unit == "month":
        start = _add_months(p, -n)
    else:
        start = _add_months(p, -12 * n)
    single = {"week": DatePrecision.week, "month": DatePrecision.month, "year": DatePrecision.year}
    return _span(start, end, single.get(unit) if n == 1 else None)


def _rule_weekday(m: re.Match[str], ctx: _Context) -> DateRange:
    """'Monday', 'late Monday', "Sunday's", 'last Friday': the most recent such day.

    A bare weekday is the publication day itself when they agree ("on Tuesday" in a story
    filed on a Tuesday: wire style names today's weekday, not "today"); "last Monday" is
    strictly before it; "next Monday" is the future and is left unresolved.  Two weekdays ("Monday and Tuesday", "overnight Monday to Tuesday")
    are a span ending on the most recent second day.
    """
    if ctx.published is None or m["mod"] == "next":
        return UNRESOLVED
    first = WEEKDAYS[m["wd"]]
    inclusive = m["mod"] != "last"
    if not m["wd2"]:
        return _day(_weekday_before(ctx.published, first, inclusive=inclusive))
    second = WEEKDAYS[m["wd2"]]
    end = _weekday_before(ctx.published, second, inclusive=inclusive)
    return _span(end - timedelta(days=(second - first) % 7), end)


def _rule_weekend(m: re.Match[str], ctx: _Context) -> DateRange:
    """'over the weekend', 'last weekend': the most recent Saturday (and Sunday) before P."""
    if ctx.published is None:
        return UNRESOLVED
    saturday = _weekday_before(ctx.published, 5)
    sunday = min(saturday + timedelta(days=1), ctx.published)
    return DateRange(saturday, sunday, DatePrecision.days)


def _rule_week_before_last(m: re.Match[str], ctx: _Context) -> DateRange:
    """'the week before last': the Monday-Sunday week two weeks before publication's."""
    return _week_of(ctx.published - timedelta(days=14)) if ctx.published else UNRESOLVED


def _rule_period(m: re.Match[str], ctx: _Context) -> DateRange:
    """'this week', 'earlier this week' (Monday..P); 'last week' (the previous Mon-Sun);
    'this month' (1st..P); 'last month' (all of it); 'this year' (Jan 1..P); 'last year'.
    """
    p = ctx.published
    if p is None:
        return UNRESOLVED
    last, unit = m["rel"] == "last", m["unit"]
    if unit == "week":
        if last:
            return _week_of(p - timedelta(days=7))
        return DateRange(p - timedelta(days=p.weekday()), p, DatePrecision.week)
    if unit == "month":
        if last:
            moved = _add_months(p.replace(day=1), -1)
            return _month_range(moved.year, moved.month)
        return _month_range(p.year, p.month, clip=p)
    return _year_range(p.year - 1) if last else _year_range(p.year, clip=p)


def _rule_month(m: re.Match[str], ctx: _Context) -> DateRange:
    """'June 2019', 'in June', 'mid-January', 'early March', 'last June': the whole month.

    Without a year: the most recent such month that has begun by publication ("last June"
    written in June is the year before).
    """
    month = _month_of(m["mon"])
    if m["y"]:
        return _month_range(int(m["y"]), month)
    p = ctx.published
    if p is None:
        return UNRESOLVED
    if m["rel"]:
        return _month_range(p.year - (1 if m["rel"] == "last" else 0), month)
    return _month_range(_month_year(month, p, strictly_past=m["last"] is not None), month)


def _rule_year(m: re.Match[str], ctx: _Context) -> DateRange:
    """'in 2016', 'In 2016', 'late 2019', '2016': the whole year."""
    return _year_range(int(m["y"]))


_YEAR_TAIL = rf"(?:,?\s*(?P<y>{_YEAR})|,?\s+(?:of\s+)?(?P<rel>last|this)\s+year\b)?"
_UNIT = r"(?P<unit>hour|day|night|week|month|year)s?"
_PERIOD_UNIT = r"(?P<unit>week|month|year)\b"

# (pattern, handler) in priority order over the lower-cased text: the first pattern found
# decides.  Specific forms come before the general ones they contain ("Dec. 28 of last
# year" before "last year", "the day before yesterday" before "the day before").
_RULE_TABLE: tuple[tuple[str, Handler], ...] = (
    (r"\b(?P<y>(?:1[89]|2\d)\d\d)[-/.](?P<m>[01]?\d)[-/.](?P<d>[0-3]?\d)\b", _rule_iso),
    (r"^(?:ever\s+)?since\b", _rule_since),
    (
        rf"\b(?P<mon>{_MON})\s*(?P<d>{_DAYNUM})"
        rf"(?:\s*(?:-|to|and|through|until|till)\s*(?:(?P<mon2>{_MON})\s*)?(?P<d2>{_DAYNUM}))?"
        + _YEAR_TAIL,
        _rule_month_day,
    ),
    (
        rf"\b(?P<d>{_DAYNUM})(?:\s*(?:-|to|and)\s*(?P<d2>{_DAYNUM}))?\s*(?:of\s+)?"
        rf"(?P<mon>{_MON})" + _YEAR_TAIL,
        _rule_day_month,
    ),
    (
        r"\b(?P<w>the day before yesterday|yesterday|last night|today|tonight"
        r"|this morning|this afternoon|this evening|tomorrow)(?:s\b|\b)",
        _rule_day_word,
    ),
    (
        rf"\b(?:the\s+)?(?:same|that(?:\s+same)?)\s+{_PART}\b"
        rf"|\b(?:later|earlier)\s+(?:that|the\s+same)\s+{_PART}\b",
        _rule_anchor_same,
    ),
    (
        rf"\b(?P<n>{_NUM})\s+{_UNIT}\s+(?P<dir>later|after(?:wards?)?|earlier|before|prior)\b",
        _rule_anchor_shift,
    ),
    (rf"\bthe\s+(?:next|following)\s+{_PART}\b|\bthe\s+day\s+after\b", _anchor_offset(1)),
    (
        rf"\b(?:the\s+)?(?:previous|preceding)\s+{_PART}\b|\bthe\s+day\s+before\b",
        _anchor_offset(-1),
    ),
    (rf"\bthe\s+(?P<rel>next|following)\s+{_PERIOD_UNIT}", _rule_anchor_period),
    (
        r"\b(?:the\s+)?(?P<rel>previous|preceding|same|that(?:\s+same)?|later\s+that"
        rf"|earlier\s+that)\s+{_PERIOD_UNIT}",
        _rule_anchor_period,
    ),
    (
        rf"\bthe\s+(?P<rel>next|following|previous|preceding)\s+(?P<wd>{_WD})\b",
        _rule_anchor_weekday,
    ),
    (rf"\b(?P<n>{_NUM})\s+{_UNIT}\s+ago\b", _rule_ago),
    (rf"\bthe\s+(?:past|last)\s+(?:(?P<n>{_NUM})\s+)?{_UNIT}\b", _rule_past),
    (r"\b(?:(?:the|last|this|a)\s+weekend\b|weekend['’]s\b)", _rule_weekend),
    (
        rf"\b(?:(?P<last>last)\s+)?(?P<mon>{_MON})(?:,?\s*(?P<y>{_YEAR})"
        r"|\s+(?:of\s+)?(?P<rel>last|this)\s+year\b)?",
        _rule_month,
    ),
    (
        rf"\b(?:(?P<mod>last|this|next|past)\s+)?(?P<wd>{_WD})\b(?:'s)?(?:\s+{_PART}\b)?"
        rf"(?:\s*(?:-|to|into|and|through|until)\s*(?P<wd2>{_WD})\b)?",
        _rule_weekday,
    ),
    (r"\bthe\s+week\s+before\s+last\b", _rule_week_before_last),
    (rf"\b(?P<rel>this|last)\s+{_PERIOD_UNIT}", _rule_period),
    (rf"\b(?P<y>{_YEAR})", _rule_year),
)
RULES: tuple[tuple[re.Pattern[str], Handler], ...] = tuple(
    (re.compile(pattern), handler) for pattern, handler in _RULE_TABLE
)
