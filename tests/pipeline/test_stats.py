"""The dashboard's derived figures (reviewer loads, score bins, submission times on assignments,
admission facts) always equal what counting the source rows gives, whatever sequence of
assignments, declines, removals and reviews produced them."""

import random
from decimal import Decimal

import pytest
from django.db.models import Count, Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.models import Review, ReviewAssignment, ReviewerLoad, ScoreBin
from pipeline.selectors.dashboard import DashboardFilters, manager_dashboard
from pipeline.services import application_transition
from pipeline.services.assignment import (
    AssignmentError,
    assignment_create,
    assignment_decline,
    assignment_remove,
)
from pipeline.services.reviews import ReviewError, review_save
from pipeline.stats import dashboard_counters_rebuild, score_bin
from tests import factories

pytestmark = pytest.mark.django_db


def live_loads() -> dict:
    rows = (
        ReviewAssignment.objects.filter(declined_at__isnull=True)
        .values("call_id", "reviewer_id")
        .annotate(assigned=Count("id"), done=Count("id", filter=Q(review__status="submitted")))
    )
    return {(r["call_id"], r["reviewer_id"]): (r["assigned"], r["done"]) for r in rows}


def live_bins() -> dict:
    rows = (
        Review.objects.filter(status="submitted", weighted_score__isnull=False)
        .annotate(bin=score_bin("weighted_score"))
        .values("assignment__application__call_id", "bin")
        .annotate(n=Count("id"))
    )
    return {(r["assignment__application__call_id"], r["bin"]): r["n"] for r in rows}


def stored_loads() -> dict:
    return {(r.call_id, r.reviewer_id): (r.assigned, r.done) for r in ReviewerLoad.objects.all()}


def stored_bins() -> dict:
    return {(r.call_id, r.bin): r.reviews for r in ScoreBin.objects.all() if r.reviews}


def assert_consistent():
    assert stored_loads() == live_loads()
    assert stored_bins() == live_bins()
    for assignment in ReviewAssignment.objects.select_related("review", "application"):
        review = getattr(assignment, "review", None)
        expected = review.submitted_at if review is not None and review.status == "submitted" else None
        assert assignment.submitted_at == expected
        assert assignment.call_id == assignment.application.call_id


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["assign", "decline", "remove", "draft", "submit", "edit"]), st.integers(0, 10**6)
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(OPERATIONS)
def test_counters_follow_every_sequence_of_service_calls(manager, operations):
    ReviewAssignment.objects.all().delete()
    calls = [factories.CallFactory() for _ in range(2)]
    criteria = {call.pk: factories.CriterionFactory(call=call) for call in calls}
    applications = [factories.ApplicationFactory(call=calls[i % 2], status="submitted") for i in range(3)]
    reviewers = [factories.MentorFactory() for _ in range(3)]
    for op, seed in operations:
        rng = random.Random(seed)
        assignments = list(
            ReviewAssignment.objects.filter(application__in=applications, declined_at__isnull=True)
        )
        try:
            if op == "assign":
                assignment_create(
                    application=rng.choice(applications), reviewer=rng.choice(reviewers), actor=manager
                )
            elif not assignments:
                continue
            elif op == "decline":
                target = rng.choice(assignments)
                assignment_decline(
                    assignment=target, actor=target.reviewer, reason="No time.", conflict=False
                )
            elif op == "remove":
                assignment_remove(assignment=rng.choice(assignments), actor=manager)
            else:
                target = rng.choice(assignments)
                criterion = criteria[target.call_id]
                review_save(
                    assignment=target,
                    actor=target.reviewer,
                    scores={criterion.pk: (rng.randint(1, 5), "")},
                    comment_for_founders="",
                    confidential_note="",
                    recommendation="accept",
                    confidence=2,
                    submit=op == "submit",
                )
        except (AssignmentError, ReviewError):
            pass
        assert_consistent()
    before = (stored_loads(), stored_bins())
    dashboard_counters_rebuild()
    assert (stored_loads(), stored_bins()) == before


def test_admission_facts_are_set_by_the_acceptance(manager):
    call = factories.CallFactory()
    application = factories.ApplicationFactory(call=call, status="in_review")
    for _ in range(2):
        factories.ReviewFactory(assignment__application=application)

    application_transition(application=application, name="accept", actor=manager)

    startup = application.startup
    startup.refresh_from_db()
    assert startup.admitted_call == call
    assert startup.admitted_at == startup.stage_entered_at


def test_precomputed_and_counted_review_panels_agree(manager):
    area = factories.TherapeuticAreaFactory()
    call = factories.CallFactory()
    for score in (Decimal("2.5"), Decimal("7.5"), Decimal("10")):
        application = factories.ApplicationFactory(
            call=call, status="in_review", startup__therapeutic_area=area
        )
        factories.ReviewFactory(assignment__application=application, weighted_score=score)
        factories.ReviewAssignmentFactory(application=application)

    from_counters = manager_dashboard(DashboardFilters())
    counted = manager_dashboard(DashboardFilters(area_id=area.pk))

    assert from_counters.reviewer_progress
    assert sorted(map(str, from_counters.reviewer_progress)) == sorted(map(str, counted.reviewer_progress))
    assert from_counters.score_distribution == counted.score_distribution
    assert from_counters.score_distribution[0]["bins"][9] == 1  # a 10 falls in the last bin
