"""llama.cpp's own ``llama-server``, built once from the sources llama-cpp-python vendors.

The batched local backend (``local-batched``) needs llama.cpp's server for its parallel
slots and continuous batching; llama-cpp-python's Python server decodes one sequence at a
time.  The binary is built from the llama-cpp-python sdist of the installed version (the
same llama.cpp commit as the in-process path) and cached under
``cache_root()/bin/llama-server-<version>-<cpu>``: keyed by that version and by the CPU's
instruction-set flags, since a ``-march=native`` build faults on a CPU without them.

``$LLMEXTRACT_LLAMA_SERVER`` names an existing binary instead.  Run
``python -m llmextract.providers.server_build`` (or ``make llama-server``) to build ahead.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

from filelock import FileLock

from llmextract.providers.types import ModelError
from llmextract.providers.weights import cache_root

ENV_BINARY = "LLMEXTRACT_LLAMA_SERVER"
# The llama-cpp-python pin of the ``local`` extra: its sdist's vendored llama.cpp is built.
DEFAULT_VERSION = "0.3.36"
# The VMs this runs on advertise AMX tiles and fault on the first one (the Makefile's note).
NO_AMX = "-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"
CMAKE_OPTIONS = (
    "-DCMAKE_BUILD_TYPE=Release",
    "-DBUILD_SHARED_LIBS=OFF",  # one self-contained file in the cache
    "-DGGML_NATIVE=ON",
    f"-DCMAKE_C_FLAGS={NO_AMX}",
    f"-DCMAKE_CXX_FLAGS={NO_AMX}",
    "-DLLAMA_BUILD_TESTS=OFF",
    "-DLLAMA_BUILD_EXAMPLES=OFF",
    "-DLLAMA_BUILD_SERVER=ON",
    "-DLLAMA_OPENSSL=OFF",  # 127.0.0.1 only
    "-DLLAMA_USE_PREBUILT_UI=OFF",  # no download of the web UI at build time
    "-DLLAMA_BUILD_UI=OFF",
)

Say = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def llama_cpp_version() -> str:
    """The installed llama-cpp-python version (the pin when it is not installed)."""
    try:
        return metadata.version("llama-cpp-python")
    except metadata.PackageNotFoundError:
        return DEFAULT_VERSION


def cpu_key() -> str:
    """A short hash of the CPU's instruction-set flags (what ``-march=native`` depends on)."""
    flags = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                flags = " ".join(sorted(line.split(":", 1)[1].split()))
                break
    except OSError:
        pass
    return hashlib.sha256(f"{platform.machine()} {flags}".encode()).hexdigest()[:10]


def cached_binary(version: str | None = None) -> Path:
    return cache_root() / "bin" / f"llama-server-{version or llama_cpp_version()}-{cpu_key()}"


def server_binary(*, build: bool = True, say: Say = _stderr) -> Path:
    """The ``llama-server`` to run: ``$LLMEXTRACT_LLAMA_SERVER``, the cached build, or a
    fresh build (minutes on two cores; once per version and CPU)."""
    override = os.environ.get(ENV_BINARY)
    if override:
        path = Path(override).expanduser()
        if not os.access(path, os.X_OK):
            raise ModelError(f"${ENV_BINARY}={override} is not an executable file")
        return path
    target = cached_binary()
    if target.exists():
        return target
    if not build:
        raise ModelError(
            f"llama-server is not built yet ({target}); build it with: "
            "python -m llmextract.providers.server_build"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(target) + ".lock"):
        if not target.exists():  # another process may have built it while we waited
            build_server(target, llama_cpp_version(), say=say)
    return target


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise ModelError(f"building llama-server needs {name} on PATH (apt-get install {name})")
    return found


def _run(command: list[str], log: Path, say: Say, *, progress: bool = False) -> None:
    """Run a build step, its output into ``log``; ninja's ``[n/N]`` lines shown every 10%."""
    shown = -1
    with log.open("a", encoding="utf-8") as sink:
        sink.write(f"$ {' '.join(command)}\n")
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace"
        )
        assert process.stdout is not None
        for line in process.stdout:
            sink.write(line)
            if progress and line.startswith("[") and "/" in line.split("]")[0]:
                done, _, total = line[1:].split("]")[0].partition("/")
                if done.isdigit() and total.isdigit() and int(total):
                    tenth = 10 * int(done) // int(total)
                    if tenth > shown:
                        shown = tenth
                        say(f"  building llama-server: {done}/{total} steps")
        code = process.wait()
    if code:
        tail = "".join(log.read_text(encoding="utf-8", errors="replace").splitlines(True)[-15:])
        raise ModelError(
            f"building llama-server failed ({command[0]} exit {code}); log {log}:\n{tail}"
        )


def build_server(target: Path, version: str, *, say: Say = _stderr) -> None:
    """Download the llama-cpp-python ``version`` sdist, build its llama.cpp's ``llama-server``
    target, and move the binary to ``target`` (atomically: a crash leaves no half file)."""
    cmake = _tool("cmake")
    generator = ["-G", "Ninja"] if shutil.which("ninja") else []
    jobs = str(os.cpu_count() or 1)
    work = Path(tempfile.mkdtemp(prefix="llama-server-build-"))
    log = target.parent / f"{target.name}.build.log"
    log.write_text("", encoding="utf-8")
    say(
        f"llmextract: building llama-server from llama-cpp-python {version}'s llama.cpp "
        f"(once, a few minutes; log {log})"
    )
    try:
        say("  downloading the llama-cpp-python sdist")
        _run(
            [sys.executable, "-m", "pip", "download", "--no-binary", ":all:", "--no-deps",
             "--quiet", "--dest", str(work), f"llama-cpp-python=={version}"],
            log, say,
        )  # fmt: skip
        archive = next(work.glob("llama_cpp_python-*.tar.gz"), None)
        if archive is None:
            raise ModelError(f"pip download left no llama-cpp-python sdist in {work}")
        prefix = f"{archive.name.removesuffix('.tar.gz')}/vendor/llama.cpp/"
        with tarfile.open(archive) as sdist:
            members = [m for m in sdist.getmembers() if m.name.startswith(prefix)]
            sdist.extractall(work / "src", members=members, filter="data")
        source = work / "src" / prefix.rstrip("/")
        build = work / "build"
        say("  configuring (cmake)")
        _run([cmake, "-S", str(source), "-B", str(build), *generator, *CMAKE_OPTIONS], log, say)
        _run(
            [cmake, "--build", str(build), "--target", "llama-server", "-j", jobs],
            log, say, progress=True,
        )  # fmt: skip
        built = build / "bin" / "llama-server"
        if not built.exists():
            raise ModelError(f"the build finished without {built}; log {log}")
        partial = target.with_name(target.name + ".partial")
        shutil.copy2(built, partial)
        os.replace(partial, target)
        say(f"  llama-server ready: {target}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    """Build (or find) the binary and print its path: ``make llama-server``, CI's step."""
    try:
        print(server_binary())
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
