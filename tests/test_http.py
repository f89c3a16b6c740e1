"""The HTTP path against a real OpenAI-compatible server: llama-cpp-python's own, on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import instructor
import pytest
from conftest import write_doc
from fault_proxy import FaultProxy
from pydantic import BaseModel, field_validator
from tenacity import Retrying, stop_after_attempt
from typer.testing import CliRunner

from llmextract.cli import app
from llmextract.drafts import MentionList
from llmextract.providers import Decoding, load_model
from llmextract.schema import Extraction

pytestmark = [pytest.mark.server, pytest.mark.model]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(qwen05_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python -m llama_cpp.server` with the 0.5B model; yields its /v1 base URL."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    log = log_path.open("wb")  # a file, not a pipe: the server logs ~175 KB while loading
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(qwen05_path),
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "8192", "--model_alias", "qwen"],
        stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"server exited: {log_path.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        else:
            pytest.fail("server did not start within 120 s")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_structured_call_over_http_switches_to_the_servers_schema_form(server: str) -> None:
    """llama-cpp-python's server rejects ``json_schema`` (a 500 naming response_format):
    the client asks again in its ``json_object``-with-schema form, and keeps that form."""
    port = int(server.rsplit(":", 1)[1].split("/")[0])
    messages = [
        {
            "role": "user",
            "content": "[3] Gunmen attacked a police post in Koro. List the violent events.",
        }
    ]
    with FaultProxy(port) as proxy:
        model = load_model(proxy.spec("qwen"), Decoding())
        completion = model.complete(messages, MentionList, max_tokens=120)
        model.complete(messages, MentionList, max_tokens=120)
        asked = [(e.json()["response_format"], e.upstream_status) for e in proxy.chat()]
    assert isinstance(completion.value, MentionList)
    assert completion.usage.input_tokens > 0 and completion.usage.output_tokens > 0
    assert [form["type"] for form, _ in asked] == ["json_schema", "json_object", "json_object"]
    assert [status for _, status in asked] == [500, 200, 200]
    # Decoding stays constrained: the fallback form still carries the schema.
    assert asked[1][0]["schema"] == MentionList.model_json_schema()


def test_extract_over_http_with_concurrency(
    server: str, response_cache: Path, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    texts = {
        "a": "Gunmen attacked an army post in the town of Koro on March 3, killing four soldiers.",
        "b": "A roadside bomb hit a convoy near Bankass on Friday, wounding two soldiers.",
        "c": "The army said it repelled an assault on its base in Boni on Sunday.",
    }
    for doc_id, text in texts.items():
        write_doc(docs, doc_id, text, published="2021-03-08")
    run = tmp_path / "run"
    result = CliRunner().invoke(
        app,
        ["extract", str(docs), "--model", f"openai-compatible:qwen@{server}", "--out", str(run),
         "--concurrency", "3"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["model"] == f"openai-compatible:qwen@{server}"
    assert manifest["model_sha256"] is None  # a served model's weights are not ours to hash
    assert manifest["totals"]["succeeded"] == 3
    for doc_id in texts:
        Extraction.model_validate_json((run / f"{doc_id}.json").read_text())
        assert manifest["documents"][doc_id]["model_calls"] >= 1


class City(BaseModel):
    """Invalid on its first validation, whatever the answer: an invalid-then-valid model."""

    city: str

    @field_validator("city")
    @classmethod
    def second_answer_only(cls, value: str) -> str:
        City.seen += 1
        if City.seen == 1:
            raise ValueError("write the city name in capital letters")
        return value

    seen: ClassVar[int] = 0


CITY_QUESTION = [{"role": "user", "content": 'Capital of France? Answer as JSON {"city": ...}.'}]


def test_instructors_own_reask_would_not_feed_the_error_back(server: str) -> None:
    """Why ``ChatModel.complete`` re-asks itself: instructor 1.11's loop, given retries,
    catches the failure but asks the same question again (instructor#1736; fixed in 1.12,
    whose re-ask embeds the failed completion's repr, random id and timestamp included, so
    re-asked prompts differ between runs).  If this fails, instructor was upgraded: see
    whether its re-asks can replace ours."""
    model = load_model(f"openai-compatible:qwen@{server}", Decoding())
    sent: list[str] = []

    def create(**kwargs: Any) -> Any:
        sent.append(json.dumps(kwargs["messages"]))  # a copy: instructor edits the list
        return model._create(**kwargs)

    City.seen = 0
    patched = instructor.patch(create=create, mode=instructor.Mode.JSON_SCHEMA)
    patched(
        messages=list(CITY_QUESTION), response_model=City, max_tokens=40,
        max_retries=Retrying(stop=stop_after_attempt(3), reraise=True),
    )  # fmt: skip
    assert len(sent) == 2 and sent[0] == sent[1]  # asked again, the error never shown
    assert "capital letters" not in sent[1]


def test_an_invalid_answer_is_asked_again_with_its_error(server: str) -> None:
    model = load_model(f"openai-compatible:qwen@{server}", Decoding(max_retries=2))
    sent: list[list[dict[str, str]]] = []
    create = model._create

    def spy(**kwargs: Any) -> Any:
        sent.append([dict(m) for m in kwargs["messages"]])
        return create(**kwargs)

    model._create = spy  # type: ignore[method-assign]
    City.seen = 0
    completion = model.complete(list(CITY_QUESTION), City, max_tokens=40)
    assert completion.usage.calls == 2 and completion.usage.retries == 1
    first, second = sent
    assert second[: len(first)] == first
    assert second[-2]["role"] == "assistant" and "city" in second[-2]["content"]
    assert second[-1]["role"] == "user" and "capital letters" in second[-1]["content"]
