"""Scoring one extraction run against hand-labelled gold.

A document can hold several incidents, so scoring starts by deciding which predicted
incident is which gold incident.  Everything else (precision and recall, field accuracy,
slot recall) is computed on that one-to-one alignment.

Alignment
---------
Per document, predicted incidents are aligned to gold incidents one-to-one with
``scipy.optimize.linear_sum_assignment`` (maximising total similarity).  The similarity
of a (gold, predicted) pair is a weighted mean of components, each in [0, 1]:

=============== ====== ==============================================================
component       weight value
=============== ====== ==============================================================
evidence        3.0    best overlap between a predicted and a gold evidence quote: the
                       shared characters over the shorter span when both have offsets,
                       else ``(partial_ratio - 50) / 50`` of the folded quotes (clipped)
place           2.0    at the most specific level either side names (place, else
                       admin1, else country): 1 when the folded names agree (or the
                       predicted one is in gold ``accept``); otherwise 0.5 when admin1
                       agrees, 0.1 when only the country agrees, else 0
date            1.5    both ranges resolved: 1 when they overlap (1 day slack), falling
                       linearly to 0 at 31 days apart; neither resolved but both have
                       ``date_text``: folded token-set ratio / 100; one-sided: 0
incident_type   1.5    1 when equal or in ``accept``, else 0
actors          1.0    mean of perpetrator (same canonical actor, or in ``accept``) and
                       target (folded token-set ratio / 100); a side null on both is left out
counts          1.0    mean over killed and wounded: 1 when equal or accepted, min/max
                       when both are given and differ, 0 when only one side gives it
=============== ====== ==============================================================

A component that is empty on both sides (no place at all, no dates; for evidence, none
on either side) is left out rather than counted as agreement, so that shared blanks never
make two incidents look alike.  The weighted sum of the components present is divided by
``max(sum of their weights, 5.0)`` (half the total weight of 10):
a pair that can only be compared on one or two weak components (say, incident type)
cannot reach a high score by having little else to compare.

A pair below ``MATCH_THRESHOLD = 0.4`` is not a match (sub-threshold similarities are
zeroed before the assignment, so they never displace a real match).  Exact ties (two
near-identical incidents, such as a teaser and its body) are broken by a 0.001-weighted
term for exact evidence extent (Jaccard of spans) and summary wording; it never changes a
reported similarity.  Justification, pinned
by tests in ``tests/test_scoring.py``: the right incident with one field wrong scores about
0.85; the right incident quoted elsewhere in the article (headline versus body, no
evidence overlap) scores 0.70, and 0.55 with its type wrong too; a different attack of
the same type by the same group, in another region, months apart, with disjoint
evidence, scores about 0.28; agreement on type and country alone scores 0.34.  Cases in
between (same group, same type, same region, a week apart, disjoint evidence: about
0.48) match only when nothing closer competes for the same gold incident.

Figures
-------
* Incident precision, recall and F1, micro over documents (TP, FP and FN summed), and
  per document.  A prediction matched to an ``optional`` gold incident is neither a true
  nor a false positive; an unmatched optional gold incident is not a miss.  The
  assignment runs over all gold (optional included) so an optional incident can absorb
  a prediction.  With nothing predicted, precision is 1 if nothing was to be found and
  0 otherwise; recall with nothing to find is 1 if nothing was predicted, else 0.
* Field accuracy: over matched pairs with non-optional gold, every SPEC field except
  ``summary`` and ``evidence`` (grounding covers evidence) is compared with a typed
  comparator (see ``FIELD_KINDS``): names (place, admin1, country) folded for case,
  accents and punctuation; perpetrator through ``canonical_actor``; free text
  (date_text, location_text, target) by folded token-set ratio >= 80; dates within the
  tolerance of the gold ``date_precision`` (day: one day either side; week: same ISO
  week; month: same month; year: same year; otherwise exact); counts and enums exact;
  latitude/longitude within 0.05 degrees and only scored when the gold gives a value;
  sources correct when the set of stances equals the gold set (source names vary too
  much between writers to compare).  A value is correct when it equals the gold value or
  any value in gold ``accept[field]``; null matches null.  The headline figure is the
  micro average over all (pair, field) comparisons.
* Slot recall (end to end): over all non-optional gold incidents, matched or not, the
  share of gold slots with a value (not null, not an enum's ``unknown``, not an empty
  source list) that the matched prediction got right; an unmatched gold incident gets
  all its slots wrong.
* Grounding: the share of predicted evidence quotes whose ``start``/``end`` are set and,
  when the document text is available, satisfy ``text[start:end] == quote``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError
from rapidfuzz import fuzz
from scipy.optimize import linear_sum_assignment

from llmextract.documents import DocumentError, load_document
from llmextract.gold import (
    DEFAULT_DOCS_DIR,
    GoldError,
    coerce_field_value,
    document_path,
    load_gold_dir,
)
from llmextract.normalize.actors import canonical_actor
from llmextract.normalize.text import fold
from llmextract.schema import (
    INCIDENT_FIELDS,
    Evidence,
    Extraction,
    GoldFile,
    GoldIncident,
    Incident,
)

__all__ = [
    "FIELD_KINDS",
    "MATCH_THRESHOLD",
    "SCORED_FIELDS",
    "WEIGHTS",
    "DocumentScore",
    "EvalResult",
    "FieldStat",
    "GoldError",
    "Match",
    "Run",
    "RunDocument",
    "RunError",
    "align",
    "evaluate",
    "field_correct",
    "load_run",
    "prf",
    "score_document",
    "score_run",
    "similarity",
    "similarity_components",
]

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
FUZZY_TEXT_MIN = 80
COORD_TOLERANCE = 0.05
SIMILARITY_COUNT_FIELDS = ("killed", "wounded")
TIEBREAK_WEIGHT = 1e-3

# How each scored field is compared.  Every SPEC field but summary and evidence must be
# here: a field added to the schema without a comparator fails at import, not silently.
FIELD_KINDS: dict[str, str] = {
    "incident_type": "enum",
    "date_text": "text",
    "date_start": "date",
    "date_end": "date",
    "date_precision": "enum",
    "location_text": "text",
    "place": "name",
    "admin1": "name",
    "country": "name",
    "geo_precision": "enum",
    "latitude": "coord",
    "longitude": "coord",
    "perpetrator": "actor",
    "attribution": "enum",
    "target": "text",
    "target_type": "enum",
    "killed": "count",
    "wounded": "count",
    "kidnapped": "count",
    "perpetrators_killed": "count",
    "confirmation": "enum",
    "sources": "stances",
}
SCORED_FIELDS: tuple[str, ...] = tuple(
    f for f in INCIDENT_FIELDS if f not in ("summary", "evidence")
)
if set(FIELD_KINDS) != set(SCORED_FIELDS):  # pragma: no cover - guards schema drift
    raise RuntimeError(
        "scoring.FIELD_KINDS is out of step with schema.INCIDENT_FIELDS: "
        f"{sorted(set(FIELD_KINDS) ^ set(SCORED_FIELDS))}"
    )


# --------------------------------------------------------------------------- runs


class RunError(Exception):
    """A run folder that cannot be scored; the message is one line."""


@dataclass
class RunDocument:
    """One document's predicted incidents, as read from a run (or a gold) folder."""

    doc_id: str
    incidents: list[Incident]
    meta: dict[str, Any] = field(default_factory=dict)
    file: Path | None = None


