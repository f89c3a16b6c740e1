"""The run store at volume: an index per run, a summary manifest, resume from the index.

Runs go through the real CLI and pipeline with the ``scripted`` provider plugin (it
answers at once, like a model, through the real ``ChatModel``): these tests are about the
store, not a model.  Crash safety under SIGKILL with a real server is in test_faults.py
and test_soak.py.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
from pathlib import Path

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from llmextract.cli import app
from llmextract.providers import Usage
from llmextract.run import atomic, folder
from llmextract.run.cache import ResponseCache
from llmextract.run.folder import load_run

# Invented reports, several wordings of the same kind of event.
ARTICLES = [
    "Gunmen attacked a police post near Tassiga on Tuesday, killing three officers.",
    "Three officers were killed when armed men stormed a police post outside Tassiga.",
    "An armed group ambushed a supply convoy near Belkoro, killing five drivers.",
    "Five drivers were killed after fighters ambushed their convoy on the Belkoro road.",
    "Suspected militants attacked the market town of Ouri on Sunday, killing two traders.",
    "Two traders died when assailants attacked a market in Ouri, residents said.",
]


def write_docs(docs: Path, count: int) -> list[str]:
    docs.mkdir(parents=True, exist_ok=True)
    ids = []
    for number in range(count):
        doc_id = f"report{number:03d}"
        text = f"Published 2024-05-{1 + number % 28:02d}\n\n{ARTICLES[number % len(ARTICLES)]}\n"
        (docs / f"{doc_id}.txt").write_text(text, encoding="utf-8")
        ids.append(doc_id)
    return ids


def extract(model: str, docs: Path, out: Path, *extra: str) -> str:
    result = CliRunner().invoke(
        app, ["extract", str(docs), "--model", model, "--out", str(out), *extra]
    )
    assert result.exit_code == 0, result.output
    return result.output


def index_rows(out: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(out / "run.db") as db:
        return db.execute(sql).fetchall()


def test_every_document_is_one_indexed_row_and_the_manifest_sums_them(
    scripted_model: str, tmp_path: Path, response_cache: Path
) -> None:
    ids = write_docs(tmp_path / "docs", 12)
    out = tmp_path / "run"
    extract(scripted_model, tmp_path / "docs", out)
    rows = index_rows(out, "SELECT doc_id, status, incidents FROM documents ORDER BY doc_id")
    assert [r[0] for r in rows] == ids and all(r[1] == "done" for r in rows)
    files = {p.stem: json.loads(p.read_text()) for p in out.glob("report*.json")}
    assert sorted(files) == ids
    assert all(r[2] == len(files[r[0]]["incidents"]) for r in rows)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and sorted(manifest["documents"]) == ids
    assert manifest["totals"]["incidents"] == sum(len(f["incidents"]) for f in files.values())
    assert manifest["totals"]["succeeded"] == 12 and manifest["totals"]["failed"] == 0
    # Incidents are queryable in SQL, one row each, with the record's own fields.
    places = index_rows(out, "SELECT doc_id, number, place, killed FROM incidents")
    from_files = {
        (doc_id, n, i["place"], i["killed"])
        for doc_id, f in files.items()
        for n, i in enumerate(f["incidents"])
    }
    assert set(places) == from_files and {"Belkoro", "Ouri"} <= {p[2] for p in places}
    # Readers get the same documents from the index as from the files.
    run = load_run(out)
    assert sorted(run.documents) == ids and run.manifest.totals["succeeded"] == 12


def test_the_manifest_is_a_summary_not_rewritten_per_document(
    scripted_model: str, tmp_path: Path, response_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rewriting the whole manifest per document made a run quadratic in its size."""
    write_docs(tmp_path / "docs", 40)
    writes: list[str] = []
    real = atomic.write_atomic

    def counting(path: Path, content: str, *, sync: bool = True) -> None:
        writes.append(path.name)
        real(path, content, sync=sync)

    monkeypatch.setattr(folder, "write_atomic", counting)
    monkeypatch.setattr(atomic, "write_atomic", counting)
    extract(scripted_model, tmp_path / "docs", tmp_path / "run")
    assert writes.count("manifest.json") <= 3  # at the start, at the end (and one interval)
    assert len([w for w in writes if w.startswith("report")]) == 40


def test_resume_skips_unchanged_documents_without_reading_them(
    scripted_model: str, tmp_path: Path, response_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs, out = tmp_path / "docs", tmp_path / "run"
    ids = write_docs(docs, 10)
    extract(scripted_model, docs, out)
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("report*.json")}

    from llmextract.run import runner

    read: list[Path] = []
    real_load = runner.load_document

    def counting_load(path: Path):  # type: ignore[no-untyped-def]
        read.append(path)
        return real_load(path)

    monkeypatch.setattr(runner, "load_document", counting_load)
    output = extract(scripted_model, docs, out)
    assert "10 document(s) already done" in " ".join(output.split())
    assert read == []  # decided from the index: size and mtime unchanged
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("report*.json")} == before

    # Touched but unchanged: read and hashed, still not extracted again.
    os.utime(docs / f"{ids[0]}.txt", ns=(1, 1))
    # Changed: extracted again.
    (docs / f"{ids[1]}.txt").write_text("Published 2024-06-01\n\n" + ARTICLES[4] + "\n")
    extract(scripted_model, docs, out)
    assert sorted(p.name for p in read) == [f"{ids[0]}.txt", f"{ids[1]}.txt"]
    after = {p.name: p.stat().st_mtime_ns for p in out.glob("report*.json")}
    changed = {name for name in before if after[name] != before[name]}
    assert changed == {f"{ids[1]}.json"}
    assert json.loads((out / f"{ids[1]}.json").read_text())["incidents"][0]["place"] == "Ouri"


