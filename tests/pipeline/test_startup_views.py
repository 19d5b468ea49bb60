import pytest
from django.urls import reverse

from incubator.models import Startup
from pipeline.models import TransitionLog
from tests import factories

pytestmark = pytest.mark.django_db


def test_team_member_sees_their_startup_other_founders_get_404(client, founder, startup):
    client.force_login(founder)
    assert client.get(reverse("startup-detail", args=[startup.pk])).status_code == 200

    client.force_login(factories.FounderFactory())
    assert client.get(reverse("startup-detail", args=[startup.pk])).status_code == 404


def test_manager_moves_a_startup_and_the_timeline_shows_it(client, manager, founder):
    startup = factories.StartupFactory(name="CardioSense", stage="incubation", founders=[founder])
    factories.MilestoneFactory(startup=startup, status="accepted")
    client.force_login(manager)

    page = client.get(reverse("startup-detail", args=[startup.pk])).content.decode()
    assert "Move to acceleration" in page

    response = client.post(
        reverse("startup-transition", args=[startup.pk]),
        {"transition": "accelerate", "expected_state": "incubation", "reason": "Milestones met."},
        follow=True,
    )
    body = response.content.decode()
    assert "CardioSense: the stage is now “Acceleration”." in body
    assert "Milestones met." in body
    assert Startup.objects.get(pk=startup.pk).stage == "acceleration"


def test_refused_move_shows_the_guard_and_changes_nothing(client, manager, founder):
    startup = factories.StartupFactory(name="CardioSense", stage="incubation", founders=[founder])
    client.force_login(manager)

    response = client.post(
        reverse("startup-transition", args=[startup.pk]),
        {"transition": "accelerate", "expected_state": "incubation"},
        follow=True,
    )
    assert "No incubation milestones have been set for CardioSense yet" in response.content.decode()
    assert Startup.objects.get(pk=startup.pk).stage == "incubation"
    assert not TransitionLog.objects.exists()


def test_a_refused_move_keeps_what_the_manager_wrote(client, manager, founder):
    startup = factories.StartupFactory(name="CardioSense", stage="incubation", founders=[founder])
    factories.MilestoneFactory(startup=startup, status="planned")
    client.force_login(manager)

    response = client.post(
        reverse("startup-transition", args=[startup.pk]),
        {"transition": "accelerate", "expected_state": "incubation", "reason": "Board approved early."},
    )

    assert response.status_code == 409
    body = response.content.decode()
    # The refusal sits in the move's own form, above the reason as it was typed.
    form = body[body.index('name="transition" value="accelerate"') :]
    form = form[: form.index("</form>")]
    assert "“Move to acceleration” was not done:" in form
    assert "are not accepted yet" in form
    assert ">Board approved early.</textarea>" in form
    assert Startup.objects.get(pk=startup.pk).stage == "incubation"
    # Other moves' boxes stay empty.
    assert body.count("Board approved early.") == 1


def test_a_reason_is_required_by_the_form_before_dropping_a_startup(client, manager, founder):
    startup = factories.StartupFactory(stage="incubation", founders=[founder])
    client.force_login(manager)

    body = client.get(reverse("startup-detail", args=[startup.pk])).content.decode()

    # The browser asks for the reason before the "cannot be moved on" confirmation.
    assert 'id="reason-exit"' in body
    drop = body[body.index('id="reason-exit"') :]
    assert drop[: drop.index(">")].endswith(" required")


def test_stale_page_gets_a_conflict_message(client, manager, founder):
    startup = factories.StartupFactory(name="CardioSense", stage="alumni", founders=[founder])
    client.force_login(manager)

    response = client.post(
        reverse("startup-transition", args=[startup.pk]),
        {"transition": "graduate", "expected_state": "funding", "reason": "Series A closed."},
        follow=True,
    )
    body = response.content.decode()
    assert "was changed by someone else meanwhile" in body
    # The move is no longer offered; what was typed is still on the page.
    assert "The reason you wrote: Series A closed." in body
    assert Startup.objects.get(pk=startup.pk).stage == "alumni"


def test_founders_and_mentors_cannot_post_moves(client, founder, mentor):
    startup = factories.StartupFactory(stage="funding", founders=[founder])
    factories.MentorAssignmentFactory(startup=startup, mentor=mentor)
    for user in (founder, mentor):
        client.force_login(user)
        response = client.post(
            reverse("startup-transition", args=[startup.pk]),
            {"transition": "graduate", "expected_state": "funding"},
        )
        assert response.status_code == 403
    assert Startup.objects.get(pk=startup.pk).stage == "funding"


def test_manager_override_from_the_page(client, manager, founder):
    startup = factories.StartupFactory(stage="incubation", founders=[founder])
    client.force_login(manager)

    client.post(
        reverse("startup-transition", args=[startup.pk]),
        {
            "transition": "accelerate",
            "expected_state": "incubation",
            "override": "on",
            "reason": "Board decision.",
        },
    )
    log = TransitionLog.objects.get()
    assert log.is_override
    assert log.reason == "Board decision."
