"""Scoring: alignment, incident P/R/F1, field accuracy, slot recall and grounding.

Everything runs on a small synthetic article and gold written here, so the tests do not
depend on ``evals/gold`` (being labelled separately), except the one test at the end that
scores that folder against itself when it exists and validates.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from llmextract.cli.evaluate import register
from llmextract.eval.align import MATCH_THRESHOLD, align, similarity
from llmextract.eval.comparators import SCORED_FIELDS, field_correct
from llmextract.eval.gold import GoldError, check_gold
from llmextract.eval.metrics import evaluate, score_document
from llmextract.run.folder import RunError, load_run
from llmextract.schema import GoldFile, GoldIncident, Incident

DOC_ID = "900_synthetic"
TEXT = (
    "Militants strike across central Mali\n\n"
    "On March 3, 2021, fighters of the Group for Support of Islam and Muslims (JNIM) "
    "stormed a military camp in Ségou, killing four soldiers and wounding six, the Malian "
    "army said. JNIM claimed the assault the next day.\n\n"
    "Two days later, a roadside bomb struck a police convoy near Kidal, killing two police "
    "officers. No group claimed the blast.\n\n"
    "In 2019, gunmen kidnapped three aid workers in Ménaka, local officials said.\n\n"
    "Separately, an attack was reported somewhere in the north.\n\n"
    "Jihadists have repeatedly targeted the region since 2012.\n"
)
Q_CAMP = "stormed a military camp in Ségou, killing four soldiers and wounding six"
Q_BOMB = "a roadside bomb struck a police convoy near Kidal, killing two police officers"
Q_KIDNAP = "gunmen kidnapped three aid workers in Ménaka"
Q_VAGUE = "an attack was reported somewhere in the north"
Q_TREND = "Jihadists have repeatedly targeted the region since 2012."
Q_HEADLINE = "Militants strike across central Mali"


def ev(quote: str, grounded: bool = True) -> dict[str, Any]:
    start = TEXT.index(quote)
    if not grounded:
        return {"quote": quote, "start": None, "end": None}
    return {"quote": quote, "start": start, "end": start + len(quote)}


def gold_incidents() -> list[dict[str, Any]]:
    return [
        {
            "summary": "JNIM stormed a military camp in Ségou.",
            "incident_type": "armed_assault",
            "date_text": "March 3, 2021",
            "date_start": "2021-03-03",
            "date_end": "2021-03-03",
            "date_precision": "day",
            "location_text": "a military camp in Ségou",
            "place": "Ségou",
            "admin1": "Ségou",
            "country": "Mali",
            "geo_precision": "place",
            "perpetrator": "JNIM",
            "attribution": "claimed",
            "target": "a military camp",
            "target_type": "military",
            "killed": 4,
            "wounded": 6,
            "confirmation": "confirmed",
            "sources": [
                {"source": "Malian army", "stance": "confirms"},
                {"source": "JNIM", "stance": "claims"},
            ],
            "evidence": [ev(Q_CAMP)],
            "accept": {"killed": [5]},
        },
        {
            "summary": "A roadside bomb hit a police convoy near Kidal.",
            "incident_type": "ied",
            "date_text": "Two days later",
            "date_start": "2021-03-05",
            "date_end": "2021-03-05",
            "date_precision": "day",
            "location_text": "near Kidal",
            "place": "Kidal",
            "admin1": "Kidal",
            "country": "Mali",
            "geo_precision": "near",
            "latitude": 18.44,
            "longitude": 1.41,
            "target": "a police convoy",
            "target_type": "police",
            "killed": 2,
            "evidence": [ev(Q_BOMB)],
        },
        {
            "summary": "Gunmen kidnapped three aid workers in Ménaka.",
            "incident_type": "kidnapping",
            "date_text": "In 2019",
            "date_start": "2019-01-01",
            "date_end": "2019-12-31",
            "date_precision": "year",
            "location_text": "in Ménaka",
            "place": "Ménaka",
            "admin1": "Ménaka",
            "country": "Mali",
            "geo_precision": "place",
            "perpetrator": "unidentified armed group",
            "attribution": "attributed",
            "target": "aid workers",
            "target_type": "civilians",
            "kidnapped": 3,
            "confirmation": "confirmed",
            "sources": [{"source": "local officials", "stance": "reports"}],
            "evidence": [ev(Q_KIDNAP)],
        },
        {
            "summary": "An attack somewhere in the north.",
            "incident_type": "other",
            "location_text": "somewhere in the north",
            "country": "Mali",
            "geo_precision": "country",
            "evidence": [ev(Q_VAGUE)],
            "optional": True,
        },
    ]


def predictions_from_gold() -> list[dict[str, Any]]:
    """The gold incidents as a perfect run would write them (no optional/accept)."""
    preds = []
    for g in gold_incidents():
        p = {k: v for k, v in g.items() if k not in ("optional", "accept")}
        preds.append(p)
    return preds


def write_gold(folder: Path, incidents: list[dict[str, Any]], doc_id: str = DOC_ID) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = {"doc_id": doc_id, "labelled_by": "hand", "incidents": incidents}
    (folder / f"{doc_id}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return folder


def write_run(
    folder: Path,
    incidents: list[dict[str, Any]],
    doc_id: str = DOC_ID,
    manifest: dict[str, Any] | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = {"doc_id": doc_id, "incidents": incidents, "meta": {}}
    (folder / f"{doc_id}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    if manifest is not None:
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


@pytest.fixture
def env(tmp_path: Path) -> dict[str, Path]:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / f"{DOC_ID}.txt").write_text(TEXT, encoding="utf-8")
    gold = write_gold(tmp_path / "gold", gold_incidents())
    return {"root": tmp_path, "docs": docs, "gold": gold}


def score(env: dict[str, Path], preds: list[dict[str, Any]], name: str = "run") -> dict[str, Any]:
    run = write_run(env["root"] / name, preds)
    return evaluate(run, env["gold"], env["docs"]).to_dict()


HEADLINE = (
    "incident_precision",
    "incident_recall",
    "incident_f1",
    "field_accuracy",
    "slot_recall",
    "grounding",
)


def headline(result: dict[str, Any]) -> dict[str, float]:
    return {k: result["summary"][k] for k in HEADLINE}


# --------------------------------------------------------------------------- identity


def test_synthetic_gold_is_valid(env: dict[str, Path]) -> None:
    report = check_gold(env["gold"], env["docs"])
    assert report.problems == []
    assert report.incidents == 4 and report.optional == 1


def test_gold_against_itself_scores_one_everywhere(env: dict[str, Path]) -> None:
    result = evaluate(env["gold"], env["gold"], env["docs"]).to_dict()
    assert headline(result) == dict.fromkeys(HEADLINE, 1.0)
    summary = result["summary"]
    assert (summary["tp"], summary["fp"], summary["fn"]) == (3, 0, 0)
    assert summary["optional_matched"] == 1
    assert summary["model"] == "gold"
    assert result["errors"] == []
    assert all(stat["accuracy"] in (1.0, None) for stat in result["fields"].values())


def test_perfect_run_scores_one_everywhere(env: dict[str, Path]) -> None:
    result = score(env, predictions_from_gold())
    assert headline(result) == dict.fromkeys(HEADLINE, 1.0)
    assert set(result) == {"summary", "fields", "documents", "errors"}
    assert set(result["fields"]) == set(SCORED_FIELDS)
    json.dumps(result)  # JSON-safe


# --------------------------------------------------------------------------- perturbations


def test_wrong_date_lowers_date_accuracy_only(env: dict[str, Path]) -> None:
    base = score(env, predictions_from_gold(), "base")
    preds = predictions_from_gold()
    preds[0]["date_start"] = preds[0]["date_end"] = "2021-03-09"
    result = score(env, preds)
    assert result["summary"]["incident_f1"] == 1.0
    assert result["fields"]["date_start"]["accuracy"] < 1.0
    assert result["fields"]["date_end"]["accuracy"] < 1.0
    assert result["fields"]["place"]["accuracy"] == 1.0
    assert result["summary"]["field_accuracy"] < base["summary"]["field_accuracy"]
    assert result["summary"]["slot_recall"] < 1.0
    wrong = [e for e in result["errors"] if e["kind"] == "wrong_field"]
    assert {e["field"] for e in wrong} == {"date_start", "date_end"}
    assert wrong[0]["gold"] == "2021-03-03" and wrong[0]["predicted"] == "2021-03-09"
    assert wrong[0]["gold_index"] == 0 and wrong[0]["pred_index"] == 0
    assert wrong[0]["gold_evidence"] == [Q_CAMP] and wrong[0]["pred_evidence"] == [Q_CAMP]


def test_day_precision_tolerates_one_day(env: dict[str, Path]) -> None:
    preds = predictions_from_gold()
    preds[0]["date_start"] = preds[0]["date_end"] = "2021-03-04"
    assert score(env, preds)["summary"]["field_accuracy"] == 1.0


def test_dropped_incident_lowers_recall_not_precision(env: dict[str, Path]) -> None:
    preds = predictions_from_gold()
    del preds[1]
    summary = score(env, preds)["summary"]
    assert summary["incident_precision"] == 1.0
    assert summary["incident_recall"] == pytest.approx(2 / 3)
    assert summary["field_accuracy"] == 1.0  # over matched pairs only
    assert summary["slot_recall"] < 1.0  # the missed incident's slots are all wrong
    errors = score(env, preds, "again")["errors"]
    assert [(e["kind"], e["gold_index"]) for e in errors] == [("missed", 1)]


def test_extra_incident_lowers_precision_not_recall(env: dict[str, Path]) -> None:
    preds = predictions_from_gold()
    preds.append(
        {
            "summary": "Jihadists keep attacking.",
            "incident_type": "armed_assault",
            "perpetrator": "jihadists",
            "evidence": [ev(Q_TREND)],
        }
    )
    result = score(env, preds)
    summary = result["summary"]
    assert summary["incident_recall"] == 1.0
    assert summary["incident_precision"] == pytest.approx(3 / 4)
    assert summary["field_accuracy"] == 1.0
    assert [(e["kind"], e["pred_index"]) for e in result["errors"]] == [("spurious", 4)]


def test_perpetrator_alias_is_still_correct(env: dict[str, Path]) -> None:
    preds = predictions_from_gold()
    preds[0]["perpetrator"] = "Group for Support of Islam and Muslims"
    result = score(env, preds)
    assert result["fields"]["perpetrator"]["accuracy"] == 1.0
    assert headline(result) == dict.fromkeys(HEADLINE, 1.0)


def test_wrong_perpetrator_is_wrong(env: dict[str, Path]) -> None:
    preds = predictions_from_gold()
    preds[0]["perpetrator"] = "ISGS"
    result = score(env, preds)
    assert result["fields"]["perpetrator"]["accuracy"] == pytest.approx(2 / 3)
    assert result["summary"]["incident_f1"] == 1.0


def test_count_in_accept_is_correct_and_other_counts_are_not(env: dict[str, Path]) -> None:
    preds = predictions_from_gold()
    preds[0]["killed"] = 5  # gold 4, accept [5]
    assert score(env, preds, "accepted")["fields"]["killed"]["accuracy"] == 1.0
    preds[0]["killed"] = 6
    assert score(env, preds, "rejected")["fields"]["killed"]["accuracy"] < 1.0


def test_unaccented_place_is_correct(env: dict[str, Path]) -> None:
    preds = predictions_from_gold()
    preds[0]["place"] = "Segou"
    preds[0]["admin1"] = "SEGOU"
    preds[2]["place"] = "Menaka"
    result = score(env, preds)
    assert result["fields"]["place"]["accuracy"] == 1.0
    assert result["fields"]["admin1"]["accuracy"] == 1.0


def test_optional_gold_neither_rewards_nor_penalises(env: dict[str, Path]) -> None:
    with_optional = score(env, predictions_from_gold(), "with")
    without = score(env, predictions_from_gold()[:3], "without")
    assert headline(with_optional) == headline(without) == dict.fromkeys(HEADLINE, 1.0)
    assert with_optional["summary"]["optional_matched"] == 1
    assert without["summary"]["optional_matched"] == 0
    assert with_optional["summary"]["fp"] == without["summary"]["fp"] == 0
    assert without["summary"]["fn"] == 0


def test_optional_gold_absorbs_a_prediction_but_a_real_miss_still_counts(
    env: dict[str, Path],
) -> None:
    preds = [predictions_from_gold()[i] for i in (0, 3)]
    summary = score(env, preds)["summary"]
    assert (summary["tp"], summary["fp"], summary["fn"]) == (1, 0, 2)
    assert summary["incident_precision"] == 1.0


def test_ungrounded_quote_lowers_grounding_only(env: dict[str, Path]) -> None:
    preds = predictions_from_gold()
    preds[1]["evidence"] = [ev(Q_BOMB, grounded=False)]
    result = score(env, preds)
    summary = result["summary"]
    assert summary["grounding"] == pytest.approx(3 / 4)
    assert (summary["quotes"], summary["quotes_grounded"]) == (4, 3)
    others = {k: v for k, v in headline(result).items() if k != "grounding"}
    assert others == dict.fromkeys(others, 1.0)


def test_offsets_that_do_not_match_the_text_are_not_grounded(env: dict[str, Path]) -> None:
    preds = predictions_from_gold()
    preds[1]["evidence"][0]["start"] += 1
    preds[1]["evidence"][0]["end"] += 1
    summary = score(env, preds)["summary"]
    assert summary["grounding"] == pytest.approx(3 / 4)
    assert summary["incident_f1"] == 1.0


def test_without_the_text_offsets_are_trusted(env: dict[str, Path]) -> None:
    preds = predictions_from_gold()
    preds[1]["evidence"][0]["start"] += 1
    preds[1]["evidence"][0]["end"] += 1
    run = write_run(env["root"] / "run", preds)
    summary = evaluate(run, env["gold"], env["root"] / "nowhere").to_dict()["summary"]
    assert summary["grounding"] == 1.0
    assert summary["quotes_unverified"] == 4


# --------------------------------------------------------------------------- alignment


def _gold_models() -> list[GoldIncident]:
    return [GoldIncident.model_validate(g) for g in gold_incidents()]


def _pred_models(preds: list[dict[str, Any]]) -> list[Incident]:
    return [Incident.model_validate(p) for p in preds]


def test_swapped_predictions_still_align() -> None:
    preds = predictions_from_gold()
    preds[0], preds[1] = preds[1], preds[0]
    matches = align(_gold_models(), _pred_models(preds))
    assert [(m.gold_index, m.pred_index) for m in matches] == [(0, 1), (1, 0), (2, 2), (3, 3)]


def test_swapped_predictions_without_evidence_still_align() -> None:
    preds = predictions_from_gold()
    for p in preds:
        p["evidence"] = []
    preds.reverse()
    matches = align(_gold_models(), _pred_models(preds))
    assert [(m.gold_index, m.pred_index) for m in matches] == [(0, 3), (1, 2), (2, 1), (3, 0)]


def _camp_gold() -> GoldIncident:
    return _gold_models()[0]


def _camp_pred(**changes: Any) -> Incident:
    data = predictions_from_gold()[0]
    data.update(changes)
    return Incident.model_validate(data)


def test_threshold_separates_same_event_from_a_different_one() -> None:
    gold = _camp_gold()
    # The right incident with one field wrong.
    one_wrong = similarity(gold, _camp_pred(date_start="2021-05-01", date_end="2021-05-01"))
    # The right incident quoted from the headline (no evidence overlap), type also wrong.
    headline_quote = similarity(gold, _camp_pred(evidence=[ev(Q_HEADLINE)], incident_type="clash"))
    # Another attack of the same type by the same group: another region, months apart.
    different = _camp_pred(
        date_text="June 1, 2020",
        date_start="2020-06-01",
        date_end="2020-06-01",
        location_text="in Gao",
        place="Gao",
        admin1="Gao",
        killed=1,
        wounded=None,
        target="a military camp",
        evidence=[ev(Q_TREND)],
    )
    # Agreement on type and country only, nothing else to compare.
    bare_gold = GoldIncident(incident_type="armed_assault", country="Mali")
    bare_pred = Incident(incident_type="armed_assault", country="Mali", place="Gao")
    assert one_wrong > 0.8
    assert headline_quote > 0.5
    assert similarity(gold, different) < 0.3
    assert similarity(bare_gold, bare_pred) < MATCH_THRESHOLD
    assert MATCH_THRESHOLD == 0.4


def test_prediction_below_threshold_does_not_match() -> None:
    gold = [_camp_gold()]
    pred = _camp_pred(
        date_start="2020-06-01",
        date_end="2020-06-01",
        date_text="June 1, 2020",
        location_text="in Gao",
        place="Gao",
        admin1="Gao",
        killed=1,
        wounded=None,
        evidence=[ev(Q_TREND)],
    )
    assert similarity(gold[0], pred) < MATCH_THRESHOLD
    assert align(gold, [pred]) == []
    doc = score_document(DOC_ID, gold, [pred], TEXT)
    assert (doc.tp, doc.fp, doc.fn) == (0, 1, 1)


def test_best_pair_wins_over_a_weaker_candidate() -> None:
    gold = [_camp_gold()]
    weak = _camp_pred(place="Gao", admin1="Gao", evidence=[ev(Q_TREND)])
    strong = _camp_pred()
    matches = align(gold, [weak, strong])
    assert [(m.gold_index, m.pred_index) for m in matches] == [(0, 1)]


def test_near_identical_incidents_align_by_exact_evidence() -> None:
    short, long = Q_BOMB[:40], Q_BOMB
    base = gold_incidents()[1]
    gold = [
        GoldIncident.model_validate(dict(base, summary="First.", evidence=[ev(short)])),
        GoldIncident.model_validate(dict(base, summary="Second.", evidence=[ev(long)])),
    ]
    preds = [
        Incident.model_validate(dict(predictions_from_gold()[1], evidence=[ev(long)])),
        Incident.model_validate(dict(predictions_from_gold()[1], evidence=[ev(short)])),
    ]
    assert similarity(gold[0], preds[0]) == similarity(gold[0], preds[1]) == 1.0
    matches = align(gold, preds)
    assert [(m.gold_index, m.pred_index) for m in matches] == [(0, 1), (1, 0)]
    assert all(m.similarity == 1.0 for m in matches)


def test_failed_documents_in_the_manifest_are_warned_about(env: dict[str, Path]) -> None:
    manifest = {"documents": {"902_x": {"status": "failed", "error": "model timed out"}}}
    run = write_run(env["root"] / "run", predictions_from_gold(), manifest=manifest)
    warnings = load_run(run).warnings
    assert warnings == ["902_x: extraction failed in this run (model timed out)"]


# --------------------------------------------------------------------------- comparators


def test_date_tolerance_follows_gold_precision() -> None:
    def ok(precision: str, gold_day: str, pred_day: str) -> bool | None:
        gold = GoldIncident(
            incident_type="ied", date_start=gold_day, date_end=gold_day, date_precision=precision
        )
        pred = Incident(incident_type="ied", date_start=pred_day, date_end=pred_day)
        return field_correct("date_start", gold, pred)

    assert ok("day", "2021-03-03", "2021-03-02")
    assert not ok("day", "2021-03-03", "2021-03-05")
    assert ok("week", "2021-03-03", "2021-03-07")  # same ISO week (Wed -> Sun)
    assert not ok("week", "2021-03-03", "2021-03-08")
    assert ok("month", "2021-03-01", "2021-03-31")
    assert not ok("month", "2021-03-31", "2021-04-01")
    assert ok("year", "2019-01-01", "2019-12-31")
    assert not ok("days", "2021-03-03", "2021-03-04")


def test_null_matches_null_and_not_a_value() -> None:
    gold = GoldIncident(incident_type="ied")
    assert field_correct("killed", gold, Incident(incident_type="ied"))
    assert not field_correct("killed", gold, Incident(incident_type="ied", killed=0))
    accepting = GoldIncident(incident_type="ied", killed=3, accept={"killed": [None]})
    assert field_correct("killed", accepting, Incident(incident_type="ied"))


def test_free_text_is_fuzzy_and_coordinates_only_scored_when_gold_has_them() -> None:
    gold = GoldIncident(incident_type="ied", target="Malian troops", latitude=14.5)
    pred = Incident(incident_type="ied", target="the malian troops", latitude=14.53)
    assert field_correct("target", gold, pred)
    assert not field_correct("target", gold, Incident(incident_type="ied", target="civilians"))
    assert field_correct("latitude", gold, pred)
    assert not field_correct("latitude", gold, Incident(incident_type="ied", latitude=14.6))
    assert field_correct("longitude", gold, pred) is None


def test_sources_compare_stances_not_names() -> None:
    gold = GoldIncident(
        incident_type="ied",
        sources=[
            {"source": "Malian army", "stance": "confirms"},
            {"source": "JNIM", "stance": "claims"},
        ],
    )
    same = Incident(
        incident_type="ied",
        sources=[
            {"source": "FAMa", "stance": "confirms"},
            {"source": "Al Qaeda", "stance": "claims"},
        ],
    )
    fewer = Incident(incident_type="ied", sources=[{"source": "JNIM", "stance": "claims"}])
    assert field_correct("sources", gold, same)
    assert not field_correct("sources", gold, fewer)


# --------------------------------------------------------------------------- runs and CLI


def test_document_missing_from_run_counts_as_all_missed(env: dict[str, Path]) -> None:
    gold = env["gold"]
    other = copy.deepcopy(gold_incidents()[:1])
    write_gold(gold, other, doc_id="901_other")
    (env["docs"] / "901_other.txt").write_text(TEXT, encoding="utf-8")
    run = write_run(env["root"] / "run", predictions_from_gold())
    (run / "manifest.json").write_text(json.dumps({"model": "x"}), encoding="utf-8")
    (run / "notes.json").write_text(json.dumps({"hello": 1}), encoding="utf-8")
    result = evaluate(run, gold, env["docs"]).to_dict()
    summary = result["summary"]
    assert summary["missing_documents"] == ["901_other"]
    assert (summary["tp"], summary["fn"]) == (3, 1)
    missing = next(d for d in result["documents"] if d["doc_id"] == "901_other")
    assert missing["missing_from_run"] and missing["recall"] == 0.0


def test_invalid_extraction_file_is_a_warning_and_an_empty_document(env: dict[str, Path]) -> None:
    run = env["root"] / "run"
    run.mkdir()
    bad = {"doc_id": DOC_ID, "incidents": [{"incident_type": "bombing"}]}
    (run / f"{DOC_ID}.json").write_text(json.dumps(bad), encoding="utf-8")
    result = evaluate(run, env["gold"], env["docs"])
    assert result.summary()["incident_recall"] == 0.0
    assert any("not a valid extraction" in w for w in result.warnings)


def test_empty_or_missing_run_is_an_error(env: dict[str, Path]) -> None:
    with pytest.raises(RunError, match="does not exist"):
        load_run(env["root"] / "nope")
    empty = env["root"] / "empty"
    empty.mkdir()
    (empty / "manifest.json").write_text("{}", encoding="utf-8")
    with pytest.raises(RunError, match="no extraction files"):
        load_run(empty)
    with pytest.raises(GoldError, match="does not exist"):
        evaluate(env["gold"], env["root"] / "nogold", env["docs"])


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_cli_eval_writes_json_and_honours_fail_under(env: dict[str, Path]) -> None:
    preds = predictions_from_gold()
    del preds[1]
    run = write_run(env["root"] / "run", preds, manifest={"model": "local", "strategy": "single"})
    out = env["root"] / "out.json"
    runner = CliRunner()
    args = ["eval", str(run), "--gold", str(env["gold"]), "--docs", str(env["docs"])]
    result = runner.invoke(_app(), [*args, "--json", str(out), "--fail-under", "0.5"])
    assert result.exit_code == 0, result.output
    assert "Incident F1" in result.output and "place" in result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == {"summary", "fields", "documents", "errors"}
    assert data["summary"]["incident_recall"] == pytest.approx(2 / 3)
    assert data["summary"]["model"] == "local"
    failed = runner.invoke(_app(), [*args, "--fail-under", "0.9"])
    assert failed.exit_code == 1
    assert "below --fail-under" in failed.output


def test_cli_eval_accepts_a_gold_folder_as_run(env: dict[str, Path]) -> None:
    runner = CliRunner()
    out = env["root"] / "agreement.json"
    args = ["eval", str(env["gold"]), "--gold", str(env["gold"]), "--docs", str(env["docs"])]
    result = runner.invoke(_app(), [*args, "--json", str(out), "--fail-under", "1.0"])
    assert result.exit_code == 0, result.output
    summary = json.loads(out.read_text(encoding="utf-8"))["summary"]
    assert all(summary[k] == 1.0 for k in HEADLINE)


def test_cli_eval_clear_errors(env: dict[str, Path]) -> None:
    runner = CliRunner()
    missing = runner.invoke(_app(), ["eval", str(env["root"] / "nope"), "--gold", str(env["gold"])])
    assert missing.exit_code != 0
    assert "run folder" in missing.output and "does not exist" in missing.output
    assert "Traceback" not in missing.output
    empty = env["root"] / "empty"
    empty.mkdir()
    res = runner.invoke(_app(), ["eval", str(empty), "--gold", str(env["gold"])])
    assert res.exit_code != 0 and "no extraction files" in res.output
    nogold = runner.invoke(_app(), ["eval", str(env["gold"]), "--gold", str(env["root"] / "ng")])
    assert nogold.exit_code != 0 and "gold folder" in nogold.output


# --------------------------------------------------------------------------- real gold


REPO = Path(__file__).resolve().parents[1]


def test_repository_gold_scores_one_against_itself() -> None:
    gold_dir = REPO / "evals" / "gold"
    docs_dir = REPO / "seeds"
    if not gold_dir.is_dir() or not any(gold_dir.glob("*.json")):
        pytest.skip("evals/gold has no gold files yet")
    try:
        report = check_gold(gold_dir, docs_dir)
    except GoldError as exc:
        pytest.skip(f"evals/gold is not usable yet: {exc}")
    if report.problems:
        pytest.skip(f"evals/gold does not validate yet ({len(report.problems)} problems)")
    result = evaluate(gold_dir, gold_dir, docs_dir).to_dict()
    for key in HEADLINE:
        assert result["summary"][key] in (1.0, None), key
    assert result["summary"]["incident_f1"] == 1.0
    assert all(GoldFile.model_validate_json(p.read_text("utf-8")) for p in gold_dir.glob("*.json"))


@pytest.mark.parametrize(
    ("gold_place", "predicted", "same"),
    [
        ("Banibangou", "Bani Bangou", True),
        ("Gorom-Gorom", "Gorom Gorom", True),
        ("Ségou", "Segou", True),
        ("Boni", "Bani", False),
    ],
)
def test_place_names_fold_case_accents_and_spacing(
    gold_place: str, predicted: str, same: bool
) -> None:
    gold = GoldIncident(incident_type="ied", place=gold_place)
    assert field_correct("place", gold, Incident(incident_type="ied", place=predicted)) is same
