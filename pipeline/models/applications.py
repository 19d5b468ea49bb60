"""An application of a startup to a call, and its status machine.

draft -> submitted -> in review -> accepted / rejected / waitlisted, and withdrawn by the founder.
The status changes only through ``pipeline.services.transitions.application_transition``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from ..guards import Guard, is_manager, is_startup_member


class ApplicationStatus(models.TextChoices):
    # In context: Russian agrees the word with "application" (заявка: подана, принята).
    DRAFT = "draft", pgettext_lazy("application status", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("application status", "Submitted")
    IN_REVIEW = "in_review", pgettext_lazy("application status", "In review")
    ACCEPTED = "accepted", pgettext_lazy("application status", "Accepted")
    REJECTED = "rejected", pgettext_lazy("application status", "Rejected")
    WAITLISTED = "waitlisted", pgettext_lazy("application status", "Waitlisted")
    WITHDRAWN = "withdrawn", pgettext_lazy("application status", "Withdrawn")


DECIDED_STATUSES = [ApplicationStatus.ACCEPTED, ApplicationStatus.REJECTED, ApplicationStatus.WAITLISTED]
# Still waiting for its reviews: a missing one is overdue, and reminders chase it.
AWAITING_REVIEWS = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW)
# Reviewers may still write or change their review (a waitlisted application may be reconsidered).
OPEN_FOR_REVIEW = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.WAITLISTED)

# A decision managers have not released yet: none was ever released, or the last release came
# before this decision (a waitlisted application accepted later keeps its released waitlisting
# visible, but not the acceptance).
HELD_DECISION = models.Q(status__in=DECIDED_STATUSES) & (
    models.Q(decision_released_at__isnull=True) | models.Q(decision_released_at__lt=models.F("decided_at"))
)


# ``Application.status_beyond_managers`` as an expression.
SHOWN_STATUS = models.Case(
    models.When(
        HELD_DECISION & models.Q(decision_released_at__isnull=False), then=models.Value("waitlisted")
    ),
    models.When(HELD_DECISION, then=models.Value("in_review")),
    default=models.F("status"),
    output_field=models.CharField(),
)

# ``Application.updated_at_for_founders`` as an expression.
SHOWN_UPDATED_AT = models.Case(
    models.When(
        HELD_DECISION,
        then=Coalesce(models.F("updated_before_decision"), models.F("submitted_at"), models.F("created_at")),
    ),
    default=models.F("updated_at"),
)


def admission_held(startup: str = "pk") -> models.Exists:
    """Whether the acceptance that admitted a startup is still held: for a queryset of startups,
    or of rows naming their startup in the field ``startup`` (such as milestones)."""
    return models.Exists(
        Application.objects.filter(
            HELD_DECISION, status=ApplicationStatus.ACCEPTED, startup=models.OuterRef(startup)
        )
    )


# The answers a founder must give before submitting, in the order the form shows them.
REQUIRED_ANSWERS = [
    "problem",
    "solution",
    "science_ip",
    "regulatory_path",
    "market",
    "team_description",
    "funding_needed",
    "use_of_funds",
]


def _call_open(application) -> bool:
    return application.call.is_open


def _call_open_message(application) -> str:
    call = application.call
    if timezone.now() < call.opens_at:
        return gettext("The call “%(call)s” opens on %(date)s; applications cannot be submitted yet.") % {
            "call": call.title_text,
            "date": formats.date_format(timezone.localtime(call.opens_at), "DATETIME_FORMAT"),
        }
    return gettext("The call “%(call)s” closed on %(date)s; applications can no longer be submitted.") % {
        "call": call.title_text,
        "date": formats.date_format(timezone.localtime(call.closes_at), "DATETIME_FORMAT"),
    }


def _missing_answers(application) -> list[str]:
    missing = []
    for name in REQUIRED_ANSWERS:
        value = getattr(application, name)
        if value is None or (isinstance(value, str) and not value.strip()):
            missing.append(str(Application._meta.get_field(name).verbose_name))
    return missing


def _completed_reviews(application) -> int:
    return application.reviews_completed_count()


def accepted_in_call(call_id: int) -> int:
    """How many of the call's places are taken."""
    return Application.objects.filter(call_id=call_id, status=ApplicationStatus.ACCEPTED).count()


