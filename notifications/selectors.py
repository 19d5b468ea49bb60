"""Reads of the notifications app. Page selectors run a fixed number of queries whatever the
number of rows; sweep selectors return plain values for bulk work."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from incubator.models import Call, MentorAssignment, Startup, User
from pipeline.machines import ACTIVE_STAGES
from pipeline.models import Application, ReviewAssignment, TransitionLog
from pipeline.models.applications import AWAITING_REVIEWS

from .kinds import SPECS, Audience, KindSpec
from .models import Notification, NotificationPreference, OutboxMessage


def notifications_of(*, user: User) -> QuerySet[Notification]:
    """A person's in-app notifications, newest first (one query per page)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(*, user: User) -> int:
    """How many of a person's notifications are unread (one query)."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def outbox_problems(*, status: str | None = None) -> QuerySet[OutboxMessage]:
    """E-mails that need a manager's eye: failed for good, or waiting to be retried after an
    error. One query per page."""
    queryset = OutboxMessage.objects.select_related("recipient").order_by("-created_at", "-pk")
    if status == OutboxMessage.Status.FAILED:
        return queryset.filter(status=OutboxMessage.Status.FAILED)
    if status == "retrying":
        return queryset.filter(status=OutboxMessage.Status.PENDING).exclude(last_error="")
    return queryset.filter(
        Q(status=OutboxMessage.Status.FAILED) | (Q(status=OutboxMessage.Status.PENDING) & ~Q(last_error=""))
    )


def audiences_of(user: User) -> list[Audience]:
    audiences = []
    if user.is_mentor:
        # Experts review applications and mentor startups under the one role.
        audiences += [Audience.REVIEWER, Audience.MENTOR]
    if user.is_founder:
        audiences.append(Audience.FOUNDER)
    if user.is_manager:
        audiences.append(Audience.MANAGER)
    return audiences


@dataclass(frozen=True)
class PreferenceRow:
    spec: KindSpec
    email_enabled: bool


def preferences_of(*, user: User) -> list[PreferenceRow]:
    """Every kind that concerns the person (by their roles; all kinds for someone with none),
    with whether its e-mail is on. One query."""
    disabled = set(
        NotificationPreference.objects.filter(user=user, email_enabled=False).values_list("kind", flat=True)
    )
    audiences = audiences_of(user) or list(Audience)
    return [
        PreferenceRow(spec=spec, email_enabled=not spec.optional or key not in disabled)
        for key, spec in SPECS.items()
        if spec.audience in audiences
    ]


def open_review_assignments() -> QuerySet[ReviewAssignment]:
    """Assignments still waiting for their review: not declined, no submitted review, on an
    application that is still being reviewed."""
    return ReviewAssignment.objects.filter(
        declined_at__isnull=True,
        reviewer__is_active=True,
        application__status__in=AWAITING_REVIEWS,
    ).exclude(review__status="submitted")


def cluster_managers() -> list[tuple[int, str]]:
    """(user id, e-mail) of every active cluster manager: who is told when a call names none."""
    return list(
        User.objects.filter(is_manager=True, is_active=True).order_by("pk").values_list("pk", "email")
    )


def startup_mentors(startup_id: int) -> list[tuple[int, str]]:
    """(user id, e-mail) of the startup's active mentors, in one query."""
    return list(
        MentorAssignment.objects.filter(startup_id=startup_id, mentor__is_active=True)
        .order_by("mentor_id")
        .values_list("mentor_id", "mentor__email")
    )


def call_managers(call_ids: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
    """(user id, e-mail) of the active managers of each call, in one query; someone named on a
    call who no longer holds the manager role is left out."""
    managers: dict[int, list[tuple[int, str]]] = defaultdict(list)
    through = Call.managers.through
    rows = (
        through.objects.filter(call_id__in=set(call_ids), user__is_active=True, user__is_manager=True)
        .order_by("call_id", "user_id")
        .values_list("call_id", "user_id", "user__email")
    )
    for call_id, user_id, email in rows:
        managers[call_id].append((user_id, email))
    return managers


@dataclass(frozen=True)
class StalledStartup:
    pk: int
    name: str
    stage: str
    stage_label: str
    stage_entered_at: datetime
    call_id: int | None
    limit_days: int


def stalled_startups(*, now: datetime) -> list[StalledStartup]:
    """Startups in an active stage for longer than their limit: the stall limit of the call that
    admitted them, else ``PIPELINE["STALL_DAYS"]``. Two queries (the limit comes from a subquery;
    the candidates are narrowed by the shortest limit any call has)."""
    default_days = settings.PIPELINE["STALL_DAYS"]
    shortest = min([default_days, *Call.objects.values_list("stall_limit_days", flat=True).distinct()])
    admitted_through = Application.objects.filter(startup=OuterRef("pk"), status="accepted").order_by(
        "-decided_at", "-pk"
    )
    candidates = (
        Startup.objects.filter(stage__in=ACTIVE_STAGES, stage_entered_at__lte=now - timedelta(days=shortest))
        .annotate(
            call_id=Subquery(admitted_through.values("call_id")[:1]),
            call_limit=Subquery(admitted_through.values("call__stall_limit_days")[:1]),
        )
        .order_by("pk")
        .values("pk", "name", "stage", "stage_entered_at", "call_id", "call_limit")
    )
    labels = dict(Startup._meta.get_field("stage").choices)
    stalled = []
    for row in candidates:
        limit = row["call_limit"] if row["call_limit"] is not None else default_days
        if row["stage_entered_at"] <= now - timedelta(days=limit):
            stalled.append(
                StalledStartup(
                    pk=row["pk"],
                    name=row["name"],
                    stage=row["stage"],
                    stage_label=str(labels.get(row["stage"], row["stage"])),
                    stage_entered_at=row["stage_entered_at"],
                    call_id=row["call_id"],
                    limit_days=limit,
                )
            )
    return stalled


def pipeline_summary(*, now: datetime) -> dict[str, object]:
    """The figures of the managers' weekly digest, as plain JSON values. A handful of queries."""
    stages = dict(Startup.objects.order_by().values_list("stage").annotate(n=Count("pk")))
    week_ago = now - timedelta(days=7)
    return {
        "stage_counts": [
            {"stage": str(label), "count": stages.get(value, 0)}
            for value, label in Startup._meta.get_field("stage").choices
        ],
        "open_calls": Call.objects.filter(opens_at__lte=now, closes_at__gt=now).count(),
        "submitted_this_week": TransitionLog.objects.filter(
            machine=TransitionLog.Machine.APPLICATION, target="submitted", created_at__gte=week_ago
        ).count(),
        "stage_changes_this_week": TransitionLog.objects.filter(
            machine=TransitionLog.Machine.STARTUP, created_at__gte=week_ago
        ).count(),
        "overdue_reviews": open_review_assignments().filter(due_at__lte=now).count(),
        "stalled_startups": len(stalled_startups(now=now)),
    }
