"""A small pipeline for the API tests, seen by seven people: anonymous, founder A (whose
application is in review), founder B (with a draft of their own), the reviewer assigned to A's
application, a reviewer assigned elsewhere, a reviewer who declined A's application for a
conflict of interest, and a manager.

Founder A also runs a second startup, already in incubation, with a portfolio: a milestone with
evidence, a readiness change waiting for confirmation, an investment-readiness review, last
month's report and a grant in two tranches. The assigned reviewer mentors it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from incubator.models import (
    FundingRecord,
    InvestmentReadinessReview,
    KpiReport,
    Milestone,
    MilestoneEvidence,
    ReadinessChange,
    ReviewerConflict,
    Startup,
    StartupNote,
    User,
)
from incubator.services.notes import startup_note_add
from incubator.services.portfolio import (
    funding_record_create,
    investment_review_create,
    kpi_report_submit,
    milestone_create,
    milestone_evidence_add,
    readiness_change_record,
)
from incubator.services.tokens import api_token_create
from notifications.models import Notification
from pipeline.models import Application, ApplicationDocument, Review, ReviewAssignment
from pipeline.services import application_transition
from pipeline.services.assignment import assignment_create, assignment_decline
from tests import factories
from tests.pdf import make_pdf

ROLES = [
    "anonymous",
    "founder_a",
    "founder_b",
    "assigned_reviewer",
    "unassigned_reviewer",
    "conflicted_reviewer",
    "manager",
]


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    # Throttle counters live in the (per-process) cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


@dataclass
class Portfolio:
    """Founder A's incubating startup and its portfolio."""

    startup: Startup
    milestone: Milestone
    evidence: MilestoneEvidence
    readiness_change: ReadinessChange
    investment_review: InvestmentReadinessReview
    kpi_report: KpiReport
    funding_record: FundingRecord
    note: StartupNote


