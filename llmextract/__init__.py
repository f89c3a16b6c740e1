"""llmextract: structured, checkable incident records from news articles about political violence."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("llmextract")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
