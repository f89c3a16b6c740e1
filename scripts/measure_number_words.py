"""Measure text2num against the hand-written number reader on the figures of evals/dev.

Every count phrase the rules read in the development documents ("at least twenty-one",
"1,200", "a dozen", "One hundred") is parsed by ``normalize.counts.words_to_int`` and by
text2num's ``text2num`` (qualifiers such as "at least" removed first, as the counts module
does); the script prints how many each reads and where they differ.  Needs
``pip install text2num``; not a dependency of llmextract.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from llmextract.normalize.count_phrases import _count_matches
from llmextract.normalize.counts import words_to_int
from llmextract.segments import split_sentences

QUALIFIERS = re.compile(
    r"^(?:at least|nearly|almost|about|around|some|roughly|approximately|more than|over|"
    r"up to|another|a further|an additional|a total of|as many as|no fewer than|"
    r"not fewer than|no less than|not less than)\s+",
    re.I,
)


def main(docs: Path) -> None:
    from text_to_num import text2num

    phrases = []
    for path in sorted(docs.glob("*.txt")):
        for sentence in split_sentences(path.read_text(encoding="utf-8")):
            phrases += [m.phrase for m in _count_matches(sentence.text)]
    ours = theirs = both = 0
    differ = []
    for phrase in phrases:
        bare = QUALIFIERS.sub("", phrase.strip()).replace(",", "")
        mine = words_to_int(bare)
        try:  # digits as int(), words through text2num: what a caller of the library writes
            other: int | None = int(bare) if bare.isdigit() else text2num(bare.lower(), "en")
        except ValueError:
            other = None
        ours += mine is not None
        theirs += other is not None
        both += mine is not None and mine == other
        if mine != other:
            differ.append((phrase, mine, other))
    print(f"{len(phrases)} count phrases in {docs}")
    print(f"read by the hand-written reader: {ours}; by text2num: {theirs}; same value: {both}")
    for phrase, mine, other in differ[:20]:
        print(f"  {phrase!r}: hand-written {mine}, text2num {other}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "evals/dev/docs"))
