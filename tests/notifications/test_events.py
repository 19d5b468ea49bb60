"""Notices caused by transitions, released decisions and review assignments."""

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification, OutboxMessage
from notifications.rendering import render_email
from notifications.services import notify_decisions_released, notify_review_assigned, outbox_message_send
from pipeline.exceptions import TransitionError
from pipeline.models import Application
from pipeline.services import application_transition, startup_transition
from pipeline.services.assignment import assignment_decline
from tests import factories

pytestmark = pytest.mark.django_db


def _accelerate(startup, manager):
    return startup_transition(
        startup=startup, name="accelerate", actor=manager, override=True, reason="Investor deadline."
    )


def test_every_founder_hears_of_a_stage_change(manager):
    founders = [factories.FounderFactory(), factories.FounderFactory()]
    startup = factories.StartupFactory(stage="incubation", founders=founders)
    mentorship = factories.MentorAssignmentFactory(startup=startup)

    _accelerate(startup, manager)

    messages = OutboxMessage.objects.filter(kind="stage_changed").order_by("to_email")
    assert [m.to_email for m in messages] == sorted(f.email for f in founders)
    assert {m.status for m in messages} == {"pending"}
    assert messages[0].context["target"] == "acceleration"
    assert messages[0].context["path"] == f"/startups/{startup.pk}/"
    notified = Notification.objects.filter(kind="stage_changed").values_list("recipient_id", flat=True)
    assert set(notified) == {f.pk for f in founders}
    # The mentor follows it under a notice of their own.
    assert OutboxMessage.objects.get(kind="mentee_stage_changed").recipient == mentorship.mentor


def test_notices_roll_back_with_a_refused_transition(manager):
    startup = factories.StartupFactory(stage="incubation", founders=[factories.FounderFactory()])
    with pytest.raises(TransitionError):
        startup_transition(startup=startup, name="accelerate", actor=manager)  # gate not met

    assert not OutboxMessage.objects.exists()
    assert not Notification.objects.exists()


def test_notices_roll_back_when_the_transaction_fails_after_them(manager, monkeypatch):
    """The outbox row is written inside the transition's transaction: when something later in
    that transaction fails, the row disappears with the state change."""
    from pipeline.services import transitions

    founder = factories.FounderFactory()
    startup = factories.StartupFactory(founders=[founder])
    application = factories.ApplicationFactory(startup=startup, status="in_review")
    for _ in range(2):
        factories.ReviewFactory(assignment__application=application)

    def broken_admission(**kwargs):
        raise RuntimeError("admission failed")

    monkeypatch.setitem(transitions._STARTUP_FOLLOW_UPS, "reject", broken_admission)
    with pytest.raises(RuntimeError):
        application_transition(application=application, name="reject", actor=manager)

    assert Application.objects.get().status == "in_review"
    assert not OutboxMessage.objects.exists()


def test_decisions_are_held_until_released(manager):
    founder = factories.FounderFactory()
    startup = factories.StartupFactory(founders=[founder])
    application = factories.ApplicationFactory(startup=startup, status="in_review")
    for _ in range(2):
        factories.ReviewFactory(assignment__application=application)

    application_transition(application=application, name="accept", actor=manager)

    # Neither the acceptance nor the admission to incubation that follows it is told yet.
    assert not OutboxMessage.objects.exists()
    assert not Notification.objects.exists()

    Application.objects.filter(pk=application.pk).update(decision_released_at=timezone.now())
    notify_decisions_released(application_ids=[application.pk])

    message = OutboxMessage.objects.get()
    assert (message.kind, message.to_email) == ("decision_released", founder.email)
    assert message.context["status"] == "accepted"
    notification = Notification.objects.get()
    assert (notification.recipient, notification.url) == (founder, f"/applications/{application.pk}/")


def test_rejection_of_the_last_application_is_held_too(manager):
    startup = factories.StartupFactory(founders=[factories.FounderFactory()])
    application = factories.ApplicationFactory(startup=startup, status="submitted")

    application_transition(application=application, name="reject", actor=manager)

    startup.refresh_from_db()
    assert startup.stage == "rejected"
    assert not OutboxMessage.objects.exists()


