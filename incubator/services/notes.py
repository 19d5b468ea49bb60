"""Programme notes on a startup: what its managers and mentors write for each other."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from ..forms_base import one_line_break
from ..models import Startup, StartupNote, User
from .portfolio import can_steer

NOTE_LENGTH = StartupNote._meta.get_field("body").max_length


class NoteError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def can_keep_notes(startup: Startup, user: User) -> bool:
    """Managers, and the startup's mentors: the people who run its programme. Never someone on
    its team, whatever else they are (a manager who co-founded it, a mentor who later joined it)."""
    return can_steer(startup, user) and not startup.has_member(user)


@transaction.atomic
def startup_note_add(*, startup: Startup, actor: User, body: str) -> StartupNote:
    """Add a note on ``startup``. A line break counts as one character, as the page's box counts
    it; an empty note, or one over the limit, is refused (never cut)."""
    if not can_keep_notes(startup, actor):
        raise PermissionDenied
    body = one_line_break(body).strip()
    if not body:
        raise NoteError(_("Write the note first."))
    if len(body) > NOTE_LENGTH:
        raise NoteError(_("A note holds at most %(limit)d characters.") % {"limit": NOTE_LENGTH})
    return StartupNote.objects.create(startup=startup, author=actor, body=body)


def can_remove_note(note: StartupNote, user: User) -> bool:
    """Its author, while they keep the startup's notes; and the managers, who also remove the
    notes of mentors gone from the programme."""
    keeps = can_keep_notes(note.startup, user)
    return keeps and (note.author_id == user.pk or user.is_manager)


@transaction.atomic
def startup_note_remove(*, note: StartupNote, actor: User) -> None:
    if not can_remove_note(note, actor):
        raise PermissionDenied
    note.delete()
