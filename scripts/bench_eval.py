"""Benchmark of ``llmextract eval`` on synthetic one-incident documents: prints seconds.

A speed target lives here, not in a timed test (issue 11: scoring 10,000 documents in
under 10 s).  The script writes, per size, a documents folder, a gold folder (one
``GoldFile`` per document) and a run folder (one ``Extraction`` per document plus a
``manifest.json``), all built through the Pydantic models so they validate.  Documents are
filled in from templates with invented places, regions and people; the run disagrees with
the gold on purpose (a toll off by a few, a date a week late, a wrong group, a missed or a
spurious incident, an ungrounded quote) so the scores are not trivially 1.0.  Then it times
``llmextract eval RUN --gold GOLD --docs DOCS`` in a subprocess (wall time), plain and with
``--json`` and ``--html``:

    python scripts/bench_eval.py --documents 10000

``--keep DIR`` leaves the folders there (``DIR/<size>/{docs,gold,run}``) to profile them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmextract.run.folder import totals
from llmextract.run.manifest import DocumentEntry, PromptRef, RunManifest
from llmextract.schema import (
    Attribution,
    Confirmation,
    DatePrecision,
    Evidence,
    Extraction,
    GeoPrecision,
    GoldFile,
    GoldIncident,
    Incident,
    IncidentType,
    Source,
    Stance,
    TargetType,
)

COUNTRIES = ("Mali", "Burkina Faso", "Niger")
SYLLABLES = ("ba", "do", "ka", "ri", "so", "tem", "gou", "ndi", "la", "mé", "zan", "kou", "fa")
GROUPS = ("JNIM", "ISGS", "Boko Haram", "jihadists", "unidentified armed group", "Ansar Dine")
TACTICS = {
    IncidentType.armed_assault: ("gunmen attacked", TargetType.military, "an army post"),
    IncidentType.ambush: ("fighters ambushed", TargetType.military, "a supply convoy"),
    IncidentType.ied: ("a roadside bomb struck", TargetType.police, "a police patrol"),
    IncidentType.kidnapping: ("armed men abducted", TargetType.civilians, "road workers"),
    IncidentType.massacre: ("attackers killed", TargetType.civilians, "villagers"),
}
HEADLINES = (
    "Violence flares again near {place}",
    "Deadly raid reported in {admin1}",
    "Security forces on alert after {place} attack",
)
# Filler paragraphs: background a news page carries around the one incident it reports.
FILLER = (
    "Residents of {other} said markets stayed closed for two days and that several families "
    "had left for the regional capital, where aid groups registered new arrivals.",
    "The region has seen a rise in insecurity since the rainy season ended, according to "
    "local officials, who asked for more patrols on the roads leading to {other}.",
    "A spokesman for the governor of {admin1} told reporters that an investigation was under "
    "way and that reinforcements had been sent from {other}.",
    "Analysts at the {inst} Institute noted that attacks of this kind have become more "
    "frequent along the border, and that civilians bear most of the cost.",
    "Schools in the district have been shut since the start of the year, a teacher named "
    "{person} said, adding that many pupils now help their parents in the fields.",
)


def invented_name(rng: random.Random, parts: int = 2) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


@dataclass
class Synthetic:
    """One document: its text, its gold incident and what the run predicted."""

    doc_id: str
    text: str
    gold: list[GoldIncident]
    predicted: list[Incident]


def _span(text: str, quote: str) -> Evidence:
    start = text.index(quote)
    return Evidence(quote=quote, start=start, end=start + len(quote))


def synthetic_document(index: int, rng: random.Random) -> Synthetic:
    """One invented article reporting one incident, its gold, and a run's imperfect answer."""
    doc_id = f"syn{index:05d}"
    country = rng.choice(COUNTRIES)
    place, admin1, other = invented_name(rng), invented_name(rng, 3), invented_name(rng)
    kind = rng.choice(list(TACTICS))
    verb, target_type, target = TACTICS[kind]
    group = rng.choice(GROUPS)
    day = dt.date(2021, 1, 1) + dt.timedelta(days=rng.randrange(4 * 365))
    killed, wounded = rng.randrange(1, 30), rng.randrange(0, 12)
    date_text = f"{day:%B} {day.day}, {day.year}"
    incident_sentence = (
        f"On {date_text}, {verb} {target} in {place}, in the {admin1} region of {country}, "
        f"killing {killed} people and wounding {wounded} others."
    )
    claim_sentence = f"{group} claimed responsibility for the attack in a statement."
    filler = [
        f.format(other=other, admin1=admin1, inst=invented_name(rng), person=invented_name(rng))
        for f in rng.sample(FILLER, k=rng.randrange(2, len(FILLER) + 1))
    ]
    paragraphs = [rng.choice(HEADLINES).format(place=place, admin1=admin1), incident_sentence]
    paragraphs += [claim_sentence, *filler]
    text = "\n\n".join(paragraphs) + "\n"
    record: dict[str, Any] = {
        "summary": f"{kind.value} on {target} in {place} by {group}.",
        "incident_type": kind,
        "date_text": date_text,
        "date_start": day,
        "date_end": day,
        "date_precision": DatePrecision.day,
        "location_text": f"in {place}",
        "place": place,
        "admin1": admin1,
        "country": country,
        "geo_precision": GeoPrecision.place,
        "perpetrator": group,
        "attribution": Attribution.claimed,
        "target": target,
        "target_type": target_type,
        "killed": killed,
        "wounded": wounded,
        "confirmation": Confirmation.unknown,
        "sources": [Source(source=group, stance=Stance.claims)],
        "evidence": [_span(text, incident_sentence), _span(text, claim_sentence)],
    }
    gold = GoldIncident(**record)
    predicted = _disagree(record, text, rng)
    return Synthetic(doc_id, text, [gold], predicted)


