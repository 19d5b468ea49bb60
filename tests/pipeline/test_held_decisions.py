"""A decision stays with the managers until they release it: nothing the founders (or their
mentors) see may tell it before then, not a later stage change, a lock message, a reminder or a
to-do."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from incubator.selectors import missing_reports
from incubator.services.portfolio import PortfolioError, kpi_report_submit
from notifications.models import OutboxMessage
from notifications.services.portfolio import kpi_reminders_create, milestone_reminders_create
from pipeline.models import Application
from pipeline.services import application_transition
from pipeline.services.assignment import assignment_create
from pipeline.services.reviews import decisions_release
from tests import factories

pytestmark = pytest.mark.django_db


def _reviewed(startup, call=None):
    application = factories.ApplicationFactory(
        startup=startup, status="in_review", submitted_at=timezone.now(), **({"call": call} if call else {})
    )
    for _ in range(2):
        factories.ReviewFactory(assignment__application=application)
    return application


def _decide(application, name, manager):
    return application_transition(application=application, name=name, actor=manager)


def test_a_later_decision_stays_hidden_behind_the_released_one(client, founder, startup, manager):
    application = _decide(_reviewed(startup), "waitlist", manager)
    decisions_release(call=application.call, actor=manager)
    _decide(application, "accept", manager)
    client.force_login(founder)

    page = client.get(reverse("application-detail", args=[application.pk])).content.decode()
    assert "Waitlisted" in page
    assert "Accepted" not in page
    home = client.get(reverse("founder-home")).content.decode()
    assert "Incubation" not in home

    assert decisions_release(call=application.call, actor=manager) == [application.pk]
    page = client.get(reverse("application-detail", args=[application.pk])).content.decode()
    assert "Accepted" in page


def test_applying_again_does_not_tell_a_held_rejection(client, founder, startup, manager):
    _decide(_reviewed(startup), "reject", manager)
    second = factories.ApplicationFactory(startup=startup)
    application_transition(application=second, name="submit", actor=founder)
    startup.refresh_from_db()
    assert startup.stage == "application"
    client.force_login(founder)

    page = client.get(reverse("startup-detail", args=[startup.pk])).content.decode()
    assert "Rejected" not in page


def test_the_edit_lock_does_not_tell_a_held_acceptance(client, founder, startup, manager):
    application = _decide(_reviewed(startup), "accept", manager)
    client.force_login(founder)

    page = client.get(reverse("application-edit", args=[application.pk]), follow=True).content.decode()
    assert "can no longer be changed" in page
    assert "Accepted" not in page


@pytest.fixture
def held_admission(startup, manager):
    application = _decide(_reviewed(startup), "accept", manager)
    # Admitted three months ago, so monthly reports are due.
    startup.refresh_from_db()
    type(startup).objects.filter(pk=startup.pk).update(admitted_at=timezone.now() - timedelta(days=95))
    return application


def _after_the_due_day() -> datetime:
    today = timezone.localdate()
    day = today.replace(day=settings.PIPELINE["KPI_DUE_DAY"] + 2)
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12))


def test_no_report_is_asked_for_before_the_admission_is_released(founder, startup, manager, held_admission):
    factories.MilestoneFactory(startup=startup, due_on=timezone.localdate() + timedelta(days=1))
    now = timezone.now()

    assert kpi_reminders_create(now=_after_the_due_day()) == (0, 0)
    assert milestone_reminders_create(now=now) == 0
    assert [row.startup for row in missing_reports()] == []
    with pytest.raises(PortfolioError):
        kpi_report_submit(startup=startup, actor=founder, period=timezone.localdate())

    decisions_release(call=held_admission.call, actor=manager)
    assert kpi_reminders_create(now=_after_the_due_day()) != (0, 0)
    assert milestone_reminders_create(now=now) == 1
    assert [row.startup for row in missing_reports()] == [startup]
    assert OutboxMessage.objects.filter(to_email=founder.email).exists()


def test_founder_and_mentor_pages_show_no_portfolio_of_a_held_admission(
    client, founder, startup, manager, held_admission
):
    factories.MilestoneFactory(startup=startup, title="Lead compound in vivo")
    mentor = factories.MentorAssignmentFactory(startup=startup).mentor
    client.force_login(founder)
    assert "Lead compound in vivo" not in client.get(reverse("founder-home")).content.decode()
    page = client.get(reverse("startup-detail", args=[startup.pk])).content.decode()
    assert "Lead compound in vivo" not in page
    assert "Incubation" not in page
    client.force_login(mentor)
    assert "Incubation" not in client.get(reverse("mentor-home")).content.decode()

    decisions_release(call=held_admission.call, actor=manager)
    client.force_login(founder)
    assert (
        "Lead compound in vivo" in client.get(reverse("startup-detail", args=[startup.pk])).content.decode()
    )
    client.force_login(mentor)
    assert "Incubation" in client.get(reverse("mentor-home")).content.decode()


def test_the_release_button_counts_every_held_decision_whatever_the_filter(client, manager):
    call = factories.CallFactory()
    for name in ("accept", "reject"):
        _decide(_reviewed(factories.StartupFactory(), call=call), name, manager)
    client.force_login(manager)
    response = client.get(reverse("manage-ranking", args=[call.slug]), {"status": "accepted"})
    assert response.context["unreleased"] == 2
    assert Application.objects.filter(status="accepted").count() == 1


def test_portfolio_pages_of_a_held_admission_are_not_found_for_founders_and_mentors(
    client, founder, startup, manager, held_admission
):
    milestone = factories.MilestoneFactory(startup=startup)
    mentor = factories.MentorAssignmentFactory(startup=startup).mentor
    period = timezone.localdate().replace(day=1)
    pages = [
        reverse("milestone-detail", args=[milestone.pk]),
        reverse("milestone-new", args=[startup.pk]),
        reverse("kpi-report", args=[startup.pk, period.year, period.month]),
    ]
    for person in (founder, mentor):
        client.force_login(person)
        assert [client.get(page).status_code for page in pages] == [404, 404, 404], person
    client.force_login(manager)
    assert client.get(pages[0]).status_code == 200

    decisions_release(call=held_admission.call, actor=manager)
    client.force_login(founder)
    assert client.get(pages[0]).status_code == 200


def test_a_managers_reason_is_never_shown_to_the_founders_or_mentors(client, founder, startup, manager):
    mentor = factories.MentorFactory()
    factories.MentorAssignmentFactory(startup=startup, mentor=mentor)
    application = _reviewed(startup)
    application_transition(
        application=application, name="reject", actor=manager, reason="INTERNAL: do not fund."
    )
    decisions_release(call=application.call, actor=manager)
    url = reverse("startup-detail", args=[startup.pk])

    for person in (founder, mentor):
        client.force_login(person)
        page = client.get(url).content.decode()
        assert "Rejected" in page
        assert "INTERNAL" not in page
    client.force_login(manager)
    assert "INTERNAL: do not fund." in client.get(url).content.decode()

    # The team's own words stay in its timeline.
    again = factories.ApplicationFactory(startup=startup)
    application_transition(application=again, name="submit", actor=founder)
    application_transition(application=again, name="withdraw", actor=founder, reason="We found a partner.")
    client.force_login(founder)
    assert "We found a partner." in client.get(url).content.decode()


def test_who_wrote_a_reason_is_judged_by_the_team_of_the_time(client, founder, startup, manager):
    """A manager who joins the team later does not make earlier reasons public; a co-founder
    who leaves does not take the team's own reason away."""
    application = _reviewed(startup)
    application_transition(
        application=application, name="reject", actor=manager, reason="INTERNAL: do not fund."
    )
    decisions_release(call=application.call, actor=manager)
    co_founder = factories.FounderFactory()
    membership = factories.TeamMembershipFactory(startup=startup, user=co_founder)
    again = factories.ApplicationFactory(startup=startup)
    application_transition(application=again, name="submit", actor=co_founder)
    application_transition(application=again, name="withdraw", actor=co_founder, reason="We found a partner.")

    factories.TeamMembershipFactory(startup=startup, user=manager)
    membership.delete()
    client.force_login(founder)
    page = client.get(reverse("startup-detail", args=[startup.pk])).content.decode()
    assert "INTERNAL" not in page
    assert "We found a partner." in page
    response = client.get("/api/v1/transition-logs/", {"startup": startup.pk})
    reasons = [log.get("reason") for log in response.json()["results"]]
    assert "We found a partner." in reasons
    assert "INTERNAL: do not fund." not in reasons


