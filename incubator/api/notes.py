"""A startup's programme notes: its managers and mentors write them for each other; its team may
not read them (403; 404 for whoever does not see the startup)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from incubator.models import Startup, StartupNote
from incubator.selectors import startup_notes
from incubator.services.notes import (
    NOTE_LENGTH,
    NoteError,
    can_keep_notes,
    can_remove_note,
    startup_note_add,
    startup_note_remove,
)

from .errors import Forbidden
from .mentors import visible_startup
from .serializers import NOT_BLANK, InputSerializer, PersonSerializer, TextBoxField

NOT_KEEPER = _("Only the cluster's managers and the startup's mentors keep its notes.")


class StartupNoteSerializer(serializers.ModelSerializer):
    """A note by a manager or mentor of the startup, never shown to its team."""

    author = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = StartupNote
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = fields


class StartupNoteInputSerializer(InputSerializer):
    body = TextBoxField(max_length=NOTE_LENGTH, validators=[NOT_BLANK])


def _keeper_startup(request: Request, pk: int) -> Startup:
    startup = visible_startup(request.user, pk)
    if not can_keep_notes(startup, request.user):
        raise Forbidden(NOT_KEEPER)
    return startup


class StartupNoteListView(generics.ListAPIView):
    """The startup's programme notes, latest first."""

    serializer_class = StartupNoteSerializer
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[StartupNote]:
        if getattr(self, "swagger_fake_view", False):
            return StartupNote.objects.none()
        return startup_notes(_keeper_startup(self.request, self.kwargs["pk"]))

    @extend_schema(request=StartupNoteInputSerializer, responses={201: StartupNoteSerializer})
    def post(self, request: Request, pk: int) -> Response:
        """Add a note (the startup's managers and mentors)."""
        startup = _keeper_startup(request, pk)
        serializer = StartupNoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            note = startup_note_add(
                startup=startup, actor=request.user, body=serializer.validated_data["body"]
            )
        except NoteError as error:
            raise serializers.ValidationError({"body": [error.message]}) from error
        return Response(
            StartupNoteSerializer(startup_notes(startup).get(pk=note.pk)).data, status=status.HTTP_201_CREATED
        )


class StartupNoteDetailView(generics.GenericAPIView):
    """One programme note of a startup."""

    serializer_class = None

    @extend_schema(
        request=None,
        responses={204: None},
        parameters=[
            OpenApiParameter("note_id", int, OpenApiParameter.PATH, description=str(_("The note's id.")))
        ],
    )
    def delete(self, request: Request, pk: int, note_id: int) -> Response:
        """Remove a note (its author, or a cluster manager)."""
        startup = _keeper_startup(request, pk)
        note = get_object_or_404(StartupNote, startup=startup, pk=note_id)
        if not can_remove_note(note, request.user):
            raise Forbidden(_("Only its author or a cluster manager removes a note."))
        startup_note_remove(note=note, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
