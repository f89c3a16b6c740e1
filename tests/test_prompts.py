"""Prompt folders: examples validate against the drafts, hashing, sandboxed rendering."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from jinja2.exceptions import SecurityError

from llmextract.drafts import IncidentDraft, IncidentList, MentionList
from llmextract.prompts import CALL_KINDS, available_prompts, load_prompt

DRAFT_FOR_KIND = {"mentions": MentionList, "fill": IncidentDraft, "single": IncidentList}
SEED_DIR = Path(__file__).resolve().parent.parent / "seeds"


@pytest.mark.parametrize("name", available_prompts())
def test_every_prompt_renders_and_its_examples_validate(name: str) -> None:
    prompt = load_prompt(name)
    for kind in CALL_KINDS:
        examples = prompt.examples.get(kind, [])
        assert examples, f"{name} has no {kind} example"
        for example in examples:
            DRAFT_FOR_KIND[kind].model_validate(example["output"])
        messages = prompt.messages(kind, **examples[0]["input"])
        assert messages[0]["role"] == "system" and messages[-1]["role"] == "user"


def test_at_least_two_prompt_versions() -> None:
    assert len(available_prompts()) >= 2


def test_examples_are_not_taken_from_the_seeds() -> None:
    seeds = " ".join(p.read_text(encoding="utf-8") for p in SEED_DIR.glob("*.txt"))
    for name in available_prompts():
        for kind, examples in load_prompt(name).examples.items():
            if kind.startswith("_"):
                continue
            for example in examples:
                for line in example["input"].get("context", []) + [
                    s for _, s in example["input"].get("sentences", [])
                ]:
                    assert line not in seeds


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
