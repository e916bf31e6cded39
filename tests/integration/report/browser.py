"""Headless Chromium from the OS packages, driven by Playwright (no downloaded browser).

:func:`open_browser` skips the test, saying how to install what is missing, when the
``playwright`` package or ``/usr/bin/chromium`` is not there.  :func:`open_report`
opens a file with every request routed: anything but ``file:`` and ``data:`` is
aborted and recorded, and console errors and page errors are collected.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def open_browser() -> Any:
    """A started (playwright, browser) pair, or a skip saying what to install."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is missing: pip install -e '.[test]' (or pip install playwright)")
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install -y chromium (.ci/run does)")
    manager = sync_playwright()
    playwright = manager.start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists()
                                             else shutil.which("chromium"), args=ARGS)
    except Exception:
        manager.__exit__(None, None, None)
        raise
    return manager, browser


@dataclass
class OpenedReport:
    page: Any
    outside: list[str] = field(default_factory=list)      # requests that tried to leave the file
    errors: list[str] = field(default_factory=list)       # console errors and uncaught exceptions


def open_report(browser: Any, path: Path, *, permissions: list[str] | None = None) -> OpenedReport:
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    if permissions:
        context.grant_permissions(permissions)
    page = context.new_page()
    opened = OpenedReport(page)

    def route(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            opened.outside.append(url)
            route.abort()

    context.route("**", route)
    page.on("console", lambda message: opened.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    # a script that got in would call alert(): record it instead of blocking
    page.add_init_script("window.__alerts = []; window.alert = function (m) { window.__alerts.push(String(m)); };")
    page.goto(path.resolve().as_uri())
    page.wait_for_selector("body[data-ready='1']")
    return opened
