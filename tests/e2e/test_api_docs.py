"""The API's documentation pages work without the Internet: in a real browser they render the
schema's operations, and they neither load nor try to load anything from another host."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from tests import factories

from .helpers import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


# The one request the policy is there to stop: Redoc's footer logo.
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
REFUSED_IMAGE = re.compile(r"Loading the image '([^']+)' violates the following Content Security Policy")


def _offline(page: Page, live_server_url: str) -> tuple[list[str], list[str], list[str]]:
    """Refuse every request to another host, as an offline network would. Returns what the page
    asked of other hosts, the images of other hosts the page's policy refused (never sent), and
    every other error the browser reported."""
    ours = urlsplit(live_server_url).netloc
    outside: list[str] = []
    refused: list[str] = []
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
        if message.type != "error":
            return
        image = REFUSED_IMAGE.match(message.text)
        if image and urlsplit(image.group(1)).netloc != ours:
            refused.append(image.group(1))
        else:
            errors.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return outside, refused, errors


def test_swagger_ui_renders_the_operations_and_tries_one_offline(page: Page, live_server, shot):
    founder = factories.FounderFactory(full_name="Anna Founder")
    log_in(page, founder.email)
    outside, refused, errors = _offline(page, live_server.url)

    page.goto("/api/v1/docs/")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/startups/").first).to_be_visible()
    me = page.locator(
        ".opblock", has=page.locator(".opblock-summary-path", has_text=re.compile(r"^/api/v1/me/$"))
    )
    me.locator(".opblock-summary").click()
    me.get_by_role("button", name="Try it out").click()
    me.get_by_role("button", name="Execute").click()

    # The request goes out with the browser's session, and its answer is shown.
    expect(me.locator(".live-responses-table tbody .response-col_status").first).to_have_text("200")
    expect(me.locator(".live-responses-table .microlight").first).to_contain_text("Anna Founder")
    shot(page, "swagger")
    assert (outside, refused, errors) == ([], [], [])


def test_redoc_renders_the_operations_offline(page: Page, live_server):
    outside, refused, errors = _offline(page, live_server.url)

    page.goto("/api/v1/redoc/")

    expect(page.get_by_role("heading", name="Incubation pipeline API")).to_be_visible()
    expect(page.get_by_role("menuitem").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert (outside, errors) == ([], [])
    assert set(refused) <= {REDOC_LOGO}


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_a_documentation_page_may_not_reach_other_hosts(page: Page, live_server, path):
    # The pages' policy lets the browser load only from this site, whatever a bundle contains.
    response = page.goto(path)

    policy = dict(
        directive.strip().split(" ", 1)
        for directive in response.headers["content-security-policy"].split(";")
    )
    assert policy["default-src"] == policy["script-src"] == policy["connect-src"] == "'self'"
    assert policy["img-src"] == "'self' data:"
