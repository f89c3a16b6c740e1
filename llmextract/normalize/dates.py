"""Date expressions as written in news articles, resolved to UCDP-style date ranges.

A model is asked to copy the date *as written* ("late Monday", "Dec. 28 of last year",
"two days later"); resolving it is arithmetic on the document's publication date and on
the dates the text gave before the mention, which code does exactly and a model does not.

Two reference dates are used, never mixed:

- ``published`` (SPEC: the reference for relative expressions) resolves expressions
  relative to the time of writing: "yesterday", "Monday", "last month", "Oct. 23".
- ``anchor``, the last date the text gave before the mention (ANNOTATION: "Two days later
  is counted from the last date the text gave"), resolves narrative-relative expressions:
  "two days later", "the same day", "the next day", "a week later".

Anything that cannot be resolved -- a vague expression ("recently", "several days ago"),
a relative one without its reference date, an open-ended period ("since 2013") -- is
``DateRange(None, None, unknown)``; the caller keeps the words in ``date_text``.  Nothing
here raises on odd input.

Decisions (also in the rule docstrings below):

- A bare weekday ("Monday", "late Monday", "Sunday's") is the most recent such day
  strictly before publication: a report written on a Monday says "today" for that day.
- A month and day without a year take the publication year, or the year before when that
  would fall after publication ("Dec. 28" published 2020-01-05 is 2019-12-28).  With no
  publication date they stay unresolved, as the SPEC requires.
- "over the past N days" is the N whole days before the publication day
  (published - N .. published - 1), the same convention as "yesterday".  Spans given in
  hours ("the past 24 hours") are clock time and include the publication day.
- "this week" / "earlier this week" is Monday .. published; "last week" the previous
  Monday .. Sunday; "this month" / "this year" run from their first day to publication.
- Named months and years ("in June", "June 2019", "in 2016", "mid-January", "early
  March") are the whole calendar unit, precision month or year; "mid", "early", "late"
  do not narrow the range.
- Precision of a computed span follows its length: 1 day ``day``, 2-6 ``days``, 7-13
  ``week``, up to 31 ``month``, up to 366 ``year``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from llmextract.normalize.counts import NUMBER_PATTERN, words_to_int
from llmextract.schema import DatePrecision


@dataclass(frozen=True)
class DateRange:
    """A resolved date: ``start == end`` for a single day, both None when unresolved."""

    start: date | None
    end: date | None
    precision: DatePrecision

    @property
    def resolved(self) -> bool:
        return self.start is not None and self.end is not None


UNRESOLVED = DateRange(None, None, DatePrecision.unknown)


@dataclass(frozen=True)
class DateMention:
    """A date expression found in a document, with its character span and resolution."""

    start_offset: int
    end_offset: int
    text: str
    range: DateRange


# --- tables -----------------------------------------------------------------------------

# Month names and the abbreviations news style uses ("Nov.", "Sept."), lower case.
MONTHS: dict[str, int] = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sept": 9,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
WEEKDAYS: dict[str, int] = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
# Words relative to the publication day, and the offset in days they mean.
DAY_WORDS: dict[str, int] = {
    "the day before yesterday": -2,
    "yesterday": -1,
    "last night": -1,
    "today": 0,
    "tonight": 0,
    "this morning": 0,
    "this afternoon": 0,
    "this evening": 0,
    "tomorrow": 1,
}
# Units of "N <unit> later/ago" and their length in days (months and years are calendar).
UNIT_DAYS: dict[str, int] = {"day": 1, "night": 1, "week": 7}

# Span length in days -> precision (UCDP-style), first bound that holds.
SPAN_PRECISION: tuple[tuple[int, DatePrecision], ...] = (
    (1, DatePrecision.day),
    (6, DatePrecision.days),
    (13, DatePrecision.week),
    (31, DatePrecision.month),
    (366, DatePrecision.year),
)

# --- date arithmetic --------------------------------------------------------------------


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):
        return None


def _day(d: date | None) -> DateRange:
    return DateRange(d, d, DatePrecision.day) if d else UNRESOLVED


def _span(start: date, end: date, precision: DatePrecision | None = None) -> DateRange:
    if end < start:
        start, end = end, start
    if precision is None:
        length = (end - start).days + 1
        precision = next((p for limit, p in SPAN_PRECISION if length <= limit), None)
        if precision is None:
            return UNRESOLVED
    return DateRange(start, end, precision)


def _month_range(year: int, month: int, clip: date | None = None) -> DateRange:
    start = date(year, month, 1)
    end = date(year, month, calendar.monthrange(year, month)[1])
    if clip is not None and start <= clip < end:
        end = clip
    return DateRange(start, end, DatePrecision.month)


def _year_range(year: int, clip: date | None = None) -> DateRange:
    start, end = date(year, 1, 1), date(year, 12, 31)
    if clip is not None and start <= clip < end:
        end = clip
    return DateRange(start, end, DatePrecision.year)


def _add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _week_of(d: date) -> DateRange:
    monday = d - timedelta(days=d.weekday())
    return DateRange(monday, monday + timedelta(days=6), DatePrecision.week)


def _weekday_before(ref: date, weekday: int, *, inclusive: bool = False) -> date:
    """The most recent ``weekday`` strictly before ``ref`` (or on it when ``inclusive``)."""
    delta = (ref.weekday() - weekday) % 7
    if delta == 0 and not inclusive:
        delta = 7
    return ref - timedelta(days=delta)


def _weekday_after(ref: date, weekday: int) -> date:
    delta = (weekday - ref.weekday()) % 7 or 7
    return ref + timedelta(days=delta)


def _infer_year(month: int, day: int, published: date) -> date | None:
    """The most recent (month, day) on or before ``published``: this year, else the last."""
    for year in (published.year, published.year - 1):
        candidate = _safe_date(year, month, day)
        if candidate is not None and candidate <= published:
            return candidate
    return None


def _month_year(month: int, published: date, *, strictly_past: bool = False) -> int:
    """The year of the most recent ``month`` that has begun by ``published``."""
    if month < published.month or (month == published.month and not strictly_past):
        return published.year
    return published.year - 1


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

# --- public API -------------------------------------------------------------------------


def _as_date(value: object) -> date | None:
    """A date from a date, a datetime or an ISO string; None for anything else."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _normalise(text: str) -> str:
    text = text.casefold().replace("’", "'").replace("‘", "'")
    text = re.sub(r"[–—‐-]", "-", text)
    text = re.sub(rf"\b{_WD},?\s+(?=\d)", "", text)  # "sunday 2 to monday 3 february"
    return re.sub(r"\s+", " ", text).strip(" ,;:.!?\"'()[]")


