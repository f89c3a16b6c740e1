"""Comparing runs scored against the same gold, with honest uncertainty.

With a handful of gold documents, an F1 gap of a few points is often noise.  For every
pair of runs (A, B) the comparison reports the observed micro incident-F1 difference
A - B and a paired bootstrap 95% confidence interval over documents:

* draw ``resamples`` (default 2000) resamples of the gold documents, with replacement,
  from ``numpy.random.default_rng(seed)`` with a fixed default seed (``DEFAULT_SEED``),
  so the same runs always give the same interval (``scipy.stats.bootstrap`` over document
  indexes, percentile method);
* on each resample, sum each run's per-document TP, FP and FN over the *same* drawn
  documents (the pairing: both runs face the same documents) and recompute micro F1
  for both; the difference of the two is one bootstrap draw;
* the interval is the 2.5th and 97.5th percentiles of the draws.

The verdict is plain words: "A is better than B" when the whole interval is above 0,
"A is worse than B" when it is below 0, otherwise "no detectable difference".  The
bootstrap over documents treats documents as the unit of sampling; with very few
documents the interval is wide, which is the honest answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import bootstrap

from llmextract.eval.results import EvalResult, prf

DEFAULT_RESAMPLES = 2000
DEFAULT_SEED = 20240607
CONFIDENCE = 0.95


@dataclass
class RunRow:
    """One run's headline figures and its manifest facts."""

    label: str
    path: str
    model: str | None
    prompt: str | None
    strategy: str | None
    incident_precision: float
    incident_recall: float
    incident_f1: float
    field_accuracy: float | None
    slot_recall: float | None
    grounding: float | None
    seconds_per_document: float | None
    tokens_per_document: float | None
    documents: int
    missing_documents: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class PairResult:
    """Run A against run B: observed F1 difference, bootstrap CI and verdict."""

    a: str
    b: str
    f1_a: float
    f1_b: float
    difference: float
    ci_low: float
    ci_high: float
    verdict: str

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Comparison:
    runs: list[RunRow]
    pairs: list[PairResult]
    results: list[EvalResult] = field(repr=False)
    resamples: int = DEFAULT_RESAMPLES
    seed: int = DEFAULT_SEED
    confidence: float = CONFIDENCE
    gold: str | None = None
    documents: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "runs": [r.to_dict() for r in self.runs],
            "pairs": [p.to_dict() for p in self.pairs],
            "bootstrap": {
                "resamples": self.resamples,
                "seed": self.seed,
                "confidence": self.confidence,
                "unit": "document",
                "statistic": "micro incident F1 difference (A - B)",
            },
            "gold": self.gold,
            "documents": self.documents,
        }


def _counts(result: EvalResult) -> np.ndarray:
    """Per-document (tp, fp, fn), in doc_id order, shape (documents, 3)."""
    return np.array([[d.tp, d.fp, d.fn] for d in result.documents], dtype=float).reshape(-1, 3)


def _micro_f1(tp: np.ndarray, fp: np.ndarray, fn: np.ndarray) -> np.ndarray:
    """Vectorised ``scoring.prf(...)[2]``: 2TP / (2TP + FP + FN), 1 when all are zero."""
    den = 2 * tp + fp + fn
    return np.where(den > 0, 2 * tp / np.where(den > 0, den, 1), 1.0)


def paired_bootstrap(
    counts_a: np.ndarray,
    counts_b: np.ndarray,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    confidence: float = CONFIDENCE,
) -> tuple[float, float]:
    """The bootstrap confidence interval of micro-F1(A) - micro-F1(B) over documents.

    ``counts_*`` are per-document (tp, fp, fn) rows for the same documents in the same
    order.  Returns (low, high).
    """
    if counts_a.shape != counts_b.shape:
        raise ValueError("paired bootstrap needs both runs scored on the same documents")
    n = counts_a.shape[0]
    if n == 0:
        return 0.0, 0.0

    def f1_difference(docs: np.ndarray, axis: int = -1) -> np.ndarray:
        # Resampling document indexes pairs the runs: both are summed over the same draw.
        sa = counts_a[docs].sum(axis=-2)
        sb = counts_b[docs].sum(axis=-2)
        return _micro_f1(sa[..., 0], sa[..., 1], sa[..., 2]) - _micro_f1(
            sb[..., 0], sb[..., 1], sb[..., 2]
        )

    if n == 1:  # one document: every resample is that document
        only = float(f1_difference(np.array([0])))
        return only, only
    interval = bootstrap(
        (np.arange(n),),
        f1_difference,
        n_resamples=resamples,
        confidence_level=confidence,
        method="percentile",
        vectorized=True,
        rng=np.random.default_rng(seed),
    ).confidence_interval
    return float(interval.low), float(interval.high)


def verdict(a: str, b: str, low: float, high: float) -> str:
    """Plain words: better or worse only when the interval excludes 0."""
    if low > 0:
        return f"{a} is better than {b}"
    if high < 0:
        return f"{a} is worse than {b}"
    return "no detectable difference"


def _labels(results: Sequence[EvalResult]) -> list[str]:
    """Folder names, or full paths when two runs share a folder name."""
    names = [r.label for r in results]
    if len(set(names)) == len(names):
        return names
    paths = [str(r.run_path) for r in results]
    if len(set(paths)) == len(paths):
        return paths
    return [f"{p} (#{i + 1})" for i, p in enumerate(paths)]


def compare_results(
    results: Sequence[EvalResult],
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    confidence: float = CONFIDENCE,
) -> Comparison:
    """One row per run and one paired-bootstrap comparison per pair (i < j)."""
    if not results:
        raise ValueError("nothing to compare")
    doc_ids = [d.doc_id for d in results[0].documents]
    for result in results[1:]:
        if [d.doc_id for d in result.documents] != doc_ids:
            raise ValueError("runs were scored against different gold documents")
    labels = _labels(results)
    rows: list[RunRow] = []
    for label, result in zip(labels, results, strict=True):
        s = result.summary()
        rows.append(
            RunRow(
                label=label,
                path=str(result.run_path),
                model=s["model"],
                prompt=s["prompt"],
                strategy=s["strategy"],
                incident_precision=s["incident_precision"],
                incident_recall=s["incident_recall"],
                incident_f1=s["incident_f1"],
                field_accuracy=s["field_accuracy"],
                slot_recall=s["slot_recall"],
                grounding=s["grounding"],
                seconds_per_document=s["seconds_per_document"],
                tokens_per_document=s["tokens_per_document"],
                documents=s["documents"],
                missing_documents=s["missing_documents"],
            )
        )
    counts = [_counts(r) for r in results]
    pairs: list[PairResult] = []
    for i in range(len(results)):
        for j in range(i + 1, len(results)):
            low, high = paired_bootstrap(counts[i], counts[j], resamples, seed, confidence)
            f1_a = prf(*(int(x) for x in counts[i].sum(axis=0)))[2]
            f1_b = prf(*(int(x) for x in counts[j].sum(axis=0)))[2]
            pairs.append(
                PairResult(
                    a=labels[i],
                    b=labels[j],
                    f1_a=f1_a,
                    f1_b=f1_b,
                    difference=f1_a - f1_b,
                    ci_low=low,
                    ci_high=high,
                    verdict=verdict(labels[i], labels[j], low, high),
                )
            )
    gold = results[0].gold_path
    return Comparison(
        runs=rows,
        pairs=pairs,
        results=list(results),
        resamples=resamples,
        seed=seed,
        confidence=confidence,
        gold=str(gold) if gold else None,
        documents=len(doc_ids),
    )
