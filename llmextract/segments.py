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
    """Split into sentences within paragraphs (blank lines or single newlines end one)."""
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
