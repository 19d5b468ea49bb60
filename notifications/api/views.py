"""A person's in-app notifications, and marking them read. Nobody sees anyone else's: another
person's notification answers 404."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from incubator.api.filters import ApiFilterSet, BooleanFilter
from incubator.api.serializers import refuse_body

from .. import selectors, services
from ..kinds import Kind
from ..models import Notification
from ..rendering import render_title


class NotificationFilter(ApiFilterSet):
    kind = django_filters.ChoiceFilter(choices=Kind.choices)
    unread = BooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("Unread only"))

    class Meta:
        model = Notification
        fields = ["kind", "unread"]


class NotificationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    title = serializers.SerializerMethodField(help_text=_("One line, in the request's language."))
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "title", "url", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_title(self, notification: Notification) -> str:
        return render_title(kind=notification.kind, context=notification.context)


class MarkedReadSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("How many notifications were unread."))


def _own(request: Request) -> QuerySet[Notification]:
    if not request.user.is_authenticated:
        return Notification.objects.none()
    return selectors.notifications_of(user=request.user)


class NotificationListView(generics.ListAPIView):
    """The user's notifications, newest first."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[Notification]:
        return _own(self.request)


class NotificationDetailView(generics.RetrieveAPIView):
    """One of the user's notifications."""

    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        return _own(self.request)


class NotificationReadView(generics.GenericAPIView):
    """Mark one of the user's notifications read."""

    serializer_class = NotificationSerializer

    def get_queryset(self) -> QuerySet[Notification]:
        return _own(self.request)

    @extend_schema(request=None, responses={200: NotificationSerializer})
    def post(self, request: Request, pk: int) -> Response:
        notification = self.get_object()
        refuse_body(request)
        marked = services.notification_mark_read(user=request.user, notification_id=notification.pk)
        return Response(NotificationSerializer(marked).data)


class NotificationReadAllView(generics.GenericAPIView):
    """Mark every notification of the user read."""

    serializer_class = MarkedReadSerializer

    @extend_schema(request=None, responses={200: MarkedReadSerializer})
    def post(self, request: Request, *args: Any) -> Response:
        refuse_body(request)
        count = services.notifications_mark_all_read(user=request.user)
        return Response(MarkedReadSerializer({"marked": count}).data)
