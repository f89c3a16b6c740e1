"""A soak of faults at volume: many documents through the HTTP path while the proxy injects
random faults and the runner is SIGKILLed twice, then the invariants a run promises.

Shared by ``tests/test_soak.py`` (200 documents) and ``scripts/soak.py`` (2,000, prints
figures).  ``run_soak`` writes invented documents, runs ``llmextract extract`` in a
subprocess against a ``FaultProxy`` in random mode, kills the runner when given fractions of
the documents are finished, restarts it with the same command, and lets the last run
finish.  It returns what happened and every broken promise it found in ``problems``:

* every document has exactly one ``<doc_id>.json``, a valid ``Extraction`` of it;
* no document is written twice (a finished file's inode and mtime never change), and no
  document is asked again once its file exists (from the proxy's log);
* ``manifest.json`` totals equal what the files say;
* no ``*.tmp`` is left in the run folder or the response cache;
* the last run exits 0.  A document that fails after its bounded retries (five faults in a
  row) is recorded as failed with exit 1, and the tool promises that re-running the same
  command finishes it: that re-run is made (at most twice) and counted in ``reruns``.

The documents are invented from templates (no text from ``seeds/`` or ``evals/``); each
names its own invented town in every paragraph, so each request is traced to its document.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import re
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fault_proxy import PLUMBING_PROMPT, FaultProxy, FaultRates, cli_command, cli_env, reap

from llmextract.schema import Extraction

# ---------------------------------------------------------------------------------------
# Invented documents

# Syllables of the invented towns: four of them make 12**4 = 20,736 distinct names.
SYLLABLES = ("ka", "ro", "vel", "tun", "mar", "bi", "zo", "sen", "dra", "lu", "fen", "qui")
ACTORS = (
    "Gunmen of the Tessar Brigade",
    "Fighters of the Ulvan Front",
    "Militants of the Brosk Movement",
    "Members of the Kadrem militia",
    "Armed men on motorbikes",
    "Rebels of the Hollow Star Army",
)
TARGETS = (
    "a police checkpoint",
    "a gendarmerie outpost",
    "the weekly cattle market",
    "a convoy of fuel trucks",
    "the district office",
    "a water-drilling crew",
    "a patrol of border guards",
)
VICTIMS = ("guards", "villagers", "drivers", "herders", "officers", "traders")
AUTHORITIES = ("the regional governor", "a council spokeswoman", "the Pelvane health office")
COUNTS = ("two", "three", "four", "five", "seven", "nine", "eleven")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
NEIGHBOURS = ("Osmeral", "Quintabre", "Velloc", "Dunharrow Flats", "the Arnet hills")

HEADLINES = (
    "Attack reported near {town}",
    "{count} dead after raid on {town}",
    "Unrest in {town} district",
    "Clashes outside {town} leave residents fearful",
)
# The first sentence of every paragraph names the town (traceability); the rest vary.
OPENERS = (
    "{actor} stormed {target} in {town} on {day}, leaving {count} {victims} dead.",
    "In {town}, {count} {victims} were hurt when {actor_lc} opened fire on {target} on {day}.",
    "Residents of {town} said {actor_lc} set fire to {target} late on {day}.",
    "{authority} confirmed on {day} that {target} near {town} had been overrun.",
    "A second assault struck {target} at the edge of {town} before dawn on {day}.",
    "Elders in {town} counted {count} {victims} missing after the night of {day}.",
)
FOLLOWERS = (
    "The assailants fled toward {neighbour} on foot, according to a shepherd.",
    "Shops stayed shuttered and the main road was blocked with burning tyres.",
    "No faction has claimed the operation so far.",
    "{authority} promised an inquiry and asked families to stay indoors.",
    "A clinic in {neighbour} received several of the wounded overnight.",
    "Radio Kesta reported gunfire for nearly an hour afterwards.",
    "Aid workers paused deliveries to the area until further notice.",
    "It was the {ordinal} such incident in the district this season.",
)
ORDINALS = ("second", "third", "fourth", "fifth")


def town_name(index: int) -> str:
    """A distinct invented town for each index below 12**4."""
    parts = []
    for _ in range(4):
        index, rest = divmod(index, len(SYLLABLES))
        parts.append(SYLLABLES[rest])
    return "".join(parts).capitalize()


def doc_id(index: int) -> str:
    return f"soak-{index:05d}"


def document_text(index: int, rng: random.Random, paragraphs: tuple[int, int]) -> str:
    town = town_name(index)

    def fill(template: str) -> str:
        actor = rng.choice(ACTORS)
        return template.format(
            town=town,
            actor=actor,
            actor_lc=actor[0].lower() + actor[1:],
            target=rng.choice(TARGETS),
            victims=rng.choice(VICTIMS),
            authority=rng.choice(AUTHORITIES),
            count=rng.choice(COUNTS),
            day=rng.choice(DAYS),
            neighbour=rng.choice(NEIGHBOURS),
            ordinal=rng.choice(ORDINALS),
        )

    lines = [fill(rng.choice(HEADLINES)).capitalize().replace(town.lower(), town)]
    for _ in range(rng.randint(*paragraphs)):
        sentences = [fill(rng.choice(OPENERS))]
        sentences += [fill(s) for s in rng.sample(FOLLOWERS, rng.randint(1, 3))]
        lines.append(" ".join(s[0].upper() + s[1:] for s in sentences))
    return "\n\n".join(lines) + "\n"


def write_documents(
    folder: Path, count: int, *, seed: int = 11, long_every: int = 20
) -> dict[str, str]:
    """Write ``count`` documents (half with a publication date); returns town -> doc_id.

    Most are a headline and one paragraph: one short ``events`` call each, since the 270M
    server reads only ~35 prompt tokens/s on a busy 2-core machine.  Every
    ``long_every``-th has five to seven paragraphs, so it spans two passages (two calls).
    """
    if count > len(SYLLABLES) ** 4:
        raise ValueError(f"at most {len(SYLLABLES) ** 4} documents")
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    towns = {}
    start = dt.date(2025, 1, 1)
    for index in range(count):
        name = doc_id(index)
        (folder / f"{name}.txt").write_text(
            document_text(index, rng, (5, 7) if index % long_every == 1 else (1, 1)),
            encoding="utf-8",
        )
        if index % 2 == 0:
            published = start + dt.timedelta(days=index % 365)
            meta = {"published": published.isoformat(), "source": "Invented Wire"}
            (folder / f"{name}.meta.json").write_text(json.dumps(meta), encoding="utf-8")
        towns[town_name(index)] = name
    return towns


_WORD = re.compile(r"[A-Z][a-z]+")


def documents_named(text: str, towns: dict[str, str]) -> set[str]:
    """The documents whose town a request's text names."""
    return {towns[w] for w in _WORD.findall(text) if w in towns}


