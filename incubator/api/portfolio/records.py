"""Readiness changes, investment-readiness reviews and monthly reports.

A readiness change recorded by a manager or the startup's mentor applies at once; one proposed by
a founder waits for their decision. Managers and the startup's mentors review investment
readiness. The startup's team reports monthly while the startup is in incubation, acceleration or
funding, judged by the stage the founders see: a decision not yet released must not show through
what they may do.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from incubator.models import InvestmentReadinessReview, KpiReport, ReadinessChange, TeamMembership
from incubator.services.portfolio import (
    REPORTING_STAGES,
    PortfolioError,
    can_steer,
    investment_review_create,
    kpi_report_submit,
    month_start,
    readiness_change_confirm,
    readiness_change_record,
    readiness_evidence_attach,
    readiness_proposal_withdraw,
)
from pipeline.api.applications import JsonErrorsNegotiation

from ..errors import Conflict, Forbidden
from ..filters import ApiFilterSet, IdFilter
from ..serializers import refuse_body
from .filters import DateFilter
from .milestones import PDF_RESPONSE, pdf_response, refuse_unless_in_programme
from .selectors import (
    investment_reviews_for_api,
    kpi_reports_for_api,
    readiness_changes_for_api,
    visible_stage,
)
from .serializers import (
    READINESS_STATES,
    InvestmentReviewInputSerializer,
    InvestmentReviewSerializer,
    KpiReportInputSerializer,
    KpiReportSerializer,
    ReadinessChangeInputSerializer,
    ReadinessChangeSerializer,
    ReadinessDecisionInputSerializer,
    ReadinessFileInputSerializer,
)

# Readiness changes


class ReadinessChangeFilter(ApiFilterSet):
    startup = IdFilter()
    state = django_filters.ChoiceFilter(choices=READINESS_STATES, method="filter_state")

    class Meta:
        model = ReadinessChange
        fields = ["startup", "state"]

    def filter_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "confirmed":
            return queryset.filter(confirmed_at__isnull=False)
        if value == "rejected":
            return queryset.filter(rejected_at__isnull=False)
        return queryset.filter(confirmed_at__isnull=True, rejected_at__isnull=True)


def readiness_response(request: Request, pk: int, status_code: int = status.HTTP_200_OK) -> Response:
    change = get_object_or_404(readiness_changes_for_api(request.user), pk=pk)
    return Response(ReadinessChangeSerializer(change).data, status=status_code)


class ReadinessChangeListView(generics.ListAPIView):
    """The readiness history of the startups whose portfolio the user may see, oldest first.
    The team proposes a change here; managers and mentors record one that applies at once."""

    serializer_class = ReadinessChangeSerializer
    filterset_class = ReadinessChangeFilter
    ordering_fields = ["recorded_at", "id"]
    ordering = ["recorded_at", "id"]

    def get_queryset(self) -> QuerySet[ReadinessChange]:
        return readiness_changes_for_api(self.request.user)

    @extend_schema(request=ReadinessChangeInputSerializer, responses={201: ReadinessChangeSerializer})
    def post(self, request: Request) -> Response:
        """Record a new readiness level and development phase with the evidence for it. From a
        founder it waits for confirmation; from a manager or the startup's mentor it applies."""
        serializer = ReadinessChangeInputSerializer(data=request.data, context={"user": request.user})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        startup = data["startup"]
        if not (startup.has_member(request.user) or can_steer(startup, request.user)):
            raise Forbidden(_("Only the startup's team, its mentors and managers record its readiness."))
        try:
            change = readiness_change_record(
                startup=startup,
                actor=request.user,
                trl=data["trl"],
                phase=data["development_phase"],
                evidence_note=data["evidence_note"],
            )
        except PortfolioError as error:
            code = "readiness_refused" if error.code == "refused" else error.code
            raise Conflict(error.message, code=code) from error
        return readiness_response(request, change.pk, status.HTTP_201_CREATED)


class ReadinessDecisionView(generics.GenericAPIView):
    """Confirm (and apply) or reject a founder's proposed change: managers and the startup's
    mentors."""

    serializer_class = ReadinessDecisionInputSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[ReadinessChange]:
        return readiness_changes_for_api(self.request.user)

    @extend_schema(request=ReadinessDecisionInputSerializer, responses={200: ReadinessChangeSerializer})
    def post(self, request: Request, pk: int) -> Response:
        change = self.get_object()
        if not can_steer(change.startup, request.user):
            raise Forbidden(_("Only cluster managers and the startup's mentors confirm readiness changes."))
        serializer = ReadinessDecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            readiness_change_confirm(
                change=change,
                actor=request.user,
                accept=serializer.validated_data["decision"] == "confirm",
                reason=serializer.validated_data["reason"],
            )
        except PortfolioError as error:
            raise Conflict(error.message, code=error.code) from error
        return readiness_response(request, change.pk)


