"""Print how long ``llmextract --help`` takes: the median of several fresh processes.

A benchmark that prints a figure, not a test: the target (under 0.3 s) depends on the
machine.  Usage: ``python scripts/help_time.py [--runs N] [--command llmextract]``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--command", default=None, help="the llmextract executable to time")
    args = parser.parse_args()
    command = [args.command] if args.command else [sys.executable, "-m", "llmextract"]
    if args.command is None and shutil.which("llmextract"):
        command = [shutil.which("llmextract") or "llmextract"]
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        subprocess.run([*command, "--help"], check=True, capture_output=True)
        timings.append(time.perf_counter() - started)
    print(
        f"llmextract --help: median {statistics.median(timings):.3f} s, "
        f"min {min(timings):.3f} s over {args.runs} runs ({' '.join(command)})"
    )


if __name__ == "__main__":
    main()
