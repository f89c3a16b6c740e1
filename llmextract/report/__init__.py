"""Reports of scores: the terminal tables, and files written through a format registry.

A format is a name (``json``, ``html``, or one registered with ``register_format``) and a
writer per report kind (``eval`` for an ``EvalResult``, ``compare`` for a
``Comparison``), so a new output format is one module and one registration.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from llmextract.report.terminal import print_compare, print_eval

Render = Callable[[Any], str]  # a scored object -> the file's text

_FORMATS: dict[str, dict[str, Render]] = {}


def register_format(name: str, *, evaluation: Render, comparison: Render) -> None:
    """Add (or replace) an output format: how it renders an eval and a comparison."""
    _FORMATS[name] = {"eval": evaluation, "compare": comparison}


def format_names() -> list[str]:
    return list(_FORMATS)


def write_text(text: str, path: Path) -> None:
    """Write a report file (UTF-8); parents are created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def write_json(data: dict[str, Any], path: Path) -> None:
    """Write a JSON report (UTF-8, indented); parents are created."""
    write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", path)


def write_report(fmt: str, kind: str, scored: Any, path: Path) -> None:
    """Render ``scored`` (an EvalResult or a Comparison, per ``kind``) as ``fmt`` into ``path``."""
    try:
        render = _FORMATS[fmt][kind]
    except KeyError:
        raise ValueError(f"no {kind} writer for format {fmt!r} (known: {format_names()})") from None
    write_text(render(scored), path)


def _json(scored: Any) -> str:
    return json.dumps(scored.to_dict(), indent=2, ensure_ascii=False) + "\n"


def _eval_html(scored: Any) -> str:
    from llmextract.report.html import eval_html

    return eval_html(scored)


def _compare_html(scored: Any) -> str:
    from llmextract.report.html import compare_html

    return compare_html(scored)


register_format("json", evaluation=_json, comparison=_json)
register_format("html", evaluation=_eval_html, comparison=_compare_html)

__all__ = [
    "format_names",
    "print_compare",
    "print_eval",
    "register_format",
    "write_json",
    "write_report",
    "write_text",
]
