"""``ChatModel``: messages and a Pydantic response model in, a validated object and usage out.

Structured output is constrained to the JSON Schema wherever the backend can do it (a
llama.cpp grammar in process, ``response_format`` over HTTP); an invalid answer is asked
again with its validation error; tenacity retries transient faults with backoff
(``retry``).  Backends implement ``_create``: one raw call returning an OpenAI
ChatCompletion.
"""

from __future__ import annotations

import json
import time
from functools import cache
from typing import Any

from pydantic import BaseModel, ValidationError
from tenacity import Retrying, stop_after_attempt

from llmextract.errors import one_line
from llmextract.providers.retry import transient_retrying
from llmextract.providers.types import (
    Completion,
    Decoding,
    ModelError,
    ModelSpec,
    T,
    TruncatedOutput,
    Usage,
    schema_of,
)


def invalid_output() -> tuple[type[BaseException], ...]:
    """Answers that parsed or validated badly: asked again with the error (a re-ask).

    instructor is imported on the first call, not with the module: a resumed run with
    nothing left to do never pays its ~0.5 s import.
    """
    import instructor

    return (ValidationError, json.JSONDecodeError, instructor.core.exceptions.ValidationError)


def _reask_turns(answer: str, exc: BaseException) -> list[dict[str, str]]:
    """The invalid answer and the error, appended so the model can correct itself."""
    return [
        {"role": "assistant", "content": answer},
        {
            "role": "user",
            "content": f"Correct your JSON ONLY RESPONSE, based on the following errors:\n{exc}",
        },
    ]


@cache
def _schema_text(response_model: type[BaseModel]) -> str:
    return json.dumps(schema_of(response_model))


def fresh_copy(schema_text: str) -> dict[str, Any]:
    """A private copy of a shared schema for a caller that may change it in place: parsed
    from its JSON text, ten times faster than ``copy.deepcopy`` and the same dict."""
    return json.loads(schema_text)  # type: ignore[no-any-return]


def _schema_response_format(response_model: type[BaseModel], style: str) -> dict[str, Any]:
    schema = fresh_copy(_schema_text(response_model))  # backends may change it in place
    if style == "json_object":  # llama.cpp's own form: a schema inside json_object
        return {"type": "json_object", "schema": schema}
    return {
        "type": "json_schema",
        "json_schema": {"name": response_model.__name__, "schema": schema, "strict": False},
    }


@cache
def instructor_model(response_model: type[BaseModel]) -> type[BaseModel]:
    """The response model as instructor wraps it, built once per model with its schema.

    instructor wraps a plain model anew on every call (a pydantic ``create_model``) and
    builds its JSON Schema twice: ~30 ms a call, more than the rest of the tool's work on
    a document against a fast server.  The wrapped class is what instructor would build;
    its schema is computed once and handed out as copies.
    """
    import instructor

    wrapped = instructor.openai_schema(response_model)
    frozen = json.dumps(wrapped.model_json_schema())
    plain = wrapped.model_json_schema

    def model_json_schema(*args: Any, **kwargs: Any) -> dict[str, Any]:
        return plain(*args, **kwargs) if args or kwargs else fresh_copy(frozen)

    wrapped.model_json_schema = model_json_schema  # type: ignore[method-assign]
    return wrapped


class ChatModel:
    """One interface for every backend: ``complete(messages, response_model, max_tokens)``."""

    spec: ModelSpec
    decoding: Decoding
    sha256: str | None = None
    concurrent: bool = False
    # Documents the backend decodes together (a server's slots): what a benchmark sends at
    # once.  1 for every backend that does not batch locally.
    parallel: int = 1

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

        import instructor

        patched = instructor.patch(create=counted_create, mode=instructor.Mode.JSON_SCHEMA)
        wrapped = instructor_model(response_model)
        # Re-asks are ours, not instructor's: instructor 1.11 wraps a validation failure in
        # its own ValidationError, which its re-ask loop does not catch (instructor#1736),
        # so it would never feed the error back; 1.12 does, but puts the failed
        # completion's repr (random id, timestamp) in the re-ask, so re-asked prompts
        # differ between runs; 1.13+ needs openai 2.  Measured against llama.cpp's server:
        # tests/test_http.py.  One answer per instructor call; an invalid one is followed
        # by the error and asked again, at most max_retries times.
        single = Retrying(stop=stop_after_attempt(1), reraise=True)
        transient = transient_retrying(self.decoding.transient_attempts)
        conversation = [dict(m) for m in messages]
        try:
            for ask in range(self.decoding.max_retries + 1):
                try:
                    for attempt in transient:
                        with attempt:
                            value = patched(
                                messages=[dict(m) for m in conversation],
                                response_model=wrapped,
                                max_retries=single,
                                max_tokens=max_tokens,
                                temperature=self.decoding.temperature,
                                top_p=self.decoding.top_p,
                                seed=self.decoding.seed,
                            )
                    break
                except invalid_output() as exc:
                    if ask == self.decoding.max_retries:
                        raise ModelError(
                            f"invalid output after {ask + 1} answers: {one_line(exc, 300)}"
                        ) from exc
                    conversation += _reask_turns(raw_holder[0] if raw_holder else "", exc)
        except instructor.core.exceptions.InstructorRetryException as exc:
            raise ModelError(
                f"invalid output after {usage.calls} attempts: {one_line(exc, 300)}"
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