CALL_OPEN = Guard(code="call_open", check=_call_open, message=_call_open_message)

ANSWERS_COMPLETE = Guard(
    code="answers_complete",
    check=lambda application: not _missing_answers(application),
    message=lambda application: (
        gettext("Fill in the required fields: %(fields)s.")
        % {"fields": ", ".join(_missing_answers(application))}
    ),
)

PITCH_DECK_UPLOADED = Guard(
    code="pitch_deck_uploaded",
    check=lambda application: bool(application.pitch_deck),
    message=lambda application: gettext("Upload a pitch deck (PDF) before submitting."),
)

ENOUGH_REVIEWS = Guard(
    code="enough_reviews",
    check=lambda application: _completed_reviews(application) >= application.call.min_reviews,
    message=lambda application: (
        gettext(
            "The call asks for %(required)d completed reviews before a decision; this application has "
            "%(done)d."
        )
        % {"required": application.call.min_reviews, "done": _completed_reviews(application)}
    ),
)

CAPACITY_FREE = Guard(
    code="capacity_free",
    check=lambda application: accepted_in_call(application.call_id) < application.call.capacity,
    message=lambda application: (
        gettext("The call “%(call)s” is full: %(taken)d of %(capacity)d places are taken.")
        % {
            "call": application.call.title_text,
            "taken": accepted_in_call(application.call_id),
            "capacity": application.call.capacity,
        }
    ),
)

STARTUP_APPLYING = Guard(
    code="startup_applying",
    check=lambda application: application.startup.stage == "application",
    message=lambda application: (
        gettext("%(startup)s is in the %(stage)s stage, not applying; it cannot be admitted again.")
        % {"startup": application.startup.name, "stage": application.startup.get_stage_display()}
    ),
)


def _document_path(instance, filename: str) -> str:
    # Stored under a generated name: the founder's file name is kept only as a label.
    application = instance if isinstance(instance, Application) else instance.application
    return f"applications/{application.startup_id}/{uuid.uuid4().hex}.pdf"


