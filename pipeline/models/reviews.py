from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .applications import Application


class ReviewAssignment(models.Model):
    """A reviewer asked to review one application, with a due date."""

    application = models.ForeignKey(
        "pipeline.Application", on_delete=models.CASCADE, related_name="assignments"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_assignments"
    )
    # Copied from the application and the review so that the dashboard's reviewer and score
    # panels read one table; kept in step by ``pipeline.stats``.
    call = models.ForeignKey("incubator.Call", on_delete=models.CASCADE, related_name="+", editable=False)
    submitted_at = models.DateTimeField(_("review submitted at"), null=True, blank=True, editable=False)
    due_at = models.DateTimeField(_("due at"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_automatic = models.BooleanField(_("assigned automatically"), default=False)
    created_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    declined_for_conflict = models.BooleanField(_("declined for a conflict of interest"), default=False)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        constraints = [
            models.UniqueConstraint(fields=["application", "reviewer"], name="one_assignment_per_reviewer")
        ]
        indexes = [
            models.Index(fields=["reviewer", "due_at"]),
            # Open assignments by reviewer and due date: counting a reviewer's overdue ones is a
            # short range scan.
            models.Index(
                fields=["reviewer", "due_at"],
                condition=models.Q(submitted_at__isnull=True, declined_at__isnull=True),
                name="open_assignment_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} ← {self.application}"

    def save(self, *args, **kwargs) -> None:
        if self.call_id is None and self.application_id is not None:
            self.call_id = Application.objects.values_list("call_id", flat=True).get(pk=self.application_id)
        super().save(*args, **kwargs)

    @property
    def is_declined(self) -> bool:
        return self.declined_at is not None


class Review(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        # Not an application's "Submitted": languages mark the gender of the noun.
        SUBMITTED = "submitted", pgettext_lazy("review status", "Submitted")

    class Recommendation(models.TextChoices):
        ACCEPT = "accept", _("Accept")
        WAITLIST = "waitlist", _("Waitlist")
        REJECT = "reject", _("Reject")

    class Confidence(models.IntegerChoices):
        LOW = 1, _("Low")
        MEDIUM = 2, _("Medium")
        HIGH = 3, _("High")

    assignment = models.OneToOneField(ReviewAssignment, on_delete=models.CASCADE, related_name="review")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    comment_for_founders = models.TextField(_("comment for the founders"), max_length=5000, blank=True)
    confidential_note = models.TextField(_("confidential note for managers"), max_length=5000, blank=True)
    recommendation = models.CharField(
        _("recommendation"), max_length=20, choices=Recommendation.choices, blank=True
    )
    confidence = models.PositiveSmallIntegerField(
        _("confidence"), choices=Confidence.choices, null=True, blank=True
    )
    # The weighted mean of the criterion scores, kept when the review is submitted or edited.
    weighted_score = models.DecimalField(
        _("weighted score"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return str(self.assignment)


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey("incubator.Criterion", on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    comment = models.TextField(_("comment"), max_length=3000, blank=True)

    class Meta:
        verbose_name = _("criterion score")
        verbose_name_plural = _("criterion scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"
