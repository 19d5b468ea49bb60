"""Both stage machines through their transition services: every allowed and forbidden move,
every guard's message, every permission, the audit record, and rollback."""

import pytest
from django.urls import reverse

from incubator.models import InvestmentReadinessReview, Startup
from pipeline import events
from pipeline.exceptions import (
    GuardFailed,
    TransitionConflict,
    TransitionForbidden,
    TransitionNotAvailable,
)
from pipeline.machines import Stage
from pipeline.models import Application, ApplicationStatus, TransitionLog
from pipeline.services import application_transition, permitted_transitions, startup_transition
from tests import factories

pytestmark = pytest.mark.django_db

STARTUP_MOVES = {
    ("application", "admit"): "incubation",
    ("incubation", "accelerate"): "acceleration",
    ("acceleration", "fund"): "funding",
    ("funding", "graduate"): "alumni",
    ("incubation", "exit"): "exited",
    ("acceleration", "exit"): "exited",
    ("funding", "exit"): "exited",
    ("application", "reject"): "rejected",
    ("application", "withdraw"): "withdrawn",
    ("rejected", "reapply"): "application",
    ("withdrawn", "reapply"): "application",
}
STARTUP_TRANSITION_NAMES = sorted({name for _, name in STARTUP_MOVES})
FOUNDER_STARTUP_TRANSITIONS = {"withdraw", "reapply"}

APPLICATION_MOVES = {
    ("draft", "submit"): "submitted",
    ("submitted", "start_review"): "in_review",
    ("in_review", "accept"): "accepted",
    ("waitlisted", "accept"): "accepted",
    ("submitted", "reject"): "rejected",
    ("in_review", "reject"): "rejected",
    ("waitlisted", "reject"): "rejected",
    ("in_review", "waitlist"): "waitlisted",
    ("draft", "withdraw"): "withdrawn",
    ("submitted", "withdraw"): "withdrawn",
    ("in_review", "withdraw"): "withdrawn",
    ("waitlisted", "withdraw"): "withdrawn",
}
APPLICATION_TRANSITION_NAMES = sorted({name for _, name in APPLICATION_MOVES})
FOUNDER_APPLICATION_TRANSITIONS = {"submit", "withdraw"}


def _satisfy_startup_guards(startup: Startup, name: str) -> str:
    """Make the guards of ``name`` pass; return the reason to give."""
    if name == "admit":
        factories.ApplicationFactory(startup=startup, status="accepted")
    elif name == "accelerate":
        factories.MilestoneFactory(startup=startup, stage="incubation", status="accepted")
    elif name == "fund":
        factories.MilestoneFactory(startup=startup, stage="acceleration", status="accepted")
        InvestmentReadinessReview.objects.create(startup=startup, verdict="ready", summary="Ready.")
    elif name == "reapply":
        factories.ApplicationFactory(startup=startup, status="submitted")
    return "Recorded for the test."


def _complete_reviews(application: Application, count: int) -> None:
    for _ in range(count):
        factories.ReviewFactory(assignment__application=application)


@pytest.mark.parametrize("state", [stage.value for stage in Stage])
@pytest.mark.parametrize("name", STARTUP_TRANSITION_NAMES)
def test_startup_machine_table(state, name, manager, founder):
    startup = factories.StartupFactory(stage=state, founders=[founder])
    reason = _satisfy_startup_guards(startup, name)
    actor = founder if name in FOUNDER_STARTUP_TRANSITIONS else manager
    target = STARTUP_MOVES.get((state, name))

    if target is None:
        with pytest.raises(TransitionNotAvailable):
            startup_transition(startup=startup, name=name, actor=actor, reason=reason)
        startup.refresh_from_db()
        assert startup.stage == state
        assert not TransitionLog.objects.filter(startup=startup, machine="startup").exists()
        return

    moved = startup_transition(startup=startup, name=name, actor=actor, reason=reason)
    assert moved.stage == target
    assert Startup.objects.get(pk=startup.pk).stage == target
    log = TransitionLog.objects.get(startup=startup, machine="startup")
    assert (log.source, log.target, log.transition) == (state, target, name)
    assert log.actor == actor
    assert log.reason == reason
    assert log.application is None
    assert not log.is_override


