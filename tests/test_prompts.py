"""Prompt folders: examples validate against the drafts, hashing, sandboxed rendering."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError

from llmextract.drafts import EventTagList, IncidentDraft, IncidentList, MentionList
from llmextract.prompts import DEFAULT_PROMPT, PromptError, available_prompts, load_prompt
from llmextract.strategies import get_strategy, strategy_names

# Every call kind the registered strategies make, with its prompt family.
CALLS = {call.name: call for name in strategy_names() for call in get_strategy(name).calls}
CALL_KINDS = tuple(CALLS)

DRAFT_FOR_KIND = {
    "mentions": MentionList,
    "fill": IncidentDraft,
    "single": IncidentList,
    "events": EventTagList,
}
SEED_DIR = Path(__file__).resolve().parent.parent / "seeds"


def _example_turns(name: str) -> list[dict]:
    prompt = load_prompt(name)
    turns = [turn for conversation in prompt.examples.get("passage", []) for turn in conversation]
    turns += [{"kind": "single", **e} for e in prompt.examples.get("single", [])]
    return turns + [{"kind": "events", **e} for e in prompt.examples.get("events", [])]


def _kinds(name: str) -> set[str]:
    """The call kinds a prompt has a template for."""
    return {kind for kind in CALL_KINDS if f"{kind}.j2" in load_prompt(name).files}


@pytest.mark.parametrize("name", available_prompts())
def test_every_prompt_renders_and_its_examples_validate(name: str) -> None:
    prompt = load_prompt(name)
    turns = _example_turns(name)
    kinds = _kinds(name)
    assert {turn["kind"] for turn in turns} == kinds, f"{name}: a template without examples"
    for turn in turns:
        DRAFT_FOR_KIND[turn["kind"]].model_validate(turn["output"])
    for kind in kinds:
        example = next(t for t in turns if t["kind"] == kind)
        messages = prompt.messages(kind, family=CALLS[kind].prompt_family, **example["input"])
        assert messages[0]["role"] == "system" and messages[-1]["role"] == "user"
        # alternating turns, so chat templates accept them
        roles = [m["role"] for m in messages[1:]]
        assert roles == ["user", "assistant"] * (len(roles) // 2) + ["user"]


def test_conversation_prompts_share_their_prefix() -> None:
    """Each fill call extends the listing call: llama.cpp reuses the whole prefix."""
    prompt = load_prompt("incidents-v2")
    listing = {"published": None, "headline": None, "sentences": [(0, "Gunmen attacked a post.")]}
    first = prompt.messages("mentions", family="passage", **listing)
    history = [first[-1], {"role": "assistant", "content": '{"events": []}'}]
    second = prompt.messages(
        "fill", family="passage", history=history, event="attack on post", number=0
    )
    assert second[: len(first)] == first


def test_at_least_two_prompt_versions() -> None:
    assert len(available_prompts()) >= 2


def test_the_default_prompt_runs_every_strategy() -> None:
    assert _kinds(DEFAULT_PROMPT) == set(CALL_KINDS)


def test_a_prompt_without_a_strategys_templates_is_refused_up_front() -> None:
    prompt = load_prompt("incidents-v2")
    prompt.require(("mentions", "fill"), "mentions")
    with pytest.raises(PromptError, match=r"no events\.j2 \(prompts with it: incidents-v3\)"):
        prompt.require(("events",), "events")


def test_events_examples_share_one_prefix() -> None:
    """Every events call is the same system text and examples, then one passage."""
    prompt = load_prompt(DEFAULT_PROMPT)
    a = prompt.messages("events", published=None, headline=None, sentences=[(0, "A.")])
    b = prompt.messages("events", published="2024-01-01", headline="H", sentences=[(5, "B.")])
    assert a[:-1] == b[:-1] and a[-1] != b[-1]


def test_examples_are_not_taken_from_the_seeds() -> None:
    seeds = " ".join(p.read_text(encoding="utf-8") for p in SEED_DIR.glob("*.txt"))
    for name in available_prompts():
        for turn in _example_turns(name):
            lines = [s for _, s in turn["input"].get("sentences", [])]
            lines += [turn["input"].get("text") or "", turn["input"].get("headline") or ""]
            for line in filter(None, lines):
                for sentence in line.split("\n"):
                    assert not sentence.strip() or sentence not in seeds


def test_hash_changes_when_any_file_changes(tmp_path: Path) -> None:
    copy = tmp_path / "mine"
    shutil.copytree(load_prompt("incidents-v2").folder, copy)
    before = load_prompt(str(copy)).hash
    (copy / "fill.j2").write_text((copy / "fill.j2").read_text() + "\nBe careful.")
    assert load_prompt(str(copy)).hash != before


def test_document_text_is_data_not_template_code() -> None:
    prompt = load_prompt("incidents-v2")
    text = "{{ 7 * 7 }} {% for x in range(3) %}loop{% endfor %}"
    rendered = prompt.messages("single", published=None, text=text)[-1]["content"]
    assert text in rendered and "49" not in rendered


def test_templates_render_in_a_sandbox(tmp_path: Path) -> None:
    copy = tmp_path / "evil"
    shutil.copytree(load_prompt("incidents-v2").folder, copy)
    (copy / "single.j2").write_text("{{ text.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(SecurityError):
        load_prompt(str(copy)).messages("single", published=None, text="x")


def test_unknown_prompt_names_the_known_ones() -> None:
    with pytest.raises(Exception, match="incidents-v1"):
        load_prompt("no-such-prompt")
