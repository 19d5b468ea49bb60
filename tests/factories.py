"""factory_boy factories for every model, in one place.

States are given at creation (``StartupFactory(stage="incubation")``): creating an object in a
state is set-up, not a transition. Tests that change a state call the transition services.
"""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from incubator.models import (
    Call,
    Criterion,
    MentorAssignment,
    Milestone,
    Organisation,
    Startup,
    TeamMembership,
    TherapeuticArea,
    User,
)
from pipeline.models import Application, Review, ReviewAssignment, ReviewScore

from .pdf import make_pdf


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Organisation {n}")
    short_name = factory.Sequence(lambda n: f"ORG{n}")
    kind = Organisation.Kind.UNIVERSITY


class TherapeuticAreaFactory(DjangoModelFactory):
    class Meta:
        model = TherapeuticArea
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Area {n}")
    slug = factory.Sequence(lambda n: f"area-{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    email_confirmed = True
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class FounderFactory(UserFactory):
    is_founder = True


class MentorFactory(UserFactory):
    is_mentor = True


class ManagerFactory(UserFactory):
    is_manager = True
    is_staff = True


class StartupFactory(DjangoModelFactory):
    class Meta:
        model = Startup
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Startup {n}")
    slug = factory.Sequence(lambda n: f"startup-{n}")
    summary = "A therapy for a disease that needs one."
    therapeutic_area = factory.SubFactory(TherapeuticAreaFactory)
    trl = 3

    @factory.post_generation
    def founders(obj, create, extracted, **kwargs):
        if create and extracted:
            for user in extracted:
                TeamMembership.objects.create(startup=obj, user=user)


class TeamMembershipFactory(DjangoModelFactory):
    class Meta:
        model = TeamMembership

    startup = factory.SubFactory(StartupFactory)
    user = factory.SubFactory(FounderFactory)


class MentorAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = MentorAssignment

    startup = factory.SubFactory(StartupFactory)
    mentor = factory.SubFactory(MentorFactory)


class CallFactory(DjangoModelFactory):
    """An open call by default: opened a week ago, closes in three weeks."""

    class Meta:
        model = Call

    title = factory.Sequence(lambda n: f"Call {n}")
    slug = factory.Sequence(lambda n: f"call-{n}")
    summary = "Seed support for life-sciences startups."
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=7))
    closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=21))
    review_deadline = factory.LazyAttribute(lambda call: call.closes_at + timedelta(days=14))
    capacity = 5
    min_reviews = 2
    reviewers_per_application = 2


class CriterionFactory(DjangoModelFactory):
    class Meta:
        model = Criterion

    call = factory.SubFactory(CallFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    weight = 1
    scale_min = 1
    scale_max = 5


class ApplicationFactory(DjangoModelFactory):
    """A complete application (every answer and a pitch deck), in the draft state unless told."""

    class Meta:
        model = Application

    startup = factory.SubFactory(StartupFactory)
    call = factory.SubFactory(CallFactory)
    problem = "Patients wait too long for a diagnosis."
    solution = "A point-of-care assay."
    science_ip = "Patent application filed."
    regulatory_path = "Registration as a medical device, class IIa."
    market = "Regional hospitals."
    team_description = "Two scientists and a clinician."
    funding_needed = 5_000_000
    use_of_funds = "Clinical validation."
    pitch_deck = factory.LazyFunction(lambda: ContentFile(make_pdf(), name="deck.pdf"))
    pitch_deck_name = "deck.pdf"


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = Milestone

    startup = factory.SubFactory(StartupFactory)
    stage = "incubation"
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))


class FundingRecordFactory(DjangoModelFactory):
    """A grant of 10 RUB from an outside source, dated at the start of 2026."""

    class Meta:
        model = "incubator.FundingRecord"

    startup = factory.SubFactory(StartupFactory)
    kind = "grant"
    date = date(2026, 1, 1)
    amount = Decimal("10")
    currency = "RUB"
    investor_name = "X"


class ReviewAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = ReviewAssignment

    application = factory.SubFactory(ApplicationFactory, status="in_review")
    reviewer = factory.SubFactory(MentorFactory)
    due_at = factory.LazyAttribute(lambda a: a.application.call.review_deadline)


class ReviewFactory(DjangoModelFactory):
    class Meta:
        model = Review

    assignment = factory.SubFactory(ReviewAssignmentFactory)
    status = Review.Status.SUBMITTED
    recommendation = Review.Recommendation.ACCEPT
    confidence = Review.Confidence.MEDIUM
    submitted_at = factory.LazyFunction(timezone.now)


class ReviewScoreFactory(DjangoModelFactory):
    class Meta:
        model = ReviewScore

    review = factory.SubFactory(ReviewFactory)
    criterion = factory.SubFactory(CriterionFactory)
    score = 3


# Notifications


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = "notifications.Notification"

    recipient = factory.SubFactory(UserFactory)
    kind = "stage_changed"
    dedup_key = factory.Sequence(lambda n: f"test-notification:{n}")
    context = factory.LazyAttribute(
        lambda n: {"startup": "Startup", "source_label": "Incubation", "target_label": "Acceleration"}
    )
    url = "/founder/"


class OutboxMessageFactory(DjangoModelFactory):
    class Meta:
        model = "notifications.OutboxMessage"

    recipient = factory.SubFactory(UserFactory)
    kind = "stage_changed"
    dedup_key = factory.Sequence(lambda n: f"test-outbox:{n}")
    to_email = factory.LazyAttribute(lambda m: m.recipient.email)
    context = factory.LazyAttribute(
        lambda m: {
            "startup": "Startup",
            "source_label": "Incubation",
            "target_label": "Acceleration",
            "path": "/founder/",
        }
    )


class NotificationPreferenceFactory(DjangoModelFactory):
    class Meta:
        model = "notifications.NotificationPreference"

    user = factory.SubFactory(UserFactory)
    kind = "stage_changed"
    email_enabled = False
