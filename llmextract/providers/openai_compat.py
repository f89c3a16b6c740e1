"""The ``openai`` and ``openai-compatible`` providers: OpenAI's API and servers that speak it.

``openai:MODEL`` uses ``OPENAI_API_KEY`` (and honours ``OPENAI_BASE_URL``);
``openai-compatible:MODEL@URL`` any server with the same API (Ollama, vLLM, llama.cpp's
server, LM Studio).
"""

from __future__ import annotations

import json
import os
from functools import cached_property
from typing import TYPE_CHECKING, Any

from llmextract.providers.chat import ChatModel
from llmextract.providers.registry import register_provider
from llmextract.providers.types import Decoding, MalformedResponse, ModelError, ModelSpec

if TYPE_CHECKING:
    import openai


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
        self._client_args = client_args
        self._format_style = "json_schema"

    @cached_property
    def _client(self) -> openai.OpenAI:
        # Built on the first call: the SDK's import costs ~0.5 s, which a resumed run with
        # nothing left to do, or a fully cached one, never needs to pay.
        import openai

        return openai.OpenAI(**self._client_args)

    def _request(self, kwargs: dict[str, Any], style: str) -> dict[str, Any]:
        kwargs = dict(kwargs)
        kwargs["model"] = self.spec.name
        if kwargs.get("response_format") and style == "json_object":
            schema = kwargs["response_format"]["json_schema"]["schema"]
            kwargs["response_format"] = {"type": "json_object", "schema": schema}
        return kwargs

    def _switch_format(self, exc: openai.APIStatusError, sent: str) -> bool:
        # llama-cpp-python's server reports its request-validation error for
        # ``json_schema`` as a 500 naming response_format, not as a 4xx: a rejection of
        # the field, not a fault, so it switches form instead of being retried.  ``sent``
        # is the form this request went out in: concurrent first requests all go out as
        # ``json_schema``, and each rejected one is resent, not only the first to return
        # (the others would each spend a transient attempt and a backoff on it).
        rejected = exc.status_code in (400, 404, 415, 422) or (
            exc.status_code == 500 and "response_format" in str(exc)
        )
        if sent == "json_schema" and rejected:
            self._format_style = "json_object"
            return True
        return False

    def _create(self, **kwargs: Any) -> Any:
        import openai

        try:
            sent = self._format_style
            try:
                response = self._post(self._request(kwargs, sent))
            except openai.APIStatusError as exc:
                if not self._switch_format(exc, sent):
                    raise
                response = self._post(self._request(kwargs, self._format_style))
        except json.JSONDecodeError as exc:
            # The SDK raises the bare decode error for a 200 whose body is not JSON;
            # instructor would take it for the model's invalid JSON and fail oddly.
            raise MalformedResponse(f"the server's answer is not JSON ({exc})") from exc
        if not getattr(response, "choices", None):
            raise MalformedResponse("the server's answer has no choices")
        return response

    def _post(self, request: dict[str, Any]) -> Any:
        """``chat.completions.create`` without its parameter transform: the SDK walks every
        message of the request through its TypedDict annotations (~10 ms a call with a
        prompt's few-shot turns) to send what it was given.  ``post`` is the SDK's own
        documented route for a plain JSON body, with the same client, timeouts and errors.
        """
        from openai.types.chat import ChatCompletion

        return self._client.post("/chat/completions", body=request, cast_to=ChatCompletion)

    def close(self) -> None:
        if "_client" in self.__dict__:
            self._client.close()


class OpenAIProvider:
    """``openai:MODEL``: the hosted API."""

    name = "openai"
    usage = "openai:MODEL"

    def parse(self, text: str, rest: str) -> ModelSpec:
        if not rest:
            raise ModelError(f"bad model spec {text!r}: use openai:MODEL")
        return ModelSpec(text, "openai", rest, base_url=os.environ.get("OPENAI_BASE_URL") or None)

    def load(self, spec: ModelSpec, decoding: Decoding) -> OpenAIChatModel:
        return OpenAIChatModel(spec, decoding)


class OpenAICompatibleProvider(OpenAIProvider):
    """``openai-compatible:MODEL@URL``: any server speaking OpenAI's API."""

    name = "openai-compatible"
    usage = "openai-compatible:MODEL@URL"

    def parse(self, text: str, rest: str) -> ModelSpec:
        name, _, url = rest.partition("@")
        if not name or not url.startswith(("http://", "https://")):
            raise ModelError(f"bad spec {text!r}: use openai-compatible:MODEL@http://host:port/v1")
        return ModelSpec(text, "openai-compatible", name, base_url=url.rstrip("/"))


register_provider(OpenAIProvider())
register_provider(OpenAICompatibleProvider())
