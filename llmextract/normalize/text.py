"""Folding of names for comparison: case, accents, punctuation and spacing."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[^0-9a-z]+")


def strip_accents(text: str) -> str:
    if text.isascii():  # most text, and NFKD leaves ASCII alone: skip the per-character pass
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_CACHED_LENGTH = 400  # words, names and sentences; a whole document is folded afresh


def fold(text: str) -> str:
    """'Ségou ' -> 'segou'; "Jama'at  Nusrat" -> 'jama at nusrat'."""
    return _fold_cached(text) if len(text) <= _CACHED_LENGTH else _fold(text)


@lru_cache(maxsize=1 << 15)  # the rules fold the same words and names many times a document
def _fold_cached(text: str) -> str:
    return _fold(text)


def _fold(text: str) -> str:
    folded = strip_accents(text).casefold().replace("’", "'")
    return _NON_WORD.sub(" ", folded).strip()