@pytest.mark.parametrize("state", [status.value for status in ApplicationStatus])
@pytest.mark.parametrize("name", APPLICATION_TRANSITION_NAMES)
def test_application_machine_table(state, name, manager, founder):
    startup = factories.StartupFactory(founders=[founder])
    application = factories.ApplicationFactory(startup=startup, status=state)
    _complete_reviews(application, application.call.min_reviews)
    actor = founder if name in FOUNDER_APPLICATION_TRANSITIONS else manager
    target = APPLICATION_MOVES.get((state, name))

    if target is None:
        with pytest.raises(TransitionNotAvailable):
            application_transition(application=application, name=name, actor=actor)
        application.refresh_from_db()
        assert application.status == state
        assert not TransitionLog.objects.exists()
        return

    moved = application_transition(application=application, name=name, actor=actor, reason="Because.")
    assert moved.status == target
    assert Application.objects.get(pk=application.pk).status == target
    log = TransitionLog.objects.get(machine="application")
    assert (log.source, log.target, log.transition) == (state, target, name)
    assert (log.actor, log.application, log.startup) == (actor, application, startup)
    assert log.reason == "Because."


def test_accepting_admits_the_startup_in_the_same_transaction(manager, startup):
    application = factories.ApplicationFactory(startup=startup, status="in_review")
    _complete_reviews(application, 2)

    application_transition(application=application, name="accept", actor=manager)

    startup.refresh_from_db()
    assert startup.stage == Stage.INCUBATION
    logs = list(TransitionLog.objects.order_by("id").values_list("machine", "transition", "target"))
    assert logs == [("application", "accept", "accepted"), ("startup", "admit", "incubation")]


def test_an_admission_without_a_reason_reads_in_the_readers_language(client, manager, startup):
    application = factories.ApplicationFactory(startup=startup, status="in_review")
    _complete_reviews(application, 2)
    application_transition(application=application, name="accept", actor=manager)  # in English

    admission = TransitionLog.objects.get(transition="admit")
    assert admission.reason == ""  # nothing stored in the deciding manager's language
    assert admission.caused_by == TransitionLog.objects.get(transition="accept")
    client.force_login(manager)
    client.cookies["django_language"] = "ru"
    page = client.get(reverse("startup-detail", args=[startup.pk])).content.decode()
    assert "Принят после одобрения заявки." in page


def test_applying_again_stores_no_reason_and_reads_in_the_readers_language(client, founder):
    startup = factories.StartupFactory(stage="rejected", founders=[founder])
    application_transition(
        application=factories.ApplicationFactory(startup=startup), name="submit", actor=founder
    )

    assert TransitionLog.objects.get(transition="reapply").reason == ""
    client.force_login(founder)
    page = client.get(reverse("startup-detail", args=[startup.pk])).content.decode()
    assert "Back in the pipeline with a new application." in page


def test_accept_is_rolled_back_when_the_admission_fails(manager, startup, monkeypatch):
    application = factories.ApplicationFactory(startup=startup, status="in_review")
    _complete_reviews(application, 2)

    def refuse(**kwargs):
        raise GuardFailed(["The startup cannot be admitted."], ["test"])

    monkeypatch.setattr("pipeline.services.transitions.startup_transition", refuse)
    with pytest.raises(GuardFailed):
        application_transition(application=application, name="accept", actor=manager)

    application.refresh_from_db()
    startup.refresh_from_db()
    assert application.status == "in_review"
    assert startup.stage == "application"
    assert not TransitionLog.objects.exists()


def test_rejecting_the_last_live_application_rejects_the_startup(manager, startup):
    first = factories.ApplicationFactory(startup=startup, status="in_review")
    second = factories.ApplicationFactory(startup=startup, status="submitted")

    application_transition(application=first, name="reject", actor=manager)
    assert Startup.objects.get(pk=startup.pk).stage == "application"

    application_transition(application=second, name="reject", actor=manager)
    assert Startup.objects.get(pk=startup.pk).stage == "rejected"


