"""The transient-fault policy: what is worth another try, and how long to wait before it.

tenacity runs it (``transient_retrying``); the SDK's own retries are off so every attempt
is counted and bounded in one place.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable

from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from llmextract.providers.types import MalformedResponse


def is_transient(exc: BaseException) -> bool:
    """Faults worth another try: timeouts, dropped connections, 429, 5xx, garbled answers."""
    import openai  # here, not at import: only a call that failed needs it

    if isinstance(exc, openai.APIConnectionError | openai.APITimeoutError | openai.RateLimitError):
        return True
    if isinstance(exc, MalformedResponse):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code >= 500 or exc.status_code in (408, 409, 429)
    return False


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


def transient_retrying(attempts: int) -> Retrying:
    """At most ``attempts`` tries of a call, retrying only transient faults, with backoff."""
    return Retrying(
        stop=stop_after_attempt(attempts),
        retry=retry_if_exception(is_transient),
        wait=backoff_wait(),
        reraise=True,
    )