@dataclass
class Run:
    """A run folder: its manifest and its per-document extractions.

    ``is_gold`` is set when the folder holds gold files (annotator agreement): their
    incidents are read as predictions, ignoring ``optional`` and ``accept``.
    """

    path: Path
    manifest: dict[str, Any]
    documents: dict[str, RunDocument]
    is_gold: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def model(self) -> str | None:
        if self.is_gold and not self.manifest.get("model"):
            return "gold"
        value = self.manifest.get("model")
        return str(value) if value is not None else None

    @property
    def prompt(self) -> str | None:
        prompt = self.manifest.get("prompt")
        if isinstance(prompt, dict):
            name = prompt.get("name")
            digest = prompt.get("hash")
            if name and digest:
                return f"{name}@{str(digest)[:8]}"
            return str(name or digest) if (name or digest) else None
        return str(prompt) if prompt is not None else None

    @property
    def strategy(self) -> str | None:
        value = self.manifest.get("strategy")
        return str(value) if value is not None else None

    def total(self, key: str) -> float | None:
        totals = self.manifest.get("totals")
        if not isinstance(totals, dict):
            return None
        value = totals.get(key)
        return (
            float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
        )


def load_run(run_dir: Path) -> Run:
    """Read a run folder (or a gold folder) into predictions by doc_id.

    ``manifest.json`` and JSON files that are not extractions are ignored.  A file that
    looks like an extraction but does not validate is reported in ``Run.warnings`` and
    its document counts as predicting nothing, so one broken file never hides the rest.
    """
    if not run_dir.exists():
        raise RunError(f"run folder {run_dir} does not exist")
    if not run_dir.is_dir():
        raise RunError(f"run folder {run_dir} is not a folder")
    manifest: dict[str, Any] = {}
    manifest_path = run_dir / "manifest.json"
    warnings: list[str] = []
    if manifest_path.is_file():
        try:
            loaded = json.loads(manifest_path.read_text(encoding="utf-8-sig"))
            if isinstance(loaded, dict):
                manifest = loaded
            else:
                warnings.append(f"{manifest_path}: not a JSON object, ignored")
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            warnings.append(f"{manifest_path}: not readable JSON, ignored ({_one_line(exc)})")

    entries = manifest.get("documents")
    if isinstance(entries, dict):
        for doc_id, entry in sorted(entries.items()):
            if isinstance(entry, dict) and entry.get("status") == "failed":
                reason = _one_line(str(entry.get("error") or "no reason recorded"))
                warnings.append(f"{doc_id}: extraction failed in this run ({reason[:200]})")

    documents: dict[str, RunDocument] = {}
    gold_files = 0
    for path in sorted(run_dir.glob("*.json")):
        if path.name == "manifest.json":
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            warnings.append(
                f"{path}: not readable JSON, document counted as empty ({_one_line(exc)})"
            )
            documents.setdefault(path.stem, RunDocument(path.stem, [], {}, path))
            continue
        if not isinstance(data, dict) or "doc_id" not in data or "incidents" not in data:
            continue
        try:
            if "labelled_by" in data:
                gold = GoldFile.model_validate(data)
                incidents = [_as_prediction(g) for g in gold.incidents]
                doc = RunDocument(gold.doc_id, incidents, {}, path)
                gold_files += 1
            else:
                extraction = Extraction.model_validate(data)
                doc = RunDocument(
                    extraction.doc_id, list(extraction.incidents), extraction.meta, path
                )
        except ValidationError as exc:
            doc_id = str(data.get("doc_id") or path.stem)
            warnings.append(
                f"{path}: not a valid extraction, document counted as empty "
                f"({exc.error_count()} error(s), first: {_first_error(exc)})"
            )
            documents.setdefault(doc_id, RunDocument(doc_id, [], {}, path))
            continue
        if doc.doc_id in documents and documents[doc.doc_id].incidents:
            warnings.append(f"{path}: a second file for {doc.doc_id}, ignored")
            continue
        documents[doc.doc_id] = doc
    if not documents:
        raise RunError(f"run folder {run_dir} holds no extraction files")
    return Run(
        path=run_dir,
        manifest=manifest,
        documents=documents,
        is_gold=gold_files > 0 and gold_files == len(documents),
        warnings=warnings,
    )


