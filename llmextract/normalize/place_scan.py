"""Scanning text for place names: known names of the gazetteer (longest first) and
unknown capitalised words that may name a village, skipping actor names, stopwords and
peoples.  ``normalize.places`` decides which of them is the event's place."""

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from llmextract.normalize.gazetteer import (
    _Entry,
    _gazetteer,
)
from llmextract.normalize.lexicon import words
from llmextract.normalize.text import fold

# --- scanning text ----------------------------------------------------------------

_TOKEN = re.compile(r"[^\W\d_](?:[\w'’-]*[^\W_])?")
_POSSESSIVE = re.compile(r"['’]s$")
_JOINERS = frozenset({"du", "de", "des", "la", "le", "el", "al", "of", "d", "n"})
_GAP = re.compile(r"[ \t]+")
# Capitalised words that are never place names (function words, titles, peoples, months,
# words of armed groups' names): ``not_place_words`` of the lexicon.
_NOT_PLACES = frozenset(fold(w) for w in words("not_place_words"))

_CLAUSE_BREAK = re.compile(r"[.;:!?()\[\]\n,]")


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    text: str
    key: str
    entries: tuple[_Entry, ...]  # empty when the gazetteer does not know the name
    demonym: str | None = None  # country code of a demonym ("Malian")


def _clause_before(text: str, start: int) -> str:
    """The text before ``start`` back to the nearest comma or sentence break."""
    window = text[max(0, start - 100) : start]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    return window[breaks[-1].end() :] if breaks else window


@cache
def _actor_keys() -> frozenset[str]:
    """Folded actor aliases ("Katiba Macina", "G5 Sahel"): their words are not places."""
    from llmextract.normalize.actors import alias_table

    return frozenset(alias_table())


def _sequences(text: str) -> list[list[tuple[int, int, bool]]]:
    """Runs of capitalised words ("Boucle du Mouhoun"), as (start, end, capitalised)."""
    runs: list[list[tuple[int, int, bool]]] = []
    current: list[tuple[int, int, bool]] = []
    previous_end = -1
    for match in _TOKEN.finditer(text):
        start, end = match.span()
        possessive = _POSSESSIVE.search(match.group())
        if possessive:
            end -= len(possessive.group())
        word = text[start:end]
        capitalised = word[0].isupper()
        joiner = fold(word) in _JOINERS
        adjacent = current and _GAP.fullmatch(text[previous_end:start]) is not None
        if not (capitalised or (joiner and adjacent)):
            if current:
                runs.append(current)
            current = []
        else:
            if current and not adjacent:
                runs.append(current)
                current = []
            current.append((start, end, capitalised))
        previous_end = end if not possessive else -1  # "Mali's Ségou" is two runs
    if current:
        runs.append(current)
    for run in runs:  # a run neither starts nor ends with a joiner
        while run and not run[-1][2]:
            run.pop()
    return [run for run in runs if run and run[0][2]]


def _could_be_name(word: str) -> bool:
    """An unknown capitalised word that may name a village: no acronym, stopword or date."""
    parts = fold(word).split()
    # Villages named for a people ("Tansèga-Mossi", "Gassel-Peulh"): only the first part of
    # a hyphenated name says whether it is a name at all ("UN-French" is not).
    return (
        not word.isupper()
        and bool(parts)
        and (
            parts[0] not in _NOT_PLACES if "-" in word else not any(p in _NOT_PLACES for p in parts)
        )
    )


@lru_cache(maxsize=4096)  # the place rules scan the same sentences several times a document
def _scan(text: str) -> tuple[_Mention, ...]:
    """Known names (longest first) and unknown capitalised words, in text order."""
    g = _gazetteer()
    actors = _actor_keys()
    mentions: list[_Mention] = []
    for run in _sequences(text):
        # Actor names first: "Katiba Macina" and "G5 Sahel" name groups, not places.
        taken = [False] * len(run)
        for i in range(len(run)):
            for j in range(len(run) - 1, i - 1, -1):
                key = fold(text[run[i][0] : run[j][1]])
                if key in actors and (j > i or key not in g.index):
                    taken[i : j + 1] = [True] * (j + 1 - i)
                    break
        i = 0
        while i < len(run):
            if taken[i] or not run[i][2]:
                i += 1
                continue
            for j in range(min(len(run) - 1, i + g.max_tokens - 1), i - 1, -1):
                if not run[j][2] or any(taken[i : j + 1]):
                    continue
                start, end = run[i][0], run[j][1]
                key = fold(text[start:end])
                if key in g.index or key in g.demonyms:
                    mentions.append(
                        _Mention(
                            start,
                            end,
                            text[start:end],
                            key,
                            g.index.get(key, ()),
                            g.demonyms.get(key),
                        )
                    )
                    i = j + 1
                    break
            else:
                # An unknown word, joined with the unknown capitalised words after it;
                # "UN-French", "JNIM" or "Monday" never start or extend one.
                if not _could_be_name(text[run[i][0] : run[i][1]]):
                    i += 1
                    continue
                j = i
                while (
                    j + 1 < len(run)
                    and not taken[j + 1]
                    and (not run[j + 1][2] or _could_be_name(text[run[j + 1][0] : run[j + 1][1]]))
                    and fold(text[run[j + 1][0] : run[j + 1][1]]) not in g.index
                ):
                    j += 1
                while j > i and not run[j][2]:
                    j -= 1
                start, end = run[i][0], run[j][1]
                mentions.append(_Mention(start, end, text[start:end], fold(text[start:end]), ()))
                i = j + 1
    return tuple(mentions)
