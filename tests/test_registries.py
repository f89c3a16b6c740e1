"""Providers and strategies are registered objects: a plugin adds one without editing llmextract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import write_doc
from typer.testing import CliRunner

from llmextract.cli import app
from llmextract.documents import Document
from llmextract.drafts import EventTagList
from llmextract.prompts import load_prompt, prompts_root
from llmextract.providers import ModelError, Usage, parse_model_spec, provider_names
from llmextract.schema import Evidence, Incident, IncidentType
from llmextract.strategies import CallKind, Strategy, StrategyError, get_strategy
from llmextract.strategies.registry import register_strategy

ARTICLE = (
    "Gunmen attacked an army post in the town of Koro on March 3, killing four soldiers, "
    "the army said. The town was calm on Friday."
)


def test_a_provider_from_an_installed_package_runs_an_extraction(
    scripted_model: str, tmp_path: Path, response_cache: Path
) -> None:
    assert "scripted" in provider_names()
    assert parse_model_spec(scripted_model).backend == "scripted"
    docs = tmp_path / "docs"
    write_doc(docs, "koro", ARTICLE, published="2021-03-08")
    run = tmp_path / "run"
    result = CliRunner().invoke(
        app, ["extract", str(docs), "--model", scripted_model, "--out", str(run)]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["model"] == scripted_model
    assert manifest["documents"]["koro"]["model_calls"] == 1
    incidents = json.loads((run / "koro.json").read_text())["incidents"]
    assert len(incidents) == 1
    assert incidents[0]["place"] == "Koro" and incidents[0]["killed"] == 4


def test_an_unknown_provider_names_the_registered_ones() -> None:
    with pytest.raises(ModelError, match="openai-compatible:MODEL@URL"):
        parse_model_spec("nonesuch:model")


def test_a_registered_strategy_owns_its_call_kinds_budgets_and_templates(
    scripted_model: str, tmp_path: Path, response_cache: Path
) -> None:
    """A new strategy is one Strategy and one registration: its own template, its budget."""
    prompt_dir = tmp_path / "my-prompt"
    prompt_dir.mkdir()
    source = prompts_root() / "incidents-v3"
    for name in ("system.j2", "examples.json", "events.j2"):
        (prompt_dir / name).write_text((source / name).read_text())
    (prompt_dir / "lead.j2").write_text(
        "{% for number, sentence in sentences %}[{{ number }}] {{ sentence }}\n{% endfor %}"
        "List the violent events."
    )
    seen: list[int] = []

    def lead_only(doc: Document, caller: Any, usage: Usage) -> list[Incident]:
        first = doc.text.split(". ")[0]
        answer = caller("lead", EventTagList, usage, sentences=[(0, first)])
        seen.append(len(answer.events))
        return [
            Incident(
                summary=first,
                incident_type=IncidentType.armed_assault,
                evidence=[Evidence(quote=first, start=0, end=len(first))],
            )
            for _ in answer.events
        ]

    register_strategy(
        Strategy(
            name="lead-only",
            description="the first sentence only",
            calls=(CallKind("lead", max_tokens=64, family="events"),),
            extract=lead_only,
        ),
        replace=True,
    )
    assert get_strategy("lead-only").max_tokens == {"lead": 64}
    # A prompt without the strategy's template is refused before any document is read.
    with pytest.raises(Exception, match=r"no lead\.j2"):
        load_prompt("incidents-v3").require(get_strategy("lead-only").template_kinds, "lead-only")
    docs = tmp_path / "docs"
    write_doc(docs, "koro", ARTICLE)
    run = tmp_path / "run"
    result = CliRunner().invoke(
        app,
        ["extract", str(docs), "--model", scripted_model, "--strategy", "lead-only",
         "--prompt", str(prompt_dir), "--out", str(run)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert seen == [1]
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["strategy"] == "lead-only" and manifest["max_tokens"] == {"lead": 64}
    assert manifest["prompt"]["name"] == "my-prompt"
    assert len(json.loads((run / "koro.json").read_text())["incidents"]) == 1


def test_an_unknown_strategy_lists_the_known_ones() -> None:
    with pytest.raises(StrategyError, match="events, mentions, single"):
        get_strategy("nonesuch")
