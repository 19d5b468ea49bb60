"""Notices about the people around a startup: a mentor given to it, a co-founder joining."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from ..kinds import Kind
from .events import founders_by_startup
from .notices import Notice, notices_create, stamp


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
    path = reverse("startup-detail", args=[startup.pk])
    notices = (
        [
            Notice(
                kind=Kind.MENTEE_ASSIGNED,
                recipient_id=mentor.pk,
                email=mentor.email,
                dedup_key=f"mentor:{assignment.pk}:u{mentor.pk}",
                path=path,
                context=context,
            )
        ]
        if mentor.is_active
        else []
    )
    notices += [
        Notice(
            kind=Kind.MENTOR_ASSIGNED,
            recipient_id=user_id,
            email=email,
            dedup_key=f"mentor:{assignment.pk}:u{user_id}",
            path=path,
            context=context,
        )
        for user_id, email in founders_by_startup([startup.pk]).get(startup.pk, [])
    ]
    return notices_create(notices=notices)


def notify_team_joined(*, membership_id: int) -> list[int]:
    """The rest of the team learns that someone joined. Call it inside the transaction that
    adds them."""
    from incubator.models import TeamMembership

    membership = TeamMembership.objects.select_related("startup", "user").get(pk=membership_id)
    context = {"startup": membership.startup.name, "member": str(membership.user)}
    path = reverse("startup-team", args=[membership.startup_id])
    return notices_create(
        notices=[
            Notice(
                kind=Kind.TEAM_JOINED,
                recipient_id=user_id,
                email=email,
                dedup_key=f"team-joined:{membership.pk}:u{user_id}",
                path=path,
                context=context,
            )
            for user_id, email in founders_by_startup([membership.startup_id]).get(membership.startup_id, [])
            if user_id != membership.user_id
        ]
    )


def notify_mentorship_ended(*, startup_id: int, mentor_id: int) -> list[int]:
    """The mentor learns that a manager ended their mentorship (the startup's portfolio is no
    longer theirs to follow), and so does the team. Call it inside the transaction that ends it."""
    from incubator.models import Startup, User

    mentor = User.objects.filter(pk=mentor_id).first()
    startup = Startup.objects.filter(pk=startup_id).first()
    if mentor is None or startup is None:
        return []
    moment = stamp(timezone.now())
    context = {"startup": startup.name, "mentor": str(mentor)}
    notices = (
        [
            Notice(
                kind=Kind.MENTORSHIP_ENDED,
                recipient_id=mentor.pk,
                email=mentor.email,
                dedup_key=f"mentorship-ended:{startup.pk}:u{mentor.pk}:{moment}",
                path=reverse("mentor-home"),
                context=context,
            )
        ]
        if mentor.is_active
        else []
    )
    # The team, whose notice of the mentor's arrival would otherwise be the last word.
    notices += [
        Notice(
            kind=Kind.MENTOR_LEFT,
            recipient_id=user_id,
            email=email,
            dedup_key=f"mentorship-ended:{startup.pk}:m{mentor.pk}:u{user_id}:{moment}",
            path=reverse("startup-detail", args=[startup.pk]),
            context=context,
        )
        for user_id, email in founders_by_startup([startup.pk]).get(startup.pk, [])
    ]
    return notices_create(notices=notices)
