"""Prompts: versioned folders of jinja2 templates plus few-shot examples.

A prompt is a folder holding ``system.j2``, one user template per call kind (``<kind>.j2``;
the strategies in ``llmextract.strategies`` say which kinds they call) and
``examples.json``.  Examples are grouped by *family* (the system prompt's kind): an example
is one turn of that family's kind, or a list of turns, a whole conversation (the
``mentions`` strategy lists events, then codes each).  Its hash covers every file, so
editing any of them changes cache keys and the manifest.  Templates are rendered in
jinja2's sandbox: article text is data, never template code.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmextract.errors import LlmextractError

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

DEFAULT_PROMPT = "incidents-v3"


class PromptError(LlmextractError):
    """A prompt that is missing or malformed."""


def prompts_root() -> Path:
    """``$LLMEXTRACT_PROMPTS``, else the prompts shipped inside this package.

    They are package data, so an installed (non-editable) llmextract finds them from any
    folder; a user's own prompt is a folder passed by path (``--prompt PATH``).
    """
    env = os.environ.get("LLMEXTRACT_PROMPTS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent


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
        from jinja2 import StrictUndefined
        from jinja2.sandbox import SandboxedEnvironment

        env = SandboxedEnvironment(
            undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False
        )
        env.filters["tojson_compact"] = lambda value: json.dumps(value, ensure_ascii=False)
        return env

    @cached_property
    def _compiled(self) -> dict[str, Any]:
        return {}

    def render(self, template: str, **variables: Any) -> str:
        # Compiled once per template: compiling took ~10 ms a render, most of a call's
        # own cost against a fast server.
        compiled = self._compiled.get(template)
        if compiled is None:
            source = self.files.get(template)
            if source is None:
                raise PromptError(f"prompt {self.name!r} has no {template}")
            compiled = self._compiled.setdefault(template, self._env.from_string(source))
        return compiled.render(**variables).strip()

    def few_shot(self, family: str) -> list[dict[str, str]]:
        """Example turns: one turn of the family's kind, or a whole conversation (a list)."""
        cached = self._few_shot.get(family)
        if cached is None:
            cached = self._few_shot.setdefault(family, self._render_few_shot(family))
        return [dict(turn) for turn in cached]

    @cached_property
    def _few_shot(self) -> dict[str, list[dict[str, str]]]:
        return {}

    def user_turn(self, kind: str, **variables: Any) -> dict[str, str]:
        return {"role": "user", "content": self.render(f"{kind}.j2", **variables)}

    def _render_few_shot(self, family: str) -> list[dict[str, str]]:
        turns: list[dict[str, str]] = []
        for example in self.examples.get(family, []):
            conversation = [{"kind": family, **example}] if isinstance(example, dict) else example
            for turn in conversation:
                answer = json.dumps(turn["output"], ensure_ascii=False)
                turns += [
                    self.user_turn(turn["kind"], **turn["input"]),
                    {"role": "assistant", "content": answer},
                ]
        return turns

    def messages(
        self,
        kind: str,
        *,
        family: str | None = None,
        history: list[dict[str, str]] | None = None,
        **variables: Any,
    ) -> list[dict[str, str]]:
        """System message, few-shot turns, the conversation so far, then the new user turn.

        ``family`` (default: the kind itself) picks the system prompt's kind and examples;
        a strategy whose calls are turns of one conversation gives them one family.  Fixed
        parts come first and conversations only grow, so llama.cpp re-reads only the new
        turn: its KV cache keeps the longest common prefix of consecutive prompts.
        """
        family = family or kind
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
    """A prompt by name (shipped, or under ``$LLMEXTRACT_PROMPTS``) or by path to a folder."""
    name_or_path = name_or_path or DEFAULT_PROMPT
    folder = Path(name_or_path).expanduser()
    if folder.is_dir() and not (folder / "system.j2").exists():
        raise PromptError(f"{folder}: not a prompt folder (it has no system.j2)")
    if not (folder / "system.j2").exists():
        folder = prompts_root() / name_or_path
    if not (folder / "system.j2").exists():
        known = ", ".join(available_prompts()) or "none"
        raise PromptError(f"no prompt {name_or_path!r} (known: {known}; or give a folder path)")
    return Prompt(name=folder.name, folder=folder)
