"""Notices about the people around a startup: a mentor given to it or leaving it, a co-founder
joining."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from ..kinds import Kind
from .events import founders_by_startup
from .notices import Notice, notices_create, notices_to, stamp


def _to_team(
    *, kind: str, startup_id: int, key: str, path: str, context: dict[str, Any], leave_out: int | None = None
) -> list[Notice]:
    """One notice to each active member of the startup's team (but ``leave_out``); ``key`` is
    the deduplication key's reason, to which the recipient is added."""
    team = founders_by_startup([startup_id]).get(startup_id, [])
    return notices_to(
        kind=kind,
        recipients=[(user_id, email) for user_id, email in team if user_id != leave_out],
        key=key,
        path=path,
        context=context,
    )


def _to_mentor(*, kind: str, mentor, key: str, path: str, context: dict[str, Any]) -> list[Notice]:
    if not mentor.is_active:
        return []
    return notices_to(kind=kind, recipients=[(mentor.pk, mentor.email)], key=key, path=path, context=context)


def notify_mentor_assigned(*, assignment_id: int) -> list[int]:
    """The mentor learns of the startup, and its team of the mentor. Call it inside the
    transaction that assigns them."""
    from incubator.models import MentorAssignment

    assignment = MentorAssignment.objects.select_related("startup", "mentor__organisation").get(
        pk=assignment_id
    )
    mentor, startup = assignment.mentor, assignment.startup
    context = {
        "startup": startup.name,
        "mentor": str(mentor),
        "organisation": mentor.organisation.name if mentor.organisation else "",
        "position": mentor.position,
    }
    path, key = reverse("startup-detail", args=[startup.pk]), f"mentor:{assignment.pk}"
    return notices_create(
        notices=_to_mentor(kind=Kind.MENTEE_ASSIGNED, mentor=mentor, key=key, path=path, context=context)
        + _to_team(kind=Kind.MENTOR_ASSIGNED, startup_id=startup.pk, key=key, path=path, context=context)
    )


def notify_team_joined(*, membership_id: int) -> list[int]:
    """The rest of the team learns that someone joined. Call it inside the transaction that
    adds them."""
    from incubator.models import TeamMembership

    membership = TeamMembership.objects.select_related("startup", "user").get(pk=membership_id)
    return notices_create(
        notices=_to_team(
            kind=Kind.TEAM_JOINED,
            startup_id=membership.startup_id,
            key=f"team-joined:{membership.pk}",
            path=reverse("startup-team", args=[membership.startup_id]),
            context={"startup": membership.startup.name, "member": str(membership.user)},
            leave_out=membership.user_id,
        )
    )


def notify_mentorship_ended(*, startup_id: int, mentor_id: int) -> list[int]:
    """The mentor learns that a manager ended their mentorship (the startup's portfolio is no
    longer theirs to follow), and so does the team, whose notice of the mentor's arrival would
    otherwise be the last word. Call it inside the transaction that ends it."""
    from incubator.models import Startup, User

    mentor = User.objects.filter(pk=mentor_id).first()
    startup = Startup.objects.filter(pk=startup_id).first()
    if mentor is None or startup is None:
        return []
    key = f"mentorship-ended:{startup.pk}:m{mentor.pk}:{stamp(timezone.now())}"
    context = {"startup": startup.name, "mentor": str(mentor)}
    return notices_create(
        notices=_to_mentor(
            kind=Kind.MENTORSHIP_ENDED, mentor=mentor, key=key, path=reverse("mentor-home"), context=context
        )
        + _to_team(
            kind=Kind.MENTOR_LEFT,
            startup_id=startup.pk,
            key=key,
            path=reverse("startup-detail", args=[startup.pk]),
            context=context,
        )
    )
