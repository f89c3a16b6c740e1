"""Compare sentence splitters on the development set's gold evidence: prints one row each.

Gold evidence quotes are whole sentences (or runs of whole sentences) of the repaired
text, so a good splitter starts a sentence where a quote starts and ends one where it
ends.  For each splitter: the share of quote starts and of quote ends that fall on one of
its sentence boundaries (trailing punctuation and quotes aside), the share of quotes with
both, and how many sentences it makes.  Usage: ``python scripts/measure_sentence_splitter.py``
(needs ``pysbd``).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

from llmextract.documents import load_document
from llmextract.segments import split_sentences

DEV = Path(__file__).resolve().parent.parent / "evals" / "dev"
Spans = list[tuple[int, int]]


def ours(text: str) -> Spans:
    return [(s.start, s.end) for s in split_sentences(text)]


def pysbd_spans(text: str) -> Spans:
    """pysbd per paragraph (as ours: a line break always ends a sentence)."""
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    spans: Spans = []
    for paragraph in re.finditer(r"[^\n]+", text):
        if not paragraph.group(0).strip():
            continue
        for span in segmenter.segment(paragraph.group(0)):
            start = paragraph.start() + span.start
            end = paragraph.start() + span.end
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if end > start:
                spans.append((start, end))
    return spans


def _trim(text: str, end: int, start: int) -> int:
    """An end position without the trailing punctuation and closing quotes a quote may omit."""
    while end > start and text[end - 1] in ".!?\"'”’) ":
        end -= 1
    return end


def measure(split: Callable[[str], Spans]) -> dict[str, float]:
    starts_ok = ends_ok = both = quotes = sentences = 0
    seconds = 0.0
    for gold_path in sorted((DEV / "gold").glob("*.json")):
        if gold_path.name == "clusters.json":
            continue
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        text = load_document(DEV / "docs" / f"{gold['doc_id']}.txt").text
        started = time.perf_counter()
        spans = split(text)
        seconds += time.perf_counter() - started
        sentences += len(spans)
        starts = {s for s, _ in spans}
        ends = {_trim(text, e, s) for s, e in spans}
        for incident in gold["incidents"]:
            for evidence in incident["evidence"]:
                if evidence.get("start") is None:
                    continue
                quotes += 1
                start_ok = evidence["start"] in starts
                end_ok = _trim(text, evidence["end"], evidence["start"]) in ends
                starts_ok += start_ok
                ends_ok += end_ok
                both += start_ok and end_ok
    return {
        "quotes": quotes,
        "start": starts_ok / quotes,
        "end": ends_ok / quotes,
        "both": both / quotes,
        "sentences": sentences,
        "seconds": seconds,
    }


def main() -> None:
    print(f"{'splitter':<12} quotes  start    end   both  sentences  seconds")
    for name, split in (("hand-written", ours), ("pysbd", pysbd_spans)):
        m = measure(split)
        print(
            f"{name:<12} {m['quotes']:>6} {m['start']:>6.3f} {m['end']:>6.3f} {m['both']:>6.3f}"
            f" {m['sentences']:>10} {m['seconds']:>8.2f}"
        )


if __name__ == "__main__":
    main()
