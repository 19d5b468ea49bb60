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
