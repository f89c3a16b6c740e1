"""Old import path of the run store, kept so code written against it still imports.

New code imports from ``llmextract.run`` (``atomic``, ``cache``, ``folder``).
"""

from llmextract.run.atomic import stable_hash, write_atomic, write_json_atomic
from llmextract.run.cache import ResponseCache
from llmextract.run.folder import RunError, RunStore, totals

__all__ = [
    "ResponseCache",
    "RunError",
    "RunStore",
    "stable_hash",
    "totals",
    "write_atomic",
    "write_json_atomic",
]