def pdf_upload(name: str = "evidence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, make_pdf(), content_type="application/pdf")


def build_portfolio(*, founder: User, mentor: User, manager: User) -> Portfolio:
    startup = factories.StartupFactory(name="Delta Cell", stage="incubation", founders=[founder], trl=3)
    factories.MentorAssignmentFactory(startup=startup, mentor=mentor)
    startup = Startup.objects.get(pk=startup.pk)
    milestone = milestone_create(
        startup=startup,
        actor=manager,
        stage="incubation",
        title="GLP toxicology",
        due_on=timezone.localdate() + timedelta(days=60),
        required_evidence="The study report.",
    )
    evidence = milestone_evidence_add(
        milestone=milestone, actor=founder, note="The report.", upload=pdf_upload("tox.pdf")
    )
    readiness_change = readiness_change_record(
        startup=startup,
        actor=founder,
        trl=4,
        phase="preclinical",
        evidence_note="Efficacy in two animal models.",
        evidence_file=pdf_upload("efficacy.pdf"),
    )
    investment_review = investment_review_create(
        startup=startup, actor=mentor, verdict="not_ready", summary="The data room is not ready."
    )
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    kpi_report = kpi_report_submit(startup=startup, actor=founder, period=last_month, team_size=4)
    funding_record = funding_record_create(
        startup=startup,
        actor=manager,
        kind="grant",
        date=timezone.localdate(),
        amount=Decimal("5000000.00"),
        currency="RUB",
        investor_name="Innovation Promotion Fund",
        from_programme=True,
        tranches=[
            {"amount": Decimal("2000000.00"), "milestone": None},
            {"amount": Decimal("3000000.00"), "milestone": milestone},
        ],
    )
    return Portfolio(
        startup=startup,
        milestone=Milestone.objects.get(pk=milestone.pk),
        evidence=evidence,
        readiness_change=readiness_change,
        investment_review=investment_review,
        kpi_report=kpi_report,
        funding_record=funding_record,
        note=startup_note_add(startup=startup, actor=manager, body="Met the team: strong data, thin IP."),
    )


@dataclass
class World:
    users: dict[str, User | None]
    organisation: object
    call: object
    criteria: list
    startup_a: object
    startup_b: object
    application_a: Application
    application_b: Application
    assignment: ReviewAssignment
    other_assignment: ReviewAssignment
    declined_assignment: ReviewAssignment
    review: Review
    document: ApplicationDocument
    notification_a: Notification
    notification_b: Notification
    portfolio: Portfolio
    tokens: dict[str, str] = field(default_factory=dict)

    def client(self, role: str) -> APIClient:
        """A client authenticated with the role's personal token (none for anonymous)."""
        client = APIClient()
        if role != "anonymous":
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {self.tokens[role]}")
        return client


def build_world() -> World:
    manager = factories.ManagerFactory(full_name="Maria Manager")
    founder_a = factories.FounderFactory(full_name="Anna Founder")
    founder_b = factories.FounderFactory(full_name="Boris Founder")
    assigned = factories.MentorFactory(full_name="Ada Reviewer")
    unassigned = factories.MentorFactory(full_name="Ivan Reviewer")
    conflicted = factories.MentorFactory(full_name="Clara Reviewer")
    organisation = factories.OrganisationFactory(name="Sechenov University", short_name="Sechenov")
    call = factories.CallFactory(title="Seed call", min_reviews=1, blind_review=True)
    criteria = [
        factories.CriterionFactory(call=call, name="Science", position=0),
        factories.CriterionFactory(call=call, name="Team", position=1),
    ]
    startup_a = factories.StartupFactory(name="Alpha Bio", founders=[founder_a])
    startup_b = factories.StartupFactory(name="Beta Med", founders=[founder_b])
    startup_c = factories.StartupFactory(name="Gamma Dx", founders=[factories.FounderFactory()])
    application_a = factories.ApplicationFactory(startup=startup_a, call=call)
    application_b = factories.ApplicationFactory(startup=startup_b, call=call)
    application_c = factories.ApplicationFactory(startup=startup_c, call=call)
    application_transition(application=application_a, name="submit", actor=founder_a)
    application_transition(application=application_c, name="submit", actor=startup_c.memberships.get().user)
    assignment = assignment_create(application=application_a, reviewer=assigned, actor=manager)
    declined = assignment_create(application=application_a, reviewer=conflicted, actor=manager)
    assignment_decline(assignment=declined, actor=conflicted, reason="I advise them.", conflict=True)
    other = assignment_create(application=application_c, reviewer=unassigned, actor=manager)
    review = factories.ReviewFactory(
        assignment=assignment,
        status=Review.Status.DRAFT,
        submitted_at=None,
        recommendation="",
        confidence=None,
    )
    document = ApplicationDocument.objects.create(
        application=application_a,
        title="Letter of support",
        # A file of its own: removing the document removes it.
        file=ContentFile(make_pdf(), name="letter.pdf"),
        original_name="letter.pdf",
        size=100,
    )
    notification_a = factories.NotificationFactory(recipient=founder_a)
    notification_b = factories.NotificationFactory(recipient=founder_b)
    users = {
        "anonymous": None,
        "founder_a": founder_a,
        "founder_b": founder_b,
        "assigned_reviewer": assigned,
        "unassigned_reviewer": unassigned,
        "conflicted_reviewer": conflicted,
        "manager": manager,
    }
    assert ReviewerConflict.objects.filter(reviewer=conflicted, startup=startup_a).exists()
    world = World(
        users=users,
        organisation=organisation,
        call=call,
        criteria=criteria,
        startup_a=startup_a,
        startup_b=startup_b,
        application_a=Application.objects.get(pk=application_a.pk),
        application_b=application_b,
        assignment=assignment,
        other_assignment=other,
        declined_assignment=declined,
        review=review,
        document=document,
        notification_a=notification_a,
        notification_b=notification_b,
        portfolio=build_portfolio(founder=founder_a, mentor=assigned, manager=manager),
    )
    for role, user in users.items():
        if user is not None:
            _token, key = api_token_create(user=user, name=f"{role} tests")
            world.tokens[role] = key
    return world


@pytest.fixture
def world(db) -> World:
    return build_world()
