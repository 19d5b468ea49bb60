import re

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from incubator.models import Invitation, Startup, TeamMembership
from notifications.models import Notification
from notifications.rendering import render_title
from tests import factories

pytestmark = pytest.mark.django_db


def _profile(area, **overrides):
    data = {
        "name": "NeuroRegen",
        "summary": "A neurotrophic peptide for stroke.",
        "therapeutic_area": area.pk,
        "product_type": "drug",
        "development_phase": "preclinical",
        "trl": 3,
        "website": "neuroregen.example",
        "founded_on": "2024-03-01",
    }
    data.update(overrides)
    return data


def test_founder_creates_a_startup_and_becomes_its_founder(client):
    user = factories.UserFactory()
    area = factories.TherapeuticAreaFactory(name="Neurology")
    org = factories.OrganisationFactory(short_name="Sechenov")
    client.force_login(user)

    response = client.post(reverse("startup-new"), {**_profile(area), "affiliations": [org.pk]})

    startup = Startup.objects.get()
    assert response.url == reverse("startup-team", args=[startup.pk])
    assert (startup.stage, startup.slug, startup.website) == (
        "application",
        "neuroregen",
        "https://neuroregen.example",
    )
    assert list(startup.affiliations.all()) == [org]
    assert TeamMembership.objects.get().user == user
    user.refresh_from_db()
    assert user.is_founder


def test_slugs_stay_unique(client, founder):
    area = factories.TherapeuticAreaFactory()
    factories.StartupFactory(slug="neuroregen")
    client.force_login(founder)
    client.post(reverse("startup-new"), _profile(area))
    assert Startup.objects.filter(slug="neuroregen-2").exists()


def test_phase_must_fit_the_product_type(client, founder):
    area = factories.TherapeuticAreaFactory()
    client.force_login(founder)
    response = client.post(
        reverse("startup-new"), _profile(area, product_type="device", development_phase="clinical_2")
    )
    assert "For medical device the phase is one of: Concept, Prototype" in response.content.decode()
    assert not Startup.objects.exists()


def test_bad_profile_input_keeps_what_was_typed(client, founder):
    area = factories.TherapeuticAreaFactory()
    client.force_login(founder)
    response = client.post(reverse("startup-new"), _profile(area, trl=12, name="x" * 201))
    body = response.content.decode()
    assert "Ensure this value is less than or equal to 9." in body
    assert "Ensure this value has at most 200 characters" in body
    assert "A neurotrophic peptide for stroke." in body
    assert not Startup.objects.exists()


def test_a_refused_profile_edit_keeps_the_startups_name_in_the_heading(client, founder, startup):
    area = factories.TherapeuticAreaFactory()
    client.force_login(founder)

    response = client.post(
        reverse("startup-edit", args=[startup.pk]),
        _profile(area, name="Unsaved New Name", website="not a site"),
    )

    page = response.content.decode()
    assert "Nothing was saved: correct the fields marked below." in page
    assert f"Edit {startup.name}" in page
    assert "Edit Unsaved New Name" not in page
    assert 'value="Unsaved New Name"' in page  # what was typed stays in the field
    # The readiness level is offered within its scale (the field's own bound of 0 replaced it).
    new = client.get(reverse("startup-new")).content.decode()
    trl = re.search(r'<input[^>]*name="trl"[^>]*>', new).group(0)
    assert 'min="1"' in trl
    assert 'max="9"' in trl


def test_organisations_are_listed_in_the_order_of_the_names_shown(client, founder):
    factories.OrganisationFactory(name="Zeta State University", short_name="Alpha", is_member=True)
    factories.OrganisationFactory(name="Beta Institute", short_name="", is_member=True)
    factories.OrganisationFactory(name="Aardvark Foundation", short_name="Gamma", is_member=True)
    client.force_login(founder)

    page = client.get(reverse("startup-new")).content.decode()

    assert page.index(" Alpha</label>") < page.index(" Beta Institute</label>") < page.index(" Gamma</label>")


def test_team_member_edits_the_profile_others_get_404(client, founder, startup):
    area = factories.TherapeuticAreaFactory()
    client.force_login(founder)
    response = client.post(reverse("startup-edit", args=[startup.pk]), _profile(area, name="NeuroRegen Bio"))
    assert response.url == reverse("startup-detail", args=[startup.pk])
    startup.refresh_from_db()
    assert startup.name == "NeuroRegen Bio"
    assert startup.stage == "application"

    client.force_login(factories.FounderFactory())
    for name in ("startup-edit", "startup-team"):
        assert client.get(reverse(name, args=[startup.pk])).status_code == 404
    assert (
        client.post(reverse("startup-edit", args=[startup.pk]), _profile(area, name="Hijacked")).status_code
        == 404
    )
    startup.refresh_from_db()
    assert startup.name == "NeuroRegen Bio"


