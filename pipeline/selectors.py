"""Reads of the pipeline that pages and the API share. Each returns with a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from incubator.models import Startup, TeamMembership, User

from .machines import Stage
from .models import Application, TransitionLog


def stage_counts() -> dict[str, int]:
    """How many startups are in each stage, every stage present (zero when empty)."""
    counts = dict(Startup.objects.order_by().values_list("stage").annotate(n=Count("id")))
    return {stage.value: counts.get(stage.value, 0) for stage in Stage}


def startups_visible_to(user: User) -> QuerySet[Startup]:
    """Managers see every startup; mentors their mentees; founders their own."""
    queryset = Startup.objects.select_related("therapeutic_area").prefetch_related(
        Prefetch("memberships", queryset=TeamMembership.objects.select_related("user"))
    )
    if not user.is_authenticated:
        return queryset.none()
    if user.is_manager:
        return queryset
    return queryset.filter(Q(memberships__user=user) | Q(mentor_assignments__mentor=user)).distinct()


def startup_timeline(startup: Startup) -> QuerySet[TransitionLog]:
    """Every stage and status change of a startup and its applications, newest first."""
    return TransitionLog.objects.filter(startup=startup).select_related("application__call", "actor")


def recent_transitions(limit: int = 15) -> list[TransitionLog]:
    return list(TransitionLog.objects.select_related("startup", "application__call", "actor")[:limit])


def applications_of_startup(startup: Startup) -> QuerySet[Application]:
    return startup.applications.select_related("call").order_by("-created_at")
