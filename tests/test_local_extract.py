"""The real local path: llama.cpp in process with the Qwen2.5-Coder-0.5B model."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import SEEDS, write_doc
from typer.testing import CliRunner

from llmextract.cli import app
from llmextract.grounding import evidence_is_grounded
from llmextract.prompts import DEFAULT_PROMPT, load_prompt
from llmextract.schema import Extraction

pytestmark = pytest.mark.model
MODEL = "local:qwen2.5-coder-0.5b"
SEED = SEEDS / "000_0d8ea9d49bf055df.txt"
SHORT = (
    "Gunmen attacked an army post in the town of Koro on March 3, killing four soldiers, "
    "the army said. The jihadist group Katiba Macina claimed the attack."
)


def extract(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["extract", *args, "--model", MODEL])
    return result.exit_code, result.output


def manifest(run: Path) -> dict:
    return json.loads((run / "manifest.json").read_text())


def test_seed_extraction_then_cached_rerun(
    qwen05_path: Path, response_cache: Path, tmp_path: Path
) -> None:
    run = tmp_path / "run"
    code, output = extract(str(SEED), "--out", str(run))
    assert code == 0, output
    extraction = Extraction.model_validate_json((run / f"{SEED.stem}.json").read_text())
    text = SEED.read_text(encoding="utf-8").replace("DirĂ©", "Diré")
    meta = extraction.meta["document"]
    assert {"from": "DirĂ©", "to": "Diré", "count": 2, "kind": "mojibake"} in meta["repairs"]
    assert extraction.meta["prompt"]["hash"] == load_prompt(DEFAULT_PROMPT).hash
    assert extraction.incidents, "the seed reports an attack; the 0.5B model finds it"
    for incident in extraction.incidents:
        assert incident.evidence, "every incident carries evidence"
        for evidence in incident.evidence:
            assert evidence_is_grounded(text, evidence)
            assert "Ă" not in evidence.quote
    info = manifest(run)
    for key in ("model", "model_sha256", "prompt", "strategy", "schema_version", "decoding",
                "tool_version", "documents", "totals"):  # fmt: skip
        assert key in info
    assert (
        info["model_sha256"] == "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
    )
    entry = info["documents"][SEED.stem]
    assert entry["status"] == "done" and entry["model_calls"] > 0 and entry["error"] is None
    assert entry["input_tokens"] > 0 and entry["output_tokens"] > 0 and entry["seconds"] > 0
    assert info["totals"]["succeeded"] == 1

    rerun = tmp_path / "rerun"
    code, output = extract(str(SEED), "--out", str(rerun))
    assert code == 0, output
    again = manifest(rerun)["documents"][SEED.stem]
    assert again["model_calls"] == 0 and again["cached_calls"] == entry["model_calls"]
    first = json.loads((run / f"{SEED.stem}.json").read_text())["incidents"]
    assert json.loads((rerun / f"{SEED.stem}.json").read_text())["incidents"] == first


def test_changing_the_prompt_calls_the_model_again(
    qwen05_path: Path, response_cache: Path, tmp_path: Path
) -> None:
    doc = write_doc(tmp_path / "docs", "short", SHORT, published="2021-03-05")
    code, _ = extract(str(doc), "--out", str(tmp_path / "a"))
    assert code == 0 and manifest(tmp_path / "a")["documents"]["short"]["model_calls"] > 0
    code, _ = extract(str(doc), "--out", str(tmp_path / "b"))
    assert code == 0 and manifest(tmp_path / "b")["documents"]["short"]["model_calls"] == 0
    edited = tmp_path / "edited-prompt"
    shutil.copytree(load_prompt(DEFAULT_PROMPT).folder, edited)
    (edited / "events.j2").write_text((edited / "events.j2").read_text() + "\nBe precise.")
    code, _ = extract(str(doc), "--out", str(tmp_path / "c"), "--prompt", str(edited))
    assert code == 0 and manifest(tmp_path / "c")["documents"]["short"]["model_calls"] > 0


def test_resume_skips_finished_documents(
    qwen05_path: Path, response_cache: Path, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    first = write_doc(docs, "a", SHORT, published="2021-03-05")
    write_doc(docs, "b", SHORT.replace("Koro", "Bankass"), published="2021-03-05")
    run = tmp_path / "run"
    assert extract(str(first), "--out", str(run))[0] == 0
    done_at = (run / "a.json").stat().st_mtime_ns
    code, output = extract(str(docs), "--out", str(run))
    assert code == 0, output
    assert "1 document(s) already done" in " ".join(output.split())
    assert (run / "a.json").stat().st_mtime_ns == done_at  # not written twice
    info = manifest(run)
    assert sorted(info["documents"]) == ["a", "b"] and info["status"] == "complete"
    assert info["resumed"] == 1


def test_a_failing_document_does_not_stop_the_batch(
    qwen05_path: Path, response_cache: Path, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    write_doc(docs, "good", SHORT, published="2021-03-05")
    (docs / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    write_doc(docs, "empty", "")
    run = tmp_path / "run"
    code, output = extract(str(docs), "--out", str(run))
    assert code == 1
    flat = " ".join(output.split())
    assert "1 document(s) failed" in flat and "image.txt" in flat
    info = manifest(run)
    assert info["documents"]["image"]["status"] == "failed"
    assert "PNG" in info["documents"]["image"]["error"]
    assert info["documents"]["good"]["status"] == "done"
    assert Extraction.model_validate_json((run / "empty.json").read_text()).incidents == []
    assert info["documents"]["empty"]["model_calls"] == 0
