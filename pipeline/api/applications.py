"""Applications: founders draft, answer, upload the pitch deck and fire submit or withdraw;
managers fire review and decision transitions; assigned reviewers read. Each operation calls the
same service as its page."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from incubator.api.errors import Conflict, Forbidden
from incubator.api.filters import ApiFilterSet, DateTimeFilter, FilterBackend, OrderingFilter
from incubator.api.schema import ErrorSerializer
from incubator.api.transitions import (
    TransitionActionView,
    transition_input_serializer,
    transition_name_parameter,
)
from incubator.models import Startup, TeamMembership

from ..documents import METADATA_NOT_REMOVED, MetadataNotRemoved, pdf_download, without_metadata
from ..models import Application, ApplicationDocument, ApplicationStatus
from ..models.applications import SHOWN_STATUS, SHOWN_UPDATED_AT
from ..services import (
    ApplicationError,
    application_create,
    application_transition,
    application_update,
    document_add,
    document_delete,
)
from .application_serializers import (
    ApplicationCreateInputSerializer,
    ApplicationDetailSerializer,
    ApplicationSerializer,
    ApplicationUpdateInputSerializer,
    DocumentInputSerializer,
    DocumentSerializer,
    PitchDeckInputSerializer,
    sees_as_founder,
)
from .selectors import FounderState, applications_visible_to, founder_states


class ApplicationFilter(ApiFilterSet):
    status = django_filters.ChoiceFilter(
        choices=ApplicationStatus.choices, method="filter_status", label=_("Status (as the user sees it)")
    )
    submitted_after = DateTimeFilter(field_name="submitted_at", lookup_expr="gte")
    submitted_before = DateTimeFilter(field_name="submitted_at", lookup_expr="lte")

    class Meta:
        model = Application
        fields = ["call", "startup", "status"]

    def filter_status(self, queryset: QuerySet[Application], name: str, value: str) -> QuerySet[Application]:
        user = self.request.user
        if user.is_manager:
            return queryset.filter(status=value)
        # The team's own applications are filtered by the status they see (a held decision must
        # not show through a filter); those the user reviews likewise: in review until released.
        team_startups = TeamMembership.objects.filter(user=user).values("startup_id")
        startups = Startup.objects.filter(pk__in=team_startups).only(
            "pk", "stage", "stage_entered_at", "created_at"
        )
        states = founder_states(startups)
        own = [
            pk
            for pk, startup_id, stored in Application.objects.filter(
                startup_id__in=team_startups
            ).values_list("pk", "startup_id", "status")
            if states[startup_id].statuses.get(pk, stored) == value
        ]
        queryset = queryset.annotate(shown_status=SHOWN_STATUS)
        return queryset.filter(Q(pk__in=own) | (~Q(startup_id__in=team_startups) & Q(shown_status=value)))


def _founder_states_for(user: Any, applications: list[Application]) -> dict[int, FounderState]:
    if user.is_manager:
        return {}
    startups = {a.startup_id: a.startup for a in applications if a.startup.has_member(user)}
    return founder_states(startups.values())


def application_response(request: Request, pk: int, status_code: int = status.HTTP_200_OK) -> Response:
    application = get_object_or_404(applications_visible_to(request.user), pk=pk)
    context = {"request": request, "founder_states": _founder_states_for(request.user, [application])}
    return Response(ApplicationDetailSerializer(application, context=context).data, status=status_code)


def _team_application(view: generics.GenericAPIView) -> Application:
    """The application, for its team; 403 for others who may see it, 404 for everyone else."""
    application = view.get_object()
    if not application.startup.has_member(view.request.user):
        raise Forbidden(_("Only the startup's team changes its application."))
    return application


def _refused(error: ApplicationError) -> Conflict:
    if error.code == "stale":
        # The service's message speaks of a page and its form; a client is told what to send.
        return Conflict(
            _(
                "The application changed since the version you sent as expected_version. Nothing "
                "was saved. Fetch the application again and send its current version."
            ),
            code="stale",
        )
    return Conflict(error.message, code=error.code)


class ApplicationOrdering(OrderingFilter):
    """Ordering, where everyone but the managers sorts by the ``updated_at`` they are shown: a
    held decision must not move an application up a founder's or a reviewer's list."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        if not request.user.is_manager and any(term.lstrip("-") == "updated_at" for term in ordering):
            queryset = queryset.annotate(shown_updated_at=SHOWN_UPDATED_AT)
            ordering = [term.replace("updated_at", "shown_updated_at") for term in ordering]
        return queryset.order_by(*ordering)


