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

Decisions (also in the rule docstrings of ``normalize.date_rules``):

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

import datetime as dt
import re
from datetime import date
from functools import lru_cache

from llmextract.normalize.counts import NUMBER_PATTERN
from llmextract.normalize.date_arith import UNRESOLVED, DateMention, DateRange
from llmextract.normalize.date_rules import _MON, _WD, RULES, _Context
from llmextract.schema import DatePrecision

__all__ = [
    "UNRESOLVED",
    "DateMention",
    "DateRange",
    "anchor_before",
    "find_dates",
    "resolve_date",
    "resolve_in_context",
]

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
    if not isinstance(text, str):
        return []
    return list(_find_dates(text, published))


@lru_cache(maxsize=4096)  # the rules read the same sentences' dates several times
def _find_dates(text: str, published: date | None) -> tuple[DateMention, ...]:
    mentions: list[DateMention] = []
    for match in _SCAN.finditer(text):
        if _WEEKDAY_ONLY.match(match.group(0)) and _INDEFINITE_BEFORE.search(text[: match.start()]):
            continue  # "on a Saturday morning in August": some Saturday, the month dates it
        if mentions and _WEEKDAY_ONLY.fullmatch(mentions[-1].text.strip()):
            between = text[mentions[-1].end_offset : match.start()]
            if re.fullmatch(r",?\s{0,2}(?:the\s+)?", between) and _CALENDAR.match(match.group(0)):
                mentions.pop()  # "Thursday 22 February": the calendar date says which Thursday
        anchor = anchor_before(mentions, match.start())
        resolved = resolve_date(match.group(0), published, anchor=anchor)
        mentions.append(DateMention(match.start(), match.end(), match.group(0), resolved))
    return tuple(mentions)


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
