"""Review assignments and reviews as reviewers and managers see them.

A reviewer sees their own assignments and reviews (with their own confidential note). Other
reviewers' reviews of the same application appear on the reviewer's assignment only when the
pages show them — with blind review, once the reviewer submitted their own — and then never with
the other reviewers' names or confidential notes. Managers see everything.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from incubator.api.serializers import (
    NOT_BLANK,
    InputSerializer,
    NamedRefSerializer,
    OmittingModelSerializer,
    PersonSerializer,
    RelatedIdField,
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    StrictDateTimeField,
    StrictIntegerField,
    TextBoxField,
    viewer,
)
from incubator.models import Criterion, User

from ..models import Application, ApplicationStatus, Review, ReviewAssignment, ReviewScore
from ..selectors import other_reviews_for_reviewer
from ..selectors.reviews import is_due_soon, is_overdue
from ..services.reviews import review_version
from .application_serializers import CallRefSerializer

MANAGER_ONLY = {"declined_at", "decline_reason", "declined_for_conflict"}


class AssignedApplicationSerializer(serializers.ModelSerializer):
    startup = NamedRefSerializer(read_only=True)
    call = CallRefSerializer(read_only=True)
    status = serializers.SerializerMethodField(
        help_text=_(
            "A decision not yet released to the founders shows as what was released before it (in "
            "review, or waitlisted), except to managers."
        )
    )

    class Meta:
        model = Application
        fields = ["id", "startup", "call", "status"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=ApplicationStatus.choices))
    def get_status(self, application: Application) -> str:
        return application.status_shown_to(viewer(self))


class ReviewStateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = ["id", "status", "submitted_at"]
        read_only_fields = fields


class ReviewAssignmentSerializer(OmittingModelSerializer):
    """A request to review one application, with its due date and the state of its review;
    fields the user may not see are absent."""

    application = AssignedApplicationSerializer(read_only=True)
    reviewer = PersonSerializer(read_only=True)
    review = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField()
    is_due_soon = serializers.SerializerMethodField(
        help_text=_("Still owed and due within three days (not yet overdue).")
    )
    declined_at = serializers.DateTimeField(required=False, allow_null=True)
    decline_reason = serializers.CharField(required=False, allow_blank=True)
    declined_for_conflict = serializers.BooleanField(required=False)

    class Meta:
        model = ReviewAssignment
        fields = [
            "id",
            "application",
            "reviewer",
            "due_at",
            "created_at",
            "is_automatic",
            "review",
            "is_overdue",
            "is_due_soon",
            *sorted(MANAGER_ONLY),
        ]
        read_only_fields = ["id", "due_at", "created_at", "is_automatic"]

    def omitted_fields(self, assignment: ReviewAssignment) -> set[str]:
        return set() if viewer(self).is_manager else set(MANAGER_ONLY)

    @extend_schema_field(ReviewStateSerializer(allow_null=True))
    def get_review(self, assignment: ReviewAssignment) -> dict[str, Any] | None:
        review = getattr(assignment, "review", None)
        return None if review is None else ReviewStateSerializer(review).data

    def get_is_overdue(self, assignment: ReviewAssignment) -> bool:
        return is_overdue(assignment)

    def get_is_due_soon(self, assignment: ReviewAssignment) -> bool:
        return is_due_soon(assignment)


class ScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewScore
        fields = ["criterion", "score", "comment"]
        read_only_fields = fields


RECOMMENDATION_CHOICES = [("", "—"), *Review.Recommendation.choices]


class OtherReviewSerializer(serializers.ModelSerializer):
    """Another reviewer's submitted review, numbered; no name, no confidential note."""

    number = serializers.SerializerMethodField()
    recommendation = serializers.ChoiceField(choices=RECOMMENDATION_CHOICES, read_only=True)
    confidence = serializers.ChoiceField(choices=Review.Confidence.choices, allow_null=True, read_only=True)
    scores = ScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Review
        fields = [
            "number",
            "recommendation",
            "confidence",
            "weighted_score",
            "comment_for_founders",
            "scores",
            "submitted_at",
        ]
        read_only_fields = fields

    def get_number(self, review: Review) -> int:
        return self.context["numbers"][review.pk]


@extend_schema_field(OtherReviewSerializer(many=True))
class OtherReviewsField(serializers.Field):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", False)
        super().__init__(**kwargs)

    def to_representation(self, assignment: ReviewAssignment) -> list[dict[str, Any]]:
        reviews = other_reviews_for_reviewer(assignment)
        numbers = {review.pk: number for number, review in enumerate(reviews, start=1)}
        return OtherReviewSerializer(reviews, many=True, context={"numbers": numbers}).data


def _own_review_submitted(assignment: ReviewAssignment) -> bool:
    review = getattr(assignment, "review", None)
    return review is not None and review.status == Review.Status.SUBMITTED


