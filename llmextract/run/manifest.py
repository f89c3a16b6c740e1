"""The run manifest's types: what ``manifest.json`` in a run folder holds.

Written by ``RunStore`` and read by ``load_run`` (both in ``run.folder``).  Every field is
optional and unknown keys are kept, so folders written by older versions, or gold folders
with no manifest, still load; a field that is present has the type given here.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class DocumentEntry(BaseModel):
    """One document's outcome in a run: done or failed, and what it cost."""

    model_config = ConfigDict(extra="allow")

    status: str
    path: str | None = None
    error: str | None = None
    seconds: float = 0.0
    model_seconds: float = 0.0
    input_tokens: int = 0
    output_tokens: int = 0
    model_calls: int = 0
    cached_calls: int = 0
    retries: int = 0
    split_passages: int = 0
    incidents: int = 0
    warnings: list[str] = []
    recovered: bool | None = None


class PromptRef(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str | None = None
    hash: str | None = None
    path: str | None = None


class RunManifest(BaseModel):
    """Which model, prompt, strategy and decoding made a run, and each document's outcome."""

    model_config = ConfigDict(extra="allow", protected_namespaces=())

    tool: str | None = None
    tool_version: str | None = None
    model: str | None = None
    model_sha256: str | None = None
    prompt: PromptRef | str | None = None
    strategy: str | None = None
    schema_version: str | int | None = None
    decoding: dict[str, Any] | None = None
    max_tokens: dict[str, int] | None = None
    config_key: str | None = None
    command: list[str] | None = None
    status: str | None = None
    documents: dict[str, DocumentEntry] = {}
    totals: dict[str, Any] | None = None
    created: str | None = None
    updated: str | None = None
    resumed: int | None = None
    wall_seconds: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON form: fields never set are left out, as older manifests had them."""
        return self.model_dump(mode="json", exclude_unset=True)
