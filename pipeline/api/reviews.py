"""Review assignments and reviews. Reviewers see and work on their live assignments; managers
assign, unassign and read everything. Other signed-in people get 403, as on the pages."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from incubator.api.errors import Conflict, Forbidden
from incubator.api.filters import ApiFilterSet, DateTimeFilter, IdFilter
from incubator.api.permissions import IsReviewerOrManager

from ..models import Review, ReviewAssignment
from ..services.assignment import AssignmentError, assignment_create, assignment_decline, assignment_remove
from ..services.reviews import ReviewError, review_save
from .review_serializers import (
    AssignmentCreateInputSerializer,
    DeclineInputSerializer,
    ReviewAssignmentDetailSerializer,
    ReviewAssignmentSerializer,
    ReviewInputSerializer,
    ReviewSerializer,
)
from .selectors import assignments_visible_to, reviews_visible_to

ASSIGNMENT_STATES = [
    ("open", _("Waiting for the review")),
    ("submitted", _("Review submitted")),
    ("declined", _("Declined")),
]


class AssignmentFilter(ApiFilterSet):
    call = IdFilter()
    reviewer = IdFilter()
    state = django_filters.ChoiceFilter(choices=ASSIGNMENT_STATES, method="filter_state")
    due_after = DateTimeFilter(field_name="due_at", lookup_expr="gte")
    due_before = DateTimeFilter(field_name="due_at", lookup_expr="lte")

    class Meta:
        model = ReviewAssignment
        fields = ["call", "application", "reviewer", "state", "is_automatic"]

    def filter_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "declined":
            return queryset.filter(declined_at__isnull=False)
        submitted = Q(review__status=Review.Status.SUBMITTED)
        if value == "submitted":
            return queryset.filter(submitted)
        return queryset.filter(declined_at__isnull=True).exclude(submitted)


class ReviewFilter(ApiFilterSet):
    call = IdFilter(field_name="assignment__application__call")
    application = IdFilter(field_name="assignment__application")
    reviewer = IdFilter(field_name="assignment__reviewer")

    class Meta:
        model = Review
        fields = ["call", "application", "reviewer", "status", "recommendation"]


def _assignment_response(request: Request, assignment: ReviewAssignment, code: int = 200) -> Response:
    context = {"request": request}
    return Response(ReviewAssignmentDetailSerializer(assignment, context=context).data, status=code)


class AssignmentListView(generics.ListAPIView):
    """Review assignments: a reviewer's live ones, soonest due first; every one for managers,
    who also assign here."""

    permission_classes = [IsReviewerOrManager]
    serializer_class = ReviewAssignmentSerializer
    filterset_class = AssignmentFilter
    ordering_fields = ["due_at", "created_at", "id"]
    ordering = ["due_at", "id"]

    def get_queryset(self) -> QuerySet[ReviewAssignment]:
        return assignments_visible_to(self.request.user)

    @extend_schema(request=AssignmentCreateInputSerializer, responses={201: ReviewAssignmentDetailSerializer})
    def post(self, request: Request) -> Response:
        """Assign a reviewer to a submitted application (managers), after the same checks as the
        page: status, role, conflicts of interest, capacity."""
        if not request.user.is_manager:
            raise Forbidden(_("Only cluster managers assign reviewers."))
        serializer = AssignmentCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            assignment = assignment_create(actor=request.user, **serializer.validated_data)
        except AssignmentError as error:
            raise Conflict(error.message, code="assignment_refused") from error
        created = get_object_or_404(self.get_queryset(), pk=assignment.pk)
        return _assignment_response(request, created, status.HTTP_201_CREATED)


class AssignmentDetailView(generics.GenericAPIView):
    """One assignment; for its reviewer, the other reviews they may see."""

    permission_classes = [IsReviewerOrManager]
    serializer_class = ReviewAssignmentDetailSerializer

    def get_queryset(self) -> QuerySet[ReviewAssignment]:
        return assignments_visible_to(self.request.user)

    def get(self, request: Request, pk: int) -> Response:
        return _assignment_response(request, self.get_object())

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        """Take the application back from the reviewer (managers), unless the review is in."""
        assignment = self.get_object()
        if not request.user.is_manager:
            raise Forbidden(_("Only cluster managers unassign reviewers."))
        try:
            assignment_remove(assignment=assignment, actor=request.user)
        except AssignmentError as error:
            raise Conflict(error.message, code="assignment_refused") from error
        return Response(status=status.HTTP_204_NO_CONTENT)


def _own_assignment(view: generics.GenericAPIView) -> ReviewAssignment:
    assignment = view.get_object()
    if assignment.reviewer_id != view.request.user.pk:
        raise Forbidden(_("Only the assigned reviewer may do this."))
    return assignment


class AssignmentDeclineView(generics.GenericAPIView):
    """The reviewer gives the application back; it then leaves their list."""

    permission_classes = [IsReviewerOrManager]
    serializer_class = DeclineInputSerializer

    def get_queryset(self) -> QuerySet[ReviewAssignment]:
        return assignments_visible_to(self.request.user)

    @extend_schema(request=DeclineInputSerializer, responses={204: None})
    def post(self, request: Request, pk: int) -> Response:
        assignment = _own_assignment(self)
        serializer = DeclineInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            assignment_decline(assignment=assignment, actor=request.user, **serializer.validated_data)
        except AssignmentError as error:
            if error.code == "gone":
                raise NotFound(error.message) from error
            raise Conflict(error.message, code="decline_refused") from error
        return Response(status=status.HTTP_204_NO_CONTENT)


def _review_field_errors(error: ReviewError) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, message in error.field_errors.items():
        if name.startswith("score_"):
            fields.setdefault("scores", {})[name.removeprefix("score_")] = [str(message)]
        else:
            fields[name] = [str(message)]
    return fields


class AssignmentReviewView(generics.GenericAPIView):
    """The assigned reviewer saves a draft of their review or submits it."""

    permission_classes = [IsReviewerOrManager]
    serializer_class = ReviewInputSerializer

    def get_queryset(self) -> QuerySet[ReviewAssignment]:
        return assignments_visible_to(self.request.user)

    @extend_schema(request=ReviewInputSerializer, responses={200: ReviewSerializer})
    def put(self, request: Request, pk: int) -> Response:
        assignment = _own_assignment(self)
        criteria = list(assignment.application.call.criteria.all())
        serializer = ReviewInputSerializer(data=request.data, context={"criteria": criteria})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            review = review_save(
                assignment=assignment,
                actor=request.user,
                scores={item["criterion"]: (item["score"], item["comment"]) for item in data["scores"]},
                comment_for_founders=data["comment_for_founders"],
                confidential_note=data["confidential_note"],
                recommendation=data["recommendation"],
                confidence=data.get("confidence"),
                submit=data["submit"],
                expected_version=data.get("expected_version"),
            )
        except ReviewError as error:
            if error.field_errors:
                raise ValidationError(_review_field_errors(error)) from error
            raise Conflict(error.message, code=error.code) from error
        saved = get_object_or_404(reviews_visible_to(request.user), pk=review.pk)
        return Response(ReviewSerializer(saved, context={"request": request}).data)


class ReviewListView(generics.ListAPIView):
    """Reviews: the reviewer's own; every review for managers."""

    permission_classes = [IsReviewerOrManager]
    serializer_class = ReviewSerializer
    filterset_class = ReviewFilter
    ordering_fields = ["updated_at", "submitted_at", "weighted_score", "id"]
    ordering = ["-updated_at", "-id"]

    def get_queryset(self) -> QuerySet[Review]:
        return reviews_visible_to(self.request.user)


class ReviewDetailView(generics.RetrieveAPIView):
    """One review."""

    permission_classes = [IsReviewerOrManager]
    serializer_class = ReviewSerializer

    def get_queryset(self) -> QuerySet[Review]:
        return reviews_visible_to(self.request.user)
