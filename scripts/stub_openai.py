"""An OpenAI-compatible server on 127.0.0.1 that answers every chat request at once.

For benchmarks of the tool's own cost (run store, scheduling, normalisation): it is not a
model, so figures measured against it say nothing about extraction quality or model speed.
Every answer tags the first numbered sentence as one attack on soldiers, which is valid for
the ``events`` strategy's schema and gives each document one incident to normalise.

    python scripts/stub_openai.py --port 8099     # then --model openai-compatible:stub@http://127.0.0.1:8099/v1
"""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import time
from typing import Any

from aiohttp import web

CALLS = web.AppKey("calls", list[int])
ANSWER = {"events": [{"sentence": 1, "type": "armed_assault", "target": "soldiers"}]}


def _completion(body: dict[str, Any]) -> dict[str, Any]:
    content = json.dumps(ANSWER)
    return {
        "id": "stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "stub"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 12, "total_tokens": 112},
    }


async def _chat(request: web.Request) -> web.Response:
    body = await request.json()
    request.app[CALLS][0] += 1
    return web.json_response(_completion(body))


async def _models(_: web.Request) -> web.Response:
    return web.json_response({"object": "list", "data": [{"id": "stub", "object": "model"}]})


def make_app() -> web.Application:
    app = web.Application(client_max_size=32 * 1024 * 1024)
    app[CALLS] = [0]  # a list: the app's own keys are frozen once it serves
    app.router.add_post("/v1/chat/completions", _chat)
    app.router.add_get("/v1/models", _models)
    return app


class StubServer:
    """The stub in a daemon thread of this process (for scripts that drive a run)."""

    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.app = make_app()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        runner = web.AppRunner(self.app, access_log=None)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", self.port)
        loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._ready.set()
        loop.run_forever()

    def start(self) -> StubServer:
        self._thread.start()
        self._ready.wait(10)
        return self

    @property
    def calls(self) -> int:
        return int(self.app[CALLS][0])

    def spec(self, name: str = "stub") -> str:
        return f"openai-compatible:{name}@http://127.0.0.1:{self.port}/v1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8099)
    args = parser.parse_args()
    web.run_app(make_app(), host="127.0.0.1", port=args.port, access_log=None)


if __name__ == "__main__":
    main()
