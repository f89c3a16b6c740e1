"""``llmextract events``: blocking, the pairwise decision, clusters, the conflict policy,
and pairwise / B-cubed scores against gold clusters.  All data is invented."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from dataset_fixtures import gold_folder, incident, write_run
from typer.testing import CliRunner

from llmextract.cli import app
from llmextract.dataset.clusters_eval import score_events, score_partition
from llmextract.dataset.events import build_events
from llmextract.dataset.matching import (
    MERGE_SCORE,
    candidate_pairs,
    cluster,
    compatible,
    features,
    pair_score,
)
from llmextract.dataset.records import Record, load_records
from llmextract.eval.metrics import evaluate
from llmextract.schema import Incident


def rec(doc_id: str, index: int = 0, published: str | None = None, **values: Any) -> Record:
    return Record(
        run="r",
        doc_id=doc_id,
        index=index,
        incident=Incident.model_validate(incident(**values)),
        published=dt.date.fromisoformat(published) if published else None,
    )


DAY = {"date_start": "2023-06-06", "date_end": "2023-06-06"}
ANSONGO = {"place": "Ansongo", "latitude": 15.66, "longitude": 0.50}


def test_the_same_ambush_in_two_documents_merges() -> None:
    a = features(rec("a", **DAY, **ANSONGO, killed=7))
    b = features(rec("b", **DAY, **ANSONGO, killed=9))
    assert compatible(a, b) and pair_score(a, b) >= MERGE_SCORE


@pytest.mark.parametrize(
    ("why", "other"),
    [
        ("same document", {"doc": "a"}),
        ("dates ten days apart", {"date_start": "2023-06-16", "date_end": "2023-06-16"}),
        ("a named place 300 km away", {"place": "Ménaka", "latitude": 15.92, "longitude": 2.40}),
        ("another country", {"country": "Niger", "admin1": "Tillabéri"}),
        ("tactics that cannot be one event", {"incident_type": "ied"}),
        ("state forces against an armed group", {"perpetrator": "Malian armed forces"}),
    ],
)
def test_a_veto_keeps_two_incidents_apart(why: str, other: dict[str, Any]) -> None:
    a = features(rec("a", **DAY, **ANSONGO, perpetrator="JNIM"))
    values = {**DAY, **ANSONGO, "perpetrator": "JNIM", **other}
    doc = values.pop("doc", "b")
    b = features(rec(doc, **values))
    assert not compatible(a, b), why


def test_place_and_tactic_without_any_date_are_not_enough() -> None:
    a = features(rec("a", **DAY, **ANSONGO))
    b = features(rec("b", **ANSONGO))
    assert compatible(a, b) and pair_score(a, b) < MERGE_SCORE


def test_a_place_the_gazetteer_lacks_may_be_the_town_another_outlet_names() -> None:
    a = features(rec("a", **DAY, **ANSONGO, killed=5))
    b = features(rec("b", **DAY, place="Tinbaraka", killed=5))  # invented village, no coords
    c = features(rec("c", **DAY, place="Tinbaraka", admin1="Kidal", killed=5))
    assert compatible(a, b) and pair_score(a, b) >= MERGE_SCORE
    assert not compatible(a, c)  # but not in another region


def test_blocking_pairs_neighbours_in_time_not_all_pairs() -> None:
    records = [
        rec("d0", **DAY, **ANSONGO),
        rec("d1", date_start="2023-06-07", date_end="2023-06-07", **ANSONGO),
        rec("d2", date_start="2023-09-01", date_end="2023-09-01", **ANSONGO),
        rec("d3", **DAY, place=None),  # placeless: its region's incidents in the window
        rec("d4", place=None),  # neither place nor date: never a candidate
        rec("d5", **DAY, place="Koutiala", admin1="Sikasso", latitude=12.4, longitude=-5.5),
    ]
    pairs = candidate_pairs([features(r) for r in records])
    assert (0, 1) in pairs and (0, 3) in pairs and (1, 3) in pairs
    assert (0, 2) not in pairs and (1, 2) not in pairs
    assert not any(4 in p for p in pairs)
    assert (3, 5) not in pairs and (0, 5) not in pairs


def test_an_undated_report_cannot_bridge_two_attacks() -> None:
    records = [
        rec("a", **DAY, **ANSONGO, killed=4),
        rec("b", date_start="2023-07-20", date_end="2023-07-20", **ANSONGO, killed=4),
        rec("c", **ANSONGO, killed=4, perpetrator="JNIM", target_type="civilians"),
        rec("d", **DAY, **ANSONGO, killed=4),
    ]
    clusters = cluster([features(r) for r in records])
    together = next(c for c in clusters if 0 in c)
    assert 3 in together and 1 not in together  # a and d merge; b stays apart
    assert not any(0 in c and 1 in c for c in clusters)


def test_conflicting_values_follow_the_written_policy(tmp_path: Path) -> None:
    events = build_events(load_records([write_run(tmp_path)]))
    ambush = next(e for e in events if e["documents"] == 3)
    assert ambush["date_start"] == dt.date(2023, 6, 6)  # the narrowest range, not the month
    assert ambush["place"] == "Ansongo" and ambush["latitude"] == 15.66
    assert ambush["killed"] == 9  # latest figure from a source other than the claimant
    assert ambush["chosen_from"]["killed"] == "t02_bulletin#0"
    assert ambush["perpetrator"] == "JNIM" and ambush["attribution"] == "claimed"
    killed = {(v["doc_id"], v["value"]) for v in ambush["values"]["killed"]}
    assert killed == {("t01_courier", 7), ("t02_bulletin", 9), ("t03_digest", 12)}
    assert [(m["doc_id"], m["incident"]) for m in ambush["members"]] == [
        ("t01_courier", 0),
        ("t02_bulletin", 0),
        ("t03_digest", 0),
    ]
    assert all(Path(m["file"]).is_file() for m in ambush["members"])
    assert len([e for e in events if e["documents"] == 1]) == 2


def test_events_command_writes_the_events_file_and_page(tmp_path: Path) -> None:
    run = write_run(tmp_path)
    out, html = tmp_path / "ev" / "events.json", tmp_path / "events.html"
    res = CliRunner().invoke(app, ["events", str(run), "--out", str(out), "--html", str(html)])
    assert res.exit_code == 0, res.output
    assert "5 incidents -> 3 events" in res.output
    data = json.loads(out.read_text("utf-8"))
    assert data["incidents"] == 5 and len(data["events"]) == 3
    assert data["policy"]["merge_score"] == MERGE_SCORE
    assert "<svg" in html.read_text("utf-8")


def test_pairwise_and_bcubed_by_hand() -> None:
    gold = [["a", "b", "c"], ["d", "e"]]
    predicted = [["a", "b"], ["c", "d", "e"]]
    s = score_partition(predicted, gold, "abcdef")
    # pairs: gold {ab, ac, bc, de}; predicted {ab, cd, ce, de}; correct {ab, de}
    assert (s.gold_pairs, s.predicted_pairs, s.correct_pairs) == (4, 4, 2)
    assert s.pairwise_precision == pytest.approx(0.5) and s.pairwise_recall == pytest.approx(0.5)
    # B-cubed precision per item: a 1, b 1, c 1/3, d 2/3, e 2/3, f 1 -> 14/18
    assert s.bcubed_precision == pytest.approx((1 + 1 + 1 / 3 + 2 / 3 + 2 / 3 + 1) / 6)
    # recall: a 2/3, b 2/3, c 1/3, d 1, e 1, f 1
    assert s.bcubed_recall == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1 + 1 + 1) / 6)


def test_eval_scores_events_when_the_gold_has_clusters(tmp_path: Path) -> None:
    run = write_run(tmp_path)
    gold = gold_folder(tmp_path)
    scores = score_events(evaluate(run, gold, tmp_path / "docs"))
    assert scores is not None and scores.gold_clusters == 1
    assert scores.end_to_end.correct_pairs == scores.end_to_end.gold_pairs == 3
    assert scores.end_to_end.pairwise_f1 == 1.0 and scores.matched.bcubed_f1 == 1.0
    report = tmp_path / "eval.json"
    res = CliRunner().invoke(app, ["eval", str(run), "--gold", str(gold), "--json", str(report)])
    assert res.exit_code == 0, res.output
    assert "Events across documents" in res.output
    data = json.loads(report.read_text("utf-8"))
    assert data["events"]["run"]["end_to_end"]["pairwise_f1"] == 1.0
    (gold / "clusters.json").unlink()
    assert score_events(evaluate(run, gold, tmp_path / "docs")) is None


def test_a_wrong_merge_costs_pairwise_precision(tmp_path: Path) -> None:
    run = write_run(tmp_path)
    gold = gold_folder(tmp_path)
    members = [{"doc_id": "t01_courier", "incident": 0}, {"doc_id": "t02_bulletin", "incident": 0}]
    (gold / "clusters.json").write_text(
        json.dumps({"clusters": [{"event_id": "x", "members": members}]}), "utf-8"
    )
    scores = score_events(evaluate(run, gold, tmp_path / "docs"))
    assert scores is not None
    assert scores.end_to_end.correct_pairs == 1 and scores.end_to_end.predicted_pairs == 3
    assert scores.end_to_end.pairwise_precision == pytest.approx(1 / 3)
    res = CliRunner().invoke(app, ["compare", str(run), str(gold), "--gold", str(gold)])
    assert res.exit_code == 0, res.output
    assert "Events across documents" in res.output and "33.3%" in res.output


def test_the_benchmark_generator_is_recovered_at_small_scale() -> None:
    """The synthetic incidents of scripts/bench_events.py (noisy reports of invented
    attacks) are clustered close to their invented truth, not merely quickly."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "scripts" / "bench_events.py"
    spec = importlib.util.spec_from_file_location("bench_events", path)
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    records, truth = bench.synthetic(3000, seed=3)
    clusters = cluster([features(r) for r in records])
    score = score_partition(clusters, truth, range(len(records)))
    assert score.gold_pairs > 500 and score.predicted_pairs > 500
    assert score.pairwise_precision > 0.8 and score.pairwise_recall > 0.9


def test_an_undated_named_place_meets_its_region() -> None:
    records = [
        rec("t0", place="Téra", admin1="Tillabéri", country="Niger", killed=4),  # a teaser, undated
        rec("t1", **DAY, place="Dinagourou", admin1="Tillabéri", country="Niger", killed=4),
        rec("t2", **DAY, place="Kidal", admin1="Kidal", country="Mali", killed=4),
    ]
    pairs = candidate_pairs([features(r) for r in records])
    assert (0, 1) in pairs
    assert (0, 2) not in pairs and (1, 2) not in pairs
