"""Browser tests: Playwright's sync API drives Debian's Chromium against pytest-django's live
server, which runs in this process (so the tests share the locmem mailbox and the settings).

One browser per session; each test gets fresh browser contexts (no cookies shared between tests
or between the people in one test). Every test saves screenshots of its key steps, and of every
open page when it fails, under ``test-artifacts/e2e/<test name>/``.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, Playwright, expect, sync_playwright

# Playwright's sync API runs an event loop in this thread; Django refuses database access from a
# thread with a running loop unless told that this is intended. scripts/run-tests exports it too.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
# Locators wait up to this long; a page of this app answers in well under a second.
TIMEOUT_MS = 5_000
NAVIGATION_TIMEOUT_MS = 10_000
VIEWPORT = {"width": 1400, "height": 900}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    # Keep each phase's report on the test item, so the page fixture's teardown knows whether
    # the test failed and screenshots the pages as they were.
    report = yield
    setattr(item, f"e2e_report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: scripts/ensure-system-packages installs Debian's chromium "
            "(or point E2E_CHROMIUM at a Chromium binary).",
            pytrace=False,
        )
    # Playwright gives the browser a fresh, temporary user-data directory of its own and removes
    # it on close; nothing is downloaded, the system's Chromium is used as it is.
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(autouse=True)
def _live_site(live_server, settings) -> str:
    """Links in e-mails (sign-up confirmation, notices) point at the live server of this run."""
    settings.SITE_URL = live_server.url
    return live_server.url


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "step"


class Screenshots:
    """Numbered screenshots of one test: ``test-artifacts/e2e/<test>/NN-<step>.png``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        shutil.rmtree(folder, ignore_errors=True)  # only this run's pictures
        folder.mkdir(parents=True, exist_ok=True)

    def __call__(self, page: Page, step: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{_slug(step)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Screenshots:
    folder = request.config.rootpath / "test-artifacts" / "e2e" / _slug(request.node.name)
    return Screenshots(folder)


def accept_dialog(dialog: Dialog) -> None:
    dialog.accept()


@pytest.fixture
def new_page(
    browser: Browser, live_server, shot: Screenshots, request: pytest.FixtureRequest
) -> Iterator[Callable[[], Page]]:
    """Opens a page in a context of its own: one per person taking part in the test. Every page
    is watched for content-security-policy violations: a script, style or request of the site's
    own that the policy refuses fails the test (outside resources, which the policy keeps away on
    purpose, do not)."""
    contexts: list[BrowserContext] = []
    violations: list[str] = []

    def watch(message) -> None:
        text = message.text
        if "Content Security Policy" in text and not re.search(r"'https?://(?!127\.0\.0\.1|localhost)", text):
            violations.append(text)

    def open_page() -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            locale="en-GB",
            timezone_id="Europe/Moscow",
            viewport=VIEWPORT,
            accept_downloads=False,
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        # The people in these tests answer yes when a page asks for confirmation.
        page.on("dialog", accept_dialog)
        page.on("console", watch)
        return page

    yield open_page

    failed = any(
        getattr(getattr(request.node, f"e2e_report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )
    try:
        if failed:
            for index, context in enumerate(contexts, start=1):
                for page in context.pages:
                    if not page.is_closed():
                        try:
                            shot(page, f"failure-person-{index}")
                        except Exception as error:  # a crashed page must not hide the failure
                            print(f"screenshot after failure not taken: {error}")
    finally:
        for context in contexts:
            context.close()
    assert not violations, f"the page broke its content security policy: {violations}"


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    return new_page()


@pytest.fixture(scope="session", autouse=True)
def _expect_timeout() -> None:
    expect.set_options(timeout=TIMEOUT_MS)
