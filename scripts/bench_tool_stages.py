"""Where the tool's own time per document goes: reading the file, the model call's client
side, the reading rules, the run store.  In process, one document at a time, against
``stub_openai`` (answers at once; not a model).

    python scripts/bench_tool_stages.py --documents 2000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from bench_store import write_documents
from stub_openai import ANSWER, StubServer

from llmextract.documents import load_document
from llmextract.drafts import EventTagList
from llmextract.prompts import load_prompt
from llmextract.providers import Decoding, load_model
from llmextract.run.engines import extract_one
from llmextract.run.folder import RunStore
from llmextract.strategies import get_strategy
from llmextract.strategies.caller import Caller


class CannedCaller(Caller):
    """The real caller's prompt rendering and cache key, a canned answer instead of HTTP."""

    def __call__(self, kind, response_model, usage, **variables):  # type: ignore[no-untyped-def, override]
        self.prompt.messages(kind, family=self.strategy.call(kind).prompt_family, **variables)
        return EventTagList.model_validate(ANSWER)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="llmextract-stages-"))
    write_documents(root / "docs", args.documents)
    paths = sorted((root / "docs").glob("*.txt"))
    stub = StubServer().start()
    model = load_model(stub.spec(), Decoding())
    prompt, strategy = load_prompt(None), get_strategy("events")
    figures: dict[str, float] = {}

    started = time.perf_counter()
    docs = [load_document(p) for p in paths]
    figures["read and repair the file"] = time.perf_counter() - started

    listing = {"published": None, "headline": None, "sentences": [(1, "A sentence.")]}
    messages = prompt.messages("events", **listing)
    model.complete(messages, EventTagList, max_tokens=300)  # connection and imports warm
    started = time.perf_counter()
    for _ in docs:
        model.complete(messages, EventTagList, max_tokens=300)
    figures["model call, client side (openai SDK, instructor, validation)"] = (
        time.perf_counter() - started
    )

    canned = CannedCaller(model, prompt, None, strategy)
    started = time.perf_counter()
    results = [extract_one(doc, canned) for doc in docs]
    figures["prompt rendering and the reading rules (events strategy)"] = (
        time.perf_counter() - started
    )

    store = RunStore(root / "run", {"config_key": "stages"}, manifest_interval=10.0)
    started = time.perf_counter()
    for result in results:
        assert result.extraction is not None
        store.save_document(result.extraction, result.entry)
    store.finish("complete")
    figures["run store (index commit, file, manifest summary)"] = time.perf_counter() - started
    store.close()

    print(f"{args.documents:,} synthetic documents, one incident each, in process:")
    print("| stage | ms per document |")
    print("|---|---|")
    for stage, seconds in figures.items():
        print(f"| {stage} | {1000 * seconds / len(docs):.2f} |")
    print(f"| total | {1000 * sum(figures.values()) / len(docs):.2f} |")


if __name__ == "__main__":
    main()