def fixed_words() -> set[str]:
    """Capitalised words of the templates, which must never be mistaken for a town."""
    pools = (ACTORS, TARGETS, AUTHORITIES, NEIGHBOURS, HEADLINES, OPENERS, FOLLOWERS, DAYS)
    return set(_WORD.findall(" ".join(itertools.chain(*pools))))


# The plumbing prompt (``fault_proxy``), but the model names sentence 1 (each document's
# first report after its headline) as one event, so documents come out with incidents and
# the manifest's incident total is checked against real counts (0 or 1 per passage: code
# keeps the event only where the sentence is in the passage and reads as violence).
SOAK_SYSTEM = (
    "You are a test double for llmextract's soak tests. Whatever the text says, answer "
    'exactly {"events": [{"sentence": 1, "type": "armed_assault"}]} and nothing else.'
)


# One worked example of the answer: through llama.cpp's own server (its Jinja chat
# template) Gemma 270M follows the instruction alone poorly, listing an event for every
# sentence (~200 tokens a call); shown the answer once, it writes the ~25 tokens asked for.
SOAK_EXAMPLES = {
    "events": [
        {
            "input": {
                "published": None,
                "headline": "Raid on a hill village",
                "sentences": [[1, "Armed men raided a hill village at dawn."],
                              [2, "Residents fled to the next valley."]],
            },
            "output": {"events": [{"sentence": 1, "type": "armed_assault"}]},
        }
    ]
}  # fmt: skip


