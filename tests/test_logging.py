"""The server log: a refused request is one line, a favicon request finds the icon."""

import io
import logging

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def console():
    """What the site's console handler writes during the test."""
    handler = next(h for h in logging.getLogger().handlers if h.filters)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_a_refused_request_is_logged_without_a_traceback(client, console):
    client.force_login(factories.FounderFactory())

    assert client.get(reverse("manager-home")).status_code == 403

    logged = console.getvalue()
    assert "Forbidden (Permission denied): /manage/" in logged
    assert "Traceback" not in logged


def test_the_favicon_is_where_browsers_look_for_it(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response.url.endswith("favicon.svg")