class ApplicationListView(generics.ListAPIView):
    """The applications the user may see; founders start a draft here."""

    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    filter_backends = [FilterBackend, ApplicationOrdering]
    ordering_fields = ["created_at", "updated_at", "submitted_at", "id"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet[Application]:
        return applications_visible_to(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        context = {
            **self.get_serializer_context(),
            "founder_states": _founder_states_for(request.user, page),
        }
        return self.get_paginated_response(ApplicationSerializer(page, many=True, context=context).data)

    @extend_schema(
        request=ApplicationCreateInputSerializer,
        responses={201: ApplicationDetailSerializer, 200: ApplicationDetailSerializer},
    )
    def post(self, request: Request) -> Response:
        """Start a draft application of one of the user's startups to a call (applying again
        answers 200 with the existing application)."""
        serializer = ApplicationCreateInputSerializer(data=request.data, context={"user": request.user})
        serializer.is_valid(raise_exception=True)
        startup, call = serializer.validated_data["startup"], serializer.validated_data["call"]
        existed = Application.objects.filter(startup=startup, call=call).exists()
        try:
            application = application_create(startup=startup, call=call, actor=request.user)
        except ApplicationError as error:
            raise _refused(error) from error
        return application_response(
            request, application.pk, status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        )


class ApplicationDetailView(generics.GenericAPIView):
    """One application. Its team edits the answers of a draft while the call is open."""

    serializer_class = ApplicationDetailSerializer

    def get_queryset(self) -> QuerySet[Application]:
        return applications_visible_to(self.request.user)

    def get(self, request: Request, pk: int) -> Response:
        return application_response(request, pk)

    @extend_schema(request=ApplicationUpdateInputSerializer, responses={200: ApplicationDetailSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        """Save answers of a draft (the team only)."""
        application = _team_application(self)
        serializer = ApplicationUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answers = dict(serializer.validated_data)
        expected_version = answers.pop("expected_version", None)
        try:
            application_update(
                application=application,
                actor=request.user,
                answers=answers,
                expected_version=expected_version,
            )
        except ApplicationError as error:
            raise _refused(error) from error
        return application_response(request, application.pk)


def _readable_files(application: Application, user: Any) -> None:
    """The files of a withdrawn application stay with its team and the managers."""
    withheld = application.status == ApplicationStatus.WITHDRAWN
    if withheld and not (user.is_manager or application.startup.has_member(user)):
        raise NotFound(_("The founders withdrew this application: its files are no longer shared."))


def _file_download(
    application: Application, user: Any, file: Any, name: str, blind_name: str
) -> FileResponse:
    """A file of the application as a download; for a reviewer from whom the call hides the
    founders' names, a copy without the file's metadata under a neutral name, as on the pages."""
    _readable_files(application, user)
    if not application.names_hidden_from(user):
        return pdf_download(file.open("rb"), name, blind_name)
    try:
        content = without_metadata(file)
    except MetadataNotRemoved as error:
        raise Conflict(METADATA_NOT_REMOVED, code="metadata_not_removed") from error
    return pdf_download(content, None, blind_name)


class JsonErrorsNegotiation(DefaultContentNegotiation):
    """The PDF goes out as a file response; anything else this view answers (errors) is JSON,
    whatever the request's Accept header or format parameter asked for."""

    def select_renderer(self, request: Request, renderers: list, format_suffix: str | None = None):
        return renderers[0], renderers[0].media_type


_PDF_RESPONSES = {
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description=str(_("The PDF."))),
    409: OpenApiResponse(
        ErrorSerializer,
        description=str(
            _(
                "For a reviewer of a call that hides the founders' names: the file could not be "
                "rewritten without its metadata, so it is not served."
            )
        ),
    ),
}


class PitchDeckView(generics.GenericAPIView):
    """The pitch deck: read by the team, the managers and assigned reviewers; replaced by the
    team while the draft is open."""

    serializer_class = PitchDeckInputSerializer
    parser_classes = [MultiPartParser, FormParser]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonErrorsNegotiation

    def get_queryset(self) -> QuerySet[Application]:
        return applications_visible_to(self.request.user)

    @extend_schema(responses=_PDF_RESPONSES)
    def get(self, request: Request, pk: int) -> FileResponse:
        application = self.get_object()
        if not application.pitch_deck:
            _readable_files(application, request.user)
            raise NotFound(_("This application has no pitch deck yet."))
        return _file_download(
            application, request.user, application.pitch_deck, application.pitch_deck_name, "pitch-deck.pdf"
        )

    @extend_schema(request=PitchDeckInputSerializer, responses={200: ApplicationDetailSerializer})
    def put(self, request: Request, pk: int) -> Response:
        """Upload a new pitch deck (the team only, while the answers may change)."""
        application = _team_application(self)
        serializer = PitchDeckInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            application_update(
                application=application,
                actor=request.user,
                answers={},
                pitch_deck=serializer.validated_data["file"],
            )
        except ApplicationError as error:
            raise _refused(error) from error
        except DjangoValidationError as error:
            raise serializers.ValidationError({"file": error.messages}) from error
        return application_response(request, application.pk)


def _document(application: Application, document_id: int) -> ApplicationDocument:
    return get_object_or_404(ApplicationDocument, pk=document_id, application=application)


class DocumentListView(generics.GenericAPIView):
    """Supporting documents of an application (listed in its representation): its team adds
    PDFs while the call lets them change."""

    serializer_class = DocumentInputSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Application]:
        return applications_visible_to(self.request.user)

    @extend_schema(request=DocumentInputSerializer, responses={201: DocumentSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Add a supporting document (the team only, while documents may change)."""
        application = _team_application(self)
        serializer = DocumentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        try:
            document = document_add(
                application=application,
                actor=request.user,
                title=serializer.validated_data.get("title", ""),
                upload=upload,
            )
        except ApplicationError as error:
            raise _refused(error) from error
        except DjangoValidationError as error:
            raise serializers.ValidationError({"file": error.messages}) from error
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class DocumentView(generics.GenericAPIView):
    """One supporting document: read by the team, the managers and assigned reviewers; removed
    by the team while documents may change."""

    renderer_classes = [JSONRenderer]
    content_negotiation_class = JsonErrorsNegotiation

    def get_queryset(self) -> QuerySet[Application]:
        return applications_visible_to(self.request.user)

    @extend_schema(responses=_PDF_RESPONSES)
    def get(self, request: Request, pk: int, document_id: int) -> FileResponse:
        application = self.get_object()
        document = _document(application, document_id)
        return _file_download(
            application, request.user, document.file, document.original_name, f"document-{document.pk}.pdf"
        )

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int, document_id: int) -> Response:
        """Remove a supporting document (the team only, while documents may change)."""
        application = self.get_object()
        document = _document(application, document_id)
        if not application.startup.has_member(request.user):
            raise Forbidden(_("Only the startup's team changes its application."))
        try:
            document_delete(document=document, actor=request.user)
        except ApplicationError as error:
            raise _refused(error) from error
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    request=transition_input_serializer(Application),
    responses={200: ApplicationDetailSerializer},
    parameters=[transition_name_parameter(Application)],
)
class ApplicationTransitionView(TransitionActionView):
    """Fire a status transition: submit or withdraw (the team), start review, accept, reject or
    waitlist (managers). Accepting admits the startup in the same transaction."""

    model = Application
    input_serializer_class = transition_input_serializer(Application)
    serializer_class = ApplicationDetailSerializer

    def get_queryset(self) -> QuerySet[Application]:
        return applications_visible_to(self.request.user)

    def visible_object(self, pk: int) -> Application:
        return get_object_or_404(self.get_queryset(), pk=pk)

    def refuse(self, instance: Application, name: str) -> None:
        if sees_as_founder(instance, self.request.user) and instance.decision_held:
            if name == "withdraw":
                message = _(
                    "A decision on this application is being finalised; it can no longer be "
                    "withdrawn. Write to the cluster office if you need to."
                )
            else:
                message = _(
                    "A decision on this application is being finalised; it can no longer change. "
                    "Write to the cluster office if you need to."
                )
            raise Conflict(message, code="decision_pending")

    def fire(self, *, instance: Application, name: str, data: dict[str, Any]) -> None:
        application_transition(
            application=instance,
            name=name,
            actor=self.request.user,
            reason=data["reason"],
            override=data["override"],
            expected_status=data.get("expected_state"),
        )

    def respond(self, instance: Application) -> Response:
        return application_response(self.request, instance.pk)
