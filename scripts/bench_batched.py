"""Documents per hour with the local model one at a time and batched, side by side.

Both run back to back in one invocation on the same documents, afresh (the response
cache is neither read nor filled: each mode writes to a throwaway cache), with the
``events`` strategy and the shipped prompt: first ``local[:KEY]`` in process, then
``local-batched[:KEY]?slots=N`` with N documents at once, for each ``--slots``.  The load
average before and after each mode is printed beside its figure, since the cores may be
shared.  A speed target lives here, not in a timed test:

    python scripts/bench_batched.py --docs seeds --limit 8 --slots 2 --slots 4 --slots 8

``--keep DIR`` keeps the run folders (``DIR/runs/<spec>``) for ``llmextract eval``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from llmextract.documents import discover
from llmextract.prompts import DEFAULT_PROMPT, load_prompt
from llmextract.providers import Decoding, load_model
from llmextract.run.cache import ResponseCache
from llmextract.run.runner import run_extraction


@dataclass
class Figure:
    spec: str
    concurrency: int
    documents: int
    failed: int
    incidents: int
    wall: float
    output_tokens: int
    load_before: float
    load_after: float

    @property
    def per_hour(self) -> float:
        return 3600 * self.documents / self.wall if self.wall else 0.0


def measure(spec: str, concurrency: int, documents: list[Path], work: Path) -> Figure:
    model = load_model(spec, Decoding())
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    try:
        outcome = run_extraction(
            documents,
            model,
            load_prompt(DEFAULT_PROMPT),
            strategy="events",
            out=work / "runs" / spec.replace(":", "-").replace("?", "-"),
            concurrency=concurrency,
            cache=ResponseCache(work / "cache" / spec.replace("?", "-"), read=False),
            console=Console(stderr=True),
        )
    finally:
        model.close()  # the batched server's start and stop count in its wall time
    wall = time.perf_counter() - started
    totals = outcome.manifest.totals or {}
    return Figure(
        spec, concurrency, totals.get("documents", 0), totals.get("failed", 0),
        totals.get("incidents", 0), wall, totals.get("output_tokens", 0),
        load_before, os.getloadavg()[0],
    )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=Path, nargs="+", default=[Path("seeds")])
    parser.add_argument("--limit", type=int, default=8, help="first N documents (0: all)")
    parser.add_argument("--model", default="", help="a local model key (default: the default)")
    parser.add_argument("--slots", type=int, action="append", help="repeat; default 4")
    parser.add_argument("--no-sequential", action="store_true", help="only the batched runs")
    parser.add_argument("--keep", type=Path, help="keep the run folders here (to score them)")
    args = parser.parse_args()
    documents, missing = discover(args.docs)
    if missing or not documents:
        print(f"error: {missing[0] if missing else 'no documents'}", file=sys.stderr)
        return 1
    documents = documents[: args.limit] if args.limit else documents
    key = f":{args.model}" if args.model else ""
    modes = [] if args.no_sequential else [(f"local{key}", 1)]
    modes += [(f"local-batched{key}?slots={n}", n) for n in args.slots or [4]]
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="bench-batched-") as folder:
        work = args.keep or Path(folder)
        for spec, concurrency in modes:
            print(f"== {spec}, {concurrency} at once, {len(documents)} documents", file=sys.stderr)
            figures.append(measure(spec, concurrency, documents, work))
    base = figures[0].per_hour if not args.no_sequential else None
    table = Table(title=f"documents per hour, {len(documents)} documents, events strategy")
    for column in ("model", "at once", "docs", "failed", "incidents", "wall s", "docs/hour",
                   "vs one at a time", "output tok/s", "load before/after"):  # fmt: skip
        table.add_column(column)
    for fig in figures:
        table.add_row(
            fig.spec, str(fig.concurrency), str(fig.documents), str(fig.failed),
            str(fig.incidents), f"{fig.wall:.0f}", f"{fig.per_hour:.1f}",
            f"{fig.per_hour / base:.2f}x" if base else "-",
            f"{fig.output_tokens / fig.wall:.1f}", f"{fig.load_before:.1f}/{fig.load_after:.1f}",
        )  # fmt: skip
    Console(width=200).print(table)
    return 0 if all(fig.failed == 0 for fig in figures) else 1


if __name__ == "__main__":
    raise SystemExit(main())
