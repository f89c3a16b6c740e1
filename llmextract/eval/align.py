"""Alignment: which predicted incident is which gold incident, per document.

Per document, predicted incidents are matched one-to-one to gold incidents with
``scipy.optimize.linear_sum_assignment`` on a weighted similarity (see ``llmextract.eval``
for the weights and why).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import fuzz

from llmextract.eval.comparators import folded, matches_any
from llmextract.schema import Evidence, GoldIncident, Incident

WEIGHTS: dict[str, float] = {
    "evidence": 3.0,
    "place": 2.0,
    "date": 1.5,
    "incident_type": 1.5,
    "actors": 1.0,
    "counts": 1.0,
}
MIN_DENOMINATOR = 5.0
MATCH_THRESHOLD = 0.4
DATE_SLACK_DAYS = 1
DATE_DECAY_DAYS = 30
SIMILARITY_COUNT_FIELDS = ("killed", "wounded")
TIEBREAK_WEIGHT = 1e-3


def _place_similarity(gold: GoldIncident, pred: Incident) -> float | None:
    levels = ("place", "admin1", "country")
    level = next(
        (i for i, name in enumerate(levels) if getattr(gold, name) or getattr(pred, name)), None
    )
    if level is None:
        return None
    name = levels[level]
    pred_value = getattr(pred, name)
    if pred_value is not None and matches_any("name", gold, name, pred_value):
        return 1.0
    if level < 1 and pred.admin1 and matches_any("name", gold, "admin1", pred.admin1):
        return 0.5
    if level < 2 and pred.country and matches_any("name", gold, "country", pred.country):
        return 0.1
    return 0.0


def _date_similarity(gold: GoldIncident, pred: Incident) -> float | None:
    if gold.date_start and gold.date_end and pred.date_start and pred.date_end:
        gap = max(
            (pred.date_start - gold.date_end).days,
            (gold.date_start - pred.date_end).days,
            0,
        )
        gap = max(0, gap - DATE_SLACK_DAYS)
        return max(0.0, 1.0 - gap / DATE_DECAY_DAYS)
    if not gold.date_start and not pred.date_start:
        if gold.date_text and pred.date_text:
            return fuzz.token_set_ratio(folded(gold.date_text), folded(pred.date_text)) / 100
        if not gold.date_text and not pred.date_text:
            return None
    return 0.0


def _actor_similarity(gold: GoldIncident, pred: Incident) -> float | None:
    parts: list[float] = []
    if gold.perpetrator is not None or pred.perpetrator is not None:
        ok = pred.perpetrator is not None and matches_any(
            "actor", gold, "perpetrator", pred.perpetrator
        )
        parts.append(1.0 if ok else 0.0)
    if gold.target is not None or pred.target is not None:
        if gold.target is None or pred.target is None:
            parts.append(0.0)
        else:
            parts.append(fuzz.token_set_ratio(folded(gold.target), folded(pred.target)) / 100)
    return sum(parts) / len(parts) if parts else None


def _count_similarity(gold: GoldIncident, pred: Incident) -> float | None:
    parts: list[float] = []
    for name in SIMILARITY_COUNT_FIELDS:
        g, p = getattr(gold, name), getattr(pred, name)
        if g is None and p is None:
            continue
        if p is not None and matches_any("count", gold, name, p):
            parts.append(1.0)
        elif g is not None and p is not None:
            parts.append(min(g, p) / max(g, p) if max(g, p) else 1.0)
        else:
            parts.append(0.0)
    return sum(parts) / len(parts) if parts else None


def _quote_overlap(gold: Evidence, pred: Evidence) -> float:
    if None not in (gold.start, gold.end, pred.start, pred.end):
        assert gold.start is not None and gold.end is not None
        assert pred.start is not None and pred.end is not None
        shared = min(gold.end, pred.end) - max(gold.start, pred.start)
        shorter = min(gold.end - gold.start, pred.end - pred.start)
        return max(0, shared) / shorter if shorter > 0 else 0.0
    ratio = fuzz.partial_ratio(folded(gold.quote), folded(pred.quote))
    return min(1.0, max(0.0, (ratio - 50) / 50))


def _evidence_similarity(gold: GoldIncident, pred: Incident) -> float | None:
    if not gold.evidence or not pred.evidence:
        return None
    return max(_quote_overlap(g, p) for g in gold.evidence for p in pred.evidence)


def similarity_components(gold: GoldIncident, pred: Incident) -> dict[str, float | None]:
    """Each similarity component in [0, 1], or None when it is empty on both sides."""
    return {
        "evidence": _evidence_similarity(gold, pred),
        "place": _place_similarity(gold, pred),
        "date": _date_similarity(gold, pred),
        "incident_type": 1.0
        if matches_any("enum", gold, "incident_type", pred.incident_type)
        else 0.0,
        "actors": _actor_similarity(gold, pred),
        "counts": _count_similarity(gold, pred),
    }


def similarity(gold: GoldIncident, pred: Incident) -> float:
    """The alignment similarity of a (gold, predicted) pair, in [0, 1] (module docstring)."""
    components = similarity_components(gold, pred)
    present = {k: v for k, v in components.items() if v is not None}
    weight = sum(WEIGHTS[k] for k in present)
    score = sum(WEIGHTS[k] * v for k, v in present.items())
    return score / max(weight, MIN_DENOMINATOR)


def _span_chars(evidence: list[Evidence]) -> set[int]:
    chars: set[int] = set()
    for e in evidence:
        if e.start is not None and e.end is not None:
            chars.update(range(e.start, e.end))
    return chars


def _tiebreak(gold: GoldIncident, pred: Incident) -> float:
    """Exactness of the evidence spans (Jaccard) and summary wording, in [0, 1]."""
    g_chars, p_chars = _span_chars(gold.evidence), _span_chars(pred.evidence)
    if g_chars and p_chars:
        evidence = len(g_chars & p_chars) / len(g_chars | p_chars)
    else:
        g_text = " ".join(e.quote for e in gold.evidence)
        p_text = " ".join(e.quote for e in pred.evidence)
        evidence = fuzz.ratio(folded(g_text), folded(p_text)) / 100 if g_text and p_text else 0.0
    summary = fuzz.token_set_ratio(folded(gold.summary), folded(pred.summary)) / 100
    return (evidence + summary) / 2


@dataclass(frozen=True)
class Match:
    """One aligned pair: indexes into the document's gold and predicted incident lists."""

    gold_index: int
    pred_index: int
    similarity: float
    optional: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "gold_index": self.gold_index,
            "pred_index": self.pred_index,
            "similarity": round(self.similarity, 4),
            "optional": self.optional,
        }


