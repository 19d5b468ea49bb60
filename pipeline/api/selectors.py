"""Reads of the API. Each applies the same visibility rules as the pages (managers see
everything; founders their own startups and applications; reviewers their live assignments;
mentors their mentees) and loads what the representations show, so every list runs a fixed
number of queries whatever the number of rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet

from incubator.models import Startup, TeamMembership, User

from ..models import Application, Review, ReviewAssignment, TransitionLog
from ..selectors import founder_view, startups_visible_to
from ..selectors.startups import reason_shown_beyond_managers


@dataclass
class FounderState:
    """A startup as its founders and mentors may see it: decisions stay hidden until managers
    release them, and so do the changes that followed from them (see ``founder_view``)."""

    stage: str
    stage_entered_at: datetime
    statuses: dict[int, str] = field(default_factory=dict)
    hidden_log_ids: set[int] = field(default_factory=set)

    def status_of(self, application: Application) -> str:
        return self.statuses.get(application.pk, application.status)


def founder_states(startups: Iterable[Startup]) -> dict[int, FounderState]:
    """``FounderState`` of each startup, in one query whatever their number and history."""
    startups = list(startups)
    logs: dict[int, list[TransitionLog]] = defaultdict(list)
    if startups:
        for log in TransitionLog.objects.filter(startup_id__in=[s.pk for s in startups]).select_related(
            "application"
        ):
            logs[log.startup_id].append(log)
    states = {}
    for startup in startups:
        view = founder_view(startup, logs[startup.pk])
        shown = {log.pk for log in view.logs}
        hidden = [log for log in logs[startup.pk] if log.pk not in shown]
        entered = startup.stage_entered_at
        hidden_stage_changes = sorted(
            (log for log in hidden if log.machine == TransitionLog.Machine.STARTUP),
            key=lambda log: (log.created_at, log.pk),
        )
        if hidden_stage_changes:
            # The stage shown is the one the first hidden change left; so is its start.
            entered = hidden_stage_changes[0].source_entered_at or startup.created_at
        states[startup.pk] = FounderState(
            stage=view.stage,
            stage_entered_at=entered,
            statuses=view.statuses,
            hidden_log_ids={log.pk for log in hidden},
        )
    return states


def startups_for_api(user: User) -> QuerySet[Startup]:
    """The startups ``user`` may see (``startups_visible_to``) with their affiliations."""
    return startups_visible_to(user).prefetch_related("affiliations")


def applications_visible_to(user: User) -> QuerySet[Application]:
    """Managers: every application. Founders: their startups' applications. Reviewers: the
    applications they are assigned to and have not declined. Mentors see their mentees'
    applications only on the startup, as on the pages."""
    queryset = Application.objects.select_related("call", "startup").prefetch_related(
        Prefetch("startup__memberships", queryset=TeamMembership.objects.select_related("user")),
        "documents",
    )
    if not user.is_authenticated:
        return queryset.none()
    if user.is_manager:
        return queryset
    return queryset.filter(
        Q(startup_id__in=TeamMembership.objects.filter(user=user).values("startup_id"))
        | Q(
            pk__in=ReviewAssignment.objects.filter(reviewer=user, declined_at__isnull=True).values(
                "application_id"
            )
        )
    )


def assignments_visible_to(user: User) -> QuerySet[ReviewAssignment]:
    """Managers: every assignment. Reviewers: their own, except those they declined."""
    queryset = ReviewAssignment.objects.select_related(
        "application__startup", "application__call", "review", "reviewer"
    )
    if not user.is_authenticated:
        return queryset.none()
    if user.is_manager:
        return queryset
    return queryset.filter(reviewer=user, declined_at__isnull=True)


def reviews_visible_to(user: User) -> QuerySet[Review]:
    """Managers: every review. Reviewers: their own, on assignments they have not declined."""
    queryset = Review.objects.select_related(
        "assignment__reviewer", "assignment__application__startup", "assignment__application__call"
    ).prefetch_related("scores")
    if not user.is_authenticated:
        return queryset.none()
    if user.is_manager:
        return queryset
    return queryset.filter(assignment__reviewer=user, assignment__declined_at__isnull=True)


def transition_logs_visible_to(user: User) -> QuerySet[TransitionLog]:
    """The audit trail. Managers: all of it. Founders and mentors: the history of their startups
    as ``founder_view`` shows it (held decisions and what followed them left out). Two queries
    before the page's own, whatever the length of the history."""
    queryset = TransitionLog.objects.select_related("startup", "actor")
    if not user.is_authenticated:
        return queryset.none()
    if user.is_manager:
        return queryset
    startups = list(
        Startup.objects.filter(pk__in=startups_visible_to(user).values("pk")).only(
            "pk", "stage", "stage_entered_at", "created_at"
        )
    )
    hidden: set[int] = set()
    for state in founder_states(startups).values():
        hidden |= state.hidden_log_ids
    return (
        queryset.filter(startup_id__in=[s.pk for s in startups])
        .exclude(pk__in=hidden)
        .annotate(reason_shown=reason_shown_beyond_managers())
    )