def test_the_systems_own_reason_is_shown_in_the_readers_language(client, founder, startup, manager):
    application = factories.ApplicationFactory(
        startup=startup, status="submitted", submitted_at=timezone.now()
    )
    assignment_create(application=application, reviewer=factories.MentorFactory(), actor=manager)
    client.force_login(founder)
    url = reverse("startup-detail", args=[startup.pk])
    assert "Reviewers assigned." in client.get(url).content.decode()
    assert "Эксперты назначены." in client.get(url, headers={"accept-language": "ru"}).content.decode()


def test_reviewers_learn_a_decision_when_the_founders_do(client, startup, manager, mentor):
    from rest_framework.test import APIClient

    from pipeline.models import Review
    from pipeline.services.reviews import ReviewError, review_save

    application = _reviewed(startup)
    assignment = factories.ReviewAssignmentFactory(application=application, reviewer=mentor)
    _decide(application, "reject", manager)
    client.force_login(mentor)

    queue = client.get(reverse("mentor-home")).content.decode()
    assert "closed" in queue
    assert "Rejected" not in queue
    form = client.get(reverse("review-form", args=[application.pk])).content.decode()
    assert "Reviews of this application are closed." in form
    assert "Rejected" not in form
    with pytest.raises(ReviewError, match=r"^Reviews of this application are closed\.$"):
        review_save(
            assignment=assignment,
            actor=mentor,
            scores={},
            comment_for_founders="",
            confidential_note="",
            recommendation="",
            confidence=None,
            submit=False,
        )
    api = APIClient()
    api.force_authenticate(mentor)
    [row] = api.get("/api/v1/review-assignments/").json()["results"]
    assert row["application"]["status"] == "in_review"
    assert not Review.objects.filter(assignment=assignment).exists()
    # Managers see the decision at once.
    api.force_authenticate(manager)
    rows = api.get("/api/v1/review-assignments/", {"reviewer": mentor.pk}).json()["results"]
    assert [row["application"]["status"] for row in rows] == ["rejected"]

    api.force_authenticate(mentor)
    decisions_release(call=application.call, actor=manager)
    assert "closed: Rejected" in client.get(reverse("mentor-home")).content.decode()
    assert (
        "The application is “Rejected”"
        in client.get(reverse("review-form", args=[application.pk])).content.decode()
    )
    [row] = api.get("/api/v1/review-assignments/").json()["results"]
    assert row["application"]["status"] == "rejected"


