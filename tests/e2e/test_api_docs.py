"""The API's documentation pages work without the Internet: in a real browser they render the
schema's operations, and they neither load nor try to load anything from another host."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _offline(page: Page, live_server_url: str) -> tuple[list[str], list[str]]:
    """Refuse every request to another host, as an offline network would. Returns what the page
    asked of other hosts, and the errors the browser reported, except the page's policy refusing
    a request (the refused request would be in the first list had it been sent)."""
    ours = urlsplit(live_server_url).netloc
    outside: list[str] = []
    errors: list[str] = []

    def route(route: Route) -> None:
        url = route.request.url
        if url.startswith(("data:", "blob:")) or urlsplit(url).netloc == ours:
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", route)

    def console(message) -> None:
        if message.type == "error" and "violates the following Content Security Policy" not in message.text:
            errors.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return outside, errors


def test_swagger_ui_renders_the_operations_offline(page: Page, live_server, shot):
    outside, errors = _offline(page, live_server.url)

    page.goto("/api/v1/docs/")

    expect(page.locator(".opblock-summary-path", has_text="/api/v1/startups/").first).to_be_visible()
    page.locator(".opblock-summary-path", has_text="/api/v1/me/").first.click()
    expect(page.get_by_role("button", name="Try it out")).to_be_visible()
    shot(page, "swagger")
    assert (outside, errors) == ([], [])


def test_redoc_renders_the_operations_offline(page: Page, live_server):
    outside, errors = _offline(page, live_server.url)

    page.goto("/api/v1/redoc/")

    expect(page.get_by_role("heading", name="Incubation pipeline API")).to_be_visible()
    expect(page.get_by_role("menuitem").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert (outside, errors) == ([], [])


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_a_documentation_page_may_not_reach_other_hosts(page: Page, live_server, path):
    # The pages' policy lets the browser load only from this site, whatever a bundle contains.
    response = page.goto(path)

    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "connect-src 'self'" in policy
