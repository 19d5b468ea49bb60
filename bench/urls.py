"""The URLconf of the benchmarks, selected by ``config.settings.bench`` only: the site's own URLs
plus a bare view, so a benchmark can compare a page or an API endpoint with a view that does
nothing through the same middleware in the same server. It never ships in ``config.urls``."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def bare(request: HttpRequest) -> HttpResponse:
    """The cost of the stack itself: middleware, URL resolution, the WSGI server."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("", include("config.urls")),
]
