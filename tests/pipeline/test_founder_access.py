"""Founders see and change only their own startup, applications and files: at every URL,
another founder's ids answer 404 (never 403 or the data), anonymous people go to the login page,
and CSRF protection stays on."""

import pytest
from django.test import Client
from django.urls import reverse

from incubator.models import Invitation, Startup, StartupNote
from pipeline.models import Application, ApplicationDocument
from tests import factories
from tests.pdf import make_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(founder, startup):
    application = factories.ApplicationFactory(startup=startup, problem="Original problem.")
    document = ApplicationDocument.objects.create(
        application=application, title="Letter", file=application.pitch_deck.name, original_name="l.pdf"
    )
    invitation = Invitation.objects.create(startup=startup, email="x@example.org", invited_by=founder)
    note = StartupNote.objects.create(startup=startup, author=factories.ManagerFactory(), body="Ours.")
    return {
        "startup": startup,
        "application": application,
        "document": document,
        "invitation": invitation,
        "note": note,
    }


def _urls(world):
    s, a, d, i = world["startup"], world["application"], world["document"], world["invitation"]
    get = [
        reverse("startup-detail", args=[s.pk]),
        reverse("startup-edit", args=[s.pk]),
        reverse("startup-team", args=[s.pk]),
        reverse("application-detail", args=[a.pk]),
        reverse("application-edit", args=[a.pk]),
        reverse("application-withdraw", args=[a.pk]),
        reverse("application-deck", args=[a.pk]),
        reverse("document-download", args=[d.pk]),
    ]
    post = [
        (reverse("startup-edit", args=[s.pk]), {"name": "Hijacked"}),
        (reverse("startup-team", args=[s.pk]), {"email": "intruder@example.org"}),
        (reverse("invitation-revoke", args=[s.pk, i.pk]), {}),
        (reverse("application-edit", args=[a.pk]), {"problem": "Hijacked", "version": "x"}),
        (reverse("application-withdraw", args=[a.pk]), {"expected_state": "draft"}),
        (reverse("application-document-upload", args=[a.pk]), {"title": "Evil"}),
        (reverse("document-delete", args=[d.pk]), {}),
        (reverse("startup-note-add", args=[s.pk]), {"body": "Planted."}),
        (reverse("startup-note-remove", args=[world["note"].pk]), {}),
    ]
    return get, post


def _unchanged(world):
    application = Application.objects.get(pk=world["application"].pk)
    assert application.status == "draft"
    assert application.problem == "Original problem."
    assert Startup.objects.get(pk=world["startup"].pk).name == world["startup"].name
    assert ApplicationDocument.objects.filter(pk=world["document"].pk).exists()
    assert Invitation.objects.get(pk=world["invitation"].pk).is_pending
    assert Invitation.objects.count() == 1
    assert list(StartupNote.objects.values_list("body", flat=True)) == ["Ours."]


def test_another_founder_gets_404_everywhere(client, world):
    client.force_login(factories.FounderFactory())
    get, post = _urls(world)
    for url in get:
        assert client.get(url).status_code == 404, url
    for url, data in post:
        assert client.post(url, data).status_code == 404, url
    _unchanged(world)


def test_anonymous_people_are_sent_to_login(client, world):
    get, post = _urls(world)
    for url in get:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url
    for url, data in post:
        response = client.post(url, data)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url
    _unchanged(world)


def test_the_team_reaches_every_page(client, founder, world):
    client.force_login(founder)
    get, _post = _urls(world)
    for url in get:
        assert client.get(url).status_code == 200, url


def test_another_founders_startup_cannot_be_used_to_apply(client, world):
    call = factories.CallFactory()
    client.force_login(factories.FounderFactory())
    client.post(reverse("call-apply", args=[call.slug]), {"startup": world["startup"].pk})
    assert not Application.objects.filter(call=call).exists()


def test_founders_home_lists_only_their_own(client, founder, world):
    other = factories.StartupFactory(name="Someone Else Bio")
    factories.ApplicationFactory(startup=other)
    client.force_login(founder)
    body = client.get(reverse("founder-home")).content.decode()
    assert world["startup"].name in body
    assert "Someone Else Bio" not in body


def test_csrf_protection_is_on(founder, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(founder)
    application = world["application"]
    response = client.post(
        reverse("application-edit", args=[application.pk]),
        {"problem": "Forged", "version": application.updated_at.isoformat()},
    )
    assert response.status_code == 403
    response = client.post(
        reverse("application-document-upload", args=[application.pk]),
        {"title": "Forged", "file": make_pdf()},
    )
    assert response.status_code == 403
    _unchanged(world)
