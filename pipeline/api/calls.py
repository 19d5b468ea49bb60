"""The managers' operations on a call: automatic assignment and the release of decisions."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from incubator.api.permissions import IsManager
from incubator.api.serializers import refuse_body
from incubator.models import Call

from ..services.assignment import assignments_auto
from ..services.reviews import decisions_release


class UnfilledSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    missing = serializers.IntegerField(help_text=_("Reviewers still missing."))
    reasons = serializers.DictField(
        child=serializers.IntegerField(), help_text=_("Why the other reviewers were not eligible.")
    )


class AutoAssignResultSerializer(serializers.Serializer):
    created = serializers.ListField(child=serializers.IntegerField(), help_text=_("New assignments."))
    unfilled = UnfilledSerializer(many=True)


class ReleaseResultSerializer(serializers.Serializer):
    released = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("Applications whose decision the founders now see.")
    )


class CallAutoAssignView(generics.GenericAPIView):
    """Give every submitted application of the call its reviewers, balancing load, matching
    expertise and avoiding conflicts of interest; running it again fills only what is missing."""

    permission_classes = [IsManager]
    serializer_class = AutoAssignResultSerializer

    def get_queryset(self) -> QuerySet[Call]:
        return Call.objects.all()

    @extend_schema(request=None, responses={200: AutoAssignResultSerializer})
    def post(self, request: Request, pk: int) -> Response:
        call = self.get_object()
        refuse_body(request)
        report = assignments_auto(call=call, actor=request.user)
        data = {
            "created": [assignment.pk for assignment in report.created],
            "unfilled": [
                {
                    "application": unfilled.application.pk,
                    "missing": unfilled.missing,
                    "reasons": {str(reason): count for reason, count in unfilled.reasons.items()},
                }
                for unfilled in report.unfilled
            ],
        }
        return Response(AutoAssignResultSerializer(data).data)


class CallReleaseDecisionsView(generics.GenericAPIView):
    """Show the founders every decision of the call not yet released, at once, and tell them."""

    permission_classes = [IsManager]
    serializer_class = ReleaseResultSerializer

    def get_queryset(self) -> QuerySet[Call]:
        return Call.objects.all()

    @extend_schema(request=None, responses={200: ReleaseResultSerializer})
    def post(self, request: Request, pk: int) -> Response:
        call = self.get_object()
        refuse_body(request)
        released = decisions_release(call=call, actor=request.user)
        return Response(ReleaseResultSerializer({"released": released}).data)
