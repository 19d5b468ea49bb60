"""The funding ledger: grants, equity rounds and loans in their own currency, with tranches paid
as milestones are reached. Managers record them; the startup's team and mentors read them. The
cluster's totals (managers) are given per currency as stored, never converted."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from incubator import selectors
from incubator.models import FundingRecord
from incubator.models.portfolio import Currency
from incubator.services.portfolio import (
    PortfolioError,
    funding_record_create,
    funding_record_void,
    funding_tranche_cancel,
    funding_tranche_mark_paid,
)

from ..errors import Conflict, Forbidden
from ..filters import ApiFilterSet, BooleanFilter, IdFilter
from ..permissions import IsManager
from .filters import DateFilter
from .funding_serializers import (
    FundingRecordInputSerializer,
    FundingRecordSerializer,
    FundingSummarySerializer,
    FundingVoidInputSerializer,
    TrancheCancelInputSerializer,
    TranchePaidInputSerializer,
)
from .selectors import funding_records_for_api, tranches_for_api


class FundingRecordFilter(ApiFilterSet):
    startup = IdFilter()
    investor = IdFilter()
    currency = django_filters.ChoiceFilter(choices=Currency.choices)
    date_after = DateFilter(field_name="date", lookup_expr="gte", label=_("On or after this day"))
    date_before = DateFilter(field_name="date", lookup_expr="lte", label=_("On or before this day"))
    voided = BooleanFilter(
        field_name="voided_at",
        lookup_expr="isnull",
        exclude=True,
        label=_("Voided records only (true) or those that count (false)"),
    )

    class Meta:
        model = FundingRecord
        fields = ["startup", "kind", "currency", "investor", "from_programme"]


def funding_response(request: Request, pk: int, status_code: int = status.HTTP_200_OK) -> Response:
    record = get_object_or_404(funding_records_for_api(request.user), pk=pk)
    return Response(FundingRecordSerializer(record).data, status=status_code)


class FundingRecordListView(generics.ListAPIView):
    """The ledger of the startups whose portfolio the user may see, latest first; managers
    record funding here."""

    serializer_class = FundingRecordSerializer
    filterset_class = FundingRecordFilter
    ordering_fields = ["date", "amount", "recorded_at", "id"]
    ordering = ["-date", "-id"]

    def get_queryset(self) -> QuerySet[FundingRecord]:
        return funding_records_for_api(self.request.user)

    @extend_schema(request=FundingRecordInputSerializer, responses={201: FundingRecordSerializer})
    def post(self, request: Request) -> Response:
        """Record a grant, equity round or loan, optionally in tranches tied to the startup's
        milestones (managers)."""
        if not request.user.is_manager:
            raise Forbidden(_("Only cluster managers record funding."))
        serializer = FundingRecordInputSerializer(data=request.data, context={"user": request.user})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        try:
            record = funding_record_create(actor=request.user, **data)
        except PortfolioError as error:
            raise Conflict(error.message, code="funding_refused") from error
        return funding_response(request, record.pk, status.HTTP_201_CREATED)


class TranchePaidView(generics.GenericAPIView):
    """Mark a planned tranche as paid (managers); answers with its funding record."""

    serializer_class = TranchePaidInputSerializer
    filter_backends: list = []

    def get_queryset(self):
        return tranches_for_api(self.request.user)

    @extend_schema(request=TranchePaidInputSerializer, responses={200: FundingRecordSerializer})
    def post(self, request: Request, pk: int) -> Response:
        tranche = self.get_object()
        if not request.user.is_manager:
            raise Forbidden(_("Only cluster managers mark tranches as paid."))
        serializer = TranchePaidInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        paid_on = serializer.validated_data.get("paid_on") or timezone.localdate()
        try:
            funding_tranche_mark_paid(tranche=tranche, actor=request.user, paid_on=paid_on)
        except PortfolioError as error:
            raise Conflict(error.message, code="tranche_not_planned") from error
        return funding_response(request, tranche.record_id)


class TrancheCancelView(generics.GenericAPIView):
    """Cancel a planned tranche that will not be paid, with the reason (managers): its amount no
    longer counts in the funding totals, and the founders are told. Answers with its record."""

    serializer_class = TrancheCancelInputSerializer
    filter_backends: list = []

    def get_queryset(self):
        return tranches_for_api(self.request.user)

    @extend_schema(request=TrancheCancelInputSerializer, responses={200: FundingRecordSerializer})
    def post(self, request: Request, pk: int) -> Response:
        tranche = self.get_object()
        if not request.user.is_manager:
            raise Forbidden(_("Only cluster managers cancel tranches."))
        serializer = TrancheCancelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            funding_tranche_cancel(
                tranche=tranche, actor=request.user, reason=serializer.validated_data["reason"]
            )
        except PortfolioError as error:
            raise Conflict(error.message, code="tranche_not_planned") from error
        return funding_response(request, tranche.record_id)


class FundingVoidView(generics.GenericAPIView):
    """Void a funding record entered by mistake, with the reason (managers): it stays in the
    ledger, marked, counts in no funding total, and its planned tranches are cancelled with it;
    the founders are told. Record the right figures anew. Answers with the record."""

    serializer_class = FundingVoidInputSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[FundingRecord]:
        return funding_records_for_api(self.request.user)

    @extend_schema(request=FundingVoidInputSerializer, responses={200: FundingRecordSerializer})
    def post(self, request: Request, pk: int) -> Response:
        record = self.get_object()
        if not request.user.is_manager:
            raise Forbidden(_("Only cluster managers void funding records."))
        serializer = FundingVoidInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            funding_record_void(record=record, actor=request.user, reason=serializer.validated_data["reason"])
        except PortfolioError as error:
            raise Conflict(error.message, code="funding_void_refused") from error
        return funding_response(request, record.pk)


class FundingSummaryView(generics.GenericAPIView):
    """The cluster's funding totals by call, field and year, per currency as recorded (managers,
    as on the portfolio overview page)."""

    permission_classes = [IsManager]
    serializer_class = FundingSummarySerializer

    def get(self, request: Request) -> Response:
        summary = {
            "totals": [
                {"currency": currency, "total": total}
                for currency, total in selectors.funding_totals_by_currency().items()
            ],
            "by_call": selectors.funding_by("call"),
            "by_field": selectors.funding_by("field"),
            "by_year": selectors.funding_by("year"),
        }
        return Response(FundingSummarySerializer(summary).data)
