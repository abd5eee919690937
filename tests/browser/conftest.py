"""Fixtures for the end-to-end tests: headless Chromium (Debian's) driven by Playwright.

Run them alone with ``pytest tests/browser -m browser``. They use the system Chromium at
``/usr/bin/chromium`` (``apt-get install chromium``); Playwright's own browser downloads are
never used. Every test in this directory is marked ``browser``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in the main thread; Django's async-safety
# check would refuse ORM calls made by fixtures while it is running.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
BROWSER_DIR = Path(__file__).resolve().parent

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}

# Playwright's default timeouts are 30 s; a local live server answers in milliseconds.
DEFAULT_TIMEOUT_MS = 10_000


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark every test under tests/browser/ as ``browser`` (before ``-m`` selects)."""
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so the page fixture knows if the test failed."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not CHROMIUM.exists():
        message = (
            f"{CHROMIUM} not found: the browser tests need Debian's Chromium "
            "(apt-get install chromium)."
        )
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must never skip the browser tests silently
        pytest.skip(message)

    from playwright.sync_api import sync_playwright

    # A normal (not persistent) launch: Playwright gives Chromium a fresh temporary profile.
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def viewport() -> dict[str, int]:
    """Viewport of the test's page; parametrize ``viewport`` to change it."""
    return DESKTOP


@pytest.fixture
def page(request, browser, live_server, viewport) -> Iterator:
    """A fresh browser context per test (no cookies shared), Vietnamese like the ward's users."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport=viewport,
        # An English browser: the app must still speak Vietnamese until the user switches.
        locale="en-US",
        timezone_id="Asia/Ho_Chi_Minh",
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
            try:
                page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            except Exception as exc:  # the screenshot is a courtesy, never an extra failure
                print(f"Could not save a screenshot of the failed test: {exc}")
            else:
                print(f"Screenshot of the failed test: {ARTIFACTS / f'{name}.png'}")
        context.close()


@pytest.fixture
def demo_data(transactional_db) -> dict[str, str]:
    """The Phúc Đồng demo (users, ward, positions) in the live server's database."""
    from django.conf import settings
    from django.core.management import call_command

    call_command("load_demo", force=True, stdout=StringIO())
    return {"password": settings.DEMO_PASSWORD}