class ReadinessWithdrawView(generics.GenericAPIView):
    """The startup's team withdraws its proposal while it waits: the proposal is removed, and the
    team may propose again (204)."""

    # What it acts on (OPTIONS describes it); the answer itself is empty.
    serializer_class = ReadinessChangeSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[ReadinessChange]:
        return readiness_changes_for_api(self.request.user)

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, pk: int) -> Response:
        change = self.get_object()
        if not change.startup.has_member(request.user):
            raise Forbidden(_("Only the startup's team withdraws its proposals."))
        refuse_body(request)
        try:
            readiness_proposal_withdraw(change=change, actor=request.user)
        except PortfolioError as error:
            raise Conflict(error.message, code=error.code) from error
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReadinessFileView(generics.GenericAPIView):
    """A readiness change's evidence PDF, for those who may see the startup's portfolio; sent
    once by the person who recorded the change."""

    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonErrorsNegotiation
    parser_classes = [MultiPartParser, FormParser]
    serializer_class = None
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[ReadinessChange]:
        return readiness_changes_for_api(self.request.user)

    @extend_schema(responses=PDF_RESPONSE)
    def get(self, request: Request, pk: int):
        change = self.get_object()
        if not change.evidence_file:
            raise NotFound(_("This readiness change has no evidence file."))
        return pdf_response(change.evidence_file, change.evidence_file_name)

    @extend_schema(request=ReadinessFileInputSerializer, responses={200: ReadinessChangeSerializer})
    def put(self, request: Request, pk: int) -> Response:
        """Attach the evidence PDF to a change recorded without one (record the change first,
        then send its file): by the person who recorded it, once, unless it was rejected."""
        change = self.get_object()
        if change.recorded_by_id != request.user.pk:
            raise Forbidden(_("Only the person who recorded this change sends its evidence file."))
        serializer = ReadinessFileInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            readiness_evidence_attach(
                change=change, actor=request.user, upload=serializer.validated_data["file"]
            )
        except PortfolioError as error:
            raise Conflict(error.message, code=error.code) from error
        except DjangoValidationError as error:
            raise serializers.ValidationError({"file": error.messages}) from error
        return readiness_response(request, change.pk)


# Investment-readiness reviews


class InvestmentReviewFilter(ApiFilterSet):
    startup = IdFilter()

    class Meta:
        model = InvestmentReadinessReview
        fields = ["startup", "verdict"]


class InvestmentReviewListView(generics.ListAPIView):
    """Investment-readiness reviews, newest first; the latest one of a startup must find it
    ready before it moves to funding. Managers and the startup's mentors record them here."""

    serializer_class = InvestmentReviewSerializer
    filterset_class = InvestmentReviewFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[InvestmentReadinessReview]:
        return investment_reviews_for_api(self.request.user)

    @extend_schema(request=InvestmentReviewInputSerializer, responses={201: InvestmentReviewSerializer})
    def post(self, request: Request) -> Response:
        """Record a review (managers and the startup's mentors, once the startup is in the
        programme)."""
        user = request.user
        refusal = _("Only cluster managers and the startup's mentors review investment readiness.")
        if not (user.is_manager or user.is_mentor):
            raise Forbidden(refusal)
        serializer = InvestmentReviewInputSerializer(data=request.data, context={"user": user})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        startup = data.pop("startup")
        if not can_steer(startup, user):
            raise Forbidden(refusal)
        refuse_unless_in_programme(startup, user)
        review = investment_review_create(startup=startup, actor=user, **data)
        saved = get_object_or_404(self.get_queryset(), pk=review.pk)
        return Response(InvestmentReviewSerializer(saved).data, status=status.HTTP_201_CREATED)


# Monthly reports


class KpiReportFilter(ApiFilterSet):
    startup = IdFilter()
    period_after = DateFilter(field_name="period", lookup_expr="gte", label=_("Months from this day on"))
    period_before = DateFilter(field_name="period", lookup_expr="lte", label=_("Months up to this day"))

    class Meta:
        model = KpiReport
        fields = ["startup"]


class KpiReportListView(generics.ListAPIView):
    """Monthly reports, newest month first. The startup's team submits them while the startup is
    in incubation, acceleration or funding."""

    serializer_class = KpiReportSerializer
    filterset_class = KpiReportFilter
    ordering_fields = ["period", "submitted_at", "id"]
    ordering = ["-period", "id"]

    def get_queryset(self) -> QuerySet[KpiReport]:
        return kpi_reports_for_api(self.request.user)

    @extend_schema(
        request=KpiReportInputSerializer,
        responses={201: KpiReportSerializer, 200: KpiReportSerializer},
    )
    def post(self, request: Request) -> Response:
        """Submit the report of a month (the startup's team): 201 for a new month, 200 when it
        replaces the month's report, as correcting it on the report page does."""
        user = request.user
        refusal = _("Only the startup's team submits its monthly reports.")
        if not TeamMembership.objects.filter(user_id=user.pk).exists():
            raise Forbidden(refusal)
        serializer = KpiReportInputSerializer(data=request.data, context={"user": user})
        serializer.is_valid(raise_exception=True)
        figures = dict(serializer.validated_data)
        startup, period = figures.pop("startup"), month_start(figures.pop("period"))
        if not startup.has_member(user):
            raise Forbidden(refusal)
        # The stage the founders see: while an admission is held, the startup still applies.
        if visible_stage(startup, user) not in REPORTING_STAGES:
            raise Conflict(
                _("Only startups in incubation, acceleration or funding report monthly."),
                code="not_reporting",
            )
        existed = KpiReport.objects.filter(startup=startup, period=period).exists()
        try:
            report = kpi_report_submit(startup=startup, actor=user, period=period, **figures)
        except PortfolioError as error:
            raise Conflict(
                error.message, code="stale" if error.code == "stale" else "report_refused"
            ) from error
        saved = get_object_or_404(self.get_queryset(), pk=report.pk)
        return Response(
            KpiReportSerializer(saved).data, status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )
