"""Reviewer assignment: by hand, in bulk, automatically; conflicts, capacity, determinism."""

from collections import Counter

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incubator.models import ReviewerConflict, ReviewerProfile
from pipeline.models import Application, ReviewAssignment
from pipeline.services.assignment import (
    AssignmentError,
    assignment_create,
    assignment_decline,
    assignment_remove,
    assignments_auto,
    assignments_create_bulk,
    plan_assignments,
)
from pipeline.services.conflicts import ConflictIndex
from tests import factories

pytestmark = pytest.mark.django_db


def reviewer(*, org=None, capacity=6, expertise=()):
    user = factories.MentorFactory(organisation=org)
    profile = ReviewerProfile.objects.create(user=user, capacity_per_call=capacity)
    profile.expertise.set(expertise)
    return user


def submitted(call, *, area=None, affiliations=(), team=()):
    startup = factories.StartupFactory(
        therapeutic_area=area or factories.TherapeuticAreaFactory(), founders=list(team)
    )
    startup.affiliations.set(affiliations)
    return factories.ApplicationFactory(startup=startup, call=call, status="submitted")


def pairs(call):
    return set(
        ReviewAssignment.objects.filter(application__call=call, declined_at__isnull=True).values_list(
            "application_id", "reviewer_id"
        )
    )


def test_manual_assignment_moves_the_application_into_review(manager):
    call = factories.CallFactory()
    application = submitted(call)
    expert = reviewer()

    assignment = assignment_create(application=application, reviewer=expert, actor=manager)

    assert assignment.due_at == call.review_deadline
    assert Application.objects.get(pk=application.pk).status == "in_review"


@pytest.mark.parametrize("conflict", ["same_org", "declared_startup", "declared_org", "team"])
def test_manual_assignment_refuses_conflicts(manager, conflict):
    call = factories.CallFactory()
    org = factories.OrganisationFactory(short_name="Sechenov")
    person = reviewer(org=org if conflict == "same_org" else None)
    application = submitted(
        call,
        affiliations=[org] if conflict in ("same_org", "declared_org") else [],
        team=[person] if conflict == "team" else [],
    )
    if conflict == "declared_startup":
        ReviewerConflict.objects.create(reviewer=person, startup=application.startup)
    if conflict == "declared_org":
        ReviewerConflict.objects.create(reviewer=person, organisation=org)

    with pytest.raises(AssignmentError) as info:
        assignment_create(application=application, reviewer=person, actor=manager)
    assert "cannot review" in info.value.message
    assert not ReviewAssignment.objects.exists()


def test_manual_assignment_refuses_drafts_duplicates_and_full_reviewers(manager):
    call = factories.CallFactory()
    draft = factories.ApplicationFactory(call=call)
    busy = reviewer(capacity=1)
    first, second = submitted(call), submitted(call)

    with pytest.raises(AssignmentError, match="Only submitted applications get reviewers"):
        assignment_create(application=draft, reviewer=busy, actor=manager)
    assignment_create(application=first, reviewer=busy, actor=manager)
    with pytest.raises(AssignmentError, match="already reviews"):
        assignment_create(application=first, reviewer=busy, actor=manager)
    with pytest.raises(AssignmentError, match="already has 1 of at most 1 reviews"):
        assignment_create(application=second, reviewer=busy, actor=manager)


def test_bulk_assignment_reports_each_refusal(manager):
    call = factories.CallFactory()
    org = factories.OrganisationFactory()
    applications = [submitted(call), submitted(call, affiliations=[org])]
    reviewers = [reviewer(), reviewer(org=org)]

    outcome = assignments_create_bulk(applications=applications, reviewers=reviewers, actor=manager)

    assert len(outcome.created) == 3
    assert len(outcome.refused) == 1
    assert "works for an organisation the startup is affiliated with" in outcome.refused[0]


def test_auto_assignment_fills_k_prefers_experts_and_balances(manager):
    call = factories.CallFactory(reviewers_per_application=2)
    oncology = factories.TherapeuticAreaFactory(name="Oncology")
    cardio = factories.TherapeuticAreaFactory(name="Cardiology")
    onco_experts = [reviewer(expertise=[oncology]) for _ in range(2)]
    for _ in range(2):
        reviewer()  # generalists
    onco_apps = [submitted(call, area=oncology) for _ in range(2)]
    cardio_apps = [submitted(call, area=cardio) for _ in range(2)]

    report = assignments_auto(call=call, actor=manager)

    assert report.complete
    assert len(report.created) == 8
    assigned = pairs(call)
    for application in onco_apps:
        assert {(application.pk, r.pk) for r in onco_experts} <= assigned
    load = Counter(r for _a, r in assigned)
    assert max(load.values()) - min(load.values()) <= 1
    for application in cardio_apps:
        assert sum(1 for a, _r in assigned if a == application.pk) == 2
    assert set(Application.objects.filter(call=call).values_list("status", flat=True)) == {"in_review"}