def test_withdrawing_the_last_live_application_withdraws_the_startup(founder, startup):
    application = factories.ApplicationFactory(startup=startup, status="submitted")

    application_transition(application=application, name="withdraw", actor=founder, reason="Pivot.")

    assert Startup.objects.get(pk=startup.pk).stage == "withdrawn"
    log = TransitionLog.objects.get(machine="startup")
    assert (log.transition, log.actor, log.reason) == ("withdraw", founder, "Pivot.")


def test_submitting_brings_a_rejected_startup_back(founder):
    startup = factories.StartupFactory(stage="rejected", founders=[founder])
    application = factories.ApplicationFactory(startup=startup)

    application_transition(application=application, name="submit", actor=founder)

    assert Startup.objects.get(pk=startup.pk).stage == "application"


# Guards: each refusal says what is wrong, in words a manager understands.


def _refusal(callable_, **kwargs) -> GuardFailed:
    with pytest.raises(GuardFailed) as info:
        callable_(**kwargs)
    return info.value


def test_submit_refused_when_the_call_is_closed(founder, startup):
    call = factories.CallFactory(title="Autumn call")
    application = factories.ApplicationFactory(startup=startup, call=call)
    call.closes_at = call.opens_at
    call.opens_at = call.opens_at.replace(year=call.opens_at.year - 1)
    call.save()

    error = _refusal(application_transition, application=application, name="submit", actor=founder)
    assert "The call “Autumn call” closed on" in error.message
    assert error.codes == ["call_open"]


def test_submit_refused_before_the_call_opens(founder, startup):
    call = factories.CallFactory(title="Spring call")
    call.opens_at = call.closes_at.replace(year=call.closes_at.year + 1)
    call.closes_at = call.opens_at.replace(year=call.opens_at.year + 1)
    call.save()
    application = factories.ApplicationFactory(startup=startup, call=call)

    error = _refusal(application_transition, application=application, name="submit", actor=founder)
    assert "opens on" in error.message


def test_submit_refused_with_missing_answers_and_no_deck(founder, startup):
    application = factories.ApplicationFactory(startup=startup, problem="  ", market="", pitch_deck=None)

    error = _refusal(application_transition, application=application, name="submit", actor=founder)
    assert error.codes == ["answers_complete", "pitch_deck_uploaded"]
    assert error.messages[0] == "Fill in the required fields: problem, market."
    assert error.messages[1] == "Upload a pitch deck (PDF) before submitting."
    assert Application.objects.get(pk=application.pk).status == "draft"


def test_accept_refused_without_enough_completed_reviews(manager, startup):
    application = factories.ApplicationFactory(startup=startup, status="in_review")
    _complete_reviews(application, 1)
    factories.ReviewFactory(assignment__application=application, status="draft")

    error = _refusal(application_transition, application=application, name="accept", actor=manager)
    assert error.message == (
        "The call asks for 2 completed reviews before a decision; this application has 1."
    )


def test_accept_refused_when_the_call_is_full(manager, startup):
    call = factories.CallFactory(title="Small call", capacity=1)
    factories.ApplicationFactory(call=call, status="accepted")
    application = factories.ApplicationFactory(startup=startup, call=call, status="in_review")
    _complete_reviews(application, 2)

    error = _refusal(application_transition, application=application, name="accept", actor=manager)
    assert error.message == "The call “Small call” is full: 1 of 1 places are taken."


def test_accept_refused_for_a_startup_already_in_incubation(manager, founder):
    startup = factories.StartupFactory(stage="incubation", founders=[founder])
    application = factories.ApplicationFactory(startup=startup, status="in_review")
    _complete_reviews(application, 2)

    error = _refusal(application_transition, application=application, name="accept", actor=manager)
    assert "is in the Incubation stage, not applying" in error.message


def test_admit_refused_without_an_accepted_application(manager, startup):
    error = _refusal(startup_transition, startup=startup, name="admit", actor=manager)
    assert error.message.endswith(
        "has no accepted application; a startup enters incubation only through an accepted application."
    )


