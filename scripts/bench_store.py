"""The tool's own cost per document at volume, and resume of a finished run.

Runs ``llmextract extract`` over N synthetic three-paragraph documents against
``stub_openai`` (a server that answers at once, so what is left is the tool: run store,
scheduling, prompt rendering, HTTP client, normalisation), then runs the same command again
on the finished run (resume: every document skipped).  The stub is not a model: these
figures say nothing about extraction quality or model speed.

    python scripts/bench_store.py --documents 1000 --documents 10000 --documents 100000
    python scripts/bench_store.py --documents 1000 --engine local --engine processes

``--engine processes`` runs the pipeline in one worker process per core (its CPU column
counts only the processes the run waited for, so it undercounts the workers').
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from stub_openai import StubServer

# Invented places, groups and wordings: synthetic text, no article's words.
PLACES = ["Kerbana", "Tondoula", "Mira-Sud", "Ouangal", "Sebbaro", "Dalmi", "Kouni", "Fadaro"]
GROUPS = ["gunmen", "armed men", "suspected militants", "fighters on motorbikes"]
TARGETS = ["a gendarmerie post", "an army patrol", "a market", "a convoy of traders"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def synthetic_document(rng: random.Random, number: int) -> str:
    place, other = rng.sample(PLACES, 2)
    killed = rng.randint(2, 30)
    return (
        f"Published 2025-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}\n\n"
        f"{rng.choice(GROUPS).capitalize()} attacked {rng.choice(TARGETS)} near {place} on "
        f"{rng.choice(DAYS)}, killing {killed} people, local officials said. Residents of "
        f"{other} reported gunfire late into the night (report {number}).\n\n"
        f"The regional governor said reinforcements had been sent and that the attackers "
        f"fled towards the border. No group has claimed the attack so far.\n\n"
        f"Aid workers said hundreds of families had left {place} for {other} in recent "
        f"weeks, citing repeated raids on villages along the road.\n"
    )


def write_documents(folder: Path, count: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        (folder / f"doc{number:06d}.txt").write_text(synthetic_document(rng, number))


def run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and the child's CPU seconds (user + system): CPU is what the tool
    costs whatever else the machine is doing; wall is what a user waits."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, action="append")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--engine", action="append", choices=("local", "processes"))
    parser.add_argument("--keep", type=Path, help="Keep documents and runs under this folder.")
    parser.add_argument(
        "--resume-only", action="store_true", help="Time only the resume of kept runs."
    )
    # A fixed port: the model spec (and so the run's configuration) is the same next time.
    parser.add_argument("--port", type=int, default=18765)
    args = parser.parse_args()
    sizes = args.documents or [1000, 10000, 100000]
    stub = StubServer(args.port).start()
    root = args.keep or Path(tempfile.mkdtemp(prefix="llmextract-bench-store-"))
    env = {**os.environ, "LLMEXTRACT_RESPONSE_CACHE": str(root / "cache")}
    print(f"load: {os.getloadavg()[0]:.2f}  cores: {os.cpu_count()}  stub: {stub.spec()}")
    print("the stub answers at once: these figures are the tool's own cost, not a model's")
    print(
        "| engine | documents | wall time | tool cost per document (wall) | CPU per document "
        "| resume of the finished run (wall, CPU) |"
    )
    print("|---|---|---|---|---|---|")
    for count in sizes:
        docs = root / f"docs-{count}"
        if not docs.is_dir():
            write_documents(docs, count)
        for engine in args.engine or ["local"]:
            out = root / (f"run-{count}" if engine == "local" else f"run-{count}-{engine}")
            if not args.resume_only:
                shutil.rmtree(out, ignore_errors=True)
            base = [
                sys.executable, "-m", "llmextract", "extract", str(docs), "--model",
                stub.spec(), "--out", str(out), "--concurrency", str(args.concurrency),
                "--no-cache", "--engine", engine,
            ]  # fmt: skip
            wall, cpu = (0.0, 0.0) if args.resume_only else run(base, env)
            resume, resume_cpu = run(base, env)
            print(
                f"| {engine} | {count:,} | {wall:.1f} s | {1000 * wall / count:.2f} ms "
                f"| {1000 * cpu / count:.2f} ms | {resume:.2f} s, {resume_cpu:.2f} s |",
                flush=True,
            )
            if not args.keep:
                shutil.rmtree(out, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(docs, ignore_errors=True)
    print(f"stub calls: {stub.calls:,}")


if __name__ == "__main__":
    main()
