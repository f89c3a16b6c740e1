"""Scores: figures per document (``DocumentScore``) and per run (``EvalResult``).

``EvalResult.to_dict()`` is the ``eval --json`` document; the report formats read these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from llmextract.eval.align import MATCH_THRESHOLD, Match
from llmextract.eval.comparators import SCORED_FIELDS
from llmextract.run.folder import Run
from llmextract.schema import GoldIncident, Incident


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall and F1, with the empty-case conventions of the module docstring."""
    precision = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
    recall = tp / (tp + fn) if tp + fn else (1.0 if fp == 0 else 0.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _json_value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return value


@dataclass
class FieldStat:
    """Correct and total comparisons for one field."""

    field: str
    correct: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float | None:
        return _ratio(self.correct, self.total)

    def to_dict(self) -> dict[str, Any]:
        return {"accuracy": self.accuracy, "correct": self.correct, "total": self.total}


@dataclass(slots=True)
class FieldCheck:
    """One (pair, field) comparison."""

    gold_index: int
    pred_index: int
    field: str
    correct: bool
    gold: Any
    predicted: Any


@dataclass
class DocumentScore:
    """Every figure for one document, plus what the HTML report needs to show it."""

    doc_id: str
    gold: list[GoldIncident] = field(repr=False)
    predicted: list[Incident] = field(repr=False)
    matches: list[Match]
    missing_from_run: bool = False
    text: str | None = field(default=None, repr=False)
    field_checks: list[FieldCheck] = field(default_factory=list, repr=False)
    slot_correct: int = 0
    slot_total: int = 0
    quotes: int = 0
    quotes_grounded: int = 0
    quotes_unverified: int = 0

    @property
    def tp(self) -> int:
        return sum(1 for m in self.matches if not m.optional)

    @property
    def optional_matched(self) -> int:
        return sum(1 for m in self.matches if m.optional)

    @property
    def fp(self) -> int:
        return len(self.predicted) - len(self.matches)

    @property
    def fn(self) -> int:
        return len(self.missed)

    @property
    def missed(self) -> list[int]:
        matched = {m.gold_index for m in self.matches}
        return [i for i, g in enumerate(self.gold) if i not in matched and not g.optional]

    @property
    def spurious(self) -> list[int]:
        matched = {m.pred_index for m in self.matches}
        return [i for i in range(len(self.predicted)) if i not in matched]

    @property
    def field_correct(self) -> int:
        return sum(1 for c in self.field_checks if c.correct)

    @property
    def field_total(self) -> int:
        return len(self.field_checks)

    def prf(self) -> tuple[float, float, float]:
        return prf(self.tp, self.fp, self.fn)

    def wrong_fields(self, gold_index: int) -> set[str]:
        return {c.field for c in self.field_checks if c.gold_index == gold_index and not c.correct}

    def errors(self) -> list[dict[str, Any]]:
        """Missed gold, spurious predictions and wrong fields, each with its evidence."""
        errors: list[dict[str, Any]] = []
        for gi in self.missed:
            errors.append(
                {
                    "kind": "missed",
                    "doc_id": self.doc_id,
                    "gold_index": gi,
                    "pred_index": None,
                    "incident": _incident_brief(self.gold[gi]),
                    "gold_evidence": [e.quote for e in self.gold[gi].evidence],
                    "pred_evidence": [],
                }
            )
        for pi in self.spurious:
            errors.append(
                {
                    "kind": "spurious",
                    "doc_id": self.doc_id,
                    "gold_index": None,
                    "pred_index": pi,
                    "incident": _incident_brief(self.predicted[pi]),
                    "gold_evidence": [],
                    "pred_evidence": [e.quote for e in self.predicted[pi].evidence],
                }
            )
        for check in self.field_checks:
            if check.correct:
                continue
            gold = self.gold[check.gold_index]
            errors.append(
                {
                    "kind": "wrong_field",
                    "doc_id": self.doc_id,
                    "gold_index": check.gold_index,
                    "pred_index": check.pred_index,
                    "field": check.field,
                    "gold": _json_value(check.gold),
                    "predicted": _json_value(check.predicted),
                    "accept": _json_value(gold.accept.get(check.field, [])),
                    "gold_evidence": [e.quote for e in gold.evidence],
                    "pred_evidence": [e.quote for e in self.predicted[check.pred_index].evidence],
                }
            )
        return errors

    def to_dict(self) -> dict[str, Any]:
        precision, recall, f1 = self.prf()
        return {
            "doc_id": self.doc_id,
            "missing_from_run": self.missing_from_run,
            "text_available": self.text is not None,
            "gold_incidents": sum(1 for g in self.gold if not g.optional),
            "gold_optional": sum(1 for g in self.gold if g.optional),
            "predicted_incidents": len(self.predicted),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "optional_matched": self.optional_matched,
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "field_accuracy": _ratio(self.field_correct, self.field_total),
            "field_correct": self.field_correct,
            "field_total": self.field_total,
            "slot_recall": _ratio(self.slot_correct, self.slot_total),
            "slot_correct": self.slot_correct,
            "slot_total": self.slot_total,
            "grounding": _ratio(self.quotes_grounded, self.quotes),
            "quotes": self.quotes,
            "quotes_grounded": self.quotes_grounded,
            "quotes_unverified": self.quotes_unverified,
            "matches": [m.to_dict() for m in self.matches],
        }


def _incident_brief(incident: Incident) -> dict[str, Any]:
    keys = ("summary", "incident_type", "date_start", "place", "perpetrator", "killed")
    data = incident.model_dump(mode="json")
    return {k: data[k] for k in keys}


@dataclass
class EvalResult:
    """A run scored against a gold folder.  ``to_dict()`` is the ``--json`` document."""

    run_path: Path
    gold_path: Path | None
    documents: list[DocumentScore]
    run: Run | None = field(default=None, repr=False)
    extra_documents: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.run_path.name or str(self.run_path)

    def fields(self) -> dict[str, FieldStat]:
        stats = {name: FieldStat(name) for name in SCORED_FIELDS}
        for doc in self.documents:
            for check in doc.field_checks:
                stat = stats[check.field]
                stat.total += 1
                stat.correct += int(check.correct)
        return stats

    def totals(self) -> dict[str, int]:
        keys = (
            "tp", "fp", "fn", "optional_matched", "field_correct", "field_total",
            "slot_correct", "slot_total", "quotes", "quotes_grounded", "quotes_unverified",
        )  # fmt: skip
        return {k: sum(getattr(d, k) for d in self.documents) for k in keys}

    @property
    def incident_f1(self) -> float:
        t = self.totals()
        return prf(t["tp"], t["fp"], t["fn"])[2]

    def summary(self) -> dict[str, Any]:
        t = self.totals()
        precision, recall, f1 = prf(t["tp"], t["fp"], t["fn"])
        run = self.run
        return {
            "incident_precision": precision,
            "incident_recall": recall,
            "incident_f1": f1,
            "field_accuracy": _ratio(t["field_correct"], t["field_total"]),
            "slot_recall": _ratio(t["slot_correct"], t["slot_total"]),
            "grounding": _ratio(t["quotes_grounded"], t["quotes"]),
            **t,
            "documents": len(self.documents),
            "gold_incidents": sum(1 for d in self.documents for g in d.gold if not g.optional),
            "gold_optional": sum(1 for d in self.documents for g in d.gold if g.optional),
            "predicted_incidents": sum(len(d.predicted) for d in self.documents),
            "missing_documents": [d.doc_id for d in self.documents if d.missing_from_run],
            "extra_documents": list(self.extra_documents),
            "run": str(self.run_path),
            "gold": str(self.gold_path) if self.gold_path else None,
            "model": run.model if run else None,
            "prompt": run.prompt if run else None,
            "strategy": run.strategy if run else None,
            "seconds_per_document": run.total("seconds_per_document") if run else None,
            "tokens_per_document": run.total("tokens_per_document") if run else None,
            "match_threshold": MATCH_THRESHOLD,
            "warnings": list(self.warnings),
        }

    def errors(self) -> list[dict[str, Any]]:
        return [e for d in self.documents for e in d.errors()]

    def worst_documents(self, count: int) -> list[DocumentScore]:
        """The ``count`` worst documents, the ones a reviewer of a large run reads first:
        lowest F1, then most wrong fields, then by doc_id."""
        return sorted(
            self.documents,
            key=lambda d: (d.prf()[2], d.field_correct - d.field_total, d.doc_id),
        )[: max(count, 0)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary(),
            "fields": {name: stat.to_dict() for name, stat in self.fields().items()},
            "documents": [d.to_dict() for d in self.documents],
            "errors": self.errors(),
        }
