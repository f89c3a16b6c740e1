"""Prompts: versioned folders of jinja2 templates plus few-shot examples.

A prompt is a folder ``prompts/<name>/`` holding ``system.j2`` and one user template per
call kind (``single.j2``, ``mentions.j2``, ``fill.j2``) and ``examples.json``.  The
``mentions`` and ``fill`` kinds are turns of one conversation per passage (list the events,
then code each), so their few-shot examples are whole conversations.  Its hash
covers every file, so editing any of them changes cache keys and the manifest.  Templates
are rendered in jinja2's sandbox: article text is data, never template code.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

DEFAULT_PROMPT = "incidents-v3"
CALL_KINDS = ("single", "mentions", "fill", "events")


class PromptError(Exception):
    """A prompt that is missing or malformed."""


def prompts_root() -> Path:
    """``$LLMEXTRACT_PROMPTS``, else the ``prompts/`` folder of this source tree."""
    env = os.environ.get("LLMEXTRACT_PROMPTS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "prompts"


def available_prompts() -> list[str]:
    root = prompts_root()
    return (
        sorted(p.name for p in root.iterdir() if (p / "system.j2").exists())
        if root.exists()
        else []
    )


@dataclass(frozen=True)
class Prompt:
    name: str
    folder: Path

    @cached_property
    def files(self) -> dict[str, str]:
        return {
            p.name: p.read_text(encoding="utf-8")
            for p in sorted(self.folder.iterdir())
            if p.is_file() and not p.name.startswith(".")
        }

    @cached_property
    def hash(self) -> str:
        digest = hashlib.sha256()
        for name, content in self.files.items():
            digest.update(name.encode() + b"\0" + content.encode() + b"\0")
        return digest.hexdigest()[:16]

    @cached_property
    def examples(self) -> dict[str, list[dict[str, Any]]]:
        raw = self.files.get("examples.json")
        try:
            return json.loads(raw) if raw else {}
        except json.JSONDecodeError as exc:
            raise PromptError(f"{self.folder / 'examples.json'}: not valid JSON ({exc})") from exc

    @cached_property
    def _env(self) -> SandboxedEnvironment:
        env = SandboxedEnvironment(
            undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False
        )
        env.filters["tojson_compact"] = lambda value: json.dumps(value, ensure_ascii=False)
        return env

    def render(self, template: str, **variables: Any) -> str:
        source = self.files.get(template)
        if source is None:
            raise PromptError(f"prompt {self.name!r} has no {template}")
        return self._env.from_string(source).render(**variables).strip()

    def user_turn(self, kind: str, **variables: Any) -> dict[str, str]:
        if kind not in CALL_KINDS:
            raise PromptError(f"unknown call kind {kind!r}")
        return {"role": "user", "content": self.render(f"{kind}.j2", **variables)}

    def few_shot(self, family: str) -> list[dict[str, str]]:
        """Example turns: single examples, or whole passage conversations."""
        examples = self.examples.get(family, [])
        if family != "passage":
            examples = [[{"kind": family, **example}] for example in examples]
        turns: list[dict[str, str]] = []
        for conversation in examples:
            for turn in conversation:
                answer = json.dumps(turn["output"], ensure_ascii=False)
                turns += [
                    self.user_turn(turn["kind"], **turn["input"]),
                    {"role": "assistant", "content": answer},
                ]
        return turns

    def messages(
        self, kind: str, *, history: list[dict[str, str]] | None = None, **variables: Any
    ) -> list[dict[str, str]]:
        """System message, few-shot turns, the conversation so far, then the new user turn.

        Fixed parts come first and conversations only grow, so llama.cpp re-reads only the
        new turn: its KV cache keeps the longest common prefix of consecutive prompts.
        """
        family = kind if kind in ("single", "events") else "passage"
        messages = [{"role": "system", "content": self.render("system.j2", kind=family)}]
        messages += self.few_shot(family)
        messages += list(history or [])
        messages.append(self.user_turn(kind, **variables))
        return messages

    def missing(self, kinds: tuple[str, ...]) -> list[str]:
        """The templates of these call kinds that the prompt lacks."""
        return [f"{kind}.j2" for kind in kinds if f"{kind}.j2" not in self.files]

    def require(self, kinds: tuple[str, ...], strategy: str) -> None:
        """Fail before any document is read when the prompt lacks a strategy's templates."""
        missing = self.missing(kinds)
        if missing:
            able = [n for n in available_prompts() if not load_prompt(n).missing(kinds)]
            raise PromptError(
                f"prompt {self.name!r} cannot run strategy {strategy!r}: it has no "
                f"{', '.join(missing)} (prompts with it: {', '.join(able) or 'none'})"
            )

    def manifest(self) -> dict[str, str]:
        return {"name": self.name, "hash": self.hash, "path": str(self.folder)}


def load_prompt(name_or_path: str | None = None) -> Prompt:
    """A prompt by name (a folder under ``prompts/``) or by path to a prompt folder."""
    name_or_path = name_or_path or DEFAULT_PROMPT
    folder = Path(name_or_path)
    if not (folder / "system.j2").exists():
        folder = prompts_root() / name_or_path
    if not (folder / "system.j2").exists():
        known = ", ".join(available_prompts()) or "none"
        raise PromptError(f"no prompt {name_or_path!r} (known: {known})")
    return Prompt(name=folder.name, folder=folder)
