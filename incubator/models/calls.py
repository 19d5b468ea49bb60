from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..localised import localised

RUSSIAN_HELP = _("Shown on Russian pages and e-mails; the text above when left blank.")


class Call(models.Model):
    """An open call for applications; the startups it admits form a cohort."""

    class Phase(models.TextChoices):
        UPCOMING = "upcoming", _("Upcoming")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    title_ru = models.CharField(_("title in Russian"), max_length=200, blank=True, help_text=RUSSIAN_HELP)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    summary_ru = models.CharField(_("summary in Russian"), max_length=500, blank=True, help_text=RUSSIAN_HELP)
    rules = models.TextField(_("rules"), blank=True)
    rules_ru = models.TextField(_("rules in Russian"), blank=True, help_text=RUSSIAN_HELP)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    review_deadline = models.DateTimeField(_("review deadline"))
    capacity = models.PositiveIntegerField(
        _("capacity"), validators=[MinValueValidator(1)], help_text=_("How many startups the call admits.")
    )
    min_reviews = models.PositiveIntegerField(
        _("minimum completed reviews"),
        default=2,
        help_text=_("An application cannot be accepted with fewer completed reviews."),
    )
    reviewers_per_application = models.PositiveIntegerField(
        _("reviewers per application"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("How many reviewers automatic assignment gives each application."),
    )
    blind_review = models.BooleanField(
        _("blind review"),
        default=True,
        help_text=_("A reviewer sees no other review of an application before submitting their own."),
    )
    hide_founder_names = models.BooleanField(_("hide founders' names from reviewers"), default=False)
    documents_editable_after_submit = models.BooleanField(
        _("supporting documents may be added after submission"), default=True
    )
    stall_limit_days = models.PositiveIntegerField(
        _("stall limit (days)"),
        default=120,
        validators=[MinValueValidator(1)],
        help_text=_("A startup of this cohort in one stage longer than this is reported as stalled."),
    )
    disagreement_threshold = models.DecimalField(
        _("disagreement threshold"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("2.0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_(
            "Applications whose reviewers' weighted scores (0–10) spread more than this "
            "(standard deviation) are flagged for discussion."
        ),
    )
    funding_per_startup = models.DecimalField(
        _("funding per startup (RUB)"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("managers"),
        blank=True,
        related_name="managed_calls",
        limit_choices_to={"is_manager": True},
    )
    decisions_released_at = models.DateTimeField(_("decisions last released at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")

    def __str__(self) -> str:
        return self.title_text

    @property
    def title_text(self) -> str:
        """The title in the language of the page or e-mail (``incubator.localised``)."""
        return localised(self, "title")

    @property
    def summary_text(self) -> str:
        return localised(self, "summary")

    @property
    def rules_text(self) -> str:
        return localised(self, "rules")

    def clean(self) -> None:
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("The call must close after it opens.")
        if self.closes_at and self.review_deadline and self.review_deadline < self.closes_at:
            errors["review_deadline"] = _("The review deadline cannot be before the call closes.")
        if (
            self.min_reviews is not None
            and self.reviewers_per_application is not None
            and self.min_reviews > self.reviewers_per_application
        ):
            errors["min_reviews"] = ngettext(
                "An application gets %(n)d reviewer: it could never have more completed reviews.",
                "An application gets %(n)d reviewers: it could never have more completed reviews.",
                self.reviewers_per_application,
            ) % {"n": self.reviewers_per_application}
        if self.pk:
            errors.update(self._running_call_problems())
        if errors:
            raise ValidationError(errors)

    def _running_call_problems(self) -> dict[str, str]:
        """What a change would break in a call already under way: places already taken, applications
        already in, reviews already due."""
        from pipeline.models import Application, ReviewAssignment
        from pipeline.models.applications import AWAITING_REVIEWS, accepted_in_call

        problems = {}
        if self.capacity is not None:
            accepted = accepted_in_call(self.pk)
            if self.capacity < accepted:
                problems["capacity"] = ngettext(
                    "%(n)d application is accepted already: the call needs at least that many places.",
                    "%(n)d applications are accepted already: the call needs at least that many places.",
                    accepted,
                ) % {"n": accepted}
        if (
            self.opens_at
            and self.opens_at > timezone.now()
            and Application.objects.filter(call_id=self.pk).exclude(status="draft").exists()
        ):
            problems["opens_at"] = _("Applications to this call are already submitted: it cannot open later.")
        if self.review_deadline:
            latest = (
                ReviewAssignment.objects.filter(
                    call_id=self.pk,
                    submitted_at__isnull=True,
                    declined_at__isnull=True,
                    application__status__in=AWAITING_REVIEWS,
                )
                .order_by("-due_at")
                .values_list("due_at", flat=True)
                .first()
            )
            if latest and self.review_deadline < latest:
                problems["review_deadline"] = _(
                    "Open reviews are due as late as %(date)s: the deadline cannot be earlier."
                ) % {"date": formats.date_format(timezone.localtime(latest), "DATETIME_FORMAT")}
        return problems

    def phase_at(self, moment: datetime | None = None) -> str:
        moment = moment or timezone.now()
        if moment < self.opens_at:
            return self.Phase.UPCOMING
        if moment < self.closes_at:
            return self.Phase.OPEN
        return self.Phase.CLOSED

    @property
    def phase(self) -> str:
        return self.phase_at()

    @property
    def is_open(self) -> bool:
        return self.phase_at() == self.Phase.OPEN

    def get_phase_display(self) -> str:
        return str(self.Phase(self.phase).label)


class Criterion(models.Model):
    """One weighted criterion of a call's rubric, scored on an integer scale."""

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("name"), max_length=200)
    name_ru = models.CharField(_("name in Russian"), max_length=200, blank=True, help_text=RUSSIAN_HELP)
    guidance = models.TextField(_("guidance"), blank=True)
    guidance_ru = models.TextField(_("guidance in Russian"), blank=True, help_text=RUSSIAN_HELP)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    scale_min = models.PositiveSmallIntegerField(_("lowest score"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("highest score"), default=5)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["call", "position", "id"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return self.name_text

    @property
    def name_text(self) -> str:
        return localised(self, "name")

    @property
    def guidance_text(self) -> str:
        return localised(self, "guidance")

    def clean(self) -> None:
        if self.scale_max <= self.scale_min:
            raise ValidationError({"scale_max": _("The highest score must exceed the lowest.")})