def test_releasing_the_same_decision_twice_tells_once_and_a_new_decision_anew(manager):
    founders = [factories.FounderFactory(), factories.FounderFactory()]
    startup = factories.StartupFactory(founders=founders)
    application = factories.ApplicationFactory(
        startup=startup,
        status="waitlisted",
        decided_at=timezone.now(),
        decision_released_at=timezone.now(),
    )

    notify_decisions_released(application_ids=[application.pk])
    notify_decisions_released(application_ids=[application.pk])
    assert OutboxMessage.objects.count() == 2

    Application.objects.filter(pk=application.pk).update(
        status="accepted", decided_at=timezone.now() + timezone.timedelta(days=1)
    )
    notify_decisions_released(application_ids=[application.pk])
    assert OutboxMessage.objects.count() == 4
    assert OutboxMessage.objects.filter(context__status="accepted").count() == 2


def test_unreleased_or_undecided_applications_are_not_told():
    startup = factories.StartupFactory(founders=[factories.FounderFactory()])
    undecided = factories.ApplicationFactory(startup=startup, status="in_review")
    unreleased = factories.ApplicationFactory(status="accepted", decided_at=timezone.now())

    notify_decisions_released(application_ids=[undecided.pk, unreleased.pk])

    assert not OutboxMessage.objects.exists()


def test_application_status_changes_are_told_to_founders(founder, startup):
    application = factories.ApplicationFactory(startup=startup)

    application_transition(application=application, name="submit", actor=founder)

    message = OutboxMessage.objects.get()
    assert (message.kind, message.to_email) == ("application_status", founder.email)
    assert message.context["target"] == "submitted"
    assert Notification.objects.get().url == f"/applications/{application.pk}/"


def test_review_assignment_is_told_to_the_reviewer_once():
    assignment = factories.ReviewAssignmentFactory()

    notify_review_assigned(assignment_id=assignment.pk)
    notify_review_assigned(assignment_id=assignment.pk)

    message = OutboxMessage.objects.get()
    assert (message.kind, message.recipient) == ("review_assigned", assignment.reviewer)
    assert message.context["path"] == f"/reviews/{assignment.application_id}/"
    assert Notification.objects.get().recipient == assignment.reviewer


def test_a_declined_assignment_is_not_told():
    assignment = factories.ReviewAssignmentFactory(declined_at=timezone.now())

    assert notify_review_assigned(assignment_id=assignment.pk) == []
    assert not OutboxMessage.objects.exists()


def test_a_declined_review_is_told_to_the_calls_managers(mailoutbox):
    call_manager, other_manager = factories.ManagerFactory(), factories.ManagerFactory()
    assignment = factories.ReviewAssignmentFactory(
        application__startup__name="CardioGene", reviewer__full_name="Mikhail Mentor"
    )
    call = assignment.application.call
    former = factories.ManagerFactory()
    call.managers.add(call_manager, former)
    # Named on the call, but no longer a manager: not told.
    former.is_manager = False
    former.save()

    assignment_decline(
        assignment=assignment, actor=assignment.reviewer, reason="I advise a competitor.", conflict=True
    )
    outbox_message_send(message_id=OutboxMessage.objects.get(kind="review_declined").pk)

    notice = Notification.objects.get(kind="review_declined")
    assert notice.recipient == call_manager
    assert notice.url == reverse("manage-call", args=[call.slug])
    assert notice.context["reason"] == "I advise a competitor."
    [email] = mailoutbox
    assert email.to == [call_manager.email]
    assert email.subject == "Mikhail Mentor declined the review of CardioGene"
    assert (
        f"Mikhail Mentor gave back the review of CardioGene for “{call.title}” and declared a conflict"
        in email.body
    )
    assert "Their reason: I advise a competitor." in email.body
    assert not Notification.objects.filter(recipient=other_manager).exists()


def test_a_declined_review_in_a_call_without_managers_is_told_to_every_manager():
    managers = [factories.ManagerFactory(), factories.ManagerFactory()]
    assignment = factories.ReviewAssignmentFactory()

    assignment_decline(assignment=assignment, actor=assignment.reviewer, reason="", conflict=False)

    told = set(Notification.objects.filter(kind="review_declined").values_list("recipient", flat=True))
    assert told == {manager.pk for manager in managers}


def test_opted_out_founder_gets_the_in_app_notice_but_no_email(manager):
    founder = factories.FounderFactory()
    factories.NotificationPreferenceFactory(user=founder, kind="stage_changed")
    startup = factories.StartupFactory(stage="incubation", founders=[founder])

    _accelerate(startup, manager)

    assert not OutboxMessage.objects.exists()
    assert Notification.objects.get().recipient == founder


