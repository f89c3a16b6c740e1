"""What the ray engine costs: the same documents through ``--engine local`` and ``--engine ray``
against an OpenAI-compatible stub that answers at once, so only the tool is timed.

The stub (``scripts/stub_openai.py``, on 127.0.0.1) answers every chat completion with one
attack, so what remains is llmextract's own work per document (prompt, parse, normalise,
save) plus, for ray, the engine's: starting Ray on this machine and its
actors, shipping each document to an actor and its result back.  Each engine runs on
``--small`` and ``--documents`` documents, back to back; the difference of the two wall
times over the difference of the counts is the cost per document, the rest the fixed cost:

    python scripts/bench_ray.py --documents 1000 --small 100

``--overhead N`` also times the engine's dispatch alone: N documents through its driver
loop to actors that answer a ready-made result at once, no pipeline, no run store.

``ray`` starts a Ray on this machine for each run (``ray.init()``, no address): its fixed
cost includes Ray's own start, which a standing cluster pays once.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from stub_openai import StubServer  # scripts/: answers at once, one attack per document

ACTORS = ["Gunmen", "Militia fighters", "Unidentified attackers", "Rebels", "Bandits"]
ACTS = ["attacked a market", "ambushed a convoy", "raided a farm", "shelled a camp"]
PLACES = ["Tamba", "Koro Dunes", "Lake Veni", "Sorwe", "Ibanda Hills", "Marou", "Kesset"]


def write_documents(folder: Path, count: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        text = (
            f"{rng.choice(ACTORS)} {rng.choice(ACTS)} near {rng.choice(PLACES)} on day "
            f"{number}, killing {rng.randint(1, 30)} people, local officials said. "
            f"Residents of {rng.choice(PLACES)} fled towards {rng.choice(PLACES)}."
        )
        (folder / f"doc-{number:06d}.txt").write_text(text + "\n", encoding="utf-8")
    return folder


# name -> (engine, environment): ray as planned (half a CPU per actor: 4 actors on 2 cores),
# and ray with one actor, the local engine's parallelism (one process, N threads), so the
# difference from local is Ray's own cost per document.
VARIANTS = {
    "local": ("local", {}),
    "ray": ("ray", {}),
    "ray-1": ("ray", {"LLMEXTRACT_RAY_WORKERS": "1"}),
}


def run(variant: str, docs: Path, out: Path, url: str, concurrency: int) -> dict[str, Any]:
    """One ``llmextract extract`` process: its wall time and the run's own part of it."""
    engine, extra = VARIANTS[variant]
    script = shutil.which("llmextract", path=str(Path(sys.executable).parent)) or "llmextract"
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    # RAY_AUTH_MODE: else the local Ray of each run writes a token to ~/.ray/auth_token.
    env.update(RAY_USAGE_STATS_ENABLED="0", RAY_DISABLE_DOCKER_CPU_WARNING="1", **extra)
    env.setdefault("RAY_AUTH_MODE", "disabled")
    command = [
        script, "extract", str(docs), "--engine", engine, "--model",
        f"openai-compatible:stub@{url}", "--out", str(out), "--no-cache",
        "--concurrency", str(concurrency),
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{variant} run failed:\n{done.stderr[-3000:]}")
    manifest = json.loads((out / "manifest.json").read_text())
    return {"wall": wall, "run": manifest["wall_seconds"], "done": manifest["totals"]["succeeded"]}


class _Echo:
    """An actor that answers each document with a ready-made result: Ray's part alone."""

    def __init__(self) -> None:
        from llmextract.run.engines import DocumentResult
        from llmextract.run.manifest import DocumentEntry
        from llmextract.schema import Extraction

        self.entry = DocumentEntry(status="done", path="x.txt", seconds=0.1, model_calls=1)
        self.result = DocumentResult("x", Extraction(doc_id="x", incidents=[]), self.entry)

    def extract(self, doc: Any) -> tuple[Any, dict[str, Any]]:
        worker = {"pid": os.getpid(), "node": "n", "restarted": False, "version": "0.1.0"}
        return self.result, worker


def dispatch_overhead(count: int, concurrency: int, repeats: int = 3) -> list[float]:
    """Milliseconds per document of the ray engine's driver loop, best of ``repeats``."""
    import ray

    from llmextract.documents import Document
    from llmextract.run import ray_engine

    os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # no token left in ~/.ray
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    try:
        plan = ray_engine.Plan(
            workers=4, cpus_per_worker=0.5, threads=concurrency, llama_threads=None
        )
        actors = [
            ray.remote(_Echo).options(num_cpus=0.5, max_concurrency=concurrency).remote()
            for _ in range(plan.workers)
        ]
        docs = [
            Document(f"doc-{n}", Path(f"doc-{n}.txt"), "Gunmen attacked a market. " * 40)
            for n in range(count)
        ]
        ray.get([actor.extract.remote(docs[0]) for actor in actors])  # started
        timings = []
        for _ in range(repeats):
            results: list[Any] = []
            started = time.perf_counter()
            ray_engine._dispatch(docs, actors, plan, results.append)
            timings.append((time.perf_counter() - started) / count * 1000)
            assert len(results) == count
        return timings
    finally:
        ray.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--overhead", type=int, default=0, help="documents to dispatch alone")
    parser.add_argument("--variants", default=",".join(VARIANTS), help="of: " + ", ".join(VARIANTS))
    args = parser.parse_args()

    if args.overhead:
        load = os.getloadavg()[0]
        timings = dispatch_overhead(args.overhead, args.concurrency)
        print(
            f"ray dispatch alone: {min(timings):.2f} ms per document (runs: "
            f"{', '.join(f'{t:.2f}' for t in timings)}), {args.overhead} documents, 4 actors; "
            f"load {load:.2f} -> {os.getloadavg()[0]:.2f}",
            flush=True,
        )
        if not args.documents:
            return
    server = StubServer().start()
    url = f"http://127.0.0.1:{server.port}/v1"
    root = Path(tempfile.mkdtemp(prefix="bench-ray-"))
    try:
        sets = {n: write_documents(root / f"docs-{n}", n) for n in (args.small, args.documents)}
        print(f"load before: {os.getloadavg()[0]:.2f}; {os.cpu_count()} cores; stub at {url}")
        for variant in args.variants.split(","):
            figures = {}
            for count, docs in sets.items():
                out = root / f"run-{variant}-{count}"
                figures[count] = run(variant, docs, out, url, args.concurrency)
                assert figures[count]["done"] == count, figures[count]
            small, large = figures[args.small], figures[args.documents]
            per_doc = (large["run"] - small["run"]) / (args.documents - args.small)
            fixed = small["run"] - per_doc * args.small
            print(
                f"{variant:>5}: {args.documents} docs {large['wall']:.1f} s wall "
                f"({large['run']:.1f} s in the run, {args.documents / large['run']:.0f} docs/s); "
                f"{args.small} docs {small['wall']:.1f} s wall ({small['run']:.1f} s); "
                f"per document {per_doc * 1000:.1f} ms, fixed {fixed:.1f} s; "
                f"load {os.getloadavg()[0]:.2f}",
                flush=True,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
