"""The API's front door: where its documentation and its lists are."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

# The lists, by the name a client knows them by, and their URL names.
LISTS = {
    "me": "me",
    "organisations": "organisation-list",
    "therapeutic_areas": "therapeutic-area-list",
    "calls": "call-list",
    "startups": "startup-list",
    "applications": "application-list",
    "review_assignments": "assignment-list",
    "reviews": "review-list",
    "transition_logs": "transition-log-list",
    "milestones": "milestone-list",
    "readiness_changes": "readiness-change-list",
    "investment_reviews": "investment-review-list",
    "kpi_reports": "kpi-report-list",
    "funding_records": "funding-record-list",
    "funding_summary": "funding-summary",
    "notifications": "notification-list",
}
DOCUMENTS = {"schema": "schema", "swagger_ui": "docs", "redoc": "redoc"}


class ApiRootView(APIView):
    """Links to the schema, its documentation pages and every list. Open to everyone: it
    holds no data; each list asks for credentials itself."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "ApiRoot",
            {
                "documentation": serializers.DictField(child=serializers.URLField()),
                "resources": serializers.DictField(child=serializers.URLField()),
            },
        )
    )
    def get(self, request: Request) -> Response:
        def link(name: str) -> str:
            return reverse(f"api:{name}", request=request)

        return Response(
            {
                "documentation": {key: link(name) for key, name in DOCUMENTS.items()},
                "resources": {key: link(name) for key, name in LISTS.items()},
            }
        )
