"""Due-date logic of the reminder sweeps, with frozen time."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from notifications.models import Notification, OutboxMessage
from notifications.rendering import render_title
from notifications.services import reminders_sweep, weekly_digest_create
from pipeline.models import Review
from tests import factories

pytestmark = pytest.mark.django_db

START = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(180))


def _keys(kind: str) -> list[str]:
    return sorted(OutboxMessage.objects.filter(kind=kind).values_list("dedup_key", flat=True))


@pytest.fixture
def assignment():
    """A review assigned at START, due ten days later."""
    call = factories.CallFactory(opens_at=START - timedelta(days=40), closes_at=START - timedelta(days=5))
    return factories.ReviewAssignmentFactory(
        application__call=call, created_at=START, due_at=START + timedelta(days=10)
    )


def _sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return reminders_sweep()


def test_reviewer_is_reminded_three_days_and_one_day_before_due(assignment):
    due = assignment.due_at
    _sweep_at(due - timedelta(days=3, minutes=1))
    assert _keys("review_due_soon") == []

    _sweep_at(due - timedelta(days=3))
    _sweep_at(due - timedelta(days=2))  # a later sweep in the same window sends nothing new
    assert len(_keys("review_due_soon")) == 1
    assert _keys("review_due_soon")[0].endswith(":3d")

    _sweep_at(due - timedelta(hours=20))
    assert [key[-2:] for key in _keys("review_due_soon")] == ["1d", "3d"]
    assert OutboxMessage.objects.filter(kind="review_due_soon").get(dedup_key__endswith="1d").recipient == (
        assignment.reviewer
    )
    assert _keys("review_overdue") == []


def test_a_reminder_tells_the_days_really_left_and_links_to_the_review(assignment):
    # Found by the three-day window, but due in 40 hours: "in 2 days".
    _sweep_at(assignment.due_at - timedelta(hours=40))

    message = OutboxMessage.objects.get(kind="review_due_soon")
    assert message.dedup_key.endswith(":3d")
    assert message.context["days"] == 2
    assert "due in 2 days" in render_title(kind=message.kind, context=message.context)
    assert message.context["path"] == f"/reviews/{assignment.application_id}/"


def test_after_missed_sweeps_only_the_most_urgent_reminder_goes_out(assignment):
    _sweep_at(assignment.due_at - timedelta(hours=5))

    assert [key[-2:] for key in _keys("review_due_soon")] == ["1d"]


def test_a_reminder_whose_moment_passed_before_the_assignment_is_skipped():
    assignment = factories.ReviewAssignmentFactory(created_at=START, due_at=START + timedelta(days=2))

    _sweep_at(START + timedelta(hours=1))
    assert _keys("review_due_soon") == []  # the assignment notice covered the three-day one
    _sweep_at(assignment.due_at - timedelta(hours=23))
    assert [key[-2:] for key in _keys("review_due_soon")] == ["1d"]


def test_overdue_review_reminds_the_reviewer_once_then_escalates_to_the_call_managers(assignment):
    managers = [factories.ManagerFactory(), factories.ManagerFactory()]
    assignment.application.call.managers.set(managers)
    factories.ManagerFactory()  # not a manager of this call

    _sweep_at(assignment.due_at + timedelta(hours=1))
    _sweep_at(assignment.due_at + timedelta(hours=2))
    assert len(_keys("review_overdue")) == 1
    assert _keys("review_overdue_escalation") == []

    _sweep_at(assignment.due_at + timedelta(days=1, minutes=1))
    _sweep_at(assignment.due_at + timedelta(days=3))
    escalations = OutboxMessage.objects.filter(kind="review_overdue_escalation")
    assert sorted(escalations.values_list("recipient_id", flat=True)) == sorted(m.pk for m in managers)
    assert len(_keys("review_overdue")) == 1


def test_submitted_declined_or_decided_reviews_are_not_chased(assignment):
    factories.ReviewFactory(assignment=assignment, status=Review.Status.SUBMITTED)
    declined = factories.ReviewAssignmentFactory(due_at=assignment.due_at, declined_at=START)
    decided = factories.ReviewAssignmentFactory(due_at=assignment.due_at, application__status="accepted")
    draft = factories.ReviewAssignmentFactory(due_at=assignment.due_at, created_at=START)
    factories.ReviewFactory(assignment=draft, status=Review.Status.DRAFT)

    _sweep_at(assignment.due_at + timedelta(days=5))

    assert set(OutboxMessage.objects.values_list("recipient_id", flat=True)) == {draft.reviewer_id}
    assert declined.reviewer_id != draft.reviewer_id != decided.reviewer_id


def test_a_moved_due_date_arms_the_reminders_again(assignment):
    _sweep_at(assignment.due_at - timedelta(hours=20))
    assignment.due_at += timedelta(days=7)
    assignment.save()
    _sweep_at(assignment.due_at - timedelta(hours=20))

    assert len(_keys("review_due_soon")) == 2


def test_founders_with_a_draft_are_reminded_seven_days_and_one_day_before_the_call_closes():
    founders = [factories.FounderFactory(), factories.FounderFactory()]
    call = factories.CallFactory(opens_at=START - timedelta(days=30), closes_at=START + timedelta(days=20))
    draft = factories.ApplicationFactory(
        startup=factories.StartupFactory(founders=founders), call=call, created_at=START
    )
    factories.ApplicationFactory(
        startup=factories.StartupFactory(founders=[factories.FounderFactory()]),
        call=call,
        status="submitted",
        created_at=START,
    )

    _sweep_at(call.closes_at - timedelta(days=7, seconds=1))
    assert _keys("draft_closing") == []
    _sweep_at(call.closes_at - timedelta(days=6))
    _sweep_at(call.closes_at - timedelta(hours=12))
    _sweep_at(call.closes_at + timedelta(hours=1))  # closed: nothing more

    messages = OutboxMessage.objects.filter(kind="draft_closing")
    assert sorted(messages.values_list("recipient_id", flat=True)) == sorted([f.pk for f in founders] * 2)
    assert {key.split(":")[3] for key in _keys("draft_closing")} == {"7d", "1d"}
    assert all(key.startswith(f"draft:{draft.pk}:") for key in _keys("draft_closing"))
    # The reminder opens the draft itself.
    assert set(Notification.objects.filter(kind="draft_closing").values_list("url", flat=True)) == {
        f"/applications/{draft.pk}/edit/"
    }


def test_a_stalled_startup_is_reported_once_per_stage_entry(settings):
    settings.PIPELINE = {**settings.PIPELINE, "STALL_DAYS": 100}
    manager = factories.ManagerFactory()
    startup = factories.StartupFactory(stage="incubation", stage_entered_at=START)
    factories.StartupFactory(stage="alumni", stage_entered_at=START - timedelta(days=900))

    _sweep_at(START + timedelta(days=99))
    assert _keys("startup_stalled") == []
    _sweep_at(START + timedelta(days=101))
    _sweep_at(START + timedelta(days=150))
    assert len(_keys("startup_stalled")) == 1
    assert OutboxMessage.objects.get(kind="startup_stalled").recipient == manager

    # It moves on, and stalls again in the next stage: a new report.
    type(startup).objects.filter(pk=startup.pk).update(
        stage="acceleration", stage_entered_at=START + timedelta(days=160)
    )
    _sweep_at(START + timedelta(days=261))
    assert len(_keys("startup_stalled")) == 2


def test_the_admitting_calls_stall_limit_and_managers_apply(settings):
    settings.PIPELINE = {**settings.PIPELINE, "STALL_DAYS": 100}
    call_manager = factories.ManagerFactory()
    factories.ManagerFactory()  # not told: the call has its own managers
    call = factories.CallFactory(stall_limit_days=30)
    call.managers.set([call_manager])
    startup = factories.StartupFactory(stage="incubation", stage_entered_at=START)
    factories.ApplicationFactory(startup=startup, call=call, status="accepted", decided_at=START)

    _sweep_at(START + timedelta(days=29))
    assert _keys("startup_stalled") == []
    _sweep_at(START + timedelta(days=31))

    message = OutboxMessage.objects.get(kind="startup_stalled")
    assert message.recipient == call_manager
    assert message.context["limit_days"] == 30


def _closing_call(closes_at, managers=()):
    call = factories.CallFactory(
        title="Cohort 2027", opens_at=closes_at - timedelta(days=30), closes_at=closes_at
    )
    call.managers.set(managers)
    return call


def test_a_calls_managers_are_told_once_what_came_in_when_it_closes():
    call_manager = factories.ManagerFactory()
    factories.ManagerFactory()  # not told: the call has its own managers
    call = _closing_call(START, managers=[call_manager])
    for status in ["submitted", "submitted", "in_review", "withdrawn", "draft"]:
        factories.ApplicationFactory(call=call, status=status)
    factories.ApplicationFactory(status="submitted")  # another call's

    _sweep_at(START - timedelta(seconds=1))
    assert _keys("call_closed") == []
    _sweep_at(START)
    _sweep_at(START + timedelta(hours=5))

    message = OutboxMessage.objects.get(kind="call_closed")
    assert message.recipient == call_manager
    assert message.context["submitted"] == 3  # the withdrawn one and the draft did not come in
    assert message.context["without_reviewers"] == 2
    assert message.context["drafts"] == 1
    notice = Notification.objects.get(kind="call_closed")
    assert notice.url == f"/manage/calls/{call.slug}/"
    title = render_title(kind="call_closed", context=notice.context)
    assert title == "“Cohort 2027” closed with 3 applications"


def test_a_call_reopened_and_closed_again_is_reported_again():
    manager = factories.ManagerFactory()
    call = _closing_call(START, managers=[manager])
    _sweep_at(START + timedelta(hours=1))
    type(call).objects.filter(pk=call.pk).update(closes_at=START + timedelta(days=7))
    factories.ApplicationFactory(call=call, status="submitted")
    _sweep_at(START + timedelta(days=7, hours=1))

    told = OutboxMessage.objects.filter(kind="call_closed").order_by("pk")
    assert [message.context["submitted"] for message in told] == [0, 1]


def test_a_call_without_managers_is_reported_to_every_manager_but_not_long_after_it_closed(settings):
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "CALL_CLOSED_WITHIN_DAYS": 2}
    managers = [factories.ManagerFactory(), factories.ManagerFactory()]
    _closing_call(START)
    _closing_call(START - timedelta(days=3))  # closed before the sweep's window: not reported late

    result = _sweep_at(START + timedelta(days=1))

    assert result.call_closed == 2
    assert {m.recipient for m in OutboxMessage.objects.filter(kind="call_closed")} == set(managers)
    assert OutboxMessage.objects.filter(kind="call_closed", context__call="Cohort 2027").count() == 2


def test_a_manager_who_turned_the_e_mail_off_finds_the_notice_in_the_centre_only():
    manager = factories.ManagerFactory()
    factories.NotificationPreferenceFactory(user=manager, kind="call_closed", email_enabled=False)
    _closing_call(START, managers=[manager])

    _sweep_at(START + timedelta(hours=1))

    assert not OutboxMessage.objects.filter(kind="call_closed").exists()
    assert Notification.objects.get(kind="call_closed").recipient == manager


def test_weekly_digest_goes_to_each_manager_once_a_week():
    managers = [factories.ManagerFactory(), factories.ManagerFactory()]
    factories.StartupFactory(stage="incubation")

    with time_machine.travel(START, tick=False):
        weekly_digest_create()
        weekly_digest_create()
    with time_machine.travel(START + timedelta(days=7), tick=False):
        weekly_digest_create()

    digests = OutboxMessage.objects.filter(kind="weekly_digest")
    assert digests.count() == 4
    assert set(digests.values_list("recipient_id", flat=True)) == {m.pk for m in managers}
    assert not Notification.objects.exists()  # e-mail only
    counts = {row["stage"]: row["count"] for row in digests.first().context["stage_counts"]}
    assert counts["Incubation"] == 1
