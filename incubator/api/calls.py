"""Calls with their rubric. Public, like the call pages; the settings that only steer the
managers' work (assignment, stall limits, release) are shown to managers only."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny

from incubator.models import Call, Criterion, User

from .filters import ApiFilterSet, DateTimeFilter, TextFilter
from .serializers import IdListField, OmittingModelSerializer, viewer

MANAGER_FIELDS = {
    "reviewers_per_application",
    "disagreement_threshold",
    "stall_limit_days",
    "funding_per_startup",
    "decisions_released_at",
    "managers",
}


def calls_for_api(user: Any) -> QuerySet[Call]:
    """Every call with its rubric (and, for managers, the call's managers): a fixed number of
    queries per page."""
    queryset = Call.objects.prefetch_related(
        Prefetch("criteria", queryset=Criterion.objects.order_by("position", "pk"))
    )
    if user.is_authenticated and user.is_manager:
        queryset = queryset.prefetch_related(Prefetch("managers", queryset=User.objects.only("pk")))
    return queryset


class CallFilter(ApiFilterSet):
    phase = django_filters.ChoiceFilter(
        choices=Call.Phase.choices, method="filter_phase", label=_("Phase, now: upcoming, open or closed")
    )
    slug = TextFilter()
    title = TextFilter(lookup_expr="icontains")
    opens_after = DateTimeFilter(field_name="opens_at", lookup_expr="gte")
    closes_before = DateTimeFilter(field_name="closes_at", lookup_expr="lte")

    class Meta:
        model = Call
        fields = ["phase", "slug", "title", "blind_review"]

    def filter_phase(self, queryset: QuerySet[Call], name: str, value: str) -> QuerySet[Call]:
        now = timezone.now()
        if value == Call.Phase.UPCOMING:
            return queryset.filter(opens_at__gt=now)
        if value == Call.Phase.OPEN:
            return queryset.filter(opens_at__lte=now, closes_at__gt=now)
        return queryset.filter(closes_at__lte=now)


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = [
            "id",
            "name",
            "name_ru",
            "guidance",
            "guidance_ru",
            "weight",
            "scale_min",
            "scale_max",
            "position",
        ]
        read_only_fields = fields


class CallSerializer(OmittingModelSerializer):
    """A call and its rubric. Manager-only fields are absent for everyone else."""

    phase = serializers.ChoiceField(choices=Call.Phase.choices, read_only=True)
    criteria = CriterionSerializer(many=True, read_only=True, help_text=_("The rubric, in order."))
    reviewers_per_application = serializers.IntegerField(required=False)
    disagreement_threshold = serializers.DecimalField(max_digits=4, decimal_places=2, required=False)
    stall_limit_days = serializers.IntegerField(required=False)
    funding_per_startup = serializers.DecimalField(max_digits=14, decimal_places=2, required=False)
    decisions_released_at = serializers.DateTimeField(required=False, allow_null=True)
    managers = IdListField(required=False, help_text=_("Ids of the call's managers."))

    class Meta:
        model = Call
        fields = [
            "id",
            "title",
            "title_ru",
            "slug",
            "summary",
            "summary_ru",
            "rules",
            "rules_ru",
            "phase",
            "opens_at",
            "closes_at",
            "review_deadline",
            "capacity",
            "min_reviews",
            "blind_review",
            "hide_founder_names",
            "documents_editable_after_submit",
            "criteria",
            *sorted(MANAGER_FIELDS),
        ]
        read_only_fields = [name for name in fields if name not in MANAGER_FIELDS]

    def omitted_fields(self, instance: Any) -> set[str]:
        user = viewer(self)
        return set() if user is not None and user.is_authenticated and user.is_manager else MANAGER_FIELDS


class CallListView(generics.ListAPIView):
    """Calls, newest first; anyone may read them, as on the call pages."""

    permission_classes = [AllowAny]
    serializer_class = CallSerializer
    filterset_class = CallFilter
    ordering_fields = ["opens_at", "closes_at", "review_deadline", "title", "id"]
    ordering = ["-opens_at", "-id"]

    def get_queryset(self) -> QuerySet[Call]:
        return calls_for_api(self.request.user)


class CallDetailView(generics.RetrieveAPIView):
    """One call with its rubric."""

    permission_classes = [AllowAny]
    serializer_class = CallSerializer

    def get_queryset(self) -> QuerySet[Call]:
        return calls_for_api(self.request.user)
