"""Two people firing conflicting transitions at the same moment, on PostgreSQL with two real
connections: exactly one wins, the other gets a conflict, and the audit log has one record."""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from incubator.models import Startup
from pipeline.exceptions import TransitionConflict, TransitionError
from pipeline.models import Application, Review, ReviewAssignment, TransitionLog
from pipeline.services import application_transition, startup_transition
from pipeline.services.assignment import AssignmentError, assignment_remove
from pipeline.services.reviews import review_save
from tests import factories
from tests.concurrency import race, until_someone_waits_for_a_lock
from tests.reviews import review_write

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_runs_on_postgresql():
    assert connection.vendor == "postgresql"


def test_accept_and_reject_at_once(db):
    manager_a = factories.ManagerFactory()
    manager_b = factories.ManagerFactory()
    application = factories.ApplicationFactory(status="in_review")
    for _ in range(2):
        factories.ReviewFactory(assignment__application=application)

    outcomes = race(
        lambda: application_transition(
            application=application.pk, name="accept", actor=manager_a, expected_status="in_review"
        ),
        lambda: application_transition(
            application=application.pk, name="reject", actor=manager_b, expected_status="in_review"
        ),
    )

    winners = [o for o in outcomes if isinstance(o, Application)]
    losers = [o for o in outcomes if isinstance(o, TransitionError)]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1, outcomes
    assert isinstance(losers[0], TransitionConflict)
    assert "changed by someone else meanwhile" in losers[0].message
    final = Application.objects.get(pk=application.pk)
    assert final.status == winners[0].status
    logs = TransitionLog.objects.filter(machine="application")
    assert logs.count() == 1
    assert logs.get().target == final.status


def test_two_managers_take_the_last_place_of_a_call(db):
    call = factories.CallFactory(capacity=1)
    first = factories.ApplicationFactory(call=call, status="in_review")
    second = factories.ApplicationFactory(call=call, status="in_review")
    for application in (first, second):
        for _ in range(2):
            factories.ReviewFactory(assignment__application=application)
    manager_a, manager_b = factories.ManagerFactory(), factories.ManagerFactory()

    outcomes = race(
        lambda: application_transition(application=first.pk, name="accept", actor=manager_a),
        lambda: application_transition(application=second.pk, name="accept", actor=manager_b),
    )

    assert sum(isinstance(o, Application) for o in outcomes) == 1, outcomes
    refused = [o for o in outcomes if isinstance(o, TransitionError)]
    assert len(refused) == 1
    assert "is full: 1 of 1 places are taken" in refused[0].message
    assert Application.objects.filter(call=call, status="accepted").count() == 1
    assert TransitionLog.objects.filter(machine="application").count() == 1


def test_two_managers_move_one_startup(db):
    startup = factories.StartupFactory(stage="funding")
    manager_a, manager_b = factories.ManagerFactory(), factories.ManagerFactory()

    outcomes = race(
        lambda: startup_transition(
            startup=startup.pk, name="graduate", actor=manager_a, expected_stage="funding"
        ),
        lambda: startup_transition(
            startup=startup.pk, name="exit", actor=manager_b, reason="Closed.", expected_stage="funding"
        ),
    )

    assert sum(isinstance(o, Startup) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, TransitionConflict) for o in outcomes) == 1, outcomes
    assert TransitionLog.objects.filter(startup=startup).count() == 1
    assert Startup.objects.get(pk=startup.pk).stage == TransitionLog.objects.get().target


def _slow_counters(monkeypatch):
    """Each counter refresh waits a moment after recounting, so two of them overlap."""
    from pipeline import stats

    for name in ("reviewer_load_refresh", "score_bins_refresh"):
        original = getattr(stats, name)

        def slow(*args, _original=original, **kwargs):
            result = _original(*args, **kwargs)
            time.sleep(0.2)
            return result

        monkeypatch.setattr(stats, name, slow)


def test_one_reviewer_assigned_twice_at_once_respects_capacity(db):
    from incubator.models import ReviewerProfile
    from pipeline.models import ReviewAssignment
    from pipeline.services.assignment import AssignmentError, assignment_create

    call = factories.CallFactory()
    reviewer = factories.MentorFactory()
    ReviewerProfile.objects.create(user=reviewer, capacity_per_call=1)
    applications = [factories.ApplicationFactory(call=call, status="submitted") for _ in range(2)]
    managers = [factories.ManagerFactory() for _ in range(2)]

    outcomes = race(
        *(
            lambda application=application, manager=manager: assignment_create(
                application=application, reviewer=reviewer, actor=manager
            )
            for application, manager in zip(applications, managers, strict=True)
        )
    )

    assert sum(isinstance(o, ReviewAssignment) for o in outcomes) == 1, outcomes
    refused = [o for o in outcomes if isinstance(o, AssignmentError)]
    assert len(refused) == 1, outcomes
    assert "at most 1" in refused[0].message
    assert ReviewAssignment.objects.filter(reviewer=reviewer).count() == 1


def test_dashboard_counters_stay_exact_when_changes_overlap(db, monkeypatch):
    from pipeline.models import ReviewAssignment, ReviewerLoad, ScoreBin
    from pipeline.services.assignment import assignment_create

    _slow_counters(monkeypatch)
    call = factories.CallFactory()
    criterion = factories.CriterionFactory(call=call, scale_min=1, scale_max=5)
    reviewer = factories.MentorFactory()
    applications = [factories.ApplicationFactory(call=call, status="submitted") for _ in range(2)]
    managers = [factories.ManagerFactory() for _ in range(2)]

    race(
        *(
            lambda application=application, manager=manager: assignment_create(
                application=application, reviewer=reviewer, actor=manager
            )
            for application, manager in zip(applications, managers, strict=True)
        )
    )
    assert ReviewerLoad.objects.get(call=call, reviewer=reviewer).assigned == 2

    def submit(assignment, score):
        return review_save(
            assignment=assignment,
            actor=reviewer,
            scores={criterion.pk: (score, "")},
            comment_for_founders="",
            confidential_note="",
            recommendation="accept",
            confidence=2,
            submit=True,
        )

    assignments = list(ReviewAssignment.objects.filter(reviewer=reviewer).order_by("pk"))
    race(*(lambda a=a, s=s: submit(a, s) for a, s in zip(assignments, (4, 5), strict=True)))

    load = ReviewerLoad.objects.get(call=call, reviewer=reviewer)
    assert (load.assigned, load.done) == (2, 2)
    assert sum(ScoreBin.objects.filter(call=call).values_list("reviews", flat=True)) == 2


def test_a_review_submitted_while_a_manager_takes_the_assignment_back_stays(db):
    manager = factories.ManagerFactory()
    assignment = factories.ReviewAssignmentFactory(application__status="in_review")
    factories.CriterionFactory(call=assignment.application.call)
    submitted = threading.Event()

    def submit():
        try:
            with transaction.atomic():
                review_write(assignment)
                submitted.set()
                # Not committed until the removal waits for the assignment's row.
                removal_waited.append(until_someone_waits_for_a_lock())
        finally:
            connections.close_all()

    removal_waited: list[bool] = []
    thread = threading.Thread(target=submit)
    thread.start()
    assert submitted.wait(10)
    # Read before the submission commits, the review looks unsubmitted; the removal waits for the
    # assignment's row lock and then reads it as submitted.
    with pytest.raises(AssignmentError, match="already submitted"):
        assignment_remove(assignment=ReviewAssignment.objects.get(pk=assignment.pk), actor=manager)
    thread.join(10)
    assert removal_waited == [True]  # the two really overlapped

    assert Review.objects.get(assignment=assignment).status == "submitted"
