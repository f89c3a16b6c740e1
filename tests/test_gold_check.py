"""``llmextract gold check``: every slip in a gold file is named by file, incident and field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from llmextract.cli.evaluate import register
from llmextract.eval.gold import GoldError, check_gold, load_gold_dir

DOC_ID = "910_check"
TEXT = (
    "JNIM claims attack in Diré\n\n"
    "On Oct. 23, 2017, militants raided the prison in Diré, freeing dozens of inmates, "
    "officials said.\n"
)
QUOTE = "militants raided the prison in Diré"


def incident(**changes: Any) -> dict[str, Any]:
    start = TEXT.index(QUOTE)
    data: dict[str, Any] = {
        "summary": "Militants raided the Diré prison.",
        "incident_type": "prison_break",
        "date_text": "Oct. 23, 2017",
        "date_start": "2017-10-23",
        "date_end": "2017-10-23",
        "date_precision": "day",
        "place": "Diré",
        "admin1": "Timbuktu",
        "country": "Mali",
        "geo_precision": "place",
        "perpetrator": "jihadists",
        "attribution": "attributed",
        "target_type": "prison",
        "evidence": [{"quote": QUOTE, "start": start, "end": start + len(QUOTE)}],
    }
    data.update(changes)
    return data


def setup(tmp_path: Path, incidents: list[dict[str, Any]], **header: Any) -> tuple[Path, Path]:
    docs = tmp_path / "docs"
    docs.mkdir(exist_ok=True)
    (docs / f"{DOC_ID}.txt").write_text(TEXT, encoding="utf-8")
    gold = tmp_path / "gold"
    gold.mkdir(exist_ok=True)
    data = {"doc_id": DOC_ID, "labelled_by": "hand", "incidents": incidents, **header}
    (gold / f"{DOC_ID}.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return gold, docs


def problems(tmp_path: Path, incidents: list[dict[str, Any]], **header: Any) -> list[str]:
    gold, docs = setup(tmp_path, incidents, **header)
    return [str(p) for p in check_gold(gold, docs).problems]


def run_cli(*args: str) -> Any:
    app = typer.Typer()
    register(app)
    return CliRunner().invoke(app, list(args))


def test_valid_gold_passes_with_one_line_summary(tmp_path: Path) -> None:
    gold, docs = setup(tmp_path, [incident(), incident(optional=True)])
    result = run_cli("gold", "check", str(gold), "--docs", str(docs))
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("OK: 1 gold files, 2 incidents (1 optional)")


def test_bad_enum_is_named(tmp_path: Path) -> None:
    found = problems(tmp_path, [incident(), incident(incident_type="bombing")])
    assert len(found) == 1
    assert found[0].startswith(f"{DOC_ID}.json: incidents[1].incident_type: ")
    assert "'bombing'" in found[0]


def test_bad_nested_enum_and_accept_value_are_named(tmp_path: Path) -> None:
    bad_source = incident(sources=[{"source": "JNIM", "stance": "boasts"}])
    bad_accept = incident(accept={"target_type": ["soldiers"]})
    found = problems(tmp_path, [bad_source, bad_accept])
    assert any(p.startswith(f"{DOC_ID}.json: incidents[0].sources[0].stance: ") for p in found)
    assert any(
        p.startswith(f"{DOC_ID}.json: incidents[1].accept.target_type: ") and "'soldiers'" in p
        for p in found
    )


def test_non_canonical_actor_is_named_with_a_suggestion(tmp_path: Path) -> None:
    found = problems(tmp_path, [incident(perpetrator="Group for Support of Islam and Muslims")])
    assert len(found) == 1
    assert found[0].startswith(f"{DOC_ID}.json: incidents[0].perpetrator: ")
    assert "not a canonical actor" in found[0] and "'JNIM'" in found[0]


def test_non_canonical_accepted_actor_is_named(tmp_path: Path) -> None:
    found = problems(tmp_path, [incident(accept={"perpetrator": ["militants"]})])
    assert found and found[0].startswith(f"{DOC_ID}.json: incidents[0].accept.perpetrator: ")


def test_quote_not_in_text_is_named(tmp_path: Path) -> None:
    bad = incident(evidence=[{"quote": "militants stormed the prison", "start": 0, "end": 10}])
    found = problems(tmp_path, [incident(), bad])
    assert len(found) == 1
    assert found[0].startswith(f"{DOC_ID}.json: incidents[1].evidence[0]: quote not found")


def test_curly_quote_difference_gets_a_hint(tmp_path: Path) -> None:
    bad = incident(
        evidence=[{"quote": "militants raided the prison in  Diré", "start": 0, "end": 5}]
    )
    found = problems(tmp_path, [bad])
    assert "only in quote marks or spacing" in found[0]


def test_wrong_offsets_are_named_with_the_right_ones(tmp_path: Path) -> None:
    start = TEXT.index(QUOTE)
    bad = incident(evidence=[{"quote": QUOTE, "start": start + 2, "end": start + 2 + len(QUOTE)}])
    found = problems(tmp_path, [bad])
    assert len(found) == 1
    assert found[0].startswith(f"{DOC_ID}.json: incidents[0].evidence[0]: text[")
    assert f"start={start}, end={start + len(QUOTE)}" in found[0]


def test_null_offsets_are_named(tmp_path: Path) -> None:
    found = problems(tmp_path, [incident(evidence=[{"quote": QUOTE}])])
    assert len(found) == 1 and "start/end are null" in found[0]


def test_doc_id_must_match_file_name(tmp_path: Path) -> None:
    gold, docs = setup(tmp_path, [incident()])
    path = gold / f"{DOC_ID}.json"
    path.rename(gold / "other.json")
    found = [str(p) for p in check_gold(gold, docs).problems]
    assert any(
        p.startswith("other.json: doc_id: ") and "differs from the file name" in p for p in found
    )


def test_broken_json_and_missing_header(tmp_path: Path) -> None:
    gold, docs = setup(tmp_path, [incident()], labelled_by="")
    (gold / "920_broken.json").write_text('{"doc_id": "920_broken",', encoding="utf-8")
    found = [str(p) for p in check_gold(gold, docs).problems]
    assert any(p.startswith("920_broken.json: not valid JSON") for p in found)
    assert any(p.startswith(f"{DOC_ID}.json: labelled_by: ") for p in found)


def test_missing_document_text_is_reported(tmp_path: Path) -> None:
    gold, _ = setup(tmp_path, [incident()])
    found = [str(p) for p in check_gold(gold, tmp_path / "elsewhere").problems]
    assert len(found) == 1 and "not found" in found[0] and "--docs" in found[0]


def test_cli_exits_one_and_lists_every_problem(tmp_path: Path) -> None:
    gold, docs = setup(
        tmp_path,
        [incident(incident_type="bombing"), incident(perpetrator="FAMa"), incident(evidence=[])],
    )
    result = run_cli("gold", "check", str(gold), "--docs", str(docs))
    assert result.exit_code == 1
    assert "incidents[0].incident_type" in result.output
    assert "incidents[1].perpetrator" in result.output
    assert "incidents[2].evidence: no evidence quote" in result.output
    assert "3 problem(s)" in result.output


def test_cli_missing_gold_folder_is_one_line(tmp_path: Path) -> None:
    result = run_cli("gold", "check", str(tmp_path / "nope"))
    assert result.exit_code != 0
    assert "does not exist" in result.output and "Traceback" not in result.output


def test_scoring_refuses_invalid_gold(tmp_path: Path) -> None:
    gold, _ = setup(tmp_path, [incident(incident_type="bombing")])
    with pytest.raises(GoldError, match=r"incidents\[0\]\.incident_type.*gold check"):
        load_gold_dir(gold)


def test_a_set_folder_is_checked_with_its_own_documents() -> None:
    """``gold check evals/dev``: gold/ and docs/ inside; clusters.json is no gold file."""
    result = run_cli("gold", "check", "evals/dev")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 35 gold files")
    assert "clusters" not in result.output


def test_dev_clusters_name_gold_incidents_of_different_documents() -> None:
    gold = load_gold_dir(Path("evals/dev/gold"))
    clusters = json.loads(Path("evals/dev/gold/clusters.json").read_text(encoding="utf-8"))
    seen: set[tuple[str, int]] = set()
    for cluster in clusters["clusters"]:
        members = [(m["doc_id"], m["incident"]) for m in cluster["members"]]
        assert len(members) >= 2, cluster["event_id"]
        assert len({doc for doc, _ in members}) == len(members), cluster["event_id"]
        for doc, index in members:
            assert index < len(gold[doc].incidents), (doc, index)
            assert (doc, index) not in seen
            seen.add((doc, index))
    assert len(clusters["clusters"]) >= 6