class ReviewAssignmentDetailSerializer(ReviewAssignmentSerializer):
    """A review assignment, with the other reviews of its application where the user may read
    them."""

    other_reviews = OtherReviewsField(
        source="*",
        required=False,
        help_text=_(
            "The other reviewers' submitted reviews, for the assigned reviewer; with blind review, "
            "absent until their own is submitted."
        ),
    )

    class Meta(ReviewAssignmentSerializer.Meta):
        fields = [*ReviewAssignmentSerializer.Meta.fields, "other_reviews"]

    def omitted_fields(self, assignment: ReviewAssignment) -> set[str]:
        omitted = super().omitted_fields(assignment)
        user = viewer(self)
        blind = assignment.application.call.blind_review
        if user.pk != assignment.reviewer_id or (blind and not _own_review_submitted(assignment)):
            omitted.add("other_reviews")
        return omitted


class ReviewSerializer(serializers.ModelSerializer):
    """A review: the reviewer's own, or any for managers."""

    assignment = serializers.PrimaryKeyRelatedField(read_only=True)
    application = AssignedApplicationSerializer(source="assignment.application", read_only=True)
    reviewer = PersonSerializer(source="assignment.reviewer", read_only=True)
    scores = ScoreSerializer(many=True, read_only=True)
    recommendation = serializers.ChoiceField(choices=RECOMMENDATION_CHOICES, read_only=True)
    confidence = serializers.ChoiceField(choices=Review.Confidence.choices, allow_null=True, read_only=True)
    version = serializers.SerializerMethodField(
        help_text=_("Changes with every save; send it back as expected_version to catch stale edits.")
    )

    class Meta:
        model = Review
        fields = [
            "id",
            "version",
            "assignment",
            "application",
            "reviewer",
            "status",
            "recommendation",
            "confidence",
            "weighted_score",
            "scores",
            "comment_for_founders",
            "confidential_note",
            "created_at",
            "updated_at",
            "submitted_at",
        ]
        read_only_fields = fields

    def get_version(self, review: Review) -> str:
        return review_version(review)


class ScoreInputSerializer(InputSerializer):
    criterion = StrictIntegerField(help_text=_("A criterion of the call's rubric."))
    score = StrictIntegerField(min_value=0, max_value=100, allow_null=True)
    comment = TextBoxField(max_length=3000, required=False, allow_blank=True, default="")


class ReviewInputSerializer(InputSerializer):
    """A draft or a submission. Submitting needs a score for every criterion, a recommendation
    and a confidence; a submitted review may be edited until the review deadline."""

    scores = ScoreInputSerializer(many=True, required=False, default=list)
    comment_for_founders = TextBoxField(max_length=5000, required=False, allow_blank=True, default="")
    confidential_note = TextBoxField(max_length=5000, required=False, allow_blank=True, default="")
    recommendation = StrictChoiceField(
        choices=Review.Recommendation.choices, required=False, allow_blank=True, default=""
    )
    confidence = StrictChoiceField(choices=Review.Confidence.choices, required=False, allow_null=True)
    submit = StrictBooleanField(required=False, default=False)
    expected_version = StrictCharField(
        required=False,
        max_length=64,
        help_text=_(
            'The review\'s version the client saw ("new" before its first save); a save made '
            "meanwhile, in another tab or client, makes this a 409."
        ),
    )

    def validate_scores(self, scores: list[dict[str, Any]]) -> list[dict[str, Any]]:
        criteria: list[Criterion] = self.context["criteria"]
        known = {criterion.pk for criterion in criteria}
        seen: set[int] = set()
        for item in scores:
            if item["criterion"] not in known:
                raise serializers.ValidationError(
                    _("%(id)s is not a criterion of this call's rubric.") % {"id": item["criterion"]}
                )
            if item["criterion"] in seen:
                raise serializers.ValidationError(
                    _("Criterion %(id)s is scored twice.") % {"id": item["criterion"]}
                )
            seen.add(item["criterion"])
        return scores


class AssignmentCreateInputSerializer(InputSerializer):
    application = RelatedIdField(queryset=Application.objects.all())
    reviewer = RelatedIdField(queryset=User.objects.all())
    due_at = StrictDateTimeField(
        required=False, allow_null=True, help_text=_("Empty: the call's review deadline.")
    )

    def validate_due_at(self, due_at):
        if due_at is not None and due_at <= timezone.now():
            raise serializers.ValidationError(_("The review must be due later than now."))
        return due_at


class DeclineInputSerializer(InputSerializer):
    reason = TextBoxField(max_length=2000, validators=[NOT_BLANK], help_text=_("The managers see it."))
    conflict = StrictBooleanField(
        required=False,
        default=False,
        help_text=_("Also record a conflict of interest: no later assignment to this startup."),
    )
