"""One exception root for every failure a user can cause, and the one-line form of errors.

Commands catch ``LlmextractError`` and print its message on one line; anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations

import os
import re


class LlmextractError(Exception):
    """A failure the user can act on; the message says what happened and what to do."""


def redact_secrets(text: str) -> str:
    """Remove API keys from text bound for logs, manifests and error messages."""
    for name in ("OPENAI_API_KEY", "LLMEXTRACT_API_KEY"):
        secret = os.environ.get(name)
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return re.sub(r"\b(sk-[A-Za-z0-9_-]{4})[A-Za-z0-9_-]{8,}", r"\1***", text)


def one_line(exc: BaseException | str, limit: int | None = None) -> str:
    """An error's text on one line, secrets redacted, cut at ``limit`` characters if given.

    Redaction comes before the cut: a key cut in half is no longer recognisable.
    """
    return redact_secrets(" ".join(str(exc).split()))[:limit]
