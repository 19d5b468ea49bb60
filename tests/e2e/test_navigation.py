"""The top bar: on one line wherever it is unfolded, in Russian (the longer labels) as well as in
English; the person's own links are in the menu under their name; below 1,200 px everything is
behind the toggler."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests import factories

from .conftest import VIEWPORT
from .helpers import log_in, success_message

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LONG_NAME = "Мария-Александра Константинопольская"


def _in_russian(page: Page) -> None:
    page.locator(".language-choice button[value=ru]").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")


def _managers_page(new_page, width: int, language: str) -> Page:
    """A manager (and admin) with a long name, signed in, in a window ``width`` wide."""
    manager = factories.ManagerFactory(full_name=LONG_NAME, is_staff=True)
    page = new_page()
    page.set_viewport_size({"width": width, "height": 700})
    log_in(page, manager.email)
    page.goto("/calls/")
    if language == "ru":
        _in_russian(page)
    return page


@pytest.mark.parametrize("width", [1200, 1280, 1366, 1400, 1920])
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_managers_bar_fits_on_one_line(new_page, width: int, language: str):
    page = _managers_page(new_page, width, language)
    bar = page.get_by_role("navigation", name=re.compile("Main|Основная"))

    items = bar.locator(".nav-link, .navbar-brand, .language-choice .btn")
    boxes = [items.nth(index).bounding_box() for index in range(items.count())]

    assert all(box["x"] >= 0 and box["x"] + box["width"] <= width for box in boxes)
    # One line: every item's top is within a few pixels of the others'.
    assert max(box["y"] for box in boxes) - min(box["y"] for box in boxes) < 12
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_menu_under_the_name_leads_to_the_tokens_and_logs_out(page: Page):
    founder = factories.FounderFactory(full_name="Anna Founder")
    log_in(page, founder.email)
    menu = page.get_by_role("button", name="Anna Founder")

    menu.click()
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
    menu.click()
    page.get_by_role("button", name="Log out").click()

    expect(page.get_by_role("link", name="Log in")).to_be_visible()
    success_message(page, "You are logged out.")


def test_only_staff_find_the_admin_in_their_menu(new_page):
    staff = factories.ManagerFactory(is_staff=True, full_name="Staff Person")
    founder = factories.FounderFactory(full_name="Anna Founder")
    pages = {}
    for person in (staff, founder):
        pages[person.full_name] = new_page()
        log_in(pages[person.full_name], person.email)
        pages[person.full_name].get_by_role("button", name=person.full_name).click()

    expect(pages["Staff Person"].get_by_role("link", name="Admin")).to_be_visible()
    expect(pages["Anna Founder"].get_by_role("link", name="Admin")).to_have_count(0)


def test_a_narrow_window_folds_the_bar_behind_the_toggler(page: Page):
    manager = factories.ManagerFactory(full_name="Maria Manager")
    log_in(page, manager.email)
    page.set_viewport_size({"width": 1000, "height": 700})
    expect(page.get_by_role("link", name="Pipeline", exact=True)).to_be_hidden()

    page.get_by_role("button", name="Toggle navigation").click()

    expect(page.get_by_role("link", name="Pipeline", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Maria Manager")).to_be_visible()


@pytest.mark.parametrize("width", [1200, 1280])
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_managers_pages_do_not_scroll_sideways(new_page, language: str, width: int):
    page = _managers_page(new_page, width, language)
    wide = {}
    pages = ["/manage/", "/manage/?from=2026-01-01&to=2026-12-31", "/manage/board/", "/manage/calls/"]
    for path in [*pages, "/portfolio/", "/calls/", "/notifications/", "/account/tokens/"]:
        page.goto(path)
        scrolled = page.evaluate("document.documentElement.scrollWidth")
        if scrolled > width:
            wide[path] = scrolled

    assert wide == {}


def test_without_javascript_the_bar_still_offers_tokens_and_logging_out(browser, live_server):
    founder = factories.FounderFactory(full_name="Anna Founder")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, viewport=VIEWPORT)
    try:
        page = context.new_page()
        log_in(page, founder.email)
        bar = page.get_by_role("navigation", name="Main")

        bar.get_by_role("link", name="API tokens").click()
        expect(page.get_by_role("heading", name="API tokens", level=1)).to_be_visible()
        bar.get_by_role("button", name="Log out").click()

        expect(page.get_by_role("link", name="Log in")).to_be_visible()
    finally:
        context.close()


def test_mark_as_read_updates_the_centres_count_and_the_bell(page: Page):
    founder = factories.FounderFactory()
    factories.NotificationFactory.create_batch(2, recipient=founder)
    log_in(page, founder.email)
    page.goto("/notifications/")
    heading = page.get_by_role("heading", name=re.compile("Notifications"))
    expect(heading).to_contain_text("2 unread")
    expect(page.locator("#unread-count")).to_contain_text("2")

    page.get_by_role("button", name=re.compile("Mark as read")).first.click()

    expect(heading).to_contain_text("1 unread")
    expect(page.locator("#unread-count")).to_contain_text("1")
    page.get_by_role("button", name=re.compile("Mark as read")).first.click()
    expect(heading).not_to_contain_text("unread")
    expect(page.locator("#unread-count")).to_have_count(0)