def _as_prediction(incident: GoldIncident) -> Incident:
    return Incident.model_validate(incident.model_dump(exclude={"optional", "accept"}))


# --------------------------------------------------------------------------- comparators


def _enum_value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _stances(value: Any) -> frozenset[str]:
    stances: set[str] = set()
    for source in value or []:
        stance = getattr(source, "stance", None)
        if stance is None and isinstance(source, dict):
            stance = source.get("stance")
        if stance is not None:
            stances.add(str(_enum_value(stance)))
    return frozenset(stances)


def _text_close(a: str, b: str) -> bool:
    fa, fb = fold(a), fold(b)
    return fa == fb or fuzz.token_set_ratio(fa, fb) >= FUZZY_TEXT_MIN


def _dates_close(gold: dt.date, pred: dt.date, precision: str) -> bool:
    if precision == "day":
        return abs((gold - pred).days) <= 1
    if precision == "week":
        return gold.isocalendar()[:2] == pred.isocalendar()[:2]
    if precision == "month":
        return (gold.year, gold.month) == (pred.year, pred.month)
    if precision == "year":
        return gold.year == pred.year
    return gold == pred


def _values_equal(kind: str, gold: Any, pred: Any, precision: str) -> bool:
    if kind == "stances":
        return _stances(gold) == _stances(pred)
    if gold is None or pred is None:
        return gold is None and pred is None
    if kind == "name":
        # "Bani Bangou" / "Banibangou", "Gorom Gorom" / "Gorom-Gorom": one name, spaced
        # differently by different outlets and gazetteers.
        return fold(str(gold)).replace(" ", "") == fold(str(pred)).replace(" ", "")
    if kind == "actor":
        return fold(canonical_actor(str(gold)) or "") == fold(canonical_actor(str(pred)) or "")
    if kind == "text":
        return _text_close(str(gold), str(pred))
    if kind == "date":
        g, p = _as_date(gold), _as_date(pred)
        return g is not None and p is not None and _dates_close(g, p, precision)
    if kind == "coord":
        return abs(float(gold) - float(pred)) <= COORD_TOLERANCE
    if kind == "count":
        return int(gold) == int(pred)
    return str(_enum_value(gold)) == str(_enum_value(pred))


