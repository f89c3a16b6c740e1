"""The ``local-batched`` provider: the local model behind llama.cpp's server with parallel slots.

In process, llama.cpp decodes one sequence at a time; on a CPU a decoding step costs about
the same for several sequences as for one, so documents decoded together finish sooner.
Specs: ``local-batched`` (the default model), ``local-batched:KEY`` or
``local-batched:/path/model.gguf``, each optionally followed by ``?slots=N`` (default
``DEFAULT_SLOTS``).  The tool starts ``llama-server`` (``server_build``) on a free
127.0.0.1 port on the first call that misses the response cache, with N slots of the
model's context each and continuous batching, and stops it when the model is closed, at
exit, or, through ``PR_SET_PDEATHSIG``, when this process dies however it dies.  Calls go
through the OpenAI-compatible client with the grammar llama-cpp-python builds in process
and the same trimmed system prompt, so answers match the ``local`` path's.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import functools
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from llmextract.providers.chat import ChatModel
from llmextract.providers.llamacpp import LlamaCppProvider, without_schema_dump
from llmextract.providers.llamacpp import _threads as llama_threads
from llmextract.providers.openai_compat import OpenAIChatModel
from llmextract.providers.registry import register_provider
from llmextract.providers.server_build import llama_cpp_version, server_binary
from llmextract.providers.types import Decoding, ModelError, ModelSpec
from llmextract.providers.weights import resolve_local_path, sha256_file

HOST = "127.0.0.1"
DEFAULT_SLOTS = 4
MAX_SLOTS = 64
START_SECONDS = 300.0  # loading a GB of weights on a busy CPU
# A call waits behind the other slots' work, and on a shared CPU a first call (four slots
# reading their prompts at once) took over 15 minutes; a client timeout would only resend
# it.  An hour, as llama-server's own read timeout.
MIN_CALL_TIMEOUT = 3600.0
_PR_SET_PDEATHSIG = 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _die_with_parent_hook() -> Any:
    """A ``preexec_fn`` asking Linux to SIGKILL the server when its parent thread dies
    (a SIGKILLed run leaves no server behind); None where prctl does not exist.  SIGKILL,
    not SIGTERM: llama-server answers SIGTERM by finishing the requests in its slots
    (minutes with the 1.5B) and holds nothing worth a clean exit."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def hook() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the hook ran
            os._exit(1)

    return hook


