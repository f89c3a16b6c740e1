"""A page opened in headless Chromium (Debian's, driven by Playwright) for report tests:
the page, and the script errors and requests it made while loading."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def opened_page(page_path: Path) -> Iterator[tuple[Any, list[str], list[str]]]:
    """(page, errors, requests) for ``page_path``; skips when Chromium or Playwright is missing."""
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
    )
    errors: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
            page.on(
                "console",
                lambda msg: errors.append(f"console: {msg.text}") if msg.type == "error" else None,
            )
            page.on("request", lambda req: requests.append(req.url))
            page.goto(page_path.as_uri(), wait_until="load")
            yield page, errors, requests
        finally:
            browser.close()