def test_send_is_enqueued_only_after_commit(manager, django_capture_on_commit_callbacks, monkeypatch):
    enqueued = []
    monkeypatch.setattr(
        "notifications.tasks.send_outbox_message.apply_async",
        lambda args, **kwargs: enqueued.append(args[0]),
    )
    startup = factories.StartupFactory(stage="incubation", founders=[factories.FounderFactory()])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _accelerate(startup, manager)
    assert enqueued == []

    for callback in callbacks:
        callback()
    assert enqueued == [OutboxMessage.objects.get().pk]


@pytest.mark.parametrize(("name", "by_founder"), [("reject", False), ("withdraw", True)])
def test_reviewers_still_owing_a_review_hear_that_it_is_no_longer_needed(manager, name, by_founder):
    from notifications.rendering import render_title

    founder = factories.FounderFactory()
    application = factories.ApplicationFactory(
        status="in_review", startup=factories.StartupFactory(name="NeuroRegen", founders=[founder])
    )
    done = factories.ReviewFactory(assignment__application=application)
    factories.ReviewFactory(assignment__application=application)  # two submitted reviews
    drafting = factories.ReviewFactory(
        assignment__application=application, status="draft", submitted_at=None, recommendation=""
    )
    untouched = factories.ReviewAssignmentFactory(application=application)
    declined = factories.ReviewAssignmentFactory(application=application, declined_at=timezone.now())
    actor = founder if by_founder else manager

    application_transition(application=application, name=name, actor=actor, reason="Closed.")

    told = Notification.objects.filter(kind="reviews_closed")
    assert set(told.values_list("recipient_id", flat=True)) == {
        drafting.assignment.reviewer_id,
        untouched.reviewer_id,
    }
    assert done.assignment.reviewer_id not in set(told.values_list("recipient_id", flat=True))
    assert declined.reviewer_id not in set(told.values_list("recipient_id", flat=True))
    notice = told.first()
    title = render_title(kind=notice.kind, context=notice.context)
    assert title.startswith("No review of NeuroRegen (")
    # Not what was decided: a decision may be held.

    email = render_email(kind=notice.kind, context=notice.context, recipient=notice.recipient)
    assert "is no longer needed" in email.text
    assert "reject" not in (email.subject + email.text).lower()
    assert OutboxMessage.objects.filter(kind="reviews_closed").count() == 2


def test_the_startups_mentors_follow_its_stage_changes_and_being_dropped(founder, mentor, manager):
    from notifications.rendering import render_title

    startup = factories.StartupFactory(name="AntibioTech", stage="incubation", founders=[founder])
    factories.MentorAssignmentFactory(startup=startup, mentor=mentor)
    factories.MentorAssignmentFactory(startup=startup, mentor=factories.MentorFactory(is_active=False))

    startup_transition(startup=startup, name="exit", actor=manager, reason="Lost the licence.")

    [notice] = Notification.objects.filter(kind="mentee_stage_changed")
    assert notice.recipient == mentor
    assert render_title(kind=notice.kind, context=notice.context) == "AntibioTech: stage changed to Exited"
    assert "Lost the licence." not in str(notice.context)  # the manager's reason stays in the audit trail
    assert Notification.objects.filter(kind="startup_dropped", recipient=founder).exists()


def test_founders_learn_their_startup_was_dropped_even_with_stage_notices_turned_off(founder, manager):
    from notifications.kinds import SPECS

    factories.NotificationPreferenceFactory(user=founder, kind="stage_changed")
    startup = factories.StartupFactory(name="AntibioTech", stage="acceleration", founders=[founder])

    startup_transition(startup=startup, name="exit", actor=manager, reason="INTERNAL: lost the licence.")

    assert SPECS["startup_dropped"].optional is False
    [message] = OutboxMessage.objects.filter(kind="startup_dropped")
    assert message.recipient == founder
    email = render_email(kind=message.kind, context=message.context, recipient=founder)
    assert email.subject == "AntibioTech was dropped from the pipeline"
    assert "The cluster managers dropped AntibioTech from the pipeline; it was in Acceleration." in email.text
    assert "INTERNAL" not in email.text + email.html
    assert not Notification.objects.filter(kind="stage_changed").exists()
