"""Reads of the portfolio API. Each keeps to the startups whose portfolio the user may see
(``can_see_portfolio``: the team, its mentors, managers) and loads what the representations show,
so every list runs a fixed number of queries whatever the number of rows.

While managers hold the decision that admitted a startup, its founders and mentors still see it
applying, and so see nothing of the portfolio beyond its readiness history, as on the startup's
page: no milestones, reports, investment reviews or funding."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet

from incubator.models import (
    FundingRecord,
    FundingTranche,
    InvestmentReadinessReview,
    KpiReport,
    KpiReportRevision,
    MentorAssignment,
    Milestone,
    MilestoneEvidence,
    ReadinessChange,
    Startup,
    TeamMembership,
    User,
)
from pipeline.api.selectors import founder_states
from pipeline.models.applications import admission_held


def _portfolio_startup_ids(user: User, *, admitted: bool) -> QuerySet[Startup]:
    # A subquery rather than a join: a person who is on the team and a mentor, or a startup with
    # several founders, must not repeat rows.
    startups = Startup.objects.filter(Q(memberships__user=user) | Q(mentor_assignments__mentor=user))
    if admitted:
        startups = startups.filter(~admission_held())
    return startups.values("pk")


def _of_portfolio_startups(
    queryset: QuerySet, user: User, startup_field: str = "startup", *, admitted: bool = True
) -> QuerySet:
    """``queryset`` kept to the startups whose portfolio ``user`` may see; with ``admitted``, for
    founders and mentors, without those whose admission is still held."""
    if not user.is_authenticated:
        return queryset.none()
    if user.is_manager:
        return queryset
    return queryset.filter(**{f"{startup_field}__in": _portfolio_startup_ids(user, admitted=admitted)})


def _with_people(prefix: str = "") -> list[Prefetch]:
    """The team and mentors of the startup, which the permission checks read from the cache."""
    return [
        Prefetch(f"{prefix}memberships", queryset=TeamMembership.objects.only("pk", "startup_id", "user_id")),
        Prefetch(
            f"{prefix}mentor_assignments",
            queryset=MentorAssignment.objects.only("pk", "startup_id", "mentor_id"),
        ),
    ]


def portfolio_startups(user: User, *, admitted: bool = False) -> QuerySet[Startup]:
    """The startups whose portfolio ``user`` may see, with their team and mentors; with
    ``admitted``, without those whose admission is held from their founders and mentors."""
    queryset = Startup.objects.prefetch_related(*_with_people())
    return _of_portfolio_startups(queryset, user, "pk", admitted=admitted)


def visible_stage(startup: Startup, user: User) -> str:
    """The startup's stage as ``user`` may see it: the stored one for managers, the founders'
    view for everyone else (one query)."""
    if user.is_manager:
        return startup.stage
    return founder_states([startup])[startup.pk].stage


def milestones_for_api(user: User) -> QuerySet[Milestone]:
    """Milestones of the startups whose portfolio ``user`` may see, with how much evidence each
    has and the people the transitions' permissions ask about."""
    queryset = (
        Milestone.objects.select_related("startup")
        .prefetch_related(*_with_people("startup__"))
        .annotate(evidence_count=Count("evidence"))
    )
    return _of_portfolio_startups(queryset, user)


def visible_milestones(user: User) -> QuerySet[Milestone]:
    """The same milestones as ``milestones_for_api``, with only their startup."""
    return _of_portfolio_startups(Milestone.objects.select_related("startup"), user)


def evidence_of(milestone: Milestone) -> QuerySet[MilestoneEvidence]:
    return milestone.evidence.select_related("uploaded_by").order_by("uploaded_at", "pk")


def readiness_changes_for_api(user: User) -> QuerySet[ReadinessChange]:
    """The readiness history, which the startup's page shows even while an admission is held."""
    queryset = ReadinessChange.objects.select_related("startup", "recorded_by", "confirmed_by")
    return _of_portfolio_startups(queryset, user, admitted=False)


def investment_reviews_for_api(user: User) -> QuerySet[InvestmentReadinessReview]:
    queryset = InvestmentReadinessReview.objects.select_related("startup", "reviewer")
    return _of_portfolio_startups(queryset, user)


def kpi_reports_for_api(user: User) -> QuerySet[KpiReport]:
    """Reports with what each said before its corrections (two queries for a page)."""
    queryset = KpiReport.objects.select_related("startup", "submitted_by").prefetch_related(
        Prefetch(
            "revisions",
            queryset=KpiReportRevision.objects.select_related("submitted_by", "replaced_by").order_by(
                "replaced_at", "pk"
            ),
        )
    )
    return _of_portfolio_startups(queryset, user)


def funding_records_for_api(user: User) -> QuerySet[FundingRecord]:
    """The ledger with each record's tranches (two queries for a page)."""
    queryset = FundingRecord.objects.select_related("startup", "investor", "recorded_by").prefetch_related(
        Prefetch("tranches", queryset=FundingTranche.objects.order_by("pk"))
    )
    return _of_portfolio_startups(queryset, user)


def tranches_for_api(user: User) -> QuerySet[FundingTranche]:
    queryset = FundingTranche.objects.select_related("record")
    return _of_portfolio_startups(queryset, user, "record__startup")
