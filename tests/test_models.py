"""Model specs, weight assembly and the retry policy (no model is run here)."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import httpx
import openai
import pytest
from tenacity import RetryCallState

from llmextract.errors import redact_secrets
from llmextract.providers import ModelError, parse_model_spec
from llmextract.providers.retry import backoff_wait, is_transient, retry_after_seconds
from llmextract.providers.weights import LOCAL_MODELS, LocalModel, assemble_local_model


@pytest.mark.parametrize(
    ("text", "backend", "name", "registered"),
    [
        ("local", "local", "local", "qwen2.5-coder-1.5b"),
        ("local:qwen2.5-coder-0.5b", "local", "qwen2.5-coder-0.5b", "qwen2.5-coder-0.5b"),
        ("local:gemma3-270m", "local", "gemma3-270m", "gemma3-270m"),
        ("local:/models/x.gguf", "local", "x.gguf", None),
        ("openai-compatible:qwen@http://127.0.0.1:8000/v1", "openai-compatible", "qwen", None),
    ],
)
def test_specs_parse(text: str, backend: str, name: str, registered: str | None) -> None:
    spec = parse_model_spec(text)
    assert (spec.backend, spec.name) == (backend, name)
    assert (spec.registered.key if spec.registered else None) == registered


def test_openai_spec_honours_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    assert parse_model_spec("openai:gpt-4o-mini").base_url == "http://127.0.0.1:9/v1"


@pytest.mark.parametrize(
    "text", ["llama", "local:nope", "openai:", "openai-compatible:x", "openai-compatible:x@ftp://h"]
)
def test_bad_specs_say_what_is_accepted(text: str) -> None:
    with pytest.raises(ModelError, match="use "):
        parse_model_spec(text)


def test_openai_without_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from llmextract.providers import load_model

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ModelError, match="OPENAI_API_KEY"):
        load_model("openai:gpt-4o-mini")


def _fake_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parts: list[bytes]) -> list[str]:
    """Chunk packages made on disk for the test: importable modules with data/partNN.bin."""
    names = []
    for index, payload in enumerate(parts, start=1):
        name = f"chunkpkg_{tmp_path.name.replace('-', '_')}_{index}"
        package = tmp_path / "site" / name
        (package / "data").mkdir(parents=True)
        (package / "__init__.py").write_text("")
        (package / "data" / f"part{index:02d}.bin").write_bytes(payload)
        names.append(name)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    return names


def test_assembly_concatenates_verifies_and_reuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LLMEXTRACT_CACHE", str(tmp_path / "cache"))
    parts = [b"GGUF" + b"a" * 1000, b"b" * 777, b"c" * 5]
    model = LocalModel(
        key="toy", description="", filename="toy.gguf",
        chunk_modules=tuple(_fake_chunks(tmp_path, monkeypatch, parts)),
        size=sum(map(len, parts)), sha256=hashlib.sha256(b"".join(parts)).hexdigest(),
        extra="small", requirements=(),
    )  # fmt: skip
    path = assemble_local_model(model)
    assert path.read_bytes() == b"".join(parts)
    assert path.parent == tmp_path / "cache" / "models"
    stamp = path.stat().st_mtime_ns
    assert assemble_local_model(model) == path and path.stat().st_mtime_ns == stamp
    path.write_bytes(b"damaged")  # a damaged file is rebuilt, not trusted
    assert assemble_local_model(model).read_bytes() == b"".join(parts)
    assert not list(path.parent.glob("*.partial"))


def test_assembly_refuses_a_wrong_sha256(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMEXTRACT_CACHE", str(tmp_path / "cache"))
    model = LocalModel(
        key="toy", description="", filename="bad.gguf",
        chunk_modules=tuple(_fake_chunks(tmp_path, monkeypatch, [b"x" * 10])),
        size=10, sha256="0" * 64, extra="small", requirements=(),
    )  # fmt: skip
    with pytest.raises(ModelError, match="sha256"):
        assemble_local_model(model)
    models_dir = tmp_path / "cache" / "models"
    assert not (models_dir / "bad.gguf").exists()
    assert not list(models_dir.glob("*.partial"))


def test_missing_chunk_packages_say_how_to_install() -> None:
    model = LocalModel(
        key="ghost", description="", filename="g.gguf", chunk_modules=("no_such_chunk_pkg",),
        size=1, sha256="0" * 64, extra="local", requirements=(),
    )  # fmt: skip
    with pytest.raises(ModelError, match=r'pip install -e "\.\[local\]"'):
        model.chunk_paths()


def test_registered_models_pin_their_sha256() -> None:
    assert LOCAL_MODELS["qwen2.5-coder-1.5b"].size == 1_117_320_768
    assert len(LOCAL_MODELS["qwen2.5-coder-1.5b"].chunk_modules) == 22
    assert len(LOCAL_MODELS["qwen2.5-coder-0.5b"].chunk_modules) == 6
    assert all(len(m.sha256) == 64 for m in LOCAL_MODELS.values())


def _status_error(status: int, headers: dict[str, str] | None = None) -> openai.APIStatusError:
    request = httpx.Request("POST", "http://127.0.0.1/v1/chat/completions")
    response = httpx.Response(status, headers=headers or {}, request=request)
    return openai.APIStatusError("boom", response=response, body=None)


def test_transient_faults_are_retried_and_others_are_not() -> None:
    request = httpx.Request("POST", "http://127.0.0.1/v1")
    assert is_transient(openai.APIConnectionError(request=request))
    assert is_transient(openai.APITimeoutError(request=request))
    assert is_transient(_status_error(500)) and is_transient(_status_error(503))
    assert is_transient(_status_error(429))
    assert not is_transient(_status_error(400)) and not is_transient(_status_error(401))
    assert not is_transient(ValueError("x"))


def test_backoff_honours_retry_after() -> None:
    wait = backoff_wait(initial=0.1, maximum=1.0)
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    state.attempt_number = 1
    state.set_exception((openai.APIStatusError, _status_error(429, {"retry-after": "7"}), None))
    assert wait(state) >= 7
    assert retry_after_seconds(_status_error(429, {"retry-after-ms": "1500"})) == 1.5
    date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    assert 25 <= (retry_after_seconds(_status_error(503, {"retry-after": date})) or 0) <= 31
    plain = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    plain.attempt_number = 3
    plain.set_exception((openai.APIStatusError, _status_error(500), None))
    assert 0 < wait(plain) <= 1.0


def test_secrets_are_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-live-0123456789abcdef")
    text = redact_secrets(
        "Incorrect API key provided: sk-live-0123456789abcdef and sk-proj-ABCDEFGHIJKLMNOP"
    )
    assert "0123456789abcdef" not in text and "ABCDEFGHIJKLMNOP" not in text