def _disagree(record: dict[str, Any], text: str, rng: random.Random) -> list[Incident]:
    """The run's answer: mostly right, with the slips real runs make, at fixed rates."""
    roll = rng.random()
    if roll < 0.04:
        return []  # missed
    pred = dict(record)
    if rng.random() < 0.15:
        pred["killed"] = record["killed"] + rng.randrange(1, 5)
    if rng.random() < 0.08:
        late = record["date_start"] + dt.timedelta(days=7)
        pred.update(date_start=late, date_end=late, date_text=None)
    if rng.random() < 0.08:
        pred["perpetrator"] = rng.choice([g for g in GROUPS if g != record["perpetrator"]])
    if rng.random() < 0.10:
        pred["sources"] = []
    if rng.random() < 0.05:
        pred["admin1"] = None
    if rng.random() < 0.03:
        quote = str(record["summary"])  # not in the text: ungrounded
        pred["evidence"] = [Evidence(quote=quote)]
    incidents = [Incident(**pred)]
    if 0.04 <= roll < 0.09:
        claim = [e for e in record["evidence"] if "claimed" in e.quote]
        incidents.append(
            Incident(
                summary="A claim read as a second attack.",
                incident_type=IncidentType.other,
                country=str(record["country"]),
                evidence=claim or [_span(text, text.split("\n")[0])],
            )
        )
    return incidents


def write_set(root: Path, size: int, seed: int) -> tuple[Path, Path, Path]:
    """``root/{docs,gold,run}`` for ``size`` documents; the same seed gives the same set."""
    from llmextract.documents import Document, text_digest

    rng = random.Random(seed)
    docs, gold, run = root / "docs", root / "gold", root / "run"
    for folder in (docs, gold, run):
        folder.mkdir(parents=True, exist_ok=True)
    entries: dict[str, DocumentEntry] = {}
    for index in range(size):
        doc = synthetic_document(index, rng)
        doc_path = docs / f"{doc.doc_id}.txt"
        doc_path.write_text(doc.text, encoding="utf-8")
        gold_file = GoldFile(doc_id=doc.doc_id, labelled_by="synthetic", incidents=doc.gold)
        (gold / f"{doc.doc_id}.json").write_text(gold_file.model_dump_json(indent=1), "utf-8")
        # What the runner records about a document it read (``Document.meta``).
        document = Document(
            doc_id=doc.doc_id,
            path=doc_path.resolve(),
            text=doc.text,
            sha256=text_digest(doc.text, None),
        )
        meta = {"document": document.meta(), "strategy": "synthetic", "model": "synthetic"}
        extraction = Extraction(doc_id=doc.doc_id, incidents=doc.predicted, meta=meta)
        (run / f"{doc.doc_id}.json").write_text(extraction.model_dump_json(indent=1), "utf-8")
        entries[doc.doc_id] = DocumentEntry(
            status="done",
            path=str(run / f"{doc.doc_id}.json"),
            seconds=round(rng.uniform(20, 90), 2),
            input_tokens=rng.randrange(3000, 7000),
            output_tokens=rng.randrange(200, 600),
            model_calls=rng.randrange(2, 6),
            incidents=len(doc.predicted),
        )
    manifest = RunManifest(
        tool="llmextract",
        model="synthetic",
        prompt=PromptRef(name="incidents-synthetic", hash="0" * 16),
        strategy="synthetic",
        status="complete",
        documents=entries,
        totals=totals(entries),
    )
    (run / "manifest.json").write_text(
        RunManifest.model_validate(manifest.to_json()).model_dump_json(indent=1), "utf-8"
    )
    return docs, gold, run


