"""``compare``: per-run rows and paired-bootstrap F1 differences with plain verdicts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from llmextract.cli.evaluate import register
from llmextract.eval.compare import compare_results, paired_bootstrap, verdict
from llmextract.eval.metrics import score_document
from llmextract.eval.results import EvalResult
from llmextract.schema import GoldIncident, Incident


def gold_pair(i: int) -> list[dict[str, Any]]:
    """Two clearly distinct incidents for document ``i``."""
    return [
        {
            "incident_type": "ied",
            "date_start": f"2021-03-{1 + i % 9:02d}",
            "date_end": f"2021-03-{1 + i % 9:02d}",
            "date_precision": "day",
            "place": f"Town{i}a",
            "admin1": "Gao",
            "country": "Mali",
            "killed": 2,
        },
        {
            "incident_type": "kidnapping",
            "date_start": "2019-07-20",
            "date_end": "2019-07-20",
            "date_precision": "day",
            "place": f"Village{i}b",
            "admin1": "Mopti",
            "country": "Mali",
            "kidnapped": 3,
        },
    ]


def result(name: str, docs: int, keep: Any) -> EvalResult:
    """A run over ``docs`` documents predicting the gold incidents for which keep(doc, k)."""
    scores = []
    for i in range(docs):
        gold = [GoldIncident.model_validate(g) for g in gold_pair(i)]
        preds = [Incident.model_validate(g) for k, g in enumerate(gold_pair(i)) if keep(i, k)]
        scores.append(score_document(f"doc{i:03d}", gold, preds))
    return EvalResult(run_path=Path("runs") / name, gold_path=Path("gold"), documents=scores)


def test_identical_runs_show_no_difference() -> None:
    a = result("a", 12, lambda i, k: k == 0 or i % 2 == 0)
    b = result("b", 12, lambda i, k: k == 0 or i % 2 == 0)
    comparison = compare_results([a, b])
    (pair,) = comparison.pairs
    assert pair.difference == 0.0
    assert pair.ci_low == 0.0 and pair.ci_high == 0.0
    assert pair.verdict == "no detectable difference"


def test_clearly_better_run_on_many_docs_is_better() -> None:
    good = result("good", 40, lambda i, k: True)
    half = result("half", 40, lambda i, k: k == 0)
    comparison = compare_results([good, half])
    (pair,) = comparison.pairs
    assert pair.f1_a == 1.0 and pair.f1_b == pytest.approx(2 / 3)
    assert pair.difference == pytest.approx(1 / 3)
    assert 0 < pair.ci_low <= pair.difference <= pair.ci_high
    assert pair.verdict == "good is better than half"
    reverse = compare_results([half, good]).pairs[0]
    assert reverse.verdict == "half is worse than good"
    assert reverse.difference == pytest.approx(-1 / 3)


def test_small_mixed_difference_is_not_called() -> None:
    # A misses two incidents (docs 0 and 2), B one (doc 1): B is ahead, but by noise.
    a = result("a", 20, lambda i, k: not (i == 0 and k == 1) and not (i == 2 and k == 0))
    b = result("b", 20, lambda i, k: not (i == 1 and k == 1))
    pair = compare_results([a, b]).pairs[0]
    assert pair.difference < 0
    assert pair.ci_low < 0 < pair.ci_high
    assert pair.verdict == "no detectable difference"


def test_bootstrap_is_reproducible_and_seeded() -> None:
    rng = np.random.default_rng(0)
    a = rng.integers(0, 4, size=(25, 3)).astype(float)
    b = rng.integers(0, 4, size=(25, 3)).astype(float)
    assert paired_bootstrap(a, b) == paired_bootstrap(a, b)
    assert paired_bootstrap(a, b, seed=1) != paired_bootstrap(a, b, seed=2)
    low, high = paired_bootstrap(a, b)
    assert low <= high


def test_verdict_words() -> None:
    assert verdict("A", "B", 0.01, 0.2) == "A is better than B"
    assert verdict("A", "B", -0.2, -0.01) == "A is worse than B"
    assert verdict("A", "B", -0.1, 0.1) == "no detectable difference"
    assert verdict("A", "B", 0.0, 0.1) == "no detectable difference"


def test_runs_scored_on_different_gold_are_refused() -> None:
    with pytest.raises(ValueError, match="different gold"):
        compare_results([result("a", 3, lambda i, k: True), result("b", 4, lambda i, k: True)])


# --------------------------------------------------------------------------- CLI


def write_files(root: Path, docs: int) -> tuple[Path, Path, Path]:
    gold = root / "gold"
    good = root / "good"
    half = root / "half"
    for folder in (gold, good, half):
        folder.mkdir()
    for i in range(docs):
        doc_id = f"doc{i:03d}"
        incidents = gold_pair(i)
        (gold / f"{doc_id}.json").write_text(
            json.dumps({"doc_id": doc_id, "labelled_by": "hand", "incidents": incidents}),
            encoding="utf-8",
        )
        for folder, preds in ((good, incidents), (half, incidents[:1])):
            (folder / f"{doc_id}.json").write_text(
                json.dumps({"doc_id": doc_id, "incidents": preds, "meta": {}}), encoding="utf-8"
            )
    manifests = {
        good: {
            "model": "local",
            "prompt": {"name": "multi", "hash": "abcdef1234567890"},
            "strategy": "multi",
            "totals": {"documents": docs, "seconds_per_document": 12.5, "tokens_per_document": 900},
        },
        half: {"model": "local:qwen2.5-coder-0.5b"},
    }
    for folder, manifest in manifests.items():
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return gold, good, half


def run_cli(*args: str) -> Any:
    app = typer.Typer()
    register(app)
    return CliRunner().invoke(app, list(args))


def test_cli_compare_tables_json_and_html(tmp_path: Path) -> None:
    gold, good, half = write_files(tmp_path, 30)
    out_json = tmp_path / "cmp.json"
    out_html = tmp_path / "cmp.html"
    res = run_cli(
        "compare", str(good), str(half), "--gold", str(gold), "--docs", str(tmp_path),
        "--json", str(out_json), "--html", str(out_html),
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "good is better than half" in res.output
    data = json.loads(out_json.read_text(encoding="utf-8"))
    rows = {r["label"]: r for r in data["runs"]}
    assert rows["good"]["model"] == "local"
    assert rows["good"]["prompt"] == "multi@abcdef12"
    assert rows["good"]["strategy"] == "multi"
    assert rows["good"]["seconds_per_document"] == 12.5
    assert rows["good"]["tokens_per_document"] == 900
    assert rows["half"]["seconds_per_document"] is None
    assert rows["good"]["incident_f1"] == 1.0
    (pair,) = data["pairs"]
    assert pair["verdict"] == "good is better than half"
    assert pair["ci_low"] > 0
    assert data["bootstrap"]["resamples"] == 2000
    html = out_html.read_text(encoding="utf-8")
    assert "good is better than half" in html and "http" not in html


def test_cli_compare_errors(tmp_path: Path) -> None:
    gold, good, _ = write_files(tmp_path, 2)
    one = run_cli("compare", str(good), "--gold", str(gold))
    assert one.exit_code != 0 and "at least two" in one.output
    missing = run_cli("compare", str(good), str(tmp_path / "nope"), "--gold", str(gold))
    assert missing.exit_code != 0 and "does not exist" in missing.output


def test_the_interval_is_the_percentile_interval_of_paired_resamples() -> None:
    """scipy.stats.bootstrap gives the interval the hand-written resampler gave before."""
    rng = np.random.default_rng(3)
    a = rng.integers(0, 5, size=(30, 3)).astype(float)
    b = rng.integers(0, 5, size=(30, 3)).astype(float)

    def f1(c: np.ndarray) -> np.ndarray:
        den = 2 * c[:, 0] + c[:, 1] + c[:, 2]
        return np.where(den > 0, 2 * c[:, 0] / np.where(den > 0, den, 1), 1.0)

    idx = np.random.default_rng(7).integers(0, 30, size=(2000, 30))
    diffs = f1(a[idx].sum(axis=1)) - f1(b[idx].sum(axis=1))
    expected = np.percentile(diffs, [2.5, 97.5])
    assert np.allclose(paired_bootstrap(a, b, seed=7), expected, atol=1e-12)
    assert paired_bootstrap(a[:1], b[:1]) == (f1(a[:1])[0] - f1(b[:1])[0],) * 2
