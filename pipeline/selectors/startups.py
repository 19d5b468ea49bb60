"""Startups, their history, and what founders may see of it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q, QuerySet
from django.utils import timezone

from incubator.models import Call, MentorAssignment, Startup, TeamMembership, User

from ..machines import Stage
from ..models import Application, Review, TransitionLog
from ..models.audit import SYSTEM_REASONS

if TYPE_CHECKING:
    from .dashboard import DashboardFilters


def stage_counts() -> dict[str, int]:
    """How many startups are in each stage, every stage present (zero when empty)."""
    counts = dict(Startup.objects.order_by().values_list("stage").annotate(n=Count("id")))
    return {stage.value: counts.get(stage.value, 0) for stage in Stage}


TEAM = TeamMembership.objects.select_related("user")


def startups_visible_to(user: User) -> QuerySet[Startup]:
    """Managers see every startup; mentors their mentees; founders their own."""
    queryset = Startup.objects.select_related("therapeutic_area").prefetch_related(
        Prefetch(
            "memberships", queryset=TeamMembership.objects.select_related("user").order_by("joined_at", "pk")
        ),
        Prefetch(
            "mentor_assignments",
            queryset=MentorAssignment.objects.select_related("mentor__organisation").order_by("since", "pk"),
        ),
    )
    if not user.is_authenticated:
        return queryset.none()
    if user.is_manager:
        return queryset
    return queryset.filter(Q(memberships__user=user) | Q(mentor_assignments__mentor=user)).distinct()


def reason_shown_beyond_managers() -> ExpressionWrapper:
    """Whether the reason recorded with a change reaches the founders and mentors, as a column
    of transition records (``reason_shown``). A reason for a stage or application change is the
    managers' own record ("why" in the audit trail) unless one of the team wrote it (withdrawing,
    say; ``by_team`` records whether the actor was on the team then) or the system did ("Reviewers
    assigned."); a milestone's is written for the team (the comment that sends evidence back)."""
    shown = Q(machine=TransitionLog.Machine.MILESTONE) | Q(reason__in=list(SYSTEM_REASONS)) | Q(by_team=True)
    return ExpressionWrapper(shown, output_field=BooleanField())


def startup_timeline(startup: Startup) -> QuerySet[TransitionLog]:
    """Every stage and status change of a startup and its applications, newest first, each
    with ``reason_shown`` (``reason_shown_beyond_managers``)."""
    return (
        TransitionLog.objects.filter(startup=startup)
        .select_related("application__call", "actor", "milestone")
        .annotate(reason_shown=reason_shown_beyond_managers())
    )


def recent_transitions(limit: int = 15, filters: DashboardFilters | None = None) -> list[TransitionLog]:
    """The latest changes, of the startups the dashboard's filters select when given."""
    logs = TransitionLog.objects.select_related("startup", "application__call", "actor", "milestone")
    if filters is not None:
        logs = filters.restrict(logs, "startup")
    return list(logs[:limit])


def applications_of_startup(startup: Startup) -> QuerySet[Application]:
    return startup.applications.select_related("call").order_by("-created_at")


DECISION_TRANSITIONS = {"accept", "reject", "waitlist"}


@dataclass
class FounderView:
    """What the startup's founders (and its mentors) may see: decisions stay hidden until a
    manager releases them, and so does every change that followed from a hidden decision (the
    admission to incubation that followed an acceptance)."""

    stage: str
    logs: list[TransitionLog]
    statuses: dict[int, str] = field(default_factory=dict)

    def status_of(self, application: Application) -> str:
        return self.statuses.get(application.pk, application.status)


def _hidden_log_ids(logs: list[TransitionLog]) -> set[int]:
    """Decisions made after the last release, what followed from them, and every later stage
    change of the startup (its "from" would tell the hidden stage: applying again after a
    rejection nobody was told of)."""
    hidden: set[int] = set()
    stage_hidden = False
    for log in sorted(logs, key=lambda row: (row.created_at, row.pk)):
        if log.caused_by_id in hidden:
            hidden.add(log.pk)
        elif log.machine == TransitionLog.Machine.APPLICATION and log.transition in DECISION_TRANSITIONS:
            released = log.application.decision_released_at
            if released is None or log.created_at > released:
                hidden.add(log.pk)
        elif log.machine == TransitionLog.Machine.STARTUP and stage_hidden:
            hidden.add(log.pk)
        if log.pk in hidden and log.machine == TransitionLog.Machine.STARTUP:
            stage_hidden = True
    return hidden


def founder_view(startup: Startup, logs: list[TransitionLog] | None = None) -> FounderView:
    """The startup's timeline, stage and application statuses as its founders may see them.
    One query whatever the length of the history (none when ``logs`` are given)."""
    logs = list(startup_timeline(startup)) if logs is None else logs
    hidden = _hidden_log_ids(logs)
    earliest_hidden: dict[tuple[str, int | None], TransitionLog] = {}
    for log in sorted((row for row in logs if row.pk in hidden), key=lambda row: (row.created_at, row.pk)):
        key = (log.machine, log.application_id)
        earliest_hidden.setdefault(key, log)
    stage = startup.stage
    statuses: dict[int, str] = {}
    for (machine, application_id), log in earliest_hidden.items():
        if machine == TransitionLog.Machine.STARTUP:
            stage = log.source
        else:
            statuses[application_id] = log.source
    return FounderView(stage=stage, logs=[row for row in logs if row.pk not in hidden], statuses=statuses)


def feedback_for_founders(application: Application) -> list[str]:
    """The reviewers' comments meant for founders, without names, once the decision is released."""
    if not application.decision_visible_to_founders:
        return []
    comments = (
        Review.objects.filter(assignment__application=application, status=Review.Status.SUBMITTED)
        .exclude(comment_for_founders="")
        .order_by("submitted_at", "pk")
        .values_list("comment_for_founders", flat=True)
    )
    return list(comments)


def applications_of_founder(user: User) -> QuerySet[Application]:
    return (
        Application.objects.filter(startup__memberships__user=user)
        .select_related("call", "startup")
        .order_by("-created_at")
    )


def open_calls() -> QuerySet[Call]:
    now = timezone.now()
    return (
        Call.objects.filter(opens_at__lte=now, closes_at__gt=now)
        .prefetch_related("criteria")
        .order_by("closes_at")
    )


@dataclass
class FounderStartup:
    startup: Startup
    view: FounderView
    applications: list[tuple[Application, str]]
    open_milestones: list = field(default_factory=list)
    missing_reports: list = field(default_factory=list)


# How far ahead a deadline counts as near on the founders' and mentors' lists (reviews get their
# first reminder then; drafts and milestones get an earlier one a week ahead).
DUE_SOON = timedelta(days=3)


@dataclass
class TodoItem:
    text: str
    url: str
    due: object = None

    @property
    def urgency(self) -> str:
        """``"overdue"``, ``"soon"`` (within ``DUE_SOON``) or ``""``. A date is due at the end of
        that day in the cluster's time zone."""
        if self.due is None:
            return ""
        now = timezone.now()
        if isinstance(self.due, datetime):
            left = self.due - now
        else:
            left = timezone.make_aware(datetime.combine(self.due + timedelta(days=1), time.min)) - now
        if left <= timedelta(0):
            return "overdue"
        return "soon" if left <= DUE_SOON else ""

    @property
    def due_label(self) -> str:
        from django.utils.formats import date_format

        if self.due is None:
            return ""
        if isinstance(self.due, datetime):
            return date_format(timezone.localtime(self.due), "SHORT_DATETIME_FORMAT")
        return date_format(self.due, "SHORT_DATE_FORMAT")


def founder_dashboard(user: User) -> tuple[list[FounderStartup], list[Call]]:
    """The founder's startups with what they may see of them, and the open calls. A fixed number
    of queries whatever the number of startups, applications and records."""
    startups = list(
        Startup.objects.filter(memberships__user=user)
        .select_related("therapeutic_area")
        .prefetch_related(Prefetch("memberships", queryset=TeamMembership.objects.select_related("user")))
        .order_by("name")
    )
    ids = [startup.pk for startup in startups]
    logs_by_startup: dict[int, list[TransitionLog]] = {pk: [] for pk in ids}
    for log in TransitionLog.objects.filter(startup_id__in=ids).select_related(
        "application__call", "actor", "milestone"
    ):
        logs_by_startup[log.startup_id].append(log)
    applications_by_startup: dict[int, list[Application]] = {pk: [] for pk in ids}
    for application in (
        Application.objects.filter(startup_id__in=ids).select_related("call").order_by("-created_at")
    ):
        applications_by_startup[application.startup_id].append(application)
    from incubator.models import KpiReport, Milestone
    from incubator.selectors import REPORTING_STAGES, missing_periods
    from incubator.services.portfolio import milestone_stage_left

    milestones_by_startup: dict[int, list[Milestone]] = {pk: [] for pk in ids}
    for milestone in Milestone.objects.filter(
        startup_id__in=ids, status__in=[Milestone.Status.PLANNED, Milestone.Status.IN_PROGRESS]
    ).order_by("due_on", "pk"):
        milestones_by_startup[milestone.startup_id].append(milestone)
    reported: dict[int, set] = {pk: set() for pk in ids}
    for startup_id, period in KpiReport.objects.filter(startup_id__in=ids).values_list(
        "startup_id", "period"
    ):
        reported[startup_id].add(period)
    admitted = {s.pk: timezone.localdate(s.admitted_at) for s in startups if s.admitted_at is not None}
    today = timezone.localdate()
    result = []
    for startup in startups:
        view = founder_view(startup, logs_by_startup[startup.pk])
        result.append(
            FounderStartup(
                startup=startup,
                view=view,
                applications=[(a, view.status_of(a)) for a in applications_by_startup[startup.pk]],
                # Nothing of an admission the founders have not been told of yet, nor incubation
                # milestones once past incubation (a manager moved the startup on over them).
                open_milestones=[
                    milestone
                    for milestone in milestones_by_startup[startup.pk]
                    if not milestone_stage_left(milestone.stage, view.stage)
                ]
                if view.stage in REPORTING_STAGES
                else [],
                missing_reports=missing_periods(
                    stage=view.stage,
                    admitted=admitted.get(startup.pk),
                    reported=reported[startup.pk],
                    today=today,
                ),
            )
        )
    return result, list(open_calls())


def phase_label(phase: str) -> str:
    from incubator.models import DevelopmentPhase

    return str(dict(DevelopmentPhase.choices).get(phase, phase))


def dashboard_rows(filters) -> Iterator[list]:
    """The filtered startups as CSV rows, read in chunks so a large export never sits in memory
    at once."""
    from incubator.models import DevelopmentPhase, ProductType

    stages = dict(Stage.choices)
    phases = dict(DevelopmentPhase.choices)
    products = dict(ProductType.choices)
    queryset = (
        filters.startups()
        .select_related("therapeutic_area")
        .prefetch_related("affiliations", "applications__call")
        .order_by("name", "pk")
    )
    for startup in queryset.iterator(chunk_size=500):
        yield [
            startup.name,
            str(stages.get(startup.stage, startup.stage)),
            timezone.localtime(startup.stage_entered_at).strftime("%Y-%m-%d"),
            str(startup.therapeutic_area or ""),
            str(products.get(startup.product_type, startup.product_type)),
            str(phases.get(startup.development_phase, startup.development_phase)),
            startup.trl,
            "; ".join(str(org) for org in startup.affiliations.all()),
            "; ".join(application.call.title_text for application in startup.applications.all()),
            startup.founded_on.isoformat() if startup.founded_on else "",
        ]
