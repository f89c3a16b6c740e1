"""Sentence splitting, passages, chunking and evidence grounding."""

from __future__ import annotations

import itertools

from llmextract.grounding import evidence_is_grounded, ground, locate_quote
from llmextract.segments import chunk_text, group_passages, split_sentences

TEXT = (
    "Headline about an attack\n\n"
    "Gunmen attacked a post on Oct. 23 near the town. Gen. Traoré said two died.\n"
    "The U.N. said it was “shocked.” Another raid followed on Nov. 2.\n"
)


def test_sentences_respect_abbreviations_and_offsets() -> None:
    sentences = split_sentences(TEXT)
    texts = [s.text for s in sentences]
    assert texts == [
        "Headline about an attack",
        "Gunmen attacked a post on Oct. 23 near the town.",
        "Gen. Traoré said two died.",
        "The U.N. said it was “shocked.”",
        "Another raid followed on Nov. 2.",
    ]
    assert all(TEXT[s.start : s.end] == s.text for s in sentences)
    assert [s.paragraph for s in sentences] == [0, 1, 1, 2, 2]


def test_passages_keep_every_sentence_once() -> None:
    long_text = "\n".join(f"Line {i} tells of an attack in town number {i}." for i in range(200))
    sentences = split_sentences(long_text)
    passages = group_passages(sentences, max_chars=300)
    flat = [s.index for passage in passages for s in passage]
    assert flat == list(range(len(sentences)))
    assert all(sum(len(s.text) for s in p) <= 300 for p in passages)


def test_chunks_overlap_and_cover_the_text() -> None:
    text = " ".join(f"Sentence number {i} reports an ambush." for i in range(400))
    chunks = chunk_text(text, max_chars=2000, overlap=300)
    assert len(chunks) > 5
    assert all(len(chunk) <= 2000 for _, chunk in chunks)
    for (start_a, chunk_a), (start_b, _) in itertools.pairwise(chunks):
        assert start_b < start_a + len(chunk_a)  # consecutive chunks overlap
    covered = set()
    for start, chunk in chunks:
        assert text[start : start + len(chunk)] == chunk
        covered.update(range(start, start + len(chunk)))
    assert max(covered) == len(text) - 1


def test_grounding_exact_normalised_fuzzy_and_missing() -> None:
    assert locate_quote(TEXT, "Gen. Traoré said two died.") is not None
    straight = ground(TEXT, 'The U.N. said it was "shocked."')  # straight quotes from a model
    assert straight.start is not None and evidence_is_grounded(TEXT, straight)
    assert straight.quote == "The U.N. said it was “shocked.”"
    fuzzy = ground(TEXT, "Gunmen attacked a post on Oct 23 near the town.")
    assert evidence_is_grounded(TEXT, fuzzy)
    missing = ground(TEXT, "Soldiers repelled an assault on the airport.")
    assert missing.start is None and missing.end is None and not evidence_is_grounded(TEXT, missing)


def test_grounding_prefers_the_occurrence_near_the_mention() -> None:
    text = "An attack. Later text. An attack."
    assert ground(text, "An attack.", near=25).start == 23
