"""Milestones: managers and the startup's mentors set them; the team adds evidence and submits;
managers and mentors accept or send back; every status change goes through
``milestone_transition``. Evidence files are served only to those who may see the portfolio."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from incubator.models import Milestone, MilestoneEvidence, Startup, User
from incubator.services.portfolio import (
    REPORTING_STAGES,
    PortfolioError,
    can_steer,
    milestone_create,
    milestone_evidence_add,
    milestone_evidence_remove,
    milestone_remove,
    milestone_update,
)
from pipeline.api.applications import JsonErrorsNegotiation
from pipeline.documents import pdf_download
from pipeline.machines import MilestoneStatus
from pipeline.services import milestone_transition

from ..errors import Conflict, Forbidden
from ..filters import ApiFilterSet, IdFilter
from ..transitions import TransitionActionView, transition_name_parameter
from .filters import DateFilter
from .selectors import evidence_of, milestones_for_api, visible_milestones, visible_stage
from .serializers import (
    MILESTONE_STAGES,
    EvidenceInputSerializer,
    MilestoneCreateInputSerializer,
    MilestoneDetailSerializer,
    MilestoneEvidenceSerializer,
    MilestoneSerializer,
    MilestoneTransitionInputSerializer,
    MilestoneUpdateInputSerializer,
)


class MilestoneFilter(ApiFilterSet):
    startup = IdFilter()
    stage = django_filters.ChoiceFilter(choices=MILESTONE_STAGES)
    status = django_filters.ChoiceFilter(choices=MilestoneStatus.choices)
    due_after = DateFilter(field_name="due_on", lookup_expr="gte", label=_("Due on or after this day"))
    due_before = DateFilter(field_name="due_on", lookup_expr="lte", label=_("Due on or before this day"))

    class Meta:
        model = Milestone
        fields = ["startup", "stage", "status"]


def refuse_unless_in_programme(startup: Startup, user: User) -> None:
    """409 unless the startup is in incubation, acceleration or funding as ``user`` sees it:
    milestones and investment reviews are set only then, as on the startup's page, and a startup
    whose admission is held answers as one still applying."""
    if visible_stage(startup, user) not in REPORTING_STAGES:
        raise Conflict(
            _(
                "%(startup)s is not in the programme: milestones and investment-readiness reviews "
                "are for startups in incubation, acceleration or funding."
            )
            % {"startup": startup.name},
            code="not_in_programme",
        )


def milestone_response(request: Request, pk: int, status_code: int = status.HTTP_200_OK) -> Response:
    milestone = get_object_or_404(milestones_for_api(request.user), pk=pk)
    serializer = MilestoneDetailSerializer(milestone, context={"request": request})
    return Response(serializer.data, status=status_code)


class MilestoneListView(generics.ListAPIView):
    """Milestones of the startups whose portfolio the user may see, soonest due first; managers
    and the startup's mentors set new ones here."""

    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilter
    ordering_fields = ["due_on", "created_at", "title", "id"]
    ordering = ["due_on", "id"]

    def get_queryset(self) -> QuerySet[Milestone]:
        return milestones_for_api(self.request.user)

    @extend_schema(request=MilestoneCreateInputSerializer, responses={201: MilestoneDetailSerializer})
    def post(self, request: Request) -> Response:
        """Set a milestone (managers and the startup's mentors, once the startup is in the
        programme)."""
        user = request.user
        if not (user.is_manager or user.is_mentor):
            raise Forbidden(_("Only cluster managers and the startup's mentors set milestones."))
        serializer = MilestoneCreateInputSerializer(data=request.data, context={"user": user})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        startup = data.pop("startup")
        if not can_steer(startup, user):
            raise Forbidden(_("Only cluster managers and the startup's mentors set milestones."))
        refuse_unless_in_programme(startup, user)
        milestone = milestone_create(startup=startup, actor=user, **data)
        return milestone_response(request, milestone.pk, status.HTTP_201_CREATED)


