"""Sentences and passages with character offsets into the repaired text.

Small models find more incidents when asked about a short passage than about a whole
article, and a sentence with known offsets is evidence that is grounded by construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words whose trailing period does not end a sentence ("Oct. 23", "Gen. Diallo").
_ABBREVIATIONS = frozenset(
    [
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "maj",
        "cmdr",
        "adm",
        "gov",
        "sen",
        "rep",
        "pres",
        "prof",
        "no",
        "vs",
        "etc",
        "approx",
        "est",
        "dept",
        "fig",
        "al",
        "inc",
        "ltd",
        "co",
        "jr",
        "sr",
    ]
)
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])")
_MAX_SENTENCE = 600


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str
    paragraph: int


def split_sentences(text: str) -> list[Sentence]:
    """Split into sentences within paragraphs (blank lines or single newlines end one).

    Hand-written rather than pysbd: on the development set's gold evidence it puts both
    ends of 86.9% of quotes on sentence boundaries against pysbd's 86.0%, in 0.01 s
    against ~1 s (``scripts/measure_sentence_splitter.py``).
    """
    sentences: list[Sentence] = []
    for paragraph, (p_start, p_end) in enumerate(_paragraph_spans(text)):
        cursor = p_start
        block = text[p_start:p_end]
        for match in _SENTENCE_END.finditer(block):
            end = p_start + match.end()
            word = re.search(r"(\S+)$", text[cursor : p_start + match.start()])
            token = word.group(1).lower().strip("\"'“‘(") if word else ""
            if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue
            if "." in token and len(token) <= 5 and token.replace(".", "").isalpha():
                continue  # "U.N." / "U.S."
            _append(sentences, text, cursor, end, paragraph)
            cursor = end
        _append(sentences, text, cursor, p_end, paragraph)
    return sentences


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text) if m.group(0).strip()]


def _append(sentences: list[Sentence], text: str, start: int, end: int, paragraph: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    # Very long runs with no sentence end (lists, tables) are cut at spaces.
    while end - start > _MAX_SENTENCE:
        cut = text.rfind(" ", start, start + _MAX_SENTENCE)
        cut = cut if cut > start else start + _MAX_SENTENCE
        sentences.append(Sentence(len(sentences), start, cut, text[start:cut], paragraph))
        start = cut + 1 if text[cut : cut + 1] == " " else cut
    if end > start:
        sentences.append(Sentence(len(sentences), start, end, text[start:end], paragraph))


def group_passages(sentences: list[Sentence], *, max_chars: int = 900) -> list[list[Sentence]]:
    """Consecutive whole paragraphs, up to ``max_chars`` per passage.

    A paragraph longer than the limit is split between sentences, so a 200,000-character
    document becomes many passages and no sentence is lost at a border.
    """
    passages: list[list[Sentence]] = []
    current: list[Sentence] = []
    size = 0
    by_paragraph: dict[int, list[Sentence]] = {}
    for sentence in sentences:
        by_paragraph.setdefault(sentence.paragraph, []).append(sentence)
    for paragraph in by_paragraph.values():
        length = sum(len(s.text) for s in paragraph)
        if current and size + length > max_chars:
            passages.append(current)
            current, size = [], 0
        for sentence in paragraph:
            if current and size + len(sentence.text) > max_chars:
                passages.append(current)
                current, size = [], 0
            current.append(sentence)
            size += len(sentence.text)
    if current:
        passages.append(current)
    return passages


def chunk_text(text: str, *, max_chars: int, overlap: int) -> list[tuple[int, str]]:
    """Overlapping windows cut at sentence borders, for single-call extraction of long texts."""
    if len(text) <= max_chars:
        return [(0, text)]
    sentences = split_sentences(text)
    chunks: list[tuple[int, str]] = []
    first = 0
    while first < len(sentences):
        last = first
        while (
            last + 1 < len(sentences)
            and sentences[last + 1].end - sentences[first].start <= max_chars
        ):
            last += 1
        start, end = sentences[first].start, sentences[last].end
        chunks.append((start, text[start:end]))
        if last + 1 >= len(sentences):
            break
        next_first = last + 1
        while next_first - 1 > first and end - sentences[next_first - 1].start < overlap:
            next_first -= 1
        first = max(first + 1, next_first)
    return chunks


# A wire dateline opens a paragraph: "BAMAKO, March 10 (Sahel Wire) - ", "NIAMEY (AFP) —".
# Its city and date say where and when the story was filed, not where the event was.
_DATELINE = re.compile(
    r"^[ \t]*[A-Z][A-Z'’.-]{2,}(?:[ -][A-Z][A-Z'’.-]+)*"
    r"(?:,[ \t]*[A-Z][a-z]+(?:[ \t][A-Z][a-z]+)?)?"
    r"(?:,?[ \t]*[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2}(?:,[ \t]*\d{4})?)?"
    r"[ \t]*(?:\([^)\n]{1,60}\))?[ \t]*[-–—]+[ \t]*",
    re.MULTILINE,
)


# "Dakar, 3 June 2024 – ": a city in title case, then a full date and a dash.
_DATED_DATELINE = re.compile(
    r"^[ \t]*[A-Z][\w'’.-]+(?:[ -][A-Z][\w'’.-]+)?,[ \t]*(?:\d{1,2}[ \t]+[A-Z][a-z]+\.?|"
    r"[A-Z][a-z]+\.?[ \t]+\d{1,2}),?[ \t]+\d{4}[ \t]*(?:\([^)\n]{1,60}\))?[ \t]*[-–—]+[ \t]*",
    re.MULTILINE,
)


def blank_datelines(text: str) -> str:
    """The text with every dateline replaced by spaces (same length, so offsets hold):
    what rules read, while evidence is quoted from the text as written."""
    blank = _DATELINE.sub(lambda m: " " * len(m.group(0)), text)
    return _DATED_DATELINE.sub(lambda m: " " * len(m.group(0)), blank)


@dataclass(frozen=True)
class StoryUnits:
    """Spans of a listing page's separate stories (a teaser list, a news section), or of the
    whole text for an article: mentions in different stories are never one by nearness."""

    spans: tuple[tuple[int, int], ...]

    def unit_of(self, offset: int) -> int:
        for index, (start, end) in enumerate(self.spans):
            if start <= offset < end:
                return index
        return -1

    def same(self, a: int, b: int) -> bool:
        return self.unit_of(a) == self.unit_of(b)


_BLOCK = re.compile(r"(?:[^\n]*\S[^\n]*(?:\n|$))+")
_HEADLINE_LINE = re.compile(r"^[^\n]*[^\s.!?:;\"”’)][ \t]*\n\s*\S", re.M)


def story_units(text: str, published: object | None) -> StoryUnits:
    """Where one story ends and another begins.

    A listing is recognised by its shape: blocks of a headline line (no closing
    punctuation) over a blurb, in most of five or more blocks; or, on a page with no
    publication date, eight or more lines with no blank line between them (one teaser a
    line).  Anything else is one article: one unit.
    """
    whole = StoryUnits(((0, len(text)),))
    blocks = [(m.start(), m.end()) for m in _BLOCK.finditer(text) if m.group(0).strip()]
    if len(blocks) > 1:
        headed = sum(1 for a, b in blocks if _HEADLINE_LINE.match(text[a:b].lstrip()))
        if len(blocks) >= 5 and headed >= 0.4 * len(blocks):
            return StoryUnits(tuple(blocks))
        return whole
    lines = _paragraph_spans(text)
    if published is None and len(lines) >= 8:
        return StoryUnits(tuple(lines))
    return whole
