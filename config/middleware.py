"""Middleware of the site itself."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse


class MethodNotAllowedPage:
    """An address that only takes a form's submission, opened as a page (a bookmarked or typed
    link), answers with the site's own page instead of an empty one that the browser shows as
    its error. The API keeps its JSON answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.method == "GET"
            and not response.content
            and not request.path_info.startswith("/api/")
        ):
            page = render(request, "405.html", status=405)
            page["Allow"] = response.get("Allow", "")
            return page
        return response


def _policy(*, inline_scripts: bool) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            # The site's own scripts are files; the admin's pages have a few inline ones.
            "script-src 'self'" + (" 'unsafe-inline'" if inline_scripts else ""),
            # htmx adds its indicator styles in a <style> element.
            "style-src 'self' 'unsafe-inline'",
            # Bootstrap draws its icons (select arrows, the menu button) from data: URIs.
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


SITE_POLICY = _policy(inline_scripts=False)
ADMIN_POLICY = _policy(inline_scripts=True)


class ContentSecurityPolicy:
    """Pages load scripts, styles, images and fonts from this site only, run no inline script
    (so text that slipped through escaping could not run), post forms only here and are not
    framed. A view that sets its own policy (the API's documentation pages) keeps it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response and response.get("Content-Type", "").startswith(
            "text/html"
        ):
            if self.admin_prefix is None:
                self.admin_prefix = reverse("admin:index")
            admin = request.path_info.startswith(self.admin_prefix)
            response["Content-Security-Policy"] = ADMIN_POLICY if admin else SITE_POLICY
        return response
