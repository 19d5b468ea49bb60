"""Programme notes on a startup's page: its managers and mentors write them for each other; its
team (whatever else its members are) never sees them, nor do reviewers and mentors of other
startups. A refused note keeps what was written."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from incubator.models import MentorAssignment, StartupNote, TeamMembership
from incubator.services.notes import startup_note_add, startup_note_remove
from tests import factories

pytestmark = pytest.mark.django_db

SECRET = "Their CSO is leaving in March; keep it to ourselves."


@pytest.fixture
def mentored(founder, mentor):
    startup = factories.StartupFactory(name="NeuroRegen", stage="incubation", founders=[founder])
    factories.MentorAssignmentFactory(startup=startup, mentor=mentor)
    return startup


def _page(client, person, startup) -> str:
    client.force_login(person)
    response = client.get(reverse("startup-detail", args=[startup.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_managers_and_the_mentors_write_notes_that_the_team_never_sees(
    client, mentored, manager, mentor, founder
):
    add = reverse("startup-note-add", args=[mentored.pk])
    client.force_login(manager)
    done = client.post(add, {"body": SECRET}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("startup-detail", args=[mentored.pk])
    assert "The note is added." in done.content.decode()
    client.force_login(mentor)
    client.post(add, {"body": "Second meeting went well."})

    page = _page(client, mentor, mentored)
    assert "Programme notes" in page
    assert page.index("Second meeting went well.") < page.index(SECRET)  # latest first
    assert "Maria Manager" in page

    team_page = _page(client, founder, mentored)
    assert SECRET not in team_page
    assert "Programme notes" not in team_page
    assert add not in team_page
    assert client.post(add, {"body": "Let me in."}).status_code == 403
    assert StartupNote.objects.filter(startup=mentored).count() == 2


def test_people_outside_the_programme_of_the_startup_keep_no_notes_on_it(client, mentored, manager):
    startup_note_add(startup=mentored, actor=manager, body=SECRET)
    other_mentor = factories.MentorFactory()
    factories.MentorAssignmentFactory(
        startup=factories.StartupFactory(stage="incubation"), mentor=other_mentor
    )
    add = reverse("startup-note-add", args=[mentored.pk])

    reviewer = factories.ReviewAssignmentFactory(
        application__startup=mentored, application__status="in_review"
    ).reviewer
    for person in (other_mentor, reviewer, factories.FounderFactory()):
        client.force_login(person)
        assert client.post(add, {"body": "Hello."}).status_code == 404  # they do not see it at all
        with pytest.raises(PermissionDenied):
            startup_note_add(startup=mentored, actor=person, body="Hello.")
    assert list(StartupNote.objects.values_list("body", flat=True)) == [SECRET]


def test_a_refused_note_keeps_what_was_written(client, mentored, mentor):
    client.force_login(mentor)
    add = reverse("startup-note-add", args=[mentored.pk])
    fits = "\r\n".join(["x" * 1999, "y" * 2000])  # 4,000 characters as the browser counts them

    blank = client.post(add, {"body": "  "})
    too_long = client.post(add, {"body": fits + "z"})
    taken = client.post(add, {"body": fits})

    assert blank.status_code == 400
    assert "This field is required." in blank.content.decode()
    assert too_long.status_code == 400
    page = too_long.content.decode()
    assert "Ensure this value has at most 4000 characters (it has 4001)." in page
    assert "y" * 2000 + "z</textarea>" in page
    assert taken.status_code == 302
    assert StartupNote.objects.get().body == fits.replace("\r\n", "\n")


def test_a_note_is_removed_by_its_author_or_a_manager(client, mentored, manager, mentor):
    managers = startup_note_add(startup=mentored, actor=manager, body=SECRET)
    mentors = startup_note_add(startup=mentored, actor=mentor, body="Met them on Monday.")
    remove = reverse("startup-note-remove", args=[managers.pk])

    page = _page(client, mentor, mentored)
    assert remove not in page
    assert reverse("startup-note-remove", args=[mentors.pk]) in page
    assert client.post(remove).status_code == 403
    with pytest.raises(PermissionDenied):
        startup_note_remove(note=managers, actor=mentor)

    # The mentor leaves the programme: the managers still remove what they wrote.
    MentorAssignment.objects.filter(startup=mentored, mentor=mentor).delete()
    assert client.post(reverse("startup-note-remove", args=[mentors.pk])).status_code == 404
    page = _page(client, factories.ManagerFactory(), mentored)
    assert remove in page
    assert reverse("startup-note-remove", args=[mentors.pk]) in page
    done = client.post(reverse("startup-note-remove", args=[mentors.pk]), follow=True)
    assert "The note is removed." in done.content.decode()
    assert list(StartupNote.objects.values_list("body", flat=True)) == [SECRET]


def test_someone_on_the_team_never_reads_the_notes_whatever_else_they_are(client, mentored, manager, mentor):
    note = startup_note_add(startup=mentored, actor=manager, body=SECRET)
    # A mentor who later joined the team, and a manager who co-founded it.
    TeamMembership.objects.create(startup=mentored, user=mentor, role="cofounder")
    cofounder = factories.ManagerFactory()
    TeamMembership.objects.create(startup=mentored, user=cofounder, role="cofounder")
    api = APIClient()

    for person in (mentor, cofounder):
        page = _page(client, person, mentored)
        assert SECRET not in page
        assert "Programme notes" not in page
        assert (
            client.post(reverse("startup-note-add", args=[mentored.pk]), {"body": "Hi."}).status_code == 403
        )
        # Removing tells them nothing either: a note there answers as a note of no one's.
        for note_id in (note.pk, note.pk + 1000):
            assert client.post(reverse("startup-note-remove", args=[note_id])).status_code == 404
        api.force_authenticate(person)
        assert api.get(f"/api/v1/startups/{mentored.pk}/notes/").status_code == 403
    assert StartupNote.objects.count() == 1


def test_the_startup_page_reads_its_notes_in_a_fixed_number_of_queries(client, mentored, manager):
    counts = []
    for size in (2, 12):
        while StartupNote.objects.count() < size:
            author = factories.MentorFactory(organisation=factories.OrganisationFactory())
            factories.MentorAssignmentFactory(startup=mentored, mentor=author)
            startup_note_add(startup=mentored, actor=author, body=f"Note {StartupNote.objects.count()}")
        # Each size with as many mentors as notes: the mentors' list grows alongside.
        client.force_login(manager)
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("startup-detail", args=[mentored.pk])).content.decode()
        assert page.count('class="border-start border-3 ps-2 mb-2"') == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_api_adds_lists_and_removes_notes(mentored, manager, mentor, founder):
    api = APIClient()
    api.force_authenticate(mentor)
    url = f"/api/v1/startups/{mentored.pk}/notes/"

    blank = api.post(url, {"body": " "}, format="json")
    added = api.post(url, {"body": SECRET}, format="json")

    assert blank.status_code == 400
    assert list(blank.json()["error"]["details"]["fields"]) == ["body"]
    assert added.status_code == 201, added.content
    note = added.json()
    assert (note["body"], note["author"]["full_name"]) == (SECRET, "Mikhail Mentor")
    assert [n["body"] for n in api.get(url).json()["results"]] == [SECRET]

    api.force_authenticate(founder)
    refused = api.get(url)
    assert refused.status_code == 403
    assert SECRET not in refused.content.decode()

    # A line break counts once, as on the page: 4,000 characters as the box counts them fit.
    fits = "\r\n".join(["x" * 1999, "y" * 2000])
    assert api.post(url, {"body": fits}, format="json").status_code == 403  # the founder still
    api.force_authenticate(mentor)
    long_one = api.post(url, {"body": fits}, format="json")
    assert long_one.status_code == 201, long_one.content
    assert long_one.json()["body"] == fits.replace("\r\n", "\n")

    other_mentor = factories.MentorFactory()
    factories.MentorAssignmentFactory(startup=mentored, mentor=other_mentor)
    api.force_authenticate(other_mentor)
    refused = api.delete(f"{url}{note['id']}/")
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "Only its author or a cluster manager removes a note."
    api.force_authenticate(manager)
    assert api.delete(f"{url}{note['id']}/").status_code == 204
    assert [n["id"] for n in api.get(url).json()["results"]] == [long_one.json()["id"]]


def test_the_admin_shows_notes_and_changes_none(client, mentored, manager):
    note = startup_note_add(startup=mentored, actor=manager, body=SECRET)
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))

    assert (
        SECRET in client.get(reverse("admin:incubator_startupnote_change", args=[note.pk])).content.decode()
    )
    assert client.get(reverse("admin:incubator_startupnote_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:incubator_startupnote_delete", args=[note.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert StartupNote.objects.filter(pk=note.pk).exists()
