"""Scoring cross-document events against gold clusters (``gold/clusters.json``).

Gold clusters name gold incidents (doc_id, index in the gold file); the run's events name
predicted incidents.  A predicted incident stands for the gold incident the per-document
alignment of ``llmextract.scoring`` matched it to, so the same alignment that scores
incidents also scores events.  Two views, both reported:

* **end to end**: the items are every gold incident of the scored documents plus every
  unmatched (spurious) prediction.  A gold incident the run missed is a singleton of the
  prediction, a spurious prediction a singleton of the gold; so a missed incident costs
  its pairs, and a spurious one merged into an event costs precision.
* **matched**: only the gold incidents the run matched; this isolates the merge decision
  from extraction recall (which incident recall already scores).

Pairwise precision, recall and F1 are over unordered pairs of items placed in the same
event; B-cubed averages, per item, the share of its predicted event that is in its gold
event (precision) and the share of its gold event that is in its predicted one (recall).
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from llmextract.dataset.matching import cluster, features
from llmextract.dataset.records import records_of_run
from llmextract.eval.results import EvalResult, prf

CLUSTERS_FILE = "clusters.json"

Item = Hashable


class ClusterFileError(Exception):
    """A clusters.json that cannot be read; the message is one line."""


def load_gold_clusters(gold_dir: Path) -> list[list[tuple[str, int]]] | None:
    """Gold clusters of a gold folder, None when it has no ``clusters.json``."""
    path = gold_dir / CLUSTERS_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [
            [(str(m["doc_id"]), int(m["incident"])) for m in c["members"]] for c in data["clusters"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ClusterFileError(f"{path}: not a valid clusters file ({exc})") from None


def _assignment(clusters: Iterable[Iterable[Item]], items: Iterable[Item]) -> dict[Item, int]:
    """Item -> cluster number over ``items``; an item in no cluster is its own."""
    universe = list(items)
    allowed = set(universe)
    label: dict[Item, int] = {}
    for number, members in enumerate(clusters):
        for item in members:
            if item in allowed:
                label[item] = number
    offset = len(label) + 10**6
    for k, item in enumerate(universe):
        label.setdefault(item, offset + k)
    return label


def _groups(label: dict[Item, int]) -> dict[int, set[Item]]:
    out: dict[int, set[Item]] = {}
    for item, number in label.items():
        out.setdefault(number, set()).add(item)
    return out


def _pairs(label: dict[Item, int]) -> set[frozenset[Item]]:
    pairs = set()
    for members in _groups(label).values():
        ordered = sorted(members, key=repr)
        for a in range(len(ordered)):
            for b in range(a + 1, len(ordered)):
                pairs.add(frozenset((ordered[a], ordered[b])))
    return pairs


@dataclass
class ClusterScore:
    """Pairwise and B-cubed figures over one universe of items."""

    items: int
    gold_pairs: int
    predicted_pairs: int
    correct_pairs: int
    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def score_partition(
    predicted: Iterable[Iterable[Item]], gold: Iterable[Iterable[Item]], items: Iterable[Item]
) -> ClusterScore:
    """Pairwise and B-cubed scores of a predicted clustering against gold, over ``items``."""
    universe = list(dict.fromkeys(items))
    pred_label = _assignment(predicted, universe)
    gold_label = _assignment(gold, universe)
    pred_pairs, gold_pairs = _pairs(pred_label), _pairs(gold_label)
    correct = len(pred_pairs & gold_pairs)
    precision, recall, f1 = prf(correct, len(pred_pairs) - correct, len(gold_pairs) - correct)
    pred_groups, gold_groups = _groups(pred_label), _groups(gold_label)
    bp = br = 0.0
    for item in universe:
        p, g = pred_groups[pred_label[item]], gold_groups[gold_label[item]]
        shared = len(p & g)
        bp += shared / len(p)
        br += shared / len(g)
    n = len(universe)
    bp, br = (bp / n, br / n) if n else (1.0, 1.0)
    bf = 2 * bp * br / (bp + br) if bp + br else 0.0
    return ClusterScore(
        n, len(gold_pairs), len(pred_pairs), correct, precision, recall, f1, bp, br, bf
    )


@dataclass
class EventScores:
    """Both views for one run, with the gold file they came from."""

    clusters_file: str
    gold_clusters: int
    predicted_events: int
    end_to_end: ClusterScore
    matched: ClusterScore

    def to_dict(self) -> dict[str, Any]:
        return {
            "clusters_file": self.clusters_file,
            "gold_clusters": self.gold_clusters,
            "predicted_events": self.predicted_events,
            "end_to_end": self.end_to_end.to_dict(),
            "matched": self.matched.to_dict(),
        }


def score_events(result: EvalResult) -> EventScores | None:
    """Cluster the run's incidents into events and score them; None without gold clusters."""
    if result.gold_path is None or result.run is None:
        return None
    gold = load_gold_clusters(result.gold_path)
    if gold is None:
        return None
    scored = {d.doc_id: d for d in result.documents}
    records = [r for r in records_of_run(result.run) if r.doc_id in scored]
    to_gold: dict[tuple[str, int], tuple[str, int]] = {}
    for doc in result.documents:
        for m in doc.matches:
            to_gold[(doc.doc_id, m.pred_index)] = (doc.doc_id, m.gold_index)
    # A predicted incident is named by its gold incident when matched, else by itself.
    names: list[Item] = [
        to_gold.get((r.doc_id, r.index), ("pred", r.doc_id, r.index)) for r in records
    ]
    predicted = [[names[i] for i in members] for members in cluster([features(r) for r in records])]
    gold_items = [(d.doc_id, i) for d in result.documents for i in range(len(d.gold))]
    spurious = [n for n in names if n[0] == "pred"]
    matched = [n for n in names if n[0] != "pred"]
    return EventScores(
        clusters_file=str(result.gold_path / CLUSTERS_FILE),
        gold_clusters=len(gold),
        predicted_events=sum(1 for c in predicted if len(c) > 1),
        end_to_end=score_partition(predicted, gold, gold_items + spurious),
        matched=score_partition(predicted, gold, matched),
    )


