"""Reviewers' declared conflicts of interest."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from ..models import Organisation, ReviewerConflict, Startup, User


@transaction.atomic
def reviewer_conflict_declare(
    *,
    reviewer: User,
    startup: Startup | None = None,
    organisation: Organisation | None = None,
    note: str = "",
) -> list[ReviewerConflict]:
    """Record a conflict with a startup, a whole organisation, or each of both (one record each,
    so each can be removed on its own); automatic assignment honours them from the next run on.
    Declaring one again keeps one record, with the new note if one is given."""
    if startup is None and organisation is None:
        raise ValueError("a conflict names a startup or an organisation")
    note = note.strip()[:500]
    conflicts = []
    subjects = [{"startup": startup, "organisation": None}, {"startup": None, "organisation": organisation}]
    for subject in subjects:
        if subject["startup"] is None and subject["organisation"] is None:
            continue
        conflict, created = ReviewerConflict.objects.get_or_create(
            reviewer=reviewer, **subject, defaults={"note": note}
        )
        if not created and note and conflict.note != note:
            conflict.note = note
            conflict.save(update_fields=["note"])
        conflicts.append(conflict)
    return conflicts


@transaction.atomic
def reviewer_conflict_remove(*, conflict: ReviewerConflict, actor: User) -> None:
    if conflict.reviewer_id != actor.pk:
        raise PermissionDenied
    conflict.delete()
