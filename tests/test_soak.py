"""A soak of faults at volume: 200 invented documents through the HTTP path at concurrency
8, behind a proxy injecting 5% 5xx, 2% stalls past the timeout and 1% cut bodies, with the
runner SIGKILLed twice and restarted.  Every document must come out once and whole, the
totals must equal the files, and no temporary file may be left (``tests/soak.py``).

``scripts/soak.py --documents 2000`` runs the same soak at ten times the size and prints
its figures.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from pathlib import Path

import pytest
from fault_proxy import (  # noqa: F401  (fixtures)
    FaultProxy,
    FaultRates,
    LlamaServer,
    delay,
    llama_server,
    plumbing_prompt,
    proxy,
)
from soak import documents_named, fixed_words, run_soak, town_name, write_documents

from llmextract.drafts import EventTagList
from llmextract.prompts import load_prompt
from llmextract.providers import Decoding, load_model
from llmextract.providers.types import Usage

KINDS = {"status 500", "status 502", "status 503", "stall", "truncate"}


def test_random_faults_come_at_the_asked_rates_from_a_seed() -> None:
    rates = FaultRates()
    runs = [[str(rates.draw(rng)) for _ in range(500)] for rng in map(random.Random, (7, 7))]
    assert runs[0] == runs[1]  # one seed, one sequence
    rng = random.Random(7)
    counts = Counter(str(rates.draw(rng)) for _ in range(100_000))
    share = {kind: n / 100_000 for kind, n in counts.items()}
    assert set(share) == {"pass", *KINDS}
    assert abs(sum(share[f"status {c}"] for c in (500, 502, 503)) - 0.05) < 0.005
    assert abs(share["stall"] - 0.02) < 0.003
    assert abs(share["truncate"] - 0.01) < 0.002


def test_each_soak_document_is_traceable_by_its_town(tmp_path: Path) -> None:
    towns = write_documents(tmp_path, 300)
    assert len(towns) == 300 and len({town_name(i) for i in range(12**4)}) == 12**4
    assert not fixed_words() & set(towns)
    for path in sorted(tmp_path.glob("*.txt")):
        paragraphs = path.read_text(encoding="utf-8").strip().split("\n\n")
        for paragraph in paragraphs:
            assert documents_named(paragraph, towns) == {path.stem}


@pytest.mark.server
@pytest.mark.model
@pytest.mark.slow
def test_200_documents_through_faults_and_two_kills_each_done_once(
    llama_server: LlamaServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    result = run_soak(llama_server.port, tmp_path, documents=200, seed=11)
    print(result.figures())
    assert result.problems == [], result.problems
    first, second = result.kills
    assert 0 < first.finished < second.finished < 200  # two kills, at different points
    assert result.exit_codes[:2] == [-9, -9] and result.exit_codes[-1] == 0
    assert set(result.injected) >= KINDS  # every kind served (seeded: the same draws)
    assert result.totals["succeeded"] == 200 and result.totals["retries"] > 0
    assert result.totals["incidents"] > 0  # so the incident total is checked against counts


@pytest.mark.server
@pytest.mark.model
def test_concurrent_first_calls_rejected_for_json_schema_are_each_resent_not_retried(
    proxy: FaultProxy,  # noqa: F811
    plumbing_prompt: Path,  # noqa: F811
) -> None:
    """Found by the soak: at concurrency 8 every first request goes out as ``json_schema``
    and llama-cpp-python's server rejects each one; every one must be resent in the server's
    form at once, not only the first to come back (the rest spent a transient attempt and a
    backoff each, and the manifest counted them as retries)."""
    proxy.script(*[delay(1.0)] * 4)  # the four are all sent before any rejection returns
    model = load_model(proxy.spec(), Decoding(timeout_s=120))
    messages = load_prompt(str(plumbing_prompt)).messages(
        "events", published=None, headline=None, sentences=[(0, "Gunmen attacked.")]
    )
    usages: list[Usage] = []
    errors: list[BaseException] = []

    def call() -> None:
        try:
            usages.append(model.complete(messages, EventTagList, max_tokens=64).usage)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    model.close()
    assert errors == []
    forms = Counter((e.json()["response_format"]["type"], e.upstream_status) for e in proxy.chat())
    assert forms == {("json_schema", 500): 4, ("json_object", 200): 4}
    assert [u.retries for u in usages] == [0, 0, 0, 0]
