"""A reminder is settled once its task is done: the notice is marked read and its e-mail, if
not sent yet, is cancelled. Other reminders, and a task only half done, are left alone."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from incubator.models import ReadinessChange, Startup
from incubator.services.portfolio import (
    kpi_report_submit,
    milestone_evidence_add,
    readiness_change_confirm,
    readiness_change_record,
)
from notifications.models import Notification, OutboxMessage
from notifications.services import reminders_sweep
from pipeline.services import application_transition, milestone_transition
from pipeline.services.assignment import assignment_create, assignment_decline, assignment_remove
from tests import factories
from tests.notifications.helpers import closing_draft, notice_state
from tests.reviews import review_write

pytestmark = pytest.mark.django_db

MSK = timezone.get_fixed_timezone(180)


@pytest.fixture
def assignments():
    """Two reviews due in two days, of one call with one criterion, each with its reminder."""
    call = factories.CallFactory()
    factories.CriterionFactory(call=call)
    due = timezone.now() + timedelta(days=2)
    assigned_at = timezone.now() - timedelta(days=5)
    pair = [
        factories.ReviewAssignmentFactory(application__call=call, due_at=due, created_at=assigned_at)
        for _ in range(2)
    ]
    reminders_sweep()
    assert notice_state("review_due_soon") == {a.reviewer_id: (False, "pending") for a in pair}
    return pair


def test_submitting_a_review_settles_its_reminder_only(assignments):
    done, other = assignments
    review_write(done, submit=False)
    assert notice_state("review_due_soon")[done.reviewer_id] == (False, "pending")  # a draft is not done

    review_write(done, submit=True)

    assert notice_state("review_due_soon") == {
        done.reviewer_id: (True, "cancelled"),
        other.reviewer_id: (False, "pending"),
    }


def test_declining_a_review_settles_its_reminder(assignments):
    declined, other = assignments

    assignment_decline(assignment=declined, actor=declined.reviewer, reason="No time.", conflict=False)

    assert notice_state("review_due_soon") == {
        declined.reviewer_id: (True, "cancelled"),
        other.reviewer_id: (False, "pending"),
    }


def test_an_email_already_sent_stays_sent(assignments):
    done, _other = assignments
    OutboxMessage.objects.filter(recipient=done.reviewer).update(status="sent")

    review_write(done, submit=True)

    assert notice_state("review_due_soon")[done.reviewer_id] == (True, "sent")


def test_submitting_the_application_settles_every_founders_draft_reminder():
    world = closing_draft()
    draft, founders, someone_else = world.draft, world.founders, world.someone_else
    reminders_sweep()
    assert len(notice_state("draft_closing")) == 3

    application_transition(application=draft, name="submit", actor=founders[0])

    state = notice_state("draft_closing")
    assert [state[f.pk] for f in founders] == [(True, "cancelled")] * 2
    assert state[someone_else.pk] == (False, "pending")


def test_submitting_milestone_evidence_settles_its_reminder_and_a_send_back_does_not(founder, mentor):
    startup = factories.StartupFactory(stage="incubation", founders=[founder])
    factories.MentorAssignmentFactory(startup=startup, mentor=mentor)
    milestone = factories.MilestoneFactory(startup=startup, due_on=date(2026, 12, 10))
    other = factories.MilestoneFactory(startup=startup, due_on=date(2026, 12, 10))
    with time_machine.travel(datetime(2026, 12, 3, 9, tzinfo=MSK), tick=False):
        reminders_sweep()
    keys = {n.dedup_key.split(":")[1]: n for n in Notification.objects.filter(kind="milestone_due_soon")}
    assert set(keys) == {str(milestone.pk), str(other.pk)}

    milestone_evidence_add(milestone=milestone, actor=founder, note="Report attached.")
    milestone_transition(milestone=milestone, name="submit", actor=founder)
    read = dict(Notification.objects.filter(kind="milestone_due_soon").values_list("dedup_key", "read_at"))
    assert read[keys[str(milestone.pk)].dedup_key] is not None
    assert read[keys[str(other.pk)].dedup_key] is None  # the other milestone is still owed

    # Sent back, the evidence is owed again: a reminder about it stays unread.
    again = factories.NotificationFactory(
        recipient=founder,
        kind="milestone_due_soon",
        dedup_key=f"milestone-due:{milestone.pk}:2026-12-10:1d:u{founder.pk}",
    )
    milestone_transition(milestone=milestone, name="send_back", actor=mentor, reason="Unsigned.")
    again.refresh_from_db()
    assert again.read_at is None


def test_a_review_taken_back_or_no_longer_needed_settles_its_reminder(assignments, manager):
    taken_back, decided = assignments

    assignment_remove(assignment=taken_back, actor=manager)
    assert notice_state("review_due_soon")[taken_back.reviewer_id] == (True, "cancelled")
    assert notice_state("review_due_soon")[decided.reviewer_id] == (False, "pending")

    application_transition(
        application=decided.application, name="reject", actor=manager, reason="Out of scope.", override=True
    )

    assert notice_state("review_due_soon")[decided.reviewer_id] == (True, "cancelled")


def test_sending_the_monthly_report_settles_its_reminder(founder):
    startup = factories.StartupFactory(stage="incubation", founders=[founder])
    Startup.objects.filter(pk=startup.pk).update(admitted_at=datetime(2026, 8, 20, 10, tzinfo=MSK))
    with time_machine.travel(datetime(2026, 11, 11, 9, tzinfo=MSK), tick=False):
        reminders_sweep()
        assert notice_state("kpi_report_overdue") == {founder.pk: (False, "pending")}

        kpi_report_submit(startup=startup, actor=founder, period=date(2026, 11, 1), team_size=3)
        assert notice_state("kpi_report_overdue") == {founder.pk: (False, "pending")}  # another month

        kpi_report_submit(startup=startup, actor=founder, period=date(2026, 10, 1), team_size=3)
    assert notice_state("kpi_report_overdue") == {founder.pk: (True, "cancelled")}


def test_a_declined_review_settles_the_notice_that_asked_for_it(manager):
    application = factories.ApplicationFactory(status="in_review")
    factories.CriterionFactory(call=application.call)
    declined = assignment_create(application=application, reviewer=factories.MentorFactory(), actor=manager)
    kept = assignment_create(application=application, reviewer=factories.MentorFactory(), actor=manager)
    assert notice_state("review_assigned") == {
        declined.reviewer_id: (False, "pending"),
        kept.reviewer_id: (False, "pending"),
    }

    assignment_decline(assignment=declined, actor=declined.reviewer, reason="No time.", conflict=False)

    assert notice_state("review_assigned") == {
        declined.reviewer_id: (True, "cancelled"),
        kept.reviewer_id: (False, "pending"),
    }


def test_a_decided_readiness_change_or_milestone_settles_every_mentors_notice(founder):
    startup = factories.StartupFactory(stage="incubation", founders=[founder], trl=3)
    mentors = [factories.MentorFactory() for _ in range(2)]
    for mentor in mentors:
        factories.MentorAssignmentFactory(startup=startup, mentor=mentor)
    readiness_change_record(
        startup=startup, actor=founder, trl=4, phase="preclinical", evidence_note="Model."
    )
    milestone = factories.MilestoneFactory(startup=startup, status="in_progress")
    milestone_evidence_add(milestone=milestone, actor=founder, note="Report attached.")
    milestone_transition(milestone=milestone, name="submit", actor=founder)
    unread = {(False, "pending")}
    assert set(notice_state("readiness_proposed").values()) == unread
    assert set(notice_state("milestone_submitted").values()) == unread

    readiness_change_confirm(change=ReadinessChange.objects.get(), actor=mentors[0], accept=True)
    milestone_transition(milestone=milestone, name="accept", actor=mentors[0])

    settled = {mentor.pk: (True, "cancelled") for mentor in mentors}
    assert notice_state("readiness_proposed") == settled
    assert notice_state("milestone_submitted") == settled