def test_acceleration_gate_without_milestones(manager, founder):
    startup = factories.StartupFactory(name="Neurobiotics", stage="incubation", founders=[founder])

    error = _refusal(startup_transition, startup=startup, name="accelerate", actor=manager)
    assert error.message.startswith("No incubation milestones have been set for Neurobiotics yet")


def test_acceleration_gate_counts_open_milestones(manager, founder):
    startup = factories.StartupFactory(name="Neurobiotics", stage="incubation", founders=[founder])
    factories.MilestoneFactory(startup=startup, status="accepted")
    factories.MilestoneFactory(startup=startup, status="in_progress")
    factories.MilestoneFactory(startup=startup, stage="acceleration", status="planned")

    error = _refusal(startup_transition, startup=startup, name="accelerate", actor=manager)
    assert error.message.startswith("1 of 2 incubation milestones of Neurobiotics are not accepted yet.")
    assert "override" in error.message


def test_funding_gate_counts_acceleration_milestones(manager, founder):
    startup = factories.StartupFactory(stage="acceleration", founders=[founder])
    factories.MilestoneFactory(startup=startup, stage="acceleration", status="submitted")
    InvestmentReadinessReview.objects.create(startup=startup, verdict="ready", summary="Ready.")

    error = _refusal(startup_transition, startup=startup, name="fund", actor=manager)
    assert "1 of 1 acceleration milestones" in error.message
    assert error.codes == ["acceleration_milestones_accepted"]


def test_manager_overrides_the_gate_with_a_reason(manager, founder):
    startup = factories.StartupFactory(stage="incubation", founders=[founder])

    startup_transition(
        startup=startup, name="accelerate", actor=manager, override=True, reason="Investor deadline."
    )

    log = TransitionLog.objects.get()
    assert log.is_override
    assert log.reason == "Investor deadline."
    assert Startup.objects.get(pk=startup.pk).stage == "acceleration"


def test_override_needs_a_written_reason(manager, founder):
    startup = factories.StartupFactory(stage="incubation", founders=[founder])

    error = _refusal(
        startup_transition, startup=startup, name="accelerate", actor=manager, override=True, reason=" "
    )
    assert error.message == "An override needs a written reason."


def test_override_is_not_recorded_when_the_gate_was_met(manager, founder):
    startup = factories.StartupFactory(stage="incubation", founders=[founder])
    factories.MilestoneFactory(startup=startup, status="accepted")

    startup_transition(
        startup=startup, name="accelerate", actor=manager, override=True, reason="Just in case."
    )

    assert not TransitionLog.objects.get().is_override


def test_exit_needs_a_reason(manager, founder):
    startup = factories.StartupFactory(name="Cardiogen", stage="funding", founders=[founder])

    error = _refusal(startup_transition, startup=startup, name="exit", actor=manager)
    assert error.message == "Write down why Cardiogen leaves the pipeline."


def test_startup_stays_while_it_has_a_live_application(manager, startup):
    factories.ApplicationFactory(startup=startup, call__title="Winter call", status="in_review")

    error = _refusal(startup_transition, startup=startup, name="reject", actor=manager)
    assert "still has a live application (Winter call)" in error.message


def test_reapply_needs_a_live_application(founder):
    startup = factories.StartupFactory(stage="withdrawn", founders=[founder])

    error = _refusal(startup_transition, startup=startup, name="reapply", actor=founder)
    assert "has no live application" in error.message


# Permissions: who may fire what.


def test_founder_cannot_accept(founder, startup):
    application = factories.ApplicationFactory(startup=startup, status="in_review")
    _complete_reviews(application, 2)

    with pytest.raises(TransitionForbidden):
        application_transition(application=application, name="accept", actor=founder)
    assert Application.objects.get(pk=application.pk).status == "in_review"


def test_mentor_cannot_move_stages(mentor, founder):
    startup = factories.StartupFactory(stage="incubation", founders=[founder])
    factories.MilestoneFactory(startup=startup, status="accepted")
    factories.MentorAssignmentFactory(startup=startup, mentor=mentor)

    with pytest.raises(TransitionForbidden):
        startup_transition(startup=startup, name="accelerate", actor=mentor)
    assert Startup.objects.get(pk=startup.pk).stage == "incubation"


