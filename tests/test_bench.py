"""The benchmarks' pieces that can be checked without timing anything: the API benchmark imports,
and the URLconf its settings select serves both the API and a bare view behind the middleware,
while the production URLconf has no bare view."""

import pytest
from django.urls import NoReverseMatch, resolve, reverse

from bench import bench_api
from bench import urls as bench_urls


def test_bench_urlconf_resolves_the_bare_view_and_the_api_list():
    assert resolve(bench_api.BARE_PATH, urlconf="bench.urls").func is bench_urls.bare
    list_path = bench_api.LIST_PATH.split("?")[0]
    assert resolve(list_path, urlconf="bench.urls").view_name == "api:startup-list"


def test_bare_view_answers_through_the_middleware(client, settings):
    settings.ROOT_URLCONF = "bench.urls"

    response = client.get(bench_api.BARE_PATH)

    assert response.status_code == 200
    assert response.content == b"ok"
    # Set by XFrameOptionsMiddleware, not by the view: the request went through the stack.
    assert response["X-Frame-Options"] == "DENY"


def test_production_urlconf_has_no_bare_view():
    with pytest.raises(NoReverseMatch):
        reverse("bench-bare")