def _checked(result: DateRange) -> DateRange:
    if result.start is None or result.end is None:
        return UNRESOLVED
    if result.end < result.start:
        return DateRange(result.end, result.start, result.precision)
    return result


def resolve_date(
    date_text: str | None, published: date | None, *, anchor: date | None = None
) -> DateRange:
    """Resolve a date expression as written to a date range.

    ``published`` resolves expressions relative to the time of writing ("yesterday",
    "Monday", "Oct. 23"); ``anchor`` -- the last date the text gave before the mention --
    resolves narrative-relative ones ("two days later", "the same day").  Returns
    :data:`UNRESOLVED` when the expression is vague or its reference date is missing;
    never raises.
    """
    try:
        if not isinstance(date_text, str):
            return UNRESOLVED
        text = _normalise(date_text)
        if not text:
            return UNRESOLVED
        ctx = _Context(_as_date(published), _as_date(anchor))
        for pattern, handler in RULES:
            match = pattern.search(text)
            if match:
                return _checked(handler(match, ctx))
    except (ValueError, OverflowError, TypeError, KeyError, AttributeError):
        return UNRESOLVED
    return UNRESOLVED


# --- scanning a document ----------------------------------------------------------------

# Month and weekday names must be capitalised when scanning running text, so that "may",
# "march" and "sun" as ordinary words are not dates; the words around them are matched in
# any case.  Each alternative's text is what resolve_date() is then given.
_C_MON = (
    r"(?:(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December)\b|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)"
)
_C_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
_C_DAY = r"[0-3]?\d(?:st|nd|rd|th)?\b"
_C_YEAR = r"(?:1[89]|20)\d\d\b"
_C_YEAR_TAIL = rf"(?:,?\s+{_C_YEAR}|,?\s+(?i:(?:of\s+)?(?:last|this)\s+year\b))?"
_C_PART = r"(?i:day|night|morning|afternoon|evening)\b"
_C_UNIT = r"(?i:hours?|days?|nights?|weeks?|months?|years?)\b"
_C_WD_ANY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"

