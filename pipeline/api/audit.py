"""The audit trail of state changes, read only: every record for managers; for founders and
mentors, their startups' history as the founders' timeline shows it."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import generics, serializers

from incubator.api.filters import ApiFilterSet, DateTimeFilter, IdFilter
from incubator.api.serializers import NamedRefSerializer, OmittingModelSerializer, PersonSerializer

from ..models import TransitionLog
from .selectors import transition_logs_visible_to


class TransitionLogFilter(ApiFilterSet):
    startup = IdFilter()
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lte")

    class Meta:
        model = TransitionLog
        fields = ["machine", "startup", "application", "milestone", "transition", "source", "target"]


class TransitionLogSerializer(OmittingModelSerializer):
    """One recorded state change: of a startup's stage, an application's status or a
    milestone's, by whom and when; a reason the user may not read is absent."""

    startup = NamedRefSerializer(read_only=True)
    actor = PersonSerializer(read_only=True, allow_null=True)
    source_label = serializers.CharField(read_only=True)
    target_label = serializers.CharField(read_only=True)
    # Not read-only in the declaration, or the schema would call it required: the list is read
    # only all the same (a GET view).
    reason = serializers.CharField(
        required=False,
        help_text=_(
            "Why. Absent for founders and mentors when a manager recorded it for a stage or "
            "application change: that reason stays in the managers' audit trail."
        ),
    )

    def omitted_fields(self, log: TransitionLog) -> set[str]:
        # ``reason_shown`` is annotated for founders and mentors only (managers see every reason).
        return set() if getattr(log, "reason_shown", True) else {"reason"}

    class Meta:
        model = TransitionLog
        fields = [
            "id",
            "machine",
            "startup",
            "application",
            "milestone",
            "transition",
            "source",
            "source_label",
            "target",
            "target_label",
            "actor",
            "reason",
            "is_override",
            "caused_by",
            "created_at",
        ]
        read_only_fields = [name for name in fields if name != "reason"]
        extra_kwargs = {"caused_by": {"help_text": _("The change this one followed from, if any.")}}


class TransitionLogListView(generics.ListAPIView):
    """State changes, newest first: who, when, from, to, why."""

    serializer_class = TransitionLogSerializer
    filterset_class = TransitionLogFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[TransitionLog]:
        return transition_logs_visible_to(self.request.user)


class TransitionLogDetailView(generics.RetrieveAPIView):
    """One state change."""

    serializer_class = TransitionLogSerializer

    def get_queryset(self) -> QuerySet[TransitionLog]:
        return transition_logs_visible_to(self.request.user)