def align(
    gold: list[GoldIncident], predicted: list[Incident], threshold: float = MATCH_THRESHOLD
) -> list[Match]:
    """One-to-one alignment maximising total similarity; pairs below threshold are dropped."""
    if not gold or not predicted:
        return []
    if len(gold) == 1 and len(predicted) == 1:
        # The assignment of one against one is that pair; the tie-breaker cannot matter.
        score = similarity(gold[0], predicted[0])
        return [Match(0, 0, score, gold[0].optional)] if score >= threshold else []
    sims = np.array([[similarity(g, p) for p in predicted] for g in gold], dtype=float)
    if not (sims >= threshold).any():
        return []  # whatever the assignment, every pair would be dropped
    # Ties (two near-identical incidents, a teaser and its body) are broken by exact
    # evidence extent and summary wording; the tie-breaker never changes a reported figure.
    ties = np.array([[_tiebreak(g, p) for p in predicted] for g in gold], dtype=float)
    usable = np.where(sims >= threshold, sims + TIEBREAK_WEIGHT * ties, 0.0)
    if min(usable.shape) == 1:
        # One incident on a side: the optimum is the best cell, when only one cell is best.
        flat = usable.ravel()
        best = int(flat.argmax())
        if np.count_nonzero(flat == flat[best]) == 1:
            r, c = (0, best) if usable.shape[0] == 1 else (best, 0)
            return (
                [Match(r, c, float(sims[r, c]), gold[r].optional)]
                if sims[r, c] >= threshold
                else []
            )
    # Imported here: scipy.optimize takes most of a second to import, and most documents
    # (one incident a side, or nothing matched) never need it.
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(usable, maximize=True)
    matches = [
        Match(int(r), int(c), float(sims[r, c]), gold[r].optional)
        for r, c in zip(rows, cols, strict=True)
        if sims[r, c] >= threshold
    ]
    return sorted(matches, key=lambda m: m.gold_index)