@dataclass
class Timing:
    """One ``llmextract eval`` subprocess: wall and CPU seconds, lines printed."""

    wall: float
    cpu: float
    lines: int

    def __str__(self) -> str:
        return f"{self.wall:.1f} ({self.cpu:.1f})"


def time_eval(docs: Path, gold: Path, run: Path, extra: list[str]) -> Timing:
    """Time one ``llmextract eval`` subprocess (CPU: user + system, less load-sensitive)."""
    command = [sys.executable, "-m", "llmextract", "eval", str(run), "--gold", str(gold)]
    command += ["--docs", str(docs), *extra]
    env = {**os.environ, "COLUMNS": "120"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"eval failed ({done.returncode}): {done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(seconds, cpu, len(done.stdout.splitlines()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10000, help="largest size timed")
    parser.add_argument(
        "--sizes", default="1000,4000,10000", help="comma-separated sizes (capped at --documents)"
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", type=Path, default=None, help="leave the folders here")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time the folders already in --keep (the same documents, another checkout)",
    )
    parser.add_argument("--write-only", action="store_true", help="write the folders, time nothing")
    parser.add_argument(
        "--no-reports", action="store_true", help="time the plain eval only, not --json/--html"
    )
    parser.add_argument("--tag", default="", help="name the reports eval-TAG.json / .html")
    args = parser.parse_args()
    if args.reuse and args.keep is None:
        parser.error("--reuse needs --keep DIR")
    stem = f"eval-{args.tag}" if args.tag else "eval"
    sizes = sorted({min(int(s), args.documents) for s in args.sizes.split(",")})
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-eval-"))
    print(f"load: {os.getloadavg()[0]:.2f} (1 min), folders in {root}", flush=True)
    print("Seconds are wall (CPU) of one `llmextract eval` process.")
    print("| documents | write s | eval s | eval --json s | eval --html s | lines | HTML MB |")
    print("|---|---|---|---|---|---|---|")
    try:
        for size in sizes:
            folder = root / str(size)
            start = time.perf_counter()
            if args.reuse:
                docs, gold, run = (folder / name for name in ("docs", "gold", "run"))
            else:
                shutil.rmtree(folder, ignore_errors=True)
                docs, gold, run = write_set(folder, size, args.seed)
            written = "-" if args.reuse else f"{time.perf_counter() - start:.1f}"
            if args.write_only:
                print(f"| {size:,} | {written} | | | | | |", flush=True)
                continue
            plain = time_eval(docs, gold, run, [])
            if args.no_reports:
                print(f"| {size:,} | {written} | {plain} | | | {plain.lines} | |", flush=True)
                continue
            with_json = time_eval(docs, gold, run, ["--json", str(folder / f"{stem}.json")])
            html_path = folder / f"{stem}.html"
            with_html = time_eval(docs, gold, run, ["--html", str(html_path)])
            megabytes = html_path.stat().st_size / 1e6
            print(
                f"| {size:,} | {written} | {plain} | {with_json} | {with_html} "
                f"| {plain.lines} | {megabytes:.1f} |",
                flush=True,
            )
        print(f"load after: {os.getloadavg()[0]:.2f} (1 min)")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