class MilestoneDetailView(generics.GenericAPIView):
    """One milestone, with what stands in the way of each transition the user may fire."""

    serializer_class = MilestoneDetailSerializer

    def get(self, request: Request, pk: int) -> Response:
        return milestone_response(request, pk)

    def _steered(self, request: Request, pk: int) -> Milestone:
        milestone = get_object_or_404(milestones_for_api(request.user), pk=pk)
        if not can_steer(milestone.startup, request.user):
            raise Forbidden(_("Only cluster managers and the startup's mentors change its milestones."))
        return milestone

    @extend_schema(request=MilestoneUpdateInputSerializer, responses={200: MilestoneDetailSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        """Correct a milestone or move its due date (managers and the startup's mentors; not once
        it is accepted, nor after the startup left the programme: 409)."""
        milestone = self._steered(request, pk)
        serializer = MilestoneUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            # What was not sent keeps what the locked row has (a change made meanwhile stays).
            milestone_update(milestone=milestone, actor=request.user, **serializer.validated_data)
        except PortfolioError as error:
            if error.code == "due_in_past":
                raise serializers.ValidationError({"due_on": [error.message]}) from error
            raise Conflict(error.message, code=error.code) from error
        return milestone_response(request, pk)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        """Remove a milestone set by mistake: only one still planned, without evidence and
        without a planned tranche tied to it (else 409); managers and the startup's mentors."""
        milestone = self._steered(request, pk)
        try:
            milestone_remove(milestone=milestone, actor=request.user)
        except PortfolioError as error:
            raise Conflict(error.message, code=error.code) from error
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    request=MilestoneTransitionInputSerializer,
    responses={200: MilestoneDetailSerializer},
    parameters=[transition_name_parameter(Milestone)],
)
class MilestoneTransitionView(TransitionActionView):
    """Fire a status transition: start or submit the evidence (the team; start also managers and
    mentors), accept or send back with a comment (managers and the startup's mentors), mark as
    missed or reopen (managers)."""

    model = Milestone
    input_serializer_class = MilestoneTransitionInputSerializer
    serializer_class = MilestoneDetailSerializer

    def get_queryset(self) -> QuerySet[Milestone]:
        return milestones_for_api(self.request.user)

    def visible_object(self, pk: int) -> Milestone:
        return get_object_or_404(self.get_queryset(), pk=pk)

    def fire(self, *, instance: Milestone, name: str, data: dict[str, Any]) -> None:
        milestone_transition(
            milestone=instance,
            name=name,
            actor=self.request.user,
            reason=data["reason"],
            expected_status=data.get("expected_state"),
        )

    def respond(self, instance: Milestone) -> Response:
        return milestone_response(self.request, instance.pk)


class MilestoneEvidenceListView(generics.ListAPIView):
    """The evidence of a milestone, oldest first; the startup's team adds a note or a PDF while
    the milestone is planned or in progress."""

    serializer_class = MilestoneEvidenceSerializer
    parser_classes = [MultiPartParser, FormParser]
    # Evidence is listed in the order it came; the milestone's page shows it so.
    filter_backends: list = []

    def milestone(self) -> Milestone:
        return get_object_or_404(visible_milestones(self.request.user), pk=self.kwargs["pk"])

    def get_queryset(self) -> QuerySet[MilestoneEvidence]:
        if getattr(self, "swagger_fake_view", False):
            return MilestoneEvidence.objects.none()
        return evidence_of(self.milestone())

    @extend_schema(request=EvidenceInputSerializer, responses={201: MilestoneEvidenceSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Add a note or a PDF as evidence (the startup's team, while the milestone is open). The
        file is checked as every upload is: a readable PDF within the size limit."""
        milestone = self.milestone()
        if not milestone.startup.has_member(request.user):
            raise Forbidden(_("Only the startup's team adds evidence."))
        serializer = EvidenceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            evidence = milestone_evidence_add(
                milestone=milestone,
                actor=request.user,
                note=serializer.validated_data["note"],
                upload=serializer.validated_data.get("file"),
            )
        except PortfolioError as error:
            raise Conflict(error.message, code="milestone_closed") from error
        except DjangoValidationError as error:
            raise serializers.ValidationError({"file": error.messages}) from error
        saved = get_object_or_404(evidence_of(milestone), pk=evidence.pk)
        return Response(MilestoneEvidenceSerializer(saved).data, status=status.HTTP_201_CREATED)


def pdf_response(file: Any, name: str) -> FileResponse:
    """A stored PDF as a download that no cache keeps."""
    return pdf_download(file.open("rb"), name)


PDF_RESPONSE = {
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description=str(_("The PDF.")))
}


class MilestoneEvidenceFileView(generics.GenericAPIView):
    """An evidence PDF, for those who may see the startup's portfolio."""

    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonErrorsNegotiation
    serializer_class = None

    @extend_schema(
        responses=PDF_RESPONSE,
        parameters=[OpenApiParameter("evidence_id", int, OpenApiParameter.PATH)],
    )
    def get(self, request: Request, pk: int, evidence_id: int) -> FileResponse:
        milestone = get_object_or_404(visible_milestones(request.user), pk=pk)
        evidence = get_object_or_404(MilestoneEvidence, pk=evidence_id, milestone=milestone)
        if not evidence.file:
            raise NotFound(_("This evidence is a note; it has no file."))
        return pdf_response(evidence.file, evidence.original_name)


class MilestoneEvidenceDetailView(generics.GenericAPIView):
    """One piece of a milestone's evidence."""

    serializer_class = None

    @extend_schema(
        request=None,
        responses={204: None},
        parameters=[OpenApiParameter("evidence_id", int, OpenApiParameter.PATH)],
    )
    def delete(self, request: Request, pk: int, evidence_id: int) -> Response:
        """Remove a note or a file added by mistake (the startup's team, while the milestone is
        planned or in progress); submitted or accepted evidence stays."""
        milestone = get_object_or_404(visible_milestones(request.user), pk=pk)
        evidence = get_object_or_404(MilestoneEvidence, pk=evidence_id, milestone=milestone)
        if not milestone.startup.has_member(request.user):
            raise Forbidden(_("Only the startup's team removes evidence."))
        try:
            milestone_evidence_remove(evidence=evidence, actor=request.user)
        except PortfolioError as error:
            raise Conflict(error.message, code="milestone_closed") from error
        return Response(status=status.HTTP_204_NO_CONTENT)
