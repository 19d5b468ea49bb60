"""Steps that several browser tests take the same way a person would."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

# The password tests.factories.UserFactory gives everyone.
PASSWORD = "correct-horse-battery"


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Log in through the login form, typing as a person does and pressing Enter."""
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Password").press("Enter")
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("navigation", name="Main").locator(".nav-account")).to_be_visible()


def success_message(page: Page, text: str | re.Pattern) -> None:
    """A flash message of the page just loaded says ``text``."""
    messages = page.locator("main > [aria-live=polite] > .alert")
    expect(messages.filter(has_text=text)).to_be_visible()
