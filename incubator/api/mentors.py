"""A startup's mentors: everyone who sees the startup sees them; cluster managers give and end
mentorships, through ``mentor_assign`` and ``mentor_unassign`` as the startup's page does."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from incubator.models import MentorAssignment, Startup, User
from incubator.services import MentorError, mentor_assign, mentor_unassign
from pipeline.selectors import startups_visible_to

from .errors import Conflict, Forbidden
from .serializers import InputSerializer, PersonSerializer, RelatedIdField


class MentorshipSerializer(serializers.ModelSerializer):
    mentor = PersonSerializer(read_only=True)
    organisation = serializers.SerializerMethodField(help_text=_("The mentor's organisation, if any."))

    class Meta:
        model = MentorAssignment
        fields = ["id", "mentor", "organisation", "since"]
        read_only_fields = fields

    def get_organisation(self, mentorship: MentorAssignment) -> str | None:
        organisation = mentorship.mentor.organisation
        return organisation.name if organisation else None


class MentorshipInputSerializer(InputSerializer):
    mentor = RelatedIdField(
        queryset=User.objects.filter(is_mentor=True, is_active=True),
        help_text=_("An active mentor's id."),
    )


def visible_startup(user: User, pk: int) -> Startup:
    """The startup if ``user`` may see it (404 otherwise), in one query: the team and mentors
    the other startup endpoints prefetch are not needed here."""
    return get_object_or_404(startups_visible_to(user).prefetch_related(None), pk=pk)


def _mentorships(startup: Startup) -> QuerySet[MentorAssignment]:
    return (
        MentorAssignment.objects.filter(startup=startup)
        .select_related("mentor__organisation")
        .order_by("since", "pk")
    )


class StartupMentorListView(generics.ListAPIView):
    """The startup's mentors, longest-serving first."""

    serializer_class = MentorshipSerializer
    filter_backends: list = []

    def startup(self) -> Startup:
        return visible_startup(self.request.user, self.kwargs["pk"])

    def get_queryset(self) -> QuerySet[MentorAssignment]:
        if getattr(self, "swagger_fake_view", False):
            return MentorAssignment.objects.none()
        return _mentorships(self.startup())

    @extend_schema(request=MentorshipInputSerializer, responses={201: MentorshipSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Give a startup in the programme a mentor (cluster managers); the mentor and the team
        are told. Refused (409) outside the programme, while the admission is held, for someone
        on the team or already its mentor."""
        startup = self.startup()
        if not request.user.is_manager:
            raise Forbidden(_("Only cluster managers give startups their mentors."))
        serializer = MentorshipInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            mentorship = mentor_assign(
                startup=startup, mentor=serializer.validated_data["mentor"], actor=request.user
            )
        except MentorError as error:
            raise Conflict(error.message, code="mentor_refused") from error
        saved = _mentorships(startup).get(pk=mentorship.pk)
        return Response(MentorshipSerializer(saved).data, status=status.HTTP_201_CREATED)


class StartupMentorDetailView(generics.GenericAPIView):
    """One mentorship of a startup, by the mentor's id."""

    serializer_class = None

    @extend_schema(
        request=None,
        responses={204: None},
        parameters=[
            OpenApiParameter(
                "mentor_id",
                int,
                OpenApiParameter.PATH,
                description=str(
                    _("The mentor's own id (``mentor.id`` in the list), not the id of the mentorship.")
                ),
            )
        ],
    )
    def delete(self, request: Request, pk: int, mentor_id: int) -> Response:
        """End a mentorship (cluster managers); the mentor is told."""
        startup = visible_startup(request.user, pk)
        mentorship = get_object_or_404(MentorAssignment, startup=startup, mentor_id=mentor_id)
        if not request.user.is_manager:
            raise Forbidden(_("Only cluster managers end mentorships."))
        mentor_unassign(assignment=mentorship, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
