"""A provider plugin for tests: ``scripted:NAME`` answers like a model, from rules.

Installed by tests as a distribution with an ``llmextract.providers`` entry point, the way
a third-party package would ship one.  It answers the ``events`` call by tagging each
listed sentence that tells a killing or an attack; every answer goes through the real
``ChatModel.complete`` (instructor, validation, usage), so the extraction is real.
"""

from __future__ import annotations

import json
import re
from typing import Any

from openai.types.chat import ChatCompletion

from llmextract.providers import Decoding, ModelError, ModelSpec
from llmextract.providers.chat import ChatModel

_EVENT = re.compile(r"\b(killed|attacked|ambushed|stormed)\b", re.IGNORECASE)


class ScriptedModel(ChatModel):
    concurrent = False

    def __init__(self, spec: ModelSpec, decoding: Decoding) -> None:
        self.spec = spec
        self.decoding = decoding
        self.calls = 0

    def _create(self, **kwargs: Any) -> Any:
        self.calls += 1
        question = kwargs["messages"][-1]["content"]
        events = [
            {"sentence": int(number), "type": "armed_assault"}
            for number, sentence in re.findall(r"^\[(\d+)\] (.*)$", question, re.M)
            if _EVENT.search(sentence)
        ]
        return ChatCompletion.model_validate(
            {
                "id": "scripted",
                "object": "chat.completion",
                "created": 0,
                "model": self.spec.name,
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": json.dumps({"events": events})},
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            }
        )


class ScriptedProvider:
    name = "scripted"
    usage = "scripted:NAME"

    def parse(self, text: str, rest: str) -> ModelSpec:
        if not rest:
            raise ModelError(f"bad model spec {text!r}: use scripted:NAME")
        return ModelSpec(text, "scripted", rest)

    def load(self, spec: ModelSpec, decoding: Decoding) -> ScriptedModel:
        return ScriptedModel(spec, decoding)


def install(site: Any, source: Any) -> None:
    """Install this module into the folder ``site`` as distribution ``llmx-scripted``:
    the module itself plus a ``.dist-info`` naming its entry point, as pip would."""
    from pathlib import Path

    site, source = Path(site), Path(source)
    site.mkdir(parents=True, exist_ok=True)
    (site / "scripted_provider.py").write_text(source.read_text(encoding="utf-8"))
    info = site / "llmx_scripted-0.1.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: llmx-scripted\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[llmextract.providers]\nscripted = scripted_provider:ScriptedProvider\n"
    )
    (info / "RECORD").write_text("")