def _invite(client, startup, email, capture):
    with capture(execute=True):
        return client.post(reverse("startup-team", args=[startup.pk]), {"email": email})


def _invitation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/invitations/\S+/)", message.body).group(1)


def test_invite_a_cofounder_who_signs_up_and_joins(
    client, founder, startup, django_capture_on_commit_callbacks
):
    client.force_login(founder)
    _invite(client, startup, "Ivan@Example.org", django_capture_on_commit_callbacks)
    assert mail.outbox[0].to == ["ivan@example.org"]
    link = _invitation_link(mail.outbox[0])
    client.logout()

    page = client.get(link).content.decode()
    assert f"Join {startup.name}" in page
    assert "Create an account" in page

    cofounder = factories.UserFactory(email="ivan@example.org")
    client.force_login(cofounder)
    response = client.post(link)
    assert response.url == reverse("startup-detail", args=[startup.pk])
    assert startup.has_member(cofounder)
    cofounder.refresh_from_db()
    assert cofounder.is_founder
    assert TeamMembership.objects.get(user=cofounder).role == "cofounder"
    assert client.post(link).status_code == 400  # used once
    # The rest of the team is told who joined; the newcomer is not.
    told = Notification.objects.filter(kind="team_joined")
    assert [
        (notice.recipient_id, render_title(kind=notice.kind, context=notice.context)) for notice in told
    ] == [(founder.pk, f"{cofounder} joined the team of {startup.name}")]


def test_an_invitation_writes_names_as_they_are_in_its_plain_text(
    client, founder, django_capture_on_commit_callbacks
):
    startup = factories.StartupFactory(name="Gene & Cell O'Neil Bio", founders=[founder])
    client.force_login(founder)
    _invite(client, startup, "ivan@example.org", django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert message.subject == "Fyodor Founder invites you to the team of Gene & Cell O'Neil Bio"
    assert "join Gene & Cell O'Neil Bio as a co-founder" in message.body
    # The HTML part escapes them, as HTML must.
    assert "Gene &amp; Cell O&#x27;Neil Bio" in message.alternatives[0][0]


def test_invitation_for_another_address_is_refused(
    client, founder, startup, django_capture_on_commit_callbacks
):
    client.force_login(founder)
    _invite(client, startup, "ivan@example.org", django_capture_on_commit_callbacks)
    link = _invitation_link(mail.outbox[0])

    intruder = factories.UserFactory(email="mallory@example.org")
    client.force_login(intruder)
    client.post(link)
    assert not startup.has_member(intruder)


def test_invitation_expires_after_seven_days(client, founder, startup, django_capture_on_commit_callbacks):
    client.force_login(founder)
    _invite(client, startup, "ivan@example.org", django_capture_on_commit_callbacks)
    link = _invitation_link(mail.outbox[0])
    client.force_login(factories.UserFactory(email="ivan@example.org"))

    with time_machine.travel(timezone.now() + timezone.timedelta(days=8)):
        response = client.post(link)
    assert response.status_code == 400
    assert "This invitation has expired." in response.content.decode()
    assert startup.memberships.count() == 1


def test_revoked_invitation_stops_working(client, founder, startup, django_capture_on_commit_callbacks):
    client.force_login(founder)
    _invite(client, startup, "ivan@example.org", django_capture_on_commit_callbacks)
    link = _invitation_link(mail.outbox[0])
    invitation = Invitation.objects.get()
    client.post(reverse("invitation-revoke", args=[startup.pk, invitation.pk]))

    client.force_login(factories.UserFactory(email="ivan@example.org"))
    response = client.post(link)
    assert "withdrawn by the team" in response.content.decode()


def test_inviting_twice_resends_and_members_cannot_be_invited(
    client, founder, startup, django_capture_on_commit_callbacks
):
    client.force_login(founder)
    _invite(client, startup, "ivan@example.org", django_capture_on_commit_callbacks)
    _invite(client, startup, "ivan@example.org", django_capture_on_commit_callbacks)
    assert Invitation.objects.count() == 1
    assert len(mail.outbox) == 2

    response = _invite(client, startup, founder.email, django_capture_on_commit_callbacks)
    assert "is already on the team." in response.content.decode()


def test_tampered_invitation_link(client):
    response = client.get(reverse("invitation-accept", args=["not-a-token"]))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()


@pytest.mark.parametrize(
    ("invitee_language", "subject_word"), [(None, "приглашает"), ("en", "invites"), ("ru", "приглашает")]
)
def test_an_invitation_is_written_in_the_invitees_language_when_they_have_an_account(
    client, founder, startup, django_capture_on_commit_callbacks, invitee_language, subject_word
):
    if invitee_language:
        factories.UserFactory(email="ivan@example.org", language=invitee_language)
    client.force_login(founder)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"  # the inviter works in Russian

    _invite(client, startup, "ivan@example.org", django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert subject_word in message.subject