def report_events(labelled: list[tuple[str, EvalResult]], console: Console) -> dict[str, Any]:
    """Print each run's event scores and return them for the JSON report
    (``{"events": {label: scores}}``; empty without gold clusters)."""
    rows: list[tuple[str, EventScores]] = []
    for label, result in labelled:
        try:
            scores = score_events(result)
        except ClusterFileError as exc:
            console.print(f"warning: {exc}", markup=False)
            return {}
        if scores is not None:
            rows.append((label, scores))
    if not rows:
        return {}
    table = Table(
        title=f"Events across documents vs {rows[0][1].clusters_file} "
        f"({rows[0][1].gold_clusters} gold events)",
        title_justify="left",
    )
    for column in (
        "run",
        "view",
        "pairwise P",
        "pairwise R",
        "pairwise F1",
        "pairs ok/pred/gold",
        "B³ P",
        "B³ R",
        "B³ F1",
    ):
        table.add_column(column, justify="left" if column in ("run", "view") else "right")
    for label, scores in rows:
        for view in ("end_to_end", "matched"):
            s: ClusterScore = getattr(scores, view)
            table.add_row(
                escape(label),
                view.replace("_", " "),
                *(
                    f"{100 * v:.1f}%"
                    for v in (s.pairwise_precision, s.pairwise_recall, s.pairwise_f1)
                ),
                f"{s.correct_pairs}/{s.predicted_pairs}/{s.gold_pairs}",
                *(f"{100 * v:.1f}%" for v in (s.bcubed_precision, s.bcubed_recall, s.bcubed_f1)),
            )
    console.print(table)
    return {"events": {label: scores.to_dict() for label, scores in rows}}
