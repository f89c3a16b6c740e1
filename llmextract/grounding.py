"""Grounding: evidence quotes located in the repaired text by the tool, never the model.

A model's quote is searched exactly, then with whitespace, quotes and dashes normalised,
then fuzzily; a match is rewritten to the exact span of the text so the stored quote is
verbatim.  A quote found nowhere keeps null offsets: flagged, never kept as grounded.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from llmextract.schema import Evidence

_EQUIVALENT = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_FUZZY_MIN = 92.0


def _normalised_with_map(text: str) -> tuple[str, list[int]]:
    """Text with runs of whitespace collapsed and quote marks unified, plus an offset map."""
    chars: list[str] = []
    origin: list[int] = []
    previous_space = False
    for index, char in enumerate(text.translate(_EQUIVALENT)):
        if char.isspace():
            if previous_space:
                continue
            char, previous_space = " ", True
        else:
            previous_space = False
        chars.append(char.casefold())
        origin.append(index)
    return "".join(chars), origin


def _occurrences(text: str, quote: str) -> list[int]:
    """Starts of ``quote``'s non-overlapping occurrences (``str.find``: an escaped regex
    per quote would be compiled afresh for every one)."""
    hits, start = [], text.find(quote)
    while start >= 0:
        hits.append(start)
        start = text.find(quote, start + len(quote))
    return hits


def locate_quote(text: str, quote: str, *, near: int | None = None) -> tuple[int, int] | None:
    """Offsets of ``quote`` in ``text`` (the occurrence nearest ``near``), or None."""
    quote = quote.strip()
    if len(quote) > 2 and quote[0] in '"“' and quote[-1] in '"”' and quote.count(quote[0]) == 1:
        quote = quote[1:-1].strip()  # a model wrapped its quote in quote marks
    if not quote:
        return None
    hits = _occurrences(text, quote)
    if hits:
        start = min(hits, key=lambda h: abs(h - near)) if near is not None else hits[0]
        return start, start + len(quote)
    norm_text, origin = _normalised_with_map(text)
    norm_quote, _ = _normalised_with_map(quote)
    norm_quote = norm_quote.strip()
    position = norm_text.find(norm_quote)
    if position >= 0:
        return origin[position], origin[position + len(norm_quote) - 1] + 1
    if len(norm_quote) < 20:
        return None
    alignment = fuzz.partial_ratio_alignment(norm_quote, norm_text, score_cutoff=_FUZZY_MIN)
    if alignment is None:
        return None
    start, end = origin[alignment.dest_start], origin[alignment.dest_end - 1] + 1
    return start, end


def ground(text: str, quote: str, *, near: int | None = None) -> Evidence:
    """An Evidence with tool-computed offsets; the quote is replaced by the exact span."""
    span = locate_quote(text, quote, near=near)
    if span is None:
        return Evidence(quote=quote.strip() or quote)
    start, end = span
    return Evidence(quote=text[start:end], start=start, end=end)


def evidence_is_grounded(text: str, evidence: Evidence) -> bool:
    return (
        evidence.start is not None
        and evidence.end is not None
        and text[evidence.start : evidence.end] == evidence.quote
    )
