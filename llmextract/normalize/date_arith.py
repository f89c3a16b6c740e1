"""Date ranges and the arithmetic the date rules do on them: calendar tables (months,
weekdays, day words), spans and their precision, weekdays before a date, the year a
month and day without one fall in."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

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