class LlamaServer:
    """One ``llama-server`` process on 127.0.0.1 with ``slots`` parallel sequences.

    The process is spawned from a keeper thread that waits on it for its whole life: the
    death signal fires when the spawning thread ends, and a worker thread of the engine
    may end while the server is still wanted.
    """

    def __init__(
        self,
        binary: Path,
        model_path: Path,
        *,
        slots: int,
        n_ctx: int,
        seed: int,
        alias: str,
    ) -> None:
        self.binary = binary
        self.model_path = model_path
        self.slots = slots
        self.n_ctx = n_ctx
        self.seed = seed
        self.alias = alias
        self.port: int | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._log: Any = None  # the server's output: an unlinked temporary file, read back

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def command(self, port: int) -> list[str]:
        threads = str(llama_threads())  # $LLMEXTRACT_THREADS or every core, as in process
        return [
            str(self.binary),
            "--model", str(self.model_path),
            "--alias", self.alias,
            "--host", HOST,
            "--port", str(port),
            "--parallel", str(self.slots),
            "--ctx-size", str(self.slots * self.n_ctx),  # n_ctx per slot, as in process
            "--cont-batching",
            "--threads", threads,
            "--threads-batch", threads,
            "--batch-size", "512",  # the in-process settings
            "--ubatch-size", "512",
            "--flash-attn", "on",
            "--seed", str(self.seed),
            "--cache-ram", "1024",  # idle slots' prompts kept for prefix reuse, bounded
            "--reasoning-format", "none",
            "--log-verbosity", "1",  # errors only: a long run's log stays small
            "--no-webui",
            "--no-warmup",
            "--offline",
        ]  # fmt: skip

    def start(self, timeout: float = START_SECONDS) -> str:
        """Spawn the server and wait until ``/health`` answers 200; returns its /v1 URL."""
        for attempt in range(3):  # a port taken between the probe and the bind: try another
            port = _free_port()
            # Nameless: nothing is left in /tmp, even when the tool is killed.
            self._log = tempfile.TemporaryFile(prefix="llmextract-llama-server-")  # noqa: SIM115
            self.process = self._spawn(self.command(port), self._log)
            self.port = port
            _LIVE.add(self)
            try:
                self._wait_healthy(timeout)
            except _PortTaken as exc:
                self.stop()
                if attempt == 2:
                    raise ModelError("llama-server could not bind a free port") from exc
                continue
            return f"{self.url}/v1"
        raise AssertionError("unreachable")

    def _spawn(self, command: list[str], log: Any) -> subprocess.Popen[bytes]:
        box: dict[str, Any] = {}
        spawned = threading.Event()

        def keeper() -> None:
            try:
                box["process"] = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    preexec_fn=_die_with_parent_hook(),
                    # Its own session: a terminal's Ctrl-C is the tool's to handle.  On a
                    # first SIGINT llama-server stops working but keeps the open requests
                    # hanging; instead the tool abandons the calls under way (redone on
                    # resume) and kills the server at exit.
                    start_new_session=True,
                )
            except OSError as exc:
                box["error"] = exc
            finally:
                spawned.set()
            if "process" in box:
                box["process"].wait()

        threading.Thread(target=keeper, name="llama-server-keeper", daemon=True).start()
        spawned.wait()
        if "error" in box:
            raise ModelError(f"cannot start {command[0]}: {box['error']}")
        return box["process"]

    def _wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                tail = self.log_tail()
                if "bind" in tail.lower() and "port" in tail.lower():
                    raise _PortTaken
                raise ModelError(
                    f"llama-server exited with code {self.process.returncode} while starting:\n"
                    f"{tail}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass  # not listening yet, or 503 while the model loads
            time.sleep(0.2)
        self.stop()
        raise ModelError(f"llama-server did not become healthy in {timeout:.0f} s")

    def log_tail(self, lines: int = 15) -> str:
        if self._log is None:
            return ""
        self._log.seek(0)
        text = self._log.read().decode("utf-8", errors="replace")
        return "".join(text.splitlines(True)[-lines:])

    def stop(self) -> None:
        """Kill the server; idempotent.  SIGKILL at once: on SIGTERM it would first finish
        the requests in its slots (minutes with the 1.5B), and it holds nothing to save."""
        process, self.process = self.process, None
        _LIVE.discard(self)
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        if self._log is not None:
            self._log.close()
            self._log = None


class _PortTaken(Exception):
    pass


_LIVE: set[LlamaServer] = set()


@atexit.register
def _stop_all() -> None:
    """No server outlives the tool: a run that returns, fails or is interrupted stops it."""
    for server in list(_LIVE):
        with contextlib.suppress(Exception):
            server.stop()


@functools.lru_cache(maxsize=16)
def _grammar(schema_json: str) -> str | None:
    """The GBNF llama-cpp-python builds from a JSON Schema in process (same text, so the
    same constrained answers); None without llama-cpp-python (the server then converts)."""
    try:
        from llama_cpp.llama_grammar import json_schema_to_gbnf
    except ImportError:
        return None
    return json_schema_to_gbnf(schema_json)


class BatchedLocalChatModel(OpenAIChatModel):
    """The local model served by ``llama-server`` with ``slots`` parallel sequences.

    Concurrent: the engine sends several documents at once, and the server decodes their
    calls in one batch.  Started lazily, like the in-process model's weights.
    """

    concurrent = True

    def __init__(self, spec: ModelSpec, decoding: Decoding, *, slots: int) -> None:
        self.spec = spec
        self.decoding = decoding
        self.slots = slots
        self.parallel = slots
        self.n_ctx = spec.registered.n_ctx if spec.registered else 8192
        self.sha256 = spec.registered.sha256 if spec.registered else None
        self._format_style = "json_schema"
        self._client_args: dict[str, Any] = {}  # set when the server is up
        self._server: LlamaServer | None = None
        self._closed = False
        self._lock = threading.Lock()

    def identity(self) -> dict[str, Any]:
        """Apart from the in-process model's: batched answers can differ in the last float."""
        if self.sha256 is None and self.spec.path is not None:
            self.sha256 = sha256_file(self.spec.path)
        return {
            "spec": self.spec.text,
            "sha256": self.sha256,
            "n_ctx": self.n_ctx,
            "backend": "llama-server",
            "llama_cpp_python": llama_cpp_version(),
            "slots": self.slots,
        }

    @property
    def server(self) -> LlamaServer | None:
        return self._server

    def ensure_started(self) -> LlamaServer:
        with self._lock:
            if self._closed:
                raise ModelError("the local-batched model is closed")
            process = self._server.process if self._server else None
            if process is not None and process.poll() is not None:
                # Not restarted: after a Ctrl-C (or a crash) the remaining calls fail at
                # once, not one by one after retries; a new run resumes.
                raise ModelError(
                    f"llama-server (pid {process.pid}) exited with code {process.returncode}"
                )
            if self._server is None:
                path, sha = resolve_local_path(self.spec)
                self.sha256 = sha or self.sha256
                server = LlamaServer(
                    server_binary(),
                    path,
                    slots=self.slots,
                    n_ctx=self.n_ctx,
                    seed=self.decoding.seed,
                    alias=self.spec.name,
                )
                started = time.perf_counter()
                base_url = server.start()
                print(
                    f"llmextract: llama-server pid {server.pid} on {server.url}, {self.slots} "
                    f"slots x {self.n_ctx} tokens (ready in {time.perf_counter() - started:.1f} s)",
                    file=sys.stderr,
                    flush=True,
                )
                self._client_args = {
                    "api_key": "not-needed",
                    "base_url": base_url,
                    "timeout": max(self.decoding.timeout_s, MIN_CALL_TIMEOUT),
                    "max_retries": 0,
                }
                self._server = server
            return self._server

    def _request(self, kwargs: dict[str, Any], style: str = "json_schema") -> dict[str, Any]:
        """The grammar goes in llama-server's own field, whatever form ``style`` names."""
        request = dict(kwargs)
        request["model"] = self.spec.name
        response_format = request.pop("response_format", None)
        if response_format and response_format.get("type") == "json_schema":
            schema = response_format["json_schema"]["schema"]
            request["messages"] = without_schema_dump(request["messages"])
            grammar = _grammar(json.dumps(schema))
            if grammar is None:
                request["response_format"] = {"type": "json_object", "schema": schema}
            else:
                request["grammar"] = grammar  # llama-server's own field
        elif response_format:
            request["response_format"] = response_format
        return request

    def _create(self, **kwargs: Any) -> Any:
        self.ensure_started()
        return super()._create(**kwargs)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            client = self.__dict__.pop("_client", None)  # the parent's lazily built client
            if client is not None:
                with contextlib.suppress(Exception):
                    client.close()
            if self._server is not None:
                self._server.stop()
                self._server = None


class BatchedLocalProvider:
    """Parses ``local-batched[:KEY|:PATH][?slots=N]``; loads a ``BatchedLocalChatModel``."""

    name = "local-batched"
    usage = "local-batched[:KEY|:/path/model.gguf][?slots=N]"

    def parse(self, text: str, rest: str) -> ModelSpec:
        model, _, query = rest.partition("?")
        slots = _slots(text, query)
        base = LlamaCppProvider().parse(f"local:{model}" if model else "local", model)
        return ModelSpec(
            text, self.name, base.name, path=base.path, registered=base.registered, slots=slots
        )

    def load(self, spec: ModelSpec, decoding: Decoding) -> ChatModel:
        return BatchedLocalChatModel(spec, decoding, slots=spec.slots or DEFAULT_SLOTS)


def _slots(text: str, query: str) -> int:
    options = parse_qs(query, strict_parsing=False) if query else {}
    unknown = set(options) - {"slots"}
    value = options.get("slots", [str(DEFAULT_SLOTS)])[-1]
    if unknown or not value.isdigit() or not 1 <= int(value) <= MAX_SLOTS:
        raise ModelError(
            f"bad spec {text!r}: use local-batched[:KEY][?slots=N] with 1 <= N <= {MAX_SLOTS}"
        )
    return int(value)


register_provider(BatchedLocalProvider())
