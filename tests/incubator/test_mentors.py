"""Managers give a startup in the programme its mentors from the startup's page; the mentor and
the team are told, and the mentorship opens the startup's portfolio to the mentor."""

import pytest
from django.urls import reverse
from django.utils import timezone

from incubator.models import MentorAssignment
from incubator.services import MentorError, mentor_assign
from notifications.models import Notification
from notifications.rendering import render_title
from pipeline.services import application_transition, startup_transition
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def incubating(founder):
    return factories.StartupFactory(name="NeuroRegen", stage="incubation", founders=[founder])


def _told(kind: str) -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def test_a_manager_gives_a_startup_a_mentor_who_and_the_team_are_told(
    client, manager, founder, mentor, incubating
):
    cofounder = factories.FounderFactory()
    factories.TeamMembershipFactory(startup=incubating, user=cofounder)
    client.force_login(mentor)
    assert client.get(reverse("startup-detail", args=[incubating.pk])).status_code == 404

    client.force_login(manager)
    page = client.get(reverse("startup-detail", args=[incubating.pk])).content.decode()
    assert "No mentor yet." in page
    assert f'<option value="{mentor.pk}">Mikhail Mentor' in page
    response = client.post(reverse("mentor-add", args=[incubating.pk]), {"mentor": mentor.pk}, follow=True)

    assert "Mikhail Mentor now mentors NeuroRegen; they and the team are told." in response.content.decode()
    assert MentorAssignment.objects.get().mentor == mentor
    assert _told("mentee_assigned") == {mentor.pk}
    assert _told("mentor_assigned") == {founder.pk, cofounder.pk}
    notice = Notification.objects.get(kind="mentor_assigned", recipient=founder)
    assert (
        render_title(kind=notice.kind, context=notice.context)
        == "Mikhail Mentor is now a mentor of NeuroRegen"
    )
    client.force_login(mentor)
    assert "NeuroRegen" in client.get(reverse("mentor-home")).content.decode()
    assert client.get(reverse("startup-detail", args=[incubating.pk])).status_code == 200
    client.force_login(founder)
    page = client.get(reverse("startup-detail", args=[incubating.pk])).content.decode()
    assert "Mikhail Mentor" in page
    assert f"mailto:{mentor.email}" in page
    assert reverse("mentor-add", args=[incubating.pk]) not in page


def test_a_mentor_is_given_only_where_it_makes_sense(manager, founder, mentor, incubating):
    applying = factories.StartupFactory(name="EarlyBio", stage="application")
    with pytest.raises(MentorError, match="EarlyBio is in Application: mentors are given to startups in"):
        mentor_assign(startup=applying, mentor=mentor, actor=manager)
    with pytest.raises(MentorError, match="is not an active mentor"):
        mentor_assign(startup=incubating, mentor=factories.FounderFactory(), actor=manager)
    founder.is_mentor = True
    founder.save()
    with pytest.raises(MentorError, match="is on the startup's team"):
        mentor_assign(startup=incubating, mentor=founder, actor=manager)
    mentor_assign(startup=incubating, mentor=mentor, actor=manager)
    with pytest.raises(MentorError, match=r"Mikhail Mentor already mentors NeuroRegen\."):
        mentor_assign(startup=incubating, mentor=mentor, actor=manager)
    assert MentorAssignment.objects.count() == 1
    assert _told("mentee_assigned") == {mentor.pk}


def test_no_mentor_while_the_admission_is_held(client, manager, founder, mentor):
    startup = factories.StartupFactory(name="HeldBio", founders=[founder])
    application = factories.ApplicationFactory(startup=startup, status="in_review")
    for _ in range(application.call.min_reviews):
        factories.ReviewFactory(assignment__application=application)
    application_transition(application=application, name="accept", actor=manager)
    startup.refresh_from_db()
    assert startup.stage == "incubation"

    with pytest.raises(MentorError, match="The admission of HeldBio is not released to its founders yet"):
        mentor_assign(startup=startup, mentor=mentor, actor=manager)
    assert not Notification.objects.filter(kind="mentor_assigned").exists()
    client.force_login(manager)
    page = client.get(reverse("startup-detail", args=[startup.pk])).content.decode()
    assert reverse("mentor-add", args=[startup.pk]) not in page