def write_soak_prompt(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    files = {**PLUMBING_PROMPT, "system.j2": SOAK_SYSTEM}
    files["examples.json"] = json.dumps({**json.loads(files["examples.json"]), **SOAK_EXAMPLES})
    for name, text in files.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
    return folder


# ---------------------------------------------------------------------------------------
# The soak


@dataclass
class KillPoint:
    fraction: float  # asked: kill once this share of the documents is finished
    finished: int  # documents finished when the runner was killed
    seconds: float  # since the soak started


@dataclass
class SoakResult:
    documents: int
    wall_seconds: float
    kills: list[KillPoint]
    restarts: int  # runs started after a kill
    reruns: int  # runs started after a run that exited 1
    exit_codes: list[int]  # of every run, killed ones as -9
    injected: dict[str, int]  # faults the proxy served, by kind
    requests: int  # chat requests the proxy saw
    totals: dict[str, Any]  # manifest.json's
    problems: list[str] = field(default_factory=list)

    def figures(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "wall_seconds": round(self.wall_seconds, 1),
            "documents_per_second": round(self.documents / self.wall_seconds, 3),
            "requests": self.requests,
            "faults_injected": dict(sorted(self.injected.items())),
            "retries_in_manifest": self.totals.get("retries"),
            "kill_points": [
                f"{k.finished}/{self.documents} at {k.seconds:.0f} s" for k in self.kills
            ],
            "restarts": self.restarts,
            "reruns_after_failures": self.reruns,
            "exit_codes": self.exit_codes,
            "problems": len(self.problems),
        }


def _finished(folder: Path) -> dict[str, os.stat_result]:
    """The finished documents' files (``<doc_id>.json``), by doc_id."""
    files = {}
    with os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if name.endswith(".json") and not name.startswith(".") and name != "manifest.json":
                files[name[: -len(".json")]] = entry.stat()
    return files


def _temporaries(*folders: Path) -> list[Path]:
    return [p for folder in folders if folder.exists() for p in folder.rglob("*.tmp")]


def run_soak(
    upstream_port: int,
    workdir: Path,
    *,
    documents: int = 200,
    seed: int = 11,
    concurrency: int = 8,
    timeout: float = 60.0,
    rates: FaultRates | None = None,
    kill_at: tuple[float, ...] = (0.30, 0.65),
    run_seconds: float = 3600.0,
    log: Callable[[str], None] = lambda line: None,
) -> SoakResult:
    """One soak in ``workdir`` against the server on ``upstream_port``; see the module doc."""
    rates = rates or FaultRates(stall_seconds=timeout + 5)
    if rates.stall_seconds <= timeout:
        raise ValueError("a stall must outlast the client's timeout")
    docs, out, cache = workdir / "docs", workdir / "run", workdir / "cache"
    towns = write_documents(docs, documents, seed=seed)
    prompt = write_soak_prompt(workdir / "prompt")
    command = cli_command(
        "extract", str(docs), "--model", "", "--prompt", str(prompt), "--out", str(out),
        "--no-cache", "--timeout", str(timeout), "--concurrency", str(concurrency),
        "--strategy", "events",
    )  # fmt: skip
    env = cli_env(cache)
    problems: list[str] = []
    kills: list[KillPoint] = []
    exit_codes: list[int] = []
    snapshots: list[dict[str, tuple[int, int]]] = []  # after each kill: doc_id -> inode, mtime
    started = time.monotonic()
    # File times are wall-clock, the proxy's are monotonic: one offset relates them.
    wall_minus_monotonic = time.time() - time.monotonic()
    with FaultProxy(upstream_port) as proxy:
        proxy.randomize(seed, rates)
        command[command.index("--model") + 1] = proxy.spec()

        def logged_run(name: str) -> subprocess.Popen[bytes]:
            with (workdir / f"{name}.log").open("wb") as output:
                return subprocess.Popen(command, env=env, stdout=output, stderr=output)

        for number, fraction in enumerate(kill_at, 1):
            target = max(1, int(documents * fraction))
            process = logged_run(f"run-{number}-killed")
            deadline = time.monotonic() + run_seconds
            try:
                while process.poll() is None and time.monotonic() < deadline:
                    if out.is_dir() and len(_finished(out)) >= target:
                        break
                    time.sleep(0.05)
                if process.poll() is not None:
                    problems.append(
                        f"run {number} ended (exit {process.returncode}) before its kill"
                    )
                    exit_codes.append(process.returncode)
                    continue
                os.kill(process.pid, signal.SIGKILL)
                process.wait(30)
            finally:
                reap(process)
            exit_codes.append(process.returncode)
            files = _finished(out)
            kills.append(KillPoint(fraction, len(files), time.monotonic() - started))
            snapshots.append({d: (s.st_ino, s.st_mtime_ns) for d, s in files.items()})
            log(f"killed run {number} with {len(files)}/{documents} documents finished")

        restarts = len(kills)
        reruns = 0
        for attempt in range(3):  # the last restart, then at most two re-runs after failures
            process = logged_run(f"run-{len(exit_codes) + 1}")
            try:
                code = process.wait(run_seconds)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(30)
                problems.append(f"a run did not finish within {run_seconds:.0f} s")
                code = process.returncode
            exit_codes.append(code)
            log(f"run {len(exit_codes)} exited {code}")
            if code != 1:
                break
            failed = _failed(out)
            log(f"{len(failed)} document(s) failed after their retries: {sorted(failed)[:5]}")
            for doc_id, error in failed.items():
                if not _transient(error):
                    problems.append(f"{doc_id} failed with a fault that is not transient: {error}")
            if attempt < 2:
                reruns += 1
        if exit_codes[-1] != 0:
            problems.append(f"the last run exited {exit_codes[-1]}, not 0")
        exchanges = proxy.chat()
        injected = dict(proxy.injected())
    wall = time.monotonic() - started

    totals = _check_files(out, docs, problems)
    _check_written_once(out, snapshots, problems)
    _check_never_asked_again(out, exchanges, towns, snapshots, wall_minus_monotonic, problems)
    left = _temporaries(out, cache)
    if left:
        problems.append(f"temporary files left: {[str(p) for p in left[:10]]}")
    return SoakResult(
        documents=documents,
        wall_seconds=wall,
        kills=kills,
        restarts=restarts,
        reruns=reruns,
        exit_codes=exit_codes,
        injected=injected,
        requests=len(exchanges),
        totals=totals,
        problems=problems,
    )


TRANSIENT = re.compile(
    r"APITimeoutError|APIConnectionError|InternalServerError|Error code: 50\d|MalformedResponse"
)


def _transient(error: str) -> bool:
    return bool(TRANSIENT.search(error))


def _manifest(out: Path) -> dict[str, Any]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def _failed(out: Path) -> dict[str, str]:
    documents = _manifest(out).get("documents", {})
    return {d: e.get("error") or "" for d, e in documents.items() if e.get("status") == "failed"}


def _check_files(out: Path, docs: Path, problems: list[str]) -> dict[str, Any]:
    """One valid extraction per input document, and manifest totals equal to the files."""
    expected = {p.stem for p in docs.glob("*.txt")}
    files = set(_finished(out))
    if missing := sorted(expected - files):
        problems.append(f"{len(missing)} document(s) without a file: {missing[:10]}")
    if extra := sorted(files - expected):
        problems.append(f"files for no input document: {extra[:10]}")
    incidents = 0
    for doc_id in sorted(files & expected):
        try:
            extraction = Extraction.model_validate_json((out / f"{doc_id}.json").read_text())
        except ValueError as exc:
            problems.append(f"{doc_id}.json does not validate: {str(exc)[:200]}")
            continue
        if extraction.doc_id != doc_id:
            problems.append(f"{doc_id}.json holds {extraction.doc_id}")
        incidents += len(extraction.incidents)
    manifest = _manifest(out)
    totals = manifest.get("totals") or {}
    want = {"documents": len(expected), "succeeded": len(files & expected), "incidents": incidents}
    for key, value in want.items():
        if totals.get(key) != value:
            problems.append(
                f"manifest totals[{key!r}] is {totals.get(key)!r}, the files say {value}"
            )
    if manifest.get("status") != "complete" and not problems:
        problems.append(f"manifest status is {manifest.get('status')!r}")
    return totals


def _check_written_once(
    out: Path, snapshots: list[dict[str, tuple[int, int]]], problems: list[str]
) -> None:
    """A file finished before a kill is the same file (inode, mtime) at every later look."""
    final = {d: (s.st_ino, s.st_mtime_ns) for d, s in _finished(out).items()}
    looks = [*snapshots[1:], final]
    for number, snapshot in enumerate(snapshots, 1):
        for later in looks[number - 1 :]:
            changed = sorted(d for d, seen in snapshot.items() if later.get(d) != seen)
            if changed:
                problems.append(
                    f"{len(changed)} file(s) finished before kill {number} were written again: "
                    f"{changed[:10]}"
                )
                break


def _check_never_asked_again(
    out: Path,
    exchanges: list[Any],
    towns: dict[str, str],
    snapshots: list[dict[str, tuple[int, int]]],
    wall_minus_monotonic: float,
    problems: list[str],
) -> None:
    """No request names a document after its file was written.

    Each request is traced to its document by the town it names (a request naming none
    would make this check vacuous, so that is a problem too); a request whose body never
    reached the proxy (the kill landed mid-send) was never forwarded, so it is not one.  A file's first write is its
    mtime in the snapshot after a kill (a rewrite is caught above), else its final mtime.
    """
    first_written: dict[str, int] = {d: s.st_mtime_ns for d, s in _finished(out).items()}
    for snapshot in reversed(snapshots):
        first_written.update({d: mtime for d, (_, mtime) in snapshot.items()})
    untraced = 0
    asked_again: set[str] = set()
    for exchange in exchanges:
        if exchange.received is None:
            continue  # its body never arrived (the runner was killed while sending it)
        named = documents_named(exchange.text(), towns)
        if len(named) != 1:
            untraced += 1
            continue
        doc_id = named.pop()
        written = first_written.get(doc_id)
        if written is None or exchange.received is None:
            continue
        # 50 ms: file times come from the kernel's coarse clock, a little behind time.time().
        if exchange.received + wall_minus_monotonic > written / 1e9 + 0.05:
            asked_again.add(doc_id)
    if untraced:
        problems.append(f"{untraced} request(s) name no single document")
    if asked_again:
        problems.append(
            f"{len(asked_again)} document(s) asked again after their file was written: "
            f"{sorted(asked_again)[:10]}"
        )
