"""Soak benchmark: documents through the HTTP path behind random faults, the runner killed
twice and restarted; prints its figures and every broken promise.

It starts llama-cpp-python's server with Gemma 270M on 127.0.0.1 (a plumbing prompt that
answers one fixed event, so each call writes ~19 tokens), puts ``tests/fault_proxy.FaultProxy`` in front of
it in random mode (5% 500/502/503, 2% stalls past the timeout, 1% bodies cut mid-JSON) and
runs ``tests/soak.run_soak``; the 200-document version is ``tests/test_soak.py``:

    python scripts/soak.py --documents 2000
    python scripts/soak.py --documents 2000 --server llama-server --slots 8

``--server llama-server`` puts llama.cpp's own C++ server (the one ``local-batched`` runs,
``--slots`` parallel sequences with continuous batching) behind the proxy instead: the same
faults and promises, at a volume these two cores get through in well under an hour.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from fault_proxy import FaultRates, LlamaServer, write_plumbing_prompt  # noqa: E402
from soak import run_soak  # noqa: E402

from llmextract.providers.llama_server import LlamaServer as CppServer  # noqa: E402
from llmextract.providers.server_build import server_binary  # noqa: E402
from llmextract.providers.weights import LOCAL_MODELS, assemble_local_model  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--timeout", type=float, default=60.0, help="client timeout, seconds")
    parser.add_argument("--keep", type=Path, help="work folder to keep (default: a temporary one)")
    parser.add_argument(
        "--server", choices=("llama-cpp-python", "llama-server"), default="llama-cpp-python"
    )
    parser.add_argument("--slots", type=int, default=8, help="llama-server's parallel slots")
    args = parser.parse_args()

    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    with tempfile.TemporaryDirectory(prefix="llmextract-soak-") as temporary:
        workdir = args.keep or Path(temporary)
        workdir.mkdir(parents=True, exist_ok=True)
        prompt = write_plumbing_prompt(workdir / "warm-up-prompt")
        model = assemble_local_model(LOCAL_MODELS["gemma3-270m"])
        server = _start(args.server, args.slots, model, workdir, prompt)
        try:
            assert server.port is not None
            result = run_soak(
                server.port,
                workdir,
                documents=args.documents,
                seed=args.seed,
                concurrency=args.concurrency,
                timeout=args.timeout,
                rates=FaultRates(stall_seconds=args.timeout + 5),
                run_seconds=24 * 3600.0,
                log=lambda line: print(f"{time.strftime('%H:%M:%S')} {line}", flush=True),
            )
        finally:
            server.stop()
    figures = {
        **result.figures(),
        "timeout_s": args.timeout,
        "stall_s": args.timeout + 5,
        "concurrency": args.concurrency,
        "server": args.server + (f" ({args.slots} slots)" if args.server == "llama-server" else ""),
        "load_before": " ".join(load),
        "load_after": " ".join(Path("/proc/loadavg").read_text().split()[:3]) if load else "",
        "commit": _commit(),
    }
    print(json.dumps(figures, indent=2))
    for problem in result.problems:
        print(f"problem: {problem}")
    return 1 if result.problems else 0


def _start(
    kind: str, slots: int, model: Path, workdir: Path, prompt: Path
) -> LlamaServer | CppServer:
    if kind == "llama-cpp-python":
        server = LlamaServer(model, workdir / "server.log").start()
        server.warm_up(prompt)
        return server
    cpp = CppServer(server_binary(), model, slots=slots, n_ctx=4096, seed=0, alias="gemma")
    cpp.start()
    return cpp


def _commit() -> str:
    done = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return done.stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
