"""Error pages look like the rest of the site and say what happened, in the reader's language."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from incubator.api.errors import server_error
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_the_sites_own_404(client):
    founder = factories.FounderFactory(full_name="Anna Founder")
    client.force_login(founder)

    response = client.get("/no-such-page/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page
    assert "Anna Founder" in page  # the site's bar, with the person's menu
    assert reverse("home") in page


def test_a_missing_page_in_russian(client):
    response = client.get("/no-such-page/", headers={"accept-language": "ru"})

    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()


def test_a_page_for_other_people_is_the_sites_own_403(client):
    client.force_login(factories.FounderFactory())

    response = client.get(reverse("manager-home"))

    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()


def test_a_server_error_page_stands_alone():
    response = server_error(RequestFactory().get("/startups/"))

    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in page
    assert "/static/vendor/bootstrap.min.css" in page


def _routes(patterns, prefix=""):
    from django.urls import URLPattern, URLResolver

    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def _with_huge_ids(route: str) -> str:
    import re

    path = re.sub(r"<id:\w+>", "9223372036854775808", route)  # one past the largest 64-bit id
    path = re.sub(r"<int:year>", "2026", path)
    path = re.sub(r"<int:month>", "1", path)
    return "/" + re.sub(r"<\w+:\w+>", "x", path)


def test_an_id_too_big_for_any_database_is_not_found_at_every_address(client):
    from django.urls import get_resolver

    client.force_login(factories.ManagerFactory(is_superuser=True, is_staff=True))
    routes = [route for route in _routes(get_resolver().url_patterns) if "<id:" in route]
    assert len(routes) > 40

    answers = {route: client.get(_with_huge_ids(route)).status_code for route in routes}

    assert {route: status for route, status in answers.items() if status != 404} == {}
    assert client.get("/reviews/99999999999999999999/").status_code == 404
    assert client.get("/api/v1/startups/9223372036854775807/").status_code == 404  # the largest: none such


def test_the_language_switch_returns_only_to_a_page_of_this_site():
    from django.contrib.auth.models import AnonymousUser
    from django.template import Context

    from incubator.templatetags.site_tags import page_to_return_to

    factory = RequestFactory()
    answers = {}
    for referer in (
        "http://testserver/calls/",
        "https://evil.example/x",
        "http://testserver//evil.example/x",
    ):
        request = factory.post("/accounts/password/", headers={"referer": referer})
        request.user = AnonymousUser()
        answers[referer] = page_to_return_to(Context({"request": request}))
    assert answers == {
        "http://testserver/calls/": "/calls/",
        "https://evil.example/x": reverse("home"),
        "http://testserver//evil.example/x": reverse("home"),
    }