def test_the_api_shows_reviewers_a_held_decision_as_in_review(startup, manager, mentor):
    from rest_framework.test import APIClient

    application = _reviewed(startup)
    factories.ReviewAssignmentFactory(application=application, reviewer=mentor)
    _decide(application, "accept", manager)
    api = APIClient()
    api.force_authenticate(mentor)

    shown = api.get(f"/api/v1/applications/{application.pk}/").json()
    assert shown["status"] == "in_review"
    assert "decided_at" not in shown
    assert "decision_released_at" not in shown
    assert [
        row["id"] for row in api.get("/api/v1/applications/", {"status": "in_review"}).json()["results"]
    ] == [application.pk]
    assert api.get("/api/v1/applications/", {"status": "accepted"}).json()["results"] == []

    decisions_release(call=application.call, actor=manager)
    shown = api.get(f"/api/v1/applications/{application.pk}/").json()
    assert shown["status"] == "accepted"
    assert shown["decided_at"]
    assert [
        row["id"] for row in api.get("/api/v1/applications/", {"status": "accepted"}).json()["results"]
    ] == [application.pk]


def test_a_decision_after_a_released_waitlisting_stays_hidden_from_reviewers(
    client, startup, manager, mentor
):
    from rest_framework.test import APIClient

    application = _reviewed(startup)
    factories.ReviewAssignmentFactory(application=application, reviewer=mentor)
    _decide(application, "waitlist", manager)
    decisions_release(call=application.call, actor=manager)
    _decide(application, "accept", manager)
    application.refresh_from_db()
    assert application.status_beyond_managers == "waitlisted"
    api = APIClient()
    api.force_authenticate(mentor)

    assert api.get(f"/api/v1/applications/{application.pk}/").json()["status"] == "waitlisted"
    [row] = api.get("/api/v1/review-assignments/").json()["results"]
    assert row["application"]["status"] == "waitlisted"
    assert [
        r["id"] for r in api.get("/api/v1/applications/", {"status": "waitlisted"}).json()["results"]
    ] == [application.pk]
    assert api.get("/api/v1/applications/", {"status": "accepted"}).json()["results"] == []
    client.force_login(mentor)
    queue = client.get(reverse("mentor-home")).content.decode()
    assert "closed: Waitlisted" in queue
    assert "Accepted" not in queue
    assert (
        "“Waitlisted”; reviews are closed"
        in client.get(reverse("review-form", args=[application.pk])).content.decode()
    )


def test_reviewers_list_by_the_update_time_they_are_shown(startup, manager, mentor):
    from datetime import timedelta

    from rest_framework.test import APIClient

    older, newer = _reviewed(startup), _reviewed(factories.StartupFactory())
    for application in (older, newer):
        factories.ReviewAssignmentFactory(application=application, reviewer=mentor)
    now = timezone.now()
    Application.objects.filter(pk=older.pk).update(updated_at=now - timedelta(days=2))
    Application.objects.filter(pk=newer.pk).update(updated_at=now - timedelta(days=1))
    _decide(Application.objects.get(pk=older.pk), "reject", manager)  # held: moves the stored time only
    api = APIClient()
    api.force_authenticate(mentor)

    rows = api.get("/api/v1/applications/", {"ordering": "-updated_at"}).json()["results"]

    assert [row["id"] for row in rows] == [newer.pk, older.pk]