def accepted_values(gold: GoldIncident, field_name: str) -> list[Any]:
    """Gold ``accept[field]`` as typed values; invalid entries (see gold check) are skipped."""
    values = []
    for raw in gold.accept.get(field_name, []) or []:
        try:
            values.append(coerce_field_value(field_name, raw))
        except ValueError:
            continue
    return values


def field_correct(field_name: str, gold: GoldIncident, pred: Incident) -> bool | None:
    """Whether ``pred`` has the right value for ``field_name``; None when not scored.

    Only latitude/longitude can be unscored: when the gold gives no value (nor accepts any).
    """
    kind = FIELD_KINDS[field_name]
    gold_value = getattr(gold, field_name)
    accepted = accepted_values(gold, field_name)
    if kind == "coord" and gold_value is None and not any(v is not None for v in accepted):
        return None
    precision = str(_enum_value(gold.date_precision))
    pred_value = getattr(pred, field_name)
    return any(_values_equal(kind, c, pred_value, precision) for c in [gold_value, *accepted])


def slot_filled(field_name: str, gold: GoldIncident) -> bool:
    """Whether the gold gives this field a value that slot recall counts."""
    value = getattr(gold, field_name)
    if value is None:
        return False
    if isinstance(value, Enum):
        return value.value != "unknown"
    if isinstance(value, list | str):
        return bool(value)
    return True


# --------------------------------------------------------------------------- similarity


def _matches_any(kind: str, gold: GoldIncident, field_name: str, pred_value: Any) -> bool:
    candidates = [getattr(gold, field_name), *accepted_values(gold, field_name)]
    return any(c is not None and _values_equal(kind, c, pred_value, "unknown") for c in candidates)


def _place_similarity(gold: GoldIncident, pred: Incident) -> float | None:
    levels = ("place", "admin1", "country")
    level = next(
        (i for i, name in enumerate(levels) if getattr(gold, name) or getattr(pred, name)), None
    )
    if level is None:
        return None
    name = levels[level]
    pred_value = getattr(pred, name)
    if pred_value is not None and _matches_any("name", gold, name, pred_value):
        return 1.0
    if level < 1 and pred.admin1 and _matches_any("name", gold, "admin1", pred.admin1):
        return 0.5
    if level < 2 and pred.country and _matches_any("name", gold, "country", pred.country):
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
            return fuzz.token_set_ratio(fold(gold.date_text), fold(pred.date_text)) / 100
        if not gold.date_text and not pred.date_text:
            return None
    return 0.0


def _actor_similarity(gold: GoldIncident, pred: Incident) -> float | None:
    parts: list[float] = []
    if gold.perpetrator is not None or pred.perpetrator is not None:
        ok = pred.perpetrator is not None and _matches_any(
            "actor", gold, "perpetrator", pred.perpetrator
        )
        parts.append(1.0 if ok else 0.0)
    if gold.target is not None or pred.target is not None:
        if gold.target is None or pred.target is None:
            parts.append(0.0)
        else:
            parts.append(fuzz.token_set_ratio(fold(gold.target), fold(pred.target)) / 100)
    return sum(parts) / len(parts) if parts else None


def _count_similarity(gold: GoldIncident, pred: Incident) -> float | None:
    parts: list[float] = []
    for name in SIMILARITY_COUNT_FIELDS:
        g, p = getattr(gold, name), getattr(pred, name)
        if g is None and p is None:
            continue
        if p is not None and _matches_any("count", gold, name, p):
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
    ratio = fuzz.partial_ratio(fold(gold.quote), fold(pred.quote))
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
        if _matches_any("enum", gold, "incident_type", pred.incident_type)
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
        evidence = fuzz.ratio(fold(g_text), fold(p_text)) / 100 if g_text and p_text else 0.0
    summary = fuzz.token_set_ratio(fold(gold.summary), fold(pred.summary)) / 100
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
    sims = np.array([[similarity(g, p) for p in predicted] for g in gold], dtype=float)
    # Ties (two near-identical incidents, a teaser and its body) are broken by exact
    # evidence extent and summary wording; the tie-breaker never changes a reported figure.
    ties = np.array([[_tiebreak(g, p) for p in predicted] for g in gold], dtype=float)
    usable = np.where(sims >= threshold, sims + TIEBREAK_WEIGHT * ties, 0.0)
    rows, cols = linear_sum_assignment(usable, maximize=True)
    matches = [
        Match(int(r), int(c), float(sims[r, c]), gold[r].optional)
        for r, c in zip(rows, cols, strict=True)
        if sims[r, c] >= threshold
    ]
    return sorted(matches, key=lambda m: m.gold_index)