_SCAN_ALTERNATIVES: tuple[str, ...] = (
    # 2019-11-11
    r"(?:1[89]|20)\d\d-[01]\d-[0-3]\d\b",
    # between Nov. 11 and 13
    rf"(?i:between)\s+{_C_MON}\s*{_C_DAY}\s+(?i:and)\s+(?:{_C_MON}\s*)?{_C_DAY}{_C_YEAR_TAIL}",
    # Nov. 11, 2019 / Jan. 22 / Dec. 28 of last year / Nov. 11-12
    rf"{_C_MON}\s*{_C_DAY}(?:\s*(?:-|–|(?i:to|through|until))\s*(?:{_C_MON}\s*)?{_C_DAY})?"
    + _C_YEAR_TAIL,
    # 11 November 2019 / 11th of November
    # Sunday 2 to Monday 3 February / 2 and 3 February
    rf"(?:{_C_WD},?\s+)?{_C_DAY}(?:\s*(?:[-–]|(?i:to|and|into))\s*(?:{_C_WD},?\s+)?{_C_DAY})?"
    rf"\s+(?i:of\s+)?{_C_MON}(?:,?\s+{_C_YEAR})?",
    # June 2019
    rf"{_C_MON},?\s+{_C_YEAR}",
    # in June / mid-January / early March 2019 / the end of May / last June
    r"(?i:(?:(?:in|during|until|by|since)\s+)?(?:(?:early|late|mid)(?:-|\s+)"
    r"|(?:the\s+)?(?:end|beginning|start|middle)\s+of\s+|last\s+)|(?:in|during|until|by|since)\s+)"
    rf"{_C_MON}(?:,?\s+{_C_YEAR}|\s+(?i:(?:of\s+)?(?:last|this)\s+year\b))?",
    # yesterday / yesterday's / today / last night
    r"(?i:the\s+day\s+before\s+yesterday\b|yesterday(?:['’]?s)?|today(?:['’]s)?|tonight\b"
    r"|last\s+night\b|this\s+(?:morning|afternoon|evening)\b)",
    # narrative-relative: two days later / the next day / the same day / a week later
    rf"(?i:{NUMBER_PATTERN}\s+{_C_UNIT}\s+(?:later|after(?:wards?)?|earlier|before|prior)\b"
    rf"|the\s+(?:next|following)\s+(?:{_C_PART}|week\b|month\b|year\b|{_C_WD_ANY})"
    rf"|(?:the\s+)?(?:previous|preceding)\s+(?:{_C_PART}|week\b|month\b|year\b|{_C_WD_ANY})"
    rf"|(?:the\s+)?same\s+(?:{_C_PART}|week\b|month\b|year\b)"
    rf"|(?:later\s+|earlier\s+)?that\s+(?:same\s+)?(?:{_C_PART}|week\b|month\b|year\b)"
    r"|the\s+day\s+(?:before|after)\b)",
    # three days ago / several days ago (unresolved)
    rf"(?i:(?:{NUMBER_PATTERN}|a\s+few|several|some)\s+{_C_UNIT}\s+ago\b"
    rf"|(?:a\s+few|several|some)\s+{_C_UNIT}\s+(?:later|after(?:wards?)?|earlier|before)\b)",
    # over the past two days / in the last 24 hours
    rf"(?i:(?:(?:over|in|during|within|for)\s+)?the\s+(?:past|last)\s+"
    rf"(?:(?:{NUMBER_PATTERN}|few|several)\s+)?{_C_UNIT})",
    # late Monday / Sunday's / last Friday / Monday night to Tuesday
    r"(?i:(?:late|early|overnight)\s+)?(?i:(?:last|this|next|(?:on\s+)?the\s+night\s+of)\s+)?"
    rf"{_C_WD}(?:['’]s)?(?:\s+{_C_PART})?"
    rf"(?:\s*(?:[-–]|(?i:to|into|and|through|until))\s*{_C_WD}(?:\s+{_C_PART})?)?",
    # over the weekend
    r"(?i:(?:over\s+|during\s+)?(?:the|last|this|a)\s+weekend\b|weekend['’]s\b)",
    # earlier this week / last week / this month / last month / last year
    r"(?i:(?:(?:earlier|later|so\s+far|early|late)\s+|mid-\s*)?(?:this|last)\s+"
    r"(?:week|month|year)\b|the\s+week\s+before\s+last\b)",
    # in 2016 / late 2019 / since 2013 (unresolved)
    r"(?i:(?:in|during|since|until|by)\s+|(?:in\s+)?(?:early|late|mid)(?:-|\s+)"
    rf"|(?:at\s+)?the\s+(?:end|beginning|start|middle)\s+of\s+){_C_YEAR}",
    # vague: recognised so that they are not anchors, resolved to unknown
    r"(?i:recently\b|(?:in\s+)?recent\s+(?:days|weeks|months)\b)",
)
_SCAN = re.compile(r"\b(?:" + "|".join(_SCAN_ALTERNATIVES) + r")(?!\w)")

