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


@lru_cache(maxsize=65536)  # the rules fold the same words and names many times a document
def fold(text: str) -> str:
    """'Ségou ' -> 'segou'; "Jama'at  Nusrat" -> 'jama at nusrat'."""
    folded = strip_accents(text).casefold().replace("’", "'")
    return _NON_WORD.sub(" ", folded).strip()
