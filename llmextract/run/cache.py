"""The response cache: model answers keyed by everything that determines them."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from llmextract.providers.types import Usage
from llmextract.providers.weights import cache_root
from llmextract.run.atomic import stable_hash, write_json_atomic


class ResponseCache:
    """Model responses keyed by everything that determines them.

    The key covers the model identity (spec and weights sha256), the decoding parameters,
    the full messages (so the prompt's content and the document's text), the response
    schema and the token limit.  A changed prompt or model misses; the same inputs hit and
    make no model call.
    """

    def __init__(self, folder: Path | None = None, *, read: bool = True) -> None:
        env = os.environ.get("LLMEXTRACT_RESPONSE_CACHE")
        self.folder = folder or (Path(env) if env else cache_root() / "responses")
        self.read = read

    def key(self, **parts: Any) -> str:
        return stable_hash(parts)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str, response_model: type[BaseModel]) -> tuple[BaseModel, Usage] | None:
        if not self.read:
            return None
        path = self._path(key)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            value = response_model.model_validate(record["value"])
        except (OSError, ValueError, KeyError, ValidationError):
            return None
        known = set(Usage.__dataclass_fields__)
        usage = Usage(**{k: v for k, v in record.get("usage", {}).items() if k in known})
        return value, usage

    def put(self, key: str, value: BaseModel, usage: Usage) -> None:
        record = {"value": value.model_dump(mode="json"), "usage": usage.__dict__}
        write_json_atomic(self._path(key), record)