def test_only_managers_give_and_end_mentorships(client, manager, founder, mentor, incubating):
    other = factories.MentorFactory()
    mentorship = factories.MentorAssignmentFactory(startup=incubating, mentor=other)
    add, remove = reverse("mentor-add", args=[incubating.pk]), reverse("mentor-remove", args=[mentorship.pk])
    for person in (founder, mentor, other):
        client.force_login(person)
        assert client.post(add, {"mentor": mentor.pk}).status_code == 403
        assert client.post(remove).status_code == 403
    client.logout()
    assert client.post(add, {"mentor": mentor.pk}).url.startswith(reverse("login"))
    assert list(MentorAssignment.objects.values_list("mentor_id", flat=True)) == [other.pk]

    client.force_login(manager)
    bad = client.post(add, {"mentor": "not a number"}, follow=True)
    assert "Choose a mentor from the list." in bad.content.decode()
    response = client.post(remove, follow=True)
    assert f"{other} no longer mentors NeuroRegen." in response.content.decode()
    assert not MentorAssignment.objects.exists()
    notice = Notification.objects.get(kind="mentorship_ended")
    assert notice.recipient == other
    assert render_title(kind=notice.kind, context=notice.context) == "You no longer mentor NeuroRegen"
    # The team hears too: its notice of the mentor's arrival is not the last word.
    left = Notification.objects.get(kind="mentor_left")
    assert left.recipient == founder
    assert render_title(kind=left.kind, context=left.context) == f"{other} no longer mentors NeuroRegen"
    client.force_login(other)
    assert client.get(reverse("startup-detail", args=[incubating.pk])).status_code == 404


def test_mentorships_through_the_api(manager, founder, mentor, incubating):
    from rest_framework.test import APIClient

    def client_for(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    url = f"/api/v1/startups/{incubating.pk}/mentors/"
    added = client_for(manager).post(url, {"mentor": mentor.pk}, format="json")
    assert added.status_code == 201, added.json()
    assert added.json()["mentor"] == {"id": mentor.pk, "full_name": "Mikhail Mentor"}
    assert _told("mentee_assigned") == {mentor.pk}
    again = client_for(manager).post(url, {"mentor": mentor.pk}, format="json")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "mentor_refused")
    assert again.json()["error"]["message"] == "Mikhail Mentor already mentors NeuroRegen."
    assert client_for(founder).post(url, {"mentor": mentor.pk}, format="json").status_code == 403
    listed = client_for(founder).get(url).json()["results"]
    assert [row["mentor"]["id"] for row in listed] == [mentor.pk]
    assert client_for(factories.FounderFactory()).get(url).status_code == 404

    removed = client_for(manager).delete(f"{url}{mentor.pk}/")
    assert removed.status_code == 204
    assert not MentorAssignment.objects.exists()
    assert _told("mentorship_ended") == {mentor.pk}
    assert client_for(manager).delete(f"{url}{mentor.pk}/").status_code == 404


def test_a_mentors_page_keeps_startups_that_left_the_programme_apart(client, manager, mentor, incubating):
    exiting = factories.StartupFactory(name="GoneBio", stage="incubation")
    for startup in (incubating, exiting):
        mentor_assign(startup=startup, mentor=mentor, actor=manager)
    startup_transition(startup=exiting, name="exit", actor=manager, reason="Closed down.")
    client.force_login(mentor)
    body = client.get(reverse("mentor-home")).content.decode()
    current, former = body.split("Former mentees")
    assert "NeuroRegen" in current.split("Mentees", 1)[1]
    assert "GoneBio" not in current
    assert "GoneBio" in former
    assert "Exited" in former
    # Still open to the mentor, for its history.
    assert client.get(reverse("startup-detail", args=[exiting.pk])).status_code == 200

    startup_transition(startup=incubating, name="exit", actor=manager, reason="Closed down.")
    body = client.get(reverse("mentor-home")).content.decode()
    assert "None in the programme now." in body
    assert "You mentor no startup yet." not in body


def test_a_mentor_who_declared_a_conflict_with_the_startup_is_refused(manager, mentor, incubating):
    from incubator.models import Organisation, ReviewerConflict

    ReviewerConflict.objects.create(reviewer=mentor, startup=incubating, note="Close personal tie.")
    with pytest.raises(
        MentorError,
        match=r"^Mikhail Mentor cannot mentor NeuroRegen: declared a conflict of interest with the startup",
    ):
        mentor_assign(startup=incubating, mentor=mentor, actor=manager)

    # Working for an organisation the startup is affiliated with is no conflict for a mentor.
    other = factories.MentorFactory(full_name="Olga Other")
    organisation = factories.OrganisationFactory()
    incubating.affiliations.add(organisation)
    other.organisation = organisation
    other.save()
    mentor_assign(startup=incubating, mentor=other, actor=manager)
    # A declared conflict with that organisation is.
    third = factories.MentorFactory(full_name="Pavel Third")
    ReviewerConflict.objects.create(reviewer=third, organisation=Organisation.objects.get(pk=organisation.pk))
    with pytest.raises(
        MentorError, match="declared a conflict of interest with one of the startup's organisations"
    ):
        mentor_assign(startup=incubating, mentor=third, actor=manager)
    assert list(MentorAssignment.objects.values_list("mentor__full_name", flat=True)) == ["Olga Other"]


def test_a_mentor_who_declined_the_startups_review_for_a_conflict_is_refused(manager, mentor, incubating):
    application = factories.ApplicationFactory(startup=incubating, status="in_review")
    factories.ReviewAssignmentFactory(
        application=application, reviewer=mentor, declined_at=timezone.now(), declined_for_conflict=True
    )

    with pytest.raises(MentorError, match="declined this startup for a conflict of interest"):
        mentor_assign(startup=incubating, mentor=mentor, actor=manager)