# --------------------------------------------------------------------------- results


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


@dataclass
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary(),
            "fields": {name: stat.to_dict() for name, stat in self.fields().items()},
            "documents": [d.to_dict() for d in self.documents],
            "errors": self.errors(),
        }


# --------------------------------------------------------------------------- scoring


def _quote_grounded(evidence: Evidence, text: str | None) -> tuple[bool, bool]:
    """(grounded, verified against the text)."""
    if evidence.start is None or evidence.end is None:
        return False, text is not None
    if text is None:
        return True, False
    return text[evidence.start : evidence.end] == evidence.quote, True


def score_document(
    doc_id: str,
    gold: list[GoldIncident],
    predicted: list[Incident],
    text: str | None = None,
    missing_from_run: bool = False,
) -> DocumentScore:
    """Align and score one document's predictions against its gold incidents."""
    matches = align(gold, predicted)
    doc = DocumentScore(
        doc_id=doc_id,
        gold=gold,
        predicted=predicted,
        matches=matches,
        missing_from_run=missing_from_run,
        text=text,
    )
    by_gold = {m.gold_index: m for m in matches}
    for gi, g in enumerate(gold):
        if g.optional:
            continue
        match = by_gold.get(gi)
        pred = predicted[match.pred_index] if match else None
        for name in SCORED_FIELDS:
            correct = field_correct(name, g, pred) if pred is not None else None
            if pred is not None and match is not None and correct is not None:
                doc.field_checks.append(
                    FieldCheck(
                        gi, match.pred_index, name, correct, getattr(g, name), getattr(pred, name)
                    )
                )
            if slot_filled(name, g):
                doc.slot_total += 1
                doc.slot_correct += int(bool(correct))
    for p in predicted:
        for evidence in p.evidence:
            grounded, verified = _quote_grounded(evidence, text)
            doc.quotes += 1
            doc.quotes_grounded += int(grounded)
            doc.quotes_unverified += int(grounded and not verified)
    return doc


def _document_text(
    doc_id: str, meta: Mapping[str, Any], docs_dir: Path | None, cache: dict[Path, str | None]
) -> str | None:
    """The repaired text, via ``meta.document.path`` when it exists, else ``docs_dir``."""
    candidates: list[Path] = []
    document = meta.get("document") if isinstance(meta, Mapping) else None
    if isinstance(document, Mapping) and document.get("path"):
        candidates.append(Path(str(document["path"])))
    fallback = document_path(doc_id, docs_dir)
    if fallback is not None:
        candidates.append(fallback)
    for path in candidates:
        if not path.is_file():
            continue
        if path not in cache:
            try:
                cache[path] = load_document(path).text
            except DocumentError:
                cache[path] = None
        if cache[path] is not None:
            return cache[path]
    return None


def score_run(
    run: Run,
    gold: Mapping[str, GoldFile],
    docs_dir: Path | None = DEFAULT_DOCS_DIR,
    gold_path: Path | None = None,
) -> EvalResult:
    """Score every gold document; a gold document absent from the run predicts nothing."""
    cache: dict[Path, str | None] = {}
    documents: list[DocumentScore] = []
    for doc_id in sorted(gold):
        run_doc = run.documents.get(doc_id)
        predicted = run_doc.incidents if run_doc else []
        meta = run_doc.meta if run_doc else {}
        text = _document_text(doc_id, meta, docs_dir, cache)
        documents.append(
            score_document(
                doc_id,
                list(gold[doc_id].incidents),
                list(predicted),
                text=text,
                missing_from_run=run_doc is None,
            )
        )
    extra = sorted(set(run.documents) - set(gold))
    return EvalResult(
        run_path=run.path,
        gold_path=gold_path,
        documents=documents,
        run=run,
        extra_documents=extra,
        warnings=list(run.warnings),
    )


def evaluate(run_dir: Path, gold_dir: Path, docs_dir: Path | None = DEFAULT_DOCS_DIR) -> EvalResult:
    """Load a run folder and a gold folder and score one against the other."""
    gold = load_gold_dir(gold_dir)
    run = load_run(run_dir)
    return score_run(run, gold, docs_dir=docs_dir, gold_path=gold_dir)


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    loc = ".".join(str(p) for p in error.get("loc", ()))
    return f"{loc}: {error.get('msg', 'invalid')}" if loc else str(error.get("msg", "invalid"))


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())