def test_another_founder_cannot_submit_or_withdraw(startup):
    stranger = factories.FounderFactory()
    application = factories.ApplicationFactory(startup=startup)

    for name in ("submit", "withdraw"):
        with pytest.raises(TransitionForbidden):
            application_transition(application=application, name=name, actor=stranger)
    assert not TransitionLog.objects.exists()


def test_manager_cannot_submit_for_a_founder(manager, startup):
    application = factories.ApplicationFactory(startup=startup)
    with pytest.raises(TransitionForbidden):
        application_transition(application=application, name="submit", actor=manager)


def test_inactive_manager_cannot_fire(manager, founder):
    startup = factories.StartupFactory(stage="funding", founders=[founder])
    manager.is_active = False
    manager.save()
    with pytest.raises(TransitionForbidden):
        startup_transition(startup=startup, name="graduate", actor=manager)


def test_unknown_transition_name_is_refused(manager, startup):
    with pytest.raises(TransitionNotAvailable) as info:
        startup_transition(startup=startup, name="save", actor=manager)
    assert info.value.message == "“save” is not a known transition."


# Conflicts, rollback and events.


def test_stale_expected_state_is_a_conflict(manager, founder):
    startup = factories.StartupFactory(name="Oncomarker", stage="acceleration", founders=[founder])

    with pytest.raises(TransitionConflict) as info:
        startup_transition(
            startup=startup, name="exit", actor=manager, reason="x", expected_stage="incubation"
        )
    assert info.value.message.startswith(
        "Oncomarker was changed by someone else meanwhile: it is now “Acceleration”, not “Incubation”."
    )
    assert not TransitionLog.objects.exists()


def test_failure_after_the_audit_record_rolls_everything_back(
    manager, founder, django_capture_on_commit_callbacks
):
    startup = factories.StartupFactory(stage="funding", founders=[founder])
    committed = []

    def explode(sender, log, **kwargs):
        raise RuntimeError("disk full")

    def record(sender, log, **kwargs):
        committed.append(log)

    events.transition_recorded.connect(explode)
    events.transition_committed.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
            startup_transition(startup=startup, name="graduate", actor=manager)
    finally:
        events.transition_recorded.disconnect(explode)
        events.transition_committed.disconnect(record)

    assert Startup.objects.get(pk=startup.pk).stage == "funding"
    assert not TransitionLog.objects.exists()
    assert callbacks == []
    assert committed == []


def test_committed_event_is_published_after_commit(manager, founder, django_capture_on_commit_callbacks):
    startup = factories.StartupFactory(stage="funding", founders=[founder])
    recorded, committed = [], []

    def on_recorded(sender, log, **kwargs):
        recorded.append(log.pk)

    def on_committed(sender, log, **kwargs):
        committed.append(log.pk)

    events.transition_recorded.connect(on_recorded)
    events.transition_committed.connect(on_committed)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            startup_transition(startup=startup, name="graduate", actor=manager)
        assert len(recorded) == 1
        assert committed == []
        for callback in callbacks:
            callback()
    finally:
        events.transition_recorded.disconnect(on_recorded)
        events.transition_committed.disconnect(on_committed)

    assert committed == recorded == [TransitionLog.objects.get().pk]


@pytest.mark.parametrize(
    ("stage", "finals"),
    [
        ("incubation", {"accelerate": False, "exit": True}),
        ("funding", {"graduate": True, "exit": True}),
    ],
)
def test_a_transition_into_a_stage_with_no_way_out_is_final(db, stage, finals):
    manager = factories.ManagerFactory()
    startup = factories.StartupFactory(stage=stage)

    options = {option.name: option.final for option in permitted_transitions(startup, manager)}

    assert {name: options[name] for name in finals} == finals


def test_decisions_that_end_an_application_are_final(db):
    manager = factories.ManagerFactory()
    application = factories.ApplicationFactory(status="in_review")

    options = {option.name: option.final for option in permitted_transitions(application, manager)}

    assert (options["accept"], options["reject"], options["waitlist"]) == (True, True, False)
