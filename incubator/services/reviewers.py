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
) -> ReviewerConflict:
    """Record a conflict with a startup or a whole organisation; automatic assignment honours it
    from the next run on."""
    if startup is None and organisation is None:
        raise ValueError("a conflict names a startup or an organisation")
    conflict, _created = ReviewerConflict.objects.get_or_create(
        reviewer=reviewer, startup=startup, organisation=organisation, defaults={"note": note.strip()[:500]}
    )
    return conflict


@transaction.atomic
def reviewer_conflict_remove(*, conflict: ReviewerConflict, actor: User) -> None:
    if conflict.reviewer_id != actor.pk:
        raise PermissionDenied
    conflict.delete()
