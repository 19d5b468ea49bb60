"""Every list and detail of the API runs a fixed number of SQL queries, whatever the number of
rows: each is measured with one startup in the pipeline and with four, as the person whose view
costs the most (the founders' view computes held decisions; the reviewer's assignment shows the
other reviews). Beside the applicants, as many startups of another founder are in incubation,
each with a portfolio (milestones with evidence, readiness changes, reviews, reports, funding in
tranches) and the same mentor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from incubator.models import (
    FundingRecord,
    FundingTranche,
    InvestmentReadinessReview,
    KpiReport,
    KpiReportRevision,
    Milestone,
    MilestoneEvidence,
    ReadinessChange,
    Startup,
    StartupNote,
    TeamMembership,
)
from notifications.models import Notification
from pipeline.models import Application, Review, ReviewAssignment, TransitionLog
from pipeline.services import application_transition
from pipeline.services.assignment import assignment_create
from tests import factories

pytestmark = pytest.mark.django_db


@dataclass
class Pipeline:
    manager: object
    founder: object
    reviewer: object
    startup: Startup
    application: Application
    assignment: ReviewAssignment
    review: Review
    log: TransitionLog
    notification: Notification
    portfolio_founder: object
    mentor: object
    milestone: Milestone
    size: int


def build_portfolios(size: int, manager) -> tuple[object, object, Milestone]:
    """``size`` incubating startups of one founder (each with a co-founder), all mentored by one
    mentor, each with a portfolio; the first milestone has ``size`` pieces of evidence and its
    startup ``size`` more mentors, each with a programme note."""
    founder, mentor = factories.FounderFactory(), factories.MentorFactory()
    milestones = []
    for n in range(size):
        startup = factories.StartupFactory(stage="incubation", founders=[founder])
        TeamMembership.objects.create(startup=startup, user=factories.FounderFactory(), role="cofounder")
        factories.MentorAssignmentFactory(startup=startup, mentor=mentor)
        milestone = factories.MilestoneFactory(startup=startup, created_by=manager)
        milestones.append(milestone)
        ReadinessChange.objects.create(
            startup=startup, trl_from=3, trl_to=4, phase_to="preclinical", recorded_by=founder
        )
        InvestmentReadinessReview.objects.create(
            startup=startup, reviewer=mentor, verdict="ready", summary="Ready."
        )
        report = KpiReport.objects.create(
            startup=startup, period=date(2026, 1, 1), team_size=3, submitted_by=founder
        )
        for _ in range(2):  # corrected twice: its earlier versions come with it
            KpiReportRevision.objects.create(
                report=report,
                figures={"team_size": "2"},
                submitted_by=founder,
                submitted_at=report.submitted_at,
                replaced_by=founder,
            )
        record = FundingRecord.objects.create(
            startup=startup,
            kind="grant",
            date=date(2026, 2, 1),
            amount=Decimal("100.00"),
            currency=["RUB", "USD"][n % 2],
            investor=factories.OrganisationFactory(),
            recorded_by=manager,
        )
        FundingTranche.objects.create(record=record, amount=Decimal("40.00"))
        FundingTranche.objects.create(record=record, amount=Decimal("60.00"), milestone=milestone)
    for n in range(size):
        MilestoneEvidence.objects.create(
            milestone=milestones[0], startup=milestones[0].startup, note=f"Note {n}", uploaded_by=founder
        )
        # The first startup has ``size`` more mentors, each of an organisation, and a note by each.
        extra = factories.MentorFactory(organisation=factories.OrganisationFactory())
        factories.MentorAssignmentFactory(startup=milestones[0].startup, mentor=extra)
        StartupNote.objects.create(startup=milestones[0].startup, author=extra, body=f"Note {n}")
    return founder, mentor, milestones[0]


def build_pipeline(size: int) -> Pipeline:
    """``size`` startups of one founder (each with a co-founder and an affiliation), applied to a
    blind-review call, each reviewed by two reviewers; the first one accepted and not released."""
    manager = factories.ManagerFactory()
    founder = factories.FounderFactory()
    reviewer, other_reviewer = factories.MentorFactory(), factories.MentorFactory()
    call = factories.CallFactory(min_reviews=2, blind_review=True, capacity=10)
    call.managers.add(manager)
    criteria = [factories.CriterionFactory(call=call, position=n) for n in range(2)]
    applications = []
    for n in range(size):
        startup = factories.StartupFactory(founders=[founder])
        TeamMembership.objects.create(startup=startup, user=factories.FounderFactory(), role="cofounder")
        startup.affiliations.add(factories.OrganisationFactory())
        application = factories.ApplicationFactory(startup=startup, call=call)
        application_transition(application=application, name="submit", actor=founder)
        for person in (reviewer, other_reviewer):
            assignment = assignment_create(application=application, reviewer=person, actor=manager)
            review = factories.ReviewFactory(assignment=assignment, weighted_score=7)
            for criterion in criteria:
                factories.ReviewScoreFactory(review=review, criterion=criterion, score=4)
        factories.NotificationFactory(recipient=founder, dedup_key=f"founder-{founder.pk}-{n}")
        factories.NotificationFactory(recipient=reviewer, dedup_key=f"reviewer-{reviewer.pk}-{n}")
        applications.append(application)
    first = applications[0]
    application_transition(application=first, name="accept", actor=manager)
    assignment = ReviewAssignment.objects.get(application=first, reviewer=reviewer)
    portfolio_founder, mentor, milestone = build_portfolios(size, manager)
    return Pipeline(
        manager=manager,
        founder=founder,
        reviewer=reviewer,
        startup=first.startup,
        application=first,
        assignment=assignment,
        review=assignment.review,
        log=TransitionLog.objects.filter(application=first, transition="submit").get(),
        notification=Notification.objects.filter(recipient=founder).first(),
        portfolio_founder=portfolio_founder,
        mentor=mentor,
        milestone=milestone,
        size=size,
    )


@dataclass
class Case:
    role: str
    path: Callable[[Pipeline], str]
    queries: int


LISTS = {
    "organisations": Case("manager", lambda p: "/api/v1/organisations/", 2),
    "therapeutic areas": Case("manager", lambda p: "/api/v1/therapeutic-areas/", 2),
    "calls (manager)": Case("manager", lambda p: "/api/v1/calls/", 4),
    "calls (anyone)": Case("founder", lambda p: "/api/v1/calls/", 3),
    "startups (manager)": Case("manager", lambda p: "/api/v1/startups/", 4),
    "startups (founder)": Case("founder", lambda p: "/api/v1/startups/", 6),
    "applications (manager)": Case("manager", lambda p: "/api/v1/applications/", 4),
    "applications (founder)": Case("founder", lambda p: "/api/v1/applications/", 5),
    "applications (reviewer)": Case("reviewer", lambda p: "/api/v1/applications/", 4),
    "review assignments (manager)": Case("manager", lambda p: "/api/v1/review-assignments/", 2),
    "review assignments (reviewer)": Case("reviewer", lambda p: "/api/v1/review-assignments/", 2),
    "reviews (manager)": Case("manager", lambda p: "/api/v1/reviews/", 3),
    "reviews (reviewer)": Case("reviewer", lambda p: "/api/v1/reviews/", 3),
    "audit trail (manager)": Case("manager", lambda p: "/api/v1/transition-logs/", 2),
    "audit trail (founder)": Case("founder", lambda p: "/api/v1/transition-logs/", 4),
    "notifications": Case("founder", lambda p: "/api/v1/notifications/", 2),
    "milestones (manager)": Case("manager", lambda p: "/api/v1/milestones/", 4),
    "milestones (founder)": Case("portfolio_founder", lambda p: "/api/v1/milestones/", 4),
    "milestones (mentor)": Case("mentor", lambda p: "/api/v1/milestones/", 4),
    "mentors of a startup": Case(
        "portfolio_founder", lambda p: f"/api/v1/startups/{p.milestone.startup_id}/mentors/", 3
    ),
    "notes of a startup": Case("mentor", lambda p: f"/api/v1/startups/{p.milestone.startup_id}/notes/", 5),
    "milestone evidence": Case(
        "portfolio_founder", lambda p: f"/api/v1/milestones/{p.milestone.pk}/evidence/", 3
    ),
    "readiness changes (manager)": Case("manager", lambda p: "/api/v1/readiness-changes/", 2),
    "readiness changes (founder)": Case("portfolio_founder", lambda p: "/api/v1/readiness-changes/", 2),
    "investment reviews (mentor)": Case("mentor", lambda p: "/api/v1/investment-reviews/", 2),
    "monthly reports (founder)": Case("portfolio_founder", lambda p: "/api/v1/kpi-reports/", 3),
    "funding records (manager)": Case("manager", lambda p: "/api/v1/funding-records/", 3),
    "funding records (founder)": Case("portfolio_founder", lambda p: "/api/v1/funding-records/", 3),
}

DETAILS = {
    "me": Case("founder", lambda p: "/api/v1/me/", 1),
    "organisation": Case("manager", lambda p: f"/api/v1/organisations/{p.startup.affiliations.get().pk}/", 1),
    "therapeutic area": Case(
        "manager", lambda p: f"/api/v1/therapeutic-areas/{p.startup.therapeutic_area_id}/", 1
    ),
    "call": Case("manager", lambda p: f"/api/v1/calls/{p.application.call_id}/", 3),
    "startup (manager)": Case("manager", lambda p: f"/api/v1/startups/{p.startup.pk}/", 6),
    "startup (founder)": Case("founder", lambda p: f"/api/v1/startups/{p.startup.pk}/", 5),
    "application (manager)": Case("manager", lambda p: f"/api/v1/applications/{p.application.pk}/", 3),
    "application (founder)": Case("founder", lambda p: f"/api/v1/applications/{p.application.pk}/", 4),
    "application (reviewer)": Case("reviewer", lambda p: f"/api/v1/applications/{p.application.pk}/", 3),
    "review assignment (reviewer)": Case(
        "reviewer", lambda p: f"/api/v1/review-assignments/{p.assignment.pk}/", 4
    ),
    "review assignment (manager)": Case(
        "manager", lambda p: f"/api/v1/review-assignments/{p.assignment.pk}/", 1
    ),
    "review": Case("reviewer", lambda p: f"/api/v1/reviews/{p.review.pk}/", 2),
    "audit record (founder)": Case("founder", lambda p: f"/api/v1/transition-logs/{p.log.pk}/", 3),
    "notification": Case("founder", lambda p: f"/api/v1/notifications/{p.notification.pk}/", 1),
    "milestone (founder)": Case("portfolio_founder", lambda p: f"/api/v1/milestones/{p.milestone.pk}/", 4),
    "milestone (manager)": Case("manager", lambda p: f"/api/v1/milestones/{p.milestone.pk}/", 3),
    "funding summary": Case("manager", lambda p: "/api/v1/funding/summary/", 4),
}


def _get(pipeline: Pipeline, case: Case, django_assert_num_queries):
    client = APIClient()
    # Authentication is measured apart (one query for a token); here only the view's queries.
    client.force_authenticate(getattr(pipeline, case.role))
    path = case.path(pipeline)
    with django_assert_num_queries(case.queries):
        response = client.get(path)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("size", [1, 4])
@pytest.mark.parametrize("name", list(LISTS))
def test_list_query_count_is_fixed(django_assert_num_queries, name, size):
    pipeline = build_pipeline(size)
    data = _get(pipeline, LISTS[name], django_assert_num_queries)
    assert data["count"] >= 1


@pytest.mark.parametrize("size", [1, 4])
@pytest.mark.parametrize("name", list(DETAILS))
def test_detail_query_count_is_fixed(django_assert_num_queries, name, size):
    pipeline = build_pipeline(size)
    _get(pipeline, DETAILS[name], django_assert_num_queries)


def test_lists_grow_with_the_pipeline():
    """The large size really has more rows (so the fixed counts above mean something)."""
    small, large = build_pipeline(1), build_pipeline(4)
    for pipeline, expected in ((small, 1), (large, 4)):
        client = APIClient()
        client.force_authenticate(pipeline.founder)
        assert client.get("/api/v1/startups/").json()["count"] == expected
        client.force_authenticate(pipeline.reviewer)
        assert client.get("/api/v1/review-assignments/").json()["count"] == expected
        client.force_authenticate(pipeline.portfolio_founder)
        assert client.get("/api/v1/milestones/").json()["count"] == expected
        assert client.get("/api/v1/funding-records/").json()["count"] == expected
        evidence = client.get(f"/api/v1/milestones/{pipeline.milestone.pk}/evidence/").json()
        assert evidence["count"] == expected
        client.force_authenticate(pipeline.mentor)
        notes = client.get(f"/api/v1/startups/{pipeline.milestone.startup_id}/notes/").json()
        assert notes["count"] == expected


def test_a_token_costs_one_query_once_its_use_is_recorded(world, django_assert_num_queries):
    client = world.client("founder_a")
    client.get("/api/v1/me/")  # records last_used_at
    with django_assert_num_queries(2):  # the token with its user, then the view's own query
        assert client.get("/api/v1/me/").status_code == 200