# Precisions whose range can anchor "two days later": a day, or a few days (their end).
_ANCHOR_PRECISIONS = frozenset({DatePrecision.day, DatePrecision.days})


def find_dates(text: str, published: date | None) -> list[DateMention]:
    """Every date expression in ``text``, in order, each resolved.

    Narrative-relative mentions ("two days later") are resolved against the anchor the
    mentions before them give (:func:`anchor_before`), so a chain "Nov. 3 ... two days
    later ... the next day" walks forward.  Never raises; a non-string text has no dates.
    """
    mentions: list[DateMention] = []
    if not isinstance(text, str):
        return mentions
    for match in _SCAN.finditer(text):
        if _INDEFINITE_BEFORE.search(text[: match.start()]) and _WEEKDAY_ONLY.match(match.group(0)):
            continue  # "on a Saturday morning in August": some Saturday, the month dates it
        if mentions and _WEEKDAY_ONLY.fullmatch(mentions[-1].text.strip()):
            between = text[mentions[-1].end_offset : match.start()]
            if re.fullmatch(r",?\s{0,2}(?:the\s+)?", between) and _CALENDAR.match(match.group(0)):
                mentions.pop()  # "Thursday 22 February": the calendar date says which Thursday
        anchor = anchor_before(mentions, match.start())
        resolved = resolve_date(match.group(0), published, anchor=anchor)
        mentions.append(DateMention(match.start(), match.end(), match.group(0), resolved))
    return mentions


_INDEFINITE_BEFORE = re.compile(r"\b(?:a|one)\s+$", re.I)
_WEEKDAY_ONLY = re.compile(rf"(?i:(?:on\s+)?(?:the\s+night\s+of\s+)?{_WD})")
_ORDINAL = r"\d{1,2}(?:st|nd|rd|th)?"
_CALENDAR = re.compile(
    rf"(?i:{_ORDINAL}(?:\s*(?:-|to|and|into)\s*(?:{_WD},?\s+)?{_ORDINAL})?\s+(?:of\s+)?{_MON}"
    rf"|{_MON}\s*\d{{1,2}}\b)"
)


def anchor_before(mentions: list[DateMention], offset: int) -> date | None:
    """The last date the text gave before ``offset``: the anchor for "two days later".

    Walks back over mentions that end at or before ``offset`` and takes the first one
    resolved to a single day, or to a few days (precision ``days``: its last day).
    Unresolved mentions and coarse ones (a week, a month, a year) are skipped: "in 2016"
    gives no day to count from.
    """
    for mention in reversed(mentions):
        if mention.end_offset > offset:
            continue
        rng = mention.range
        if rng.end is not None and rng.precision in _ANCHOR_PRECISIONS:
            return rng.end
    return None


def resolve_in_context(
    date_text: str | None, text: str, offset: int, published: date | None
) -> DateRange:
    """Resolve ``date_text`` found at ``offset`` in ``text``, anchored on the dates before it.

    The convenience for callers holding a model's ``date_text`` and the evidence offset.
    """
    try:
        anchor = anchor_before(find_dates(text, published), offset)
    except TypeError:
        anchor = None
    return resolve_date(date_text, published, anchor=anchor)
