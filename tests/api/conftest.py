"""A small pipeline for the API tests, seen by seven people: anonymous, founder A (whose
application is in review), founder B (with a draft of their own), the reviewer assigned to A's
application, a reviewer assigned elsewhere, a reviewer who declined A's application for a
conflict of interest, and a manager."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from incubator.models import ReviewerConflict, User
from incubator.services.tokens import api_token_create
from notifications.models import Notification
from pipeline.models import Application, ApplicationDocument, Review, ReviewAssignment
from pipeline.services import application_transition
from pipeline.services.assignment import assignment_create, assignment_decline
from tests import factories

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
        file=application_a.pitch_deck.name,
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
    )
    for role, user in users.items():
        if user is not None:
            _token, key = api_token_create(user=user, name=f"{role} tests")
            world.tokens[role] = key
    return world


@pytest.fixture
def world(db) -> World:
    return build_world()
