"""The API's documentation pages (Swagger UI and Redoc, served from drf-spectacular-sidecar),
under a content security policy that lets the browser load from this site only.

The pages' own files are ours, but a bundle may still reach out: Redoc's sidebar footer asks for
its maker's logo from a CDN. The policy stops any such request before it leaves the browser, so
the pages behave the same with or without the Internet. Scripts come from files only (Swagger
UI's start-up script is served at ``?script`` rather than inline); inline styles (both bundles
set styles at run time), ``data:`` images and the search worker Redoc starts from a ``blob:``
stay allowed.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class _SelfOnly:
    def finalize_response(self, request: HttpRequest, response: HttpResponse, *args: Any, **kwargs: Any):
        response = super().finalize_response(request, response, *args, **kwargs)
        response.headers["Content-Security-Policy"] = POLICY
        return response


class SwaggerView(_SelfOnly, SpectacularSwaggerSplitView):
    """Swagger UI: try the API from the browser."""


class RedocView(_SelfOnly, SpectacularRedocView):
    """Redoc: the reference, one long page."""