def test_a_run_folder_from_before_the_index_resumes_without_redoing_anything(
    scripted_model: str, tmp_path: Path, response_cache: Path
) -> None:
    docs, out = tmp_path / "docs", tmp_path / "run"
    ids = write_docs(docs, 6)
    extract(scripted_model, docs, out)
    for name in ("run.db", "run.db-wal", "run.db-shm"):
        (out / name).unlink(missing_ok=True)  # as an older version left it
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["documents"][ids[-1]]  # and one document it never got to
    (out / f"{ids[-1]}.json").unlink()
    (out / "manifest.json").write_text(json.dumps(manifest))
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("report*.json")}
    extract(scripted_model, docs, out)
    after = {p.name: p.stat().st_mtime_ns for p in out.glob("report*.json")}
    assert {name: after[name] for name in before} == before
    assert sorted(after) == [f"{doc_id}.json" for doc_id in ids]
    assert len(index_rows(out, "SELECT doc_id FROM documents")) == 6


def test_runs_lists_past_runs_and_show_reads_one(
    scripted_model: str, tmp_path: Path, response_cache: Path
) -> None:
    root = tmp_path / "runs"
    write_docs(tmp_path / "docs", 4)
    extract(scripted_model, tmp_path / "docs", root / "first")
    extract(scripted_model, tmp_path / "docs", root / "second", "--strategy", "events")
    listed = CliRunner().invoke(app, ["runs", str(root), "--json"])
    assert listed.exit_code == 0, listed.output
    runs = json.loads(listed.output)
    assert sorted(Path(r["folder"]).name for r in runs) == ["first", "second"]
    assert all(r["model"] == scripted_model and r["strategy"] == "events" for r in runs)
    assert all(r["totals"]["succeeded"] == 4 and r["totals"]["incidents"] == 4 for r in runs)
    table = CliRunner().invoke(app, ["runs", str(root)])
    assert table.exit_code == 0 and "first" in table.output and scripted_model in table.output

    shown = CliRunner().invoke(app, ["show", str(root / "first"), "--json"])
    data = json.loads(shown.output)
    assert data["status"] == "complete" and sorted(data["documents"]) == [
        "report000", "report001", "report002", "report003",
    ]  # fmt: skip
    one = CliRunner().invoke(app, ["show", str(root / "first"), "report002", "--json"])
    assert json.loads(one.output) == json.loads((root / "first" / "report002.json").read_text())
    text = CliRunner().invoke(app, ["show", str(root / "first"), "report002"])
    incident = json.loads(one.output)["incidents"][0]
    assert incident["place"] == "Belkoro" and incident["place"] in text.output
    assert incident["incident_type"] in text.output and str(incident["killed"]) in text.output


def test_show_of_a_folder_that_is_not_a_run_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["show", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "not a run folder" in result.output
    missing = CliRunner().invoke(app, ["runs", str(tmp_path / "nothing")])
    assert missing.exit_code == 1 and "no runs" in missing.output


class _Answer(BaseModel):
    text: str


def _write_answers(folder: str, writer: int, count: int) -> None:
    cache = ResponseCache(Path(folder))
    for number in range(count):
        key = cache.key(writer=writer, number=number)
        cache.put(key, _Answer(text=f"{writer}-{number}"), Usage(calls=1))


def test_the_response_cache_takes_concurrent_writers(tmp_path: Path) -> None:
    """Several processes (parallel runs, Ray workers on one machine) share one cache."""
    context = multiprocessing.get_context("spawn")
    writers = [
        context.Process(target=_write_answers, args=(str(tmp_path), n, 150)) for n in range(3)
    ]
    for process in writers:
        process.start()
    for process in writers:
        process.join(120)
    assert [p.exitcode for p in writers] == [0, 0, 0]
    cache = ResponseCache(tmp_path)
    for writer in range(3):
        for number in (0, 77, 149):
            hit = cache.get(cache.key(writer=writer, number=number), _Answer)
            assert hit is not None and hit[0].text == f"{writer}-{number}"
    with sqlite3.connect(tmp_path / "responses.sqlite") as db:
        assert db.execute("SELECT count(*) FROM responses").fetchone()[0] == 450
    assert not list(tmp_path.glob("*/*.json"))  # one database, not a file per answer


def test_the_same_command_without_out_finds_the_unfinished_run_from_its_index(
    scripted_model: str,
    tmp_path: Path,
    response_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    write_docs(tmp_path / "docs", 3)
    out = Path("runs") / "interrupted"
    extract(scripted_model, tmp_path / "docs", out)
    with sqlite3.connect(out / "run.db") as db:  # as a kill midway leaves it
        db.execute("UPDATE header SET value = '\"running\"' WHERE key = 'status'")
    (out / "manifest.json").write_text("{not json")  # never read when the index is there
    result = CliRunner().invoke(app, ["extract", str(tmp_path / "docs"), "--model", scripted_model])
    assert result.exit_code == 0, result.output
    assert "interrupted" in " ".join(result.output.split())
    assert sorted(p.name for p in Path("runs").iterdir()) == ["interrupted"]