def test_auto_assignment_is_idempotent_and_replaces_a_decliner(manager):
    call = factories.CallFactory(reviewers_per_application=2)
    org = factories.OrganisationFactory()
    reviewers = [reviewer() for _ in range(3)]
    application = submitted(call, affiliations=[org])

    assignments_auto(call=call, actor=manager)
    first = pairs(call)
    assert len(first) == 2
    again = assignments_auto(call=call, actor=manager)
    assert again.created == []
    assert pairs(call) == first

    decliner_assignment = ReviewAssignment.objects.filter(application=application).order_by("pk").first()
    assignment_decline(
        assignment=decliner_assignment,
        actor=decliner_assignment.reviewer,
        reason="I consult for them.",
        conflict=True,
    )
    report = assignments_auto(call=call, actor=manager)
    assert len(report.created) == 1
    now = pairs(call)
    assert len(now) == 2
    assert (application.pk, decliner_assignment.reviewer_id) not in now
    assert {r.pk for r in reviewers} == {r for _a, r in now} | {decliner_assignment.reviewer_id}
    assert ReviewerConflict.objects.filter(
        reviewer=decliner_assignment.reviewer, startup=application.startup
    ).exists()


def test_auto_assignment_reports_what_it_could_not_fill(manager):
    call = factories.CallFactory(reviewers_per_application=3)
    org = factories.OrganisationFactory()
    reviewer()
    reviewer(org=org)
    application = submitted(call, affiliations=[org])

    report = assignments_auto(call=call, actor=manager)

    assert len(report.created) == 1
    [unfilled] = report.unfilled
    assert unfilled.application == application
    assert unfilled.missing == 2
    assert unfilled.reasons == {"already assigned or declined": 1, "conflict of interest": 1}


def test_auto_assignment_is_deterministic(manager):
    call = factories.CallFactory(reviewers_per_application=2)
    area = factories.TherapeuticAreaFactory()
    for i in range(4):
        reviewer(capacity=3, expertise=[area] if i % 2 else [])
    for i in range(5):
        submitted(call, area=area if i % 2 else None)

    class Rollback(Exception):
        pass

    results = []
    for _ in range(2):
        try:
            with transaction.atomic():
                assignments_auto(call=call, actor=manager)
                results.append(sorted(pairs(call)))
                raise Rollback
        except Rollback:
            pass
    assert not ReviewAssignment.objects.exists()
    assert len(results[0]) == 10
    assert results[0] == results[1]


def test_unassign_keeps_submitted_reviews(manager):
    review = factories.ReviewFactory()
    with pytest.raises(AssignmentError, match="already submitted the review"):
        assignment_remove(assignment=review.assignment, actor=manager)
    open_assignment = factories.ReviewAssignmentFactory()
    assignment_remove(assignment=open_assignment, actor=manager)
    assert not ReviewAssignment.objects.filter(pk=open_assignment.pk).exists()


# Property test: random reviewers, organisations, conflicts and capacities; the plan never pairs a
# conflicted reviewer, never exceeds a capacity, and never gives an application more than k.


class FakeUser:
    def __init__(self, pk, org, capacity, expertise):
        self.pk = pk
        self.organisation_id = org
        self.reviewer_profile = type(
            "Profile",
            (),
            {"capacity_per_call": capacity, "expertise": type("M", (), {"all": lambda s: []})()},
        )()
        self._expertise = expertise


class FakeApplication:
    def __init__(self, pk, startup_id, area):
        self.pk = pk
        self.startup_id = startup_id
        self.startup = type("Startup", (), {"therapeutic_area_id": area})()


@st.composite
def worlds(draw):
    n_orgs = draw(st.integers(1, 4))
    reviewers = [
        FakeUser(pk, draw(st.one_of(st.none(), st.integers(1, n_orgs))), draw(st.integers(0, 4)), set())
        for pk in range(1, draw(st.integers(1, 8)) + 1)
    ]
    applications = [
        FakeApplication(100 + i, 200 + i, draw(st.integers(1, 3))) for i in range(draw(st.integers(1, 10)))
    ]
    startup_orgs = {
        a.startup_id: set(draw(st.sets(st.integers(1, n_orgs), max_size=2))) for a in applications
    }
    startup_team = {
        a.startup_id: set(draw(st.sets(st.sampled_from([r.pk for r in reviewers]), max_size=1)))
        for a in applications
    }
    declared = {
        r.pk: set(draw(st.sets(st.sampled_from([a.startup_id for a in applications]), max_size=2)))
        for r in reviewers
    }
    index = ConflictIndex(
        reviewer_org={r.pk: r.organisation_id for r in reviewers},
        startup_orgs=startup_orgs,
        startup_team=startup_team,
        declared_startups=declared,
        declared_orgs={},
        declined_for_conflict=set(),
    )
    return reviewers, applications, index, draw(st.integers(1, 4))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_plan_never_pairs_a_conflict_or_exceeds_a_capacity(world):
    reviewers, applications, index, k = world
    plan, unfilled = plan_assignments(
        applications=applications,
        reviewers=reviewers,
        k=k,
        taken=set(),
        active_count=Counter(),
        load=Counter(),
        index=index,
    )
    load = Counter(r.pk for _a, r in plan)
    per_application = Counter(a.pk for a, _r in plan)
    for application, person in plan:
        assert index.reason(person.pk, application.startup_id) is None
    for person in reviewers:
        assert load[person.pk] <= person.reviewer_profile.capacity_per_call
    assert len({(a.pk, r.pk) for a, r in plan}) == len(plan)
    for application in applications:
        assert per_application[application.pk] <= k
    filled_short = {u.application.pk: u.missing for u in unfilled}
    for application in applications:
        assert per_application[application.pk] + filled_short.get(application.pk, 0) == k
    # Same input, same plan.
    again, _ = plan_assignments(
        applications=applications,
        reviewers=reviewers,
        k=k,
        taken=set(),
        active_count=Counter(),
        load=Counter(),
        index=index,
    )
    assert [(a.pk, r.pk) for a, r in again] == [(a.pk, r.pk) for a, r in plan]