class Application(ConcurrentTransitionMixin, models.Model):
    startup = models.ForeignKey(
        "incubator.Startup",
        verbose_name=_("startup"),
        on_delete=models.CASCADE,
        related_name="applications",
    )
    call = models.ForeignKey(
        "incubator.Call", verbose_name=_("call"), on_delete=models.PROTECT, related_name="applications"
    )
    status = FSMField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.DRAFT,
        protected=True,
    )
    problem = models.TextField(_("problem"), max_length=4000, blank=True)
    solution = models.TextField(_("solution"), max_length=4000, blank=True)
    science_ip = models.TextField(_("science and IP position"), max_length=4000, blank=True)
    regulatory_path = models.TextField(_("regulatory path"), max_length=4000, blank=True)
    market = models.TextField(_("market"), max_length=4000, blank=True)
    team_description = models.TextField(_("team"), max_length=4000, blank=True)
    funding_needed = models.DecimalField(
        _("funding needed (RUB)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    use_of_funds = models.TextField(_("use of funds"), max_length=4000, blank=True)
    pitch_deck = models.FileField(_("pitch deck"), upload_to=_document_path, blank=True, max_length=300)
    pitch_deck_name = models.CharField(_("pitch deck file name"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # Decisions stay with the managers until they release them; then founders see them at once.
    decision_released_at = models.DateTimeField(_("decision released at"), null=True, blank=True)
    # While a decision is held, its founders see the application as it was before it: this is
    # the time of its last change then (``updated_at`` moved with the decision).
    updated_before_decision = models.DateTimeField(
        _("updated before the decision"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [models.UniqueConstraint(fields=["startup", "call"], name="one_application_per_call")]
        indexes = [models.Index(fields=["call", "status"])]

    def __str__(self) -> str:
        return gettext("%(startup)s → %(call)s") % {"startup": self.startup, "call": self.call}

    def reviews_completed_count(self) -> int:
        annotated = getattr(self, "completed_reviews", None)
        if annotated is not None:
            return annotated
        return self.assignments.filter(review__status="submitted").count()

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED_STATUSES

    @property
    def reviews_open(self) -> bool:
        return self.status in OPEN_FOR_REVIEW

    @property
    def decision_held(self) -> bool:
        """Decided, and the decision not yet released to the founders."""
        if not self.is_decided:
            return False
        released = self.decision_released_at
        return released is None or (self.decided_at is not None and released < self.decided_at)

    @property
    def decision_visible_to_founders(self) -> bool:
        return self.is_decided and not self.decision_held

    @property
    def status_beyond_managers(self) -> str:
        """The status everyone but the managers sees (founders, mentors, reviewers): a held
        decision shows as what was released before it. Only a waitlisting is decided again, so
        that is "waitlisted" after a released one and "in review" otherwise (``SHOWN_STATUS`` is
        the same in SQL)."""
        if not self.decision_held:
            return self.status
        return ApplicationStatus.WAITLISTED if self.decision_released_at else ApplicationStatus.IN_REVIEW

    def status_shown_to(self, user) -> str:
        return self.status if user.is_manager else self.status_beyond_managers

    def names_hidden_from(self, user) -> bool:
        """Whether the call hides the founders' names from ``user`` (a reviewer, neither on the
        team nor a manager): the application's files then reach them under neutral names, as a
        file's name may carry the founders'."""
        return self.call.hide_founder_names and not user.is_manager and not self.startup.has_member(user)

    def _record_decision(self) -> None:
        # Runs in the transition, before the status changes: a decision that follows one still
        # held (waitlisted, then accepted) keeps the time the founders saw before the first.
        if not self.decision_held:
            self.updated_before_decision = self.updated_at
        self.decided_at = timezone.now()

    @property
    def updated_at_for_founders(self):
        """``updated_at`` as the founders may know it: while a decision is held, the time of the
        last change before it (``SHOWN_UPDATED_AT`` is the same in SQL)."""
        if not self.decision_held:
            return self.updated_at
        return self.updated_before_decision or self.submitted_at or self.created_at

    @transition(
        field="status",
        source=ApplicationStatus.DRAFT,
        target=ApplicationStatus.SUBMITTED,
        conditions=[CALL_OPEN, ANSWERS_COMPLETE, PITCH_DECK_UPLOADED],
        permission=is_startup_member,
        custom={"label": _("Submit")},
    )
    def submit(self) -> None:
        self.submitted_at = timezone.now()

    @transition(
        field="status",
        source=ApplicationStatus.SUBMITTED,
        target=ApplicationStatus.IN_REVIEW,
        permission=is_manager,
        custom={"label": _("Start review")},
    )
    def start_review(self) -> None:
        pass

    @transition(
        field="status",
        source=[ApplicationStatus.IN_REVIEW, ApplicationStatus.WAITLISTED],
        target=ApplicationStatus.ACCEPTED,
        conditions=[STARTUP_APPLYING, ENOUGH_REVIEWS, CAPACITY_FREE],
        permission=is_manager,
        custom={"label": _("Accept")},
    )
    def accept(self) -> None:
        self._record_decision()

    @transition(
        field="status",
        source=[ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.WAITLISTED],
        target=ApplicationStatus.REJECTED,
        permission=is_manager,
        custom={"label": _("Reject")},
    )
    def reject(self) -> None:
        self._record_decision()

    @transition(
        field="status",
        source=ApplicationStatus.IN_REVIEW,
        target=ApplicationStatus.WAITLISTED,
        conditions=[ENOUGH_REVIEWS],
        permission=is_manager,
        custom={"label": _("Waitlist")},
    )
    def waitlist(self) -> None:
        self._record_decision()

    @transition(
        field="status",
        source=[
            ApplicationStatus.DRAFT,
            ApplicationStatus.SUBMITTED,
            ApplicationStatus.IN_REVIEW,
            ApplicationStatus.WAITLISTED,
        ],
        target=ApplicationStatus.WITHDRAWN,
        permission=is_startup_member,
        custom={"label": _("Withdraw")},
    )
    def withdraw(self) -> None:
        pass


class ApplicationDocument(models.Model):
    """A supporting document (PDF) of an application, besides the pitch deck."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=_document_path, max_length=300)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("supporting document")
        verbose_name_plural = _("supporting documents")

    def __str__(self) -> str:
        return self.title
