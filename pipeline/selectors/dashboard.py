"""The managers' dashboard: every panel is one aggregate query over the filtered pipeline, so the
page runs the same number of queries for thirty startups or twenty thousand."""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear, TruncMonth
from django.utils import timezone

from incubator.localised import localised_column
from incubator.models import Call, FundingRecord, Organisation, Startup, TherapeuticArea
from incubator.selectors import REPORTING_STAGES, follow_on, funded_amount

from ..machines import ACTIVE_STAGES, PIPELINE_STAGES, Stage
from ..models import (
    Application,
    ApplicationStatus,
    Review,
    ReviewAssignment,
    ReviewerLoad,
    ScoreBin,
    TransitionLog,
)
from ..models.applications import AWAITING_REVIEWS, HELD_DECISION
from ..stats import score_bin


@dataclass(frozen=True)
class DashboardFilters:
    call_id: int | None = None
    area_id: int | None = None
    organisation_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def startups(self) -> QuerySet[Startup]:
        """The startups the dashboard looks at: applied to the call, in the field, affiliated with
        the organisation, entered the pipeline within the dates."""
        queryset = Startup.objects.all()
        if self.call_id:
            queryset = queryset.filter(
                pk__in=Application.objects.filter(call_id=self.call_id).values("startup_id")
            )
        if self.area_id:
            queryset = queryset.filter(therapeutic_area_id=self.area_id)
        if self.organisation_id:
            queryset = queryset.filter(
                pk__in=Startup.affiliations.through.objects.filter(
                    organisation_id=self.organisation_id
                ).values("startup_id")
            )
        if self.date_from:
            queryset = queryset.filter(created_at__date__gte=self.date_from)
        if self.date_to:
            queryset = queryset.filter(created_at__date__lte=self.date_to)
        return queryset

    @property
    def active(self) -> bool:
        return any([self.call_id, self.area_id, self.organisation_id, self.date_from, self.date_to])

    @property
    def beyond_call(self) -> bool:
        """Filters other than the call: the precomputed per-call figures cannot answer them."""
        return any([self.area_id, self.organisation_id, self.date_from, self.date_to])

    def restrict(self, queryset: QuerySet, path: str) -> QuerySet:
        """``queryset`` narrowed to the filtered startups through ``path`` (no-op unfiltered, so
        the common page does not pay for a semi-join over every startup)."""
        if not self.active:
            return queryset
        return queryset.filter(**{f"{path}__in": self.startups()})


class Percentile(Aggregate):
    """PostgreSQL's ``percentile_cont``, for durations."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=fraction, output_field=DurationField(), **extra)


@dataclass
class StageTime:
    stage: str
    label: str
    moved_on: int
    median_days: float | None
    p90_days: float | None


@dataclass
class Dashboard:
    filters: DashboardFilters
    stage_counts: dict[str, int]
    funnel_by_call: list[dict]
    conversion: list[dict]
    stage_times: list[StageTime]
    applications_by_call: list[dict]
    reviewer_progress: list[dict]
    reviewer_count: int
    score_distribution: list[dict]
    trl_mix: dict[int, int]
    phase_mix: dict[str, int]
    funding: list[dict]
    stalled: list[dict]
    missing_reports: list[dict]
    to_do: list[dict] = field(default_factory=list)
    options: dict[str, list[tuple[int, str]]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.stage_counts.values())


STAGE_LABELS = dict(Stage.choices)


def _days(duration: timedelta | None) -> float | None:
    return None if duration is None else round(duration.total_seconds() / 86400, 1)


def filter_options() -> dict[str, list[tuple[int, str]]]:
    """Calls, fields and member organisations for the filter form, in one query. Each call also
    brings its stall limit (``call_limits``), which the stalled-startups panel needs."""
    calls = (
        Call.objects.order_by()
        .annotate(group=Value("call"), label=localised_column("title"))
        .values_list("group", "pk", "label", "stall_limit_days")
    )
    areas = (
        TherapeuticArea.objects.order_by()
        .annotate(group=Value("area"), limit=Value(0), label=localised_column("name"))
        .values_list("group", "pk", "label", "limit")
    )
    orgs = (
        Organisation.objects.filter(is_member=True)
        .order_by()
        .annotate(group=Value("org"), limit=Value(0))
        .values_list("group", "pk", "name", "limit")
    )
    options: dict[str, list] = {"call": [], "area": [], "org": [], "call_limits": []}
    for group, pk, name, limit in calls.union(areas, orgs, all=True):
        options[group].append((pk, name))
        if group == "call":
            options["call_limits"].append(limit)
    for key in ("call", "area", "org"):
        options[key].sort(key=lambda item: item[1])
    return options


def _mix(startups: QuerySet[Startup]) -> tuple[dict[str, int], dict[int, int], dict[str, int]]:
    stage_counts = {stage.value: 0 for stage in Stage}
    trl: dict[int, int] = dict.fromkeys(range(1, 10), 0)
    phase: dict[str, int] = defaultdict(int)
    for stage, level, dev_phase, n in (
        startups.order_by().values_list("stage", "trl", "development_phase").annotate(n=Count("id"))
    ):
        stage_counts[stage] += n
        trl[level] += n
        phase[dev_phase] += n
    return stage_counts, trl, dict(phase)


def _applications(filters: DashboardFilters) -> tuple[list[dict], list[dict], list[dict]]:
    """Applications per call by status, the funnel per call (its applicants by current stage),
    and what waits for the managers in each call (``_to_do``), from one query."""
    rows = filters.restrict(Application.objects.all(), "startup")
    if filters.call_id:
        rows = rows.filter(call_id=filters.call_id)
    by_call: dict[int, dict] = {}
    for call_id_, slug, title, status, stage, n, held in (
        rows.order_by()
        .annotate(call_title=localised_column("call__title"))
        .values_list("call_id", "call__slug", "call_title", "status", "startup__stage")
        .annotate(n=Count("id"), held=Count("id", filter=HELD_DECISION))
    ):
        entry = by_call.setdefault(
            call_id_,
            {
                "call_id": call_id_,
                "slug": slug,
                "title": title,
                "statuses": defaultdict(int),
                "stages": defaultdict(int),
                "held": 0,
            },
        )
        entry["statuses"][status] += n
        entry["stages"][stage] += n
        entry["held"] += held
    calls = sorted(by_call.values(), key=lambda entry: entry["title"])
    applications = [
        {"call_id": c["call_id"], "title": c["title"], "statuses": dict(c["statuses"])} for c in calls
    ]
    funnel = [{"call_id": c["call_id"], "title": c["title"], "stages": dict(c["stages"])} for c in calls]
    return applications, funnel, _to_do(calls, _short_of_reviewers(rows))


def _short_of_reviewers(applications: QuerySet[Application]) -> dict[int, int]:
    """Per call, the applications in review with fewer reviewers left (not declined) than the
    reviews the call needs before a decision: they cannot be decided until someone is added.
    One query."""
    reviewers = (
        ReviewAssignment.objects.filter(application=OuterRef("pk"), declined_at__isnull=True)
        .order_by()
        .values("application")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return dict(
        applications.filter(status=ApplicationStatus.IN_REVIEW)
        .annotate(reviewers=Coalesce(Subquery(reviewers), 0))
        .filter(reviewers__lt=F("call__min_reviews"))
        .order_by()
        .values("call_id")
        .annotate(n=Count("pk"))
        .values_list("call_id", "n")
    )


def _stage_moves(filters: DashboardFilters) -> tuple[dict[tuple[str, str], int], list[StageTime]]:
    """How many startups left each stage for each other stage, and how long those that moved on
    along the main line had spent in the stage (median and 90th percentile), from one query."""
    logs = (
        filters.restrict(TransitionLog.objects.all(), "startup")
        .filter(machine=TransitionLog.Machine.STARTUP, source_entered_at__isnull=False)
        .exclude(source=F("target"))
        .order_by()
    )
    stay = ExpressionWrapper(F("created_at") - F("source_entered_at"), output_field=DurationField())
    moves: dict[tuple[str, str], int] = {}
    times: dict[tuple[str, str], tuple[timedelta | None, timedelta | None]] = {}
    if connection.vendor == "postgresql":
        for source, target, n, median, p90 in logs.values_list("source", "target").annotate(
            n=Count("startup_id", distinct=True),
            median=Percentile(stay, 0.5),
            p90=Percentile(stay, 0.9),
        ):
            moves[(source, target)] = n
            times[(source, target)] = (median, p90)
    else:
        # SQLite has no percentile aggregate: the demo's few hundred stays are sorted here.
        stays: dict[tuple[str, str], list[float]] = defaultdict(list)
        who: dict[tuple[str, str], set[int]] = defaultdict(set)
        for source, target, startup_id, length in logs.annotate(length=stay).values_list(
            "source", "target", "startup_id", "length"
        ):
            stays[(source, target)].append(length.total_seconds())
            who[(source, target)].add(startup_id)
        for pair, values in stays.items():
            moves[pair] = len(who[pair])
            times[pair] = (
                timedelta(seconds=_quantile(values, 0.5)),
                timedelta(seconds=_quantile(values, 0.9)),
            )
    stage_times = []
    for source, target in itertools.pairwise(PIPELINE_STAGES):
        median, p90 = times.get((source, target), (None, None))
        stage_times.append(
            StageTime(
                stage=source,
                label=str(STAGE_LABELS[source]),
                moved_on=moves.get((source, target), 0),
                median_days=_days(median),
                p90_days=_days(p90),
            )
        )
    return moves, stage_times


def _quantile(values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks, as PostgreSQL's ``percentile_cont``."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = fraction * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def _loads_with_open(loads: QuerySet, open_counts: QuerySet) -> list[dict]:
    """The reviewers' loads, each with its counts of open and overdue reviews, in one query: the
    open ones are counted once, grouped by reviewer, and joined to the loads (a count per
    reviewer as a correlated subquery would join each reviewer's assignments to their
    applications anew)."""
    loads_sql, loads_params = loads.query.sql_with_params()
    open_sql, open_params = open_counts.query.sql_with_params()
    sql = (
        'SELECT l.reviewer_id, l."reviewer__full_name", l.assigned, l.done, '
        'COALESCE(o."open", 0), COALESCE(o."overdue", 0) '
        f"FROM ({loads_sql}) l LEFT JOIN ({open_sql}) o ON o.reviewer_id = l.reviewer_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*loads_params, *open_params))
        return [
            {
                "reviewer_id": pk,
                "reviewer__full_name": name,
                "assigned": assigned,
                "done": done,
                "open": open_,
                "overdue": overdue,
            }
            for pk, name, assigned, done, open_, overdue in cursor.fetchall()
        ]


def _reviewer_progress(filters: DashboardFilters, now: datetime, limit: int = 50) -> tuple[list[dict], int]:
    """Per reviewer: live assignments, done, still open (not submitted, on applications still
    awaiting reviews) and overdue among those; most overdue first, at most ``limit`` rows, and how
    many reviewers there are in all. Unless startups are filtered by more than the call, the
    assigned and done counts come from the precomputed loads and only the open ones are counted
    live (from an index of open assignments). Assignments on applications withdrawn or decided
    before their review count as assigned but neither done nor open."""
    awaiting = Q(application__status__in=AWAITING_REVIEWS)
    overdue = Q(due_at__lt=now)
    if filters.beyond_call:
        assignments = filters.restrict(
            ReviewAssignment.objects.filter(declined_at__isnull=True), "application__startup"
        )
        if filters.call_id:
            assignments = assignments.filter(call_id=filters.call_id)
        waiting = Q(submitted_at__isnull=True) & awaiting
        rows = (
            assignments.order_by()
            .values("reviewer_id", "reviewer__full_name")
            .annotate(
                assigned=Count("id"),
                done=Count("id", filter=Q(submitted_at__isnull=False)),
                open=Count("id", filter=waiting),
                overdue=Count("id", filter=waiting & overdue),
            )
        )
    else:
        open_assignments = ReviewAssignment.objects.filter(
            awaiting, submitted_at__isnull=True, declined_at__isnull=True
        )
        loads = ReviewerLoad.objects.all()
        if filters.call_id:
            loads = loads.filter(call_id=filters.call_id)
            open_assignments = open_assignments.filter(call_id=filters.call_id)
        rows = _loads_with_open(
            loads.order_by()
            .values("reviewer_id", "reviewer__full_name")
            .annotate(assigned=Sum("assigned"), done=Sum("done")),
            open_assignments.order_by()
            .values("reviewer_id")
            .annotate(open=Count("id"), overdue=Count("id", filter=overdue)),
        )
    rows = sorted(
        rows, key=lambda row: (-row["overdue"], -row["open"], -row["assigned"], row["reviewer__full_name"])
    )
    return [
        {
            "reviewer": row["reviewer__full_name"],
            "assigned": row["assigned"],
            "done": row["done"],
            "open": row["open"],
            "overdue": row["overdue"],
        }
        for row in rows[:limit]
    ], len(rows)


def _score_distribution(filters: DashboardFilters) -> list[dict]:
    """Weighted review scores per call in bins 0–1, 1–2, … 9–10: the precomputed bins, or,
    with startup filters beyond the call, counted from the reviews."""
    if filters.beyond_call:
        reviews = filters.restrict(
            Review.objects.filter(status=Review.Status.SUBMITTED, weighted_score__isnull=False),
            "assignment__application__startup",
        )
        if filters.call_id:
            reviews = reviews.filter(assignment__call_id=filters.call_id)
        rows = (
            reviews.order_by()
            .annotate(bin=score_bin("weighted_score"), call_title=localised_column("assignment__call__title"))
            .values_list("call_title", "bin")
            .annotate(n=Count("id"))
        )
    else:
        bins = ScoreBin.objects.all()
        if filters.call_id:
            bins = bins.filter(call_id=filters.call_id)
        rows = bins.annotate(call_title=localised_column("call__title")).values_list(
            "call_title", "bin", "reviews"
        )
    by_call: dict[str, list[int]] = {}
    for title, bin_value, n in rows:
        by_call.setdefault(title, [0] * 10)[int(bin_value)] += n
    return [{"title": title, "bins": bins} for title, bins in sorted(by_call.items())]


def _funding(filters: DashboardFilters) -> list[dict]:
    """Funding per admitting call and currency (less cancelled tranches, voided records left
    out); follow-on is what came
    after admission from others than the programme. Amounts are never converted between
    currencies."""
    rows = (
        filters.restrict(FundingRecord.objects.in_force(), "startup")
        .order_by()
        .annotate(cohort=localised_column("startup__admitted_call__title"), funded=funded_amount())
        .values("cohort", "currency")
        .annotate(
            total=Sum("funded"),
            follow_on=Coalesce(
                Sum(
                    "funded",
                    filter=follow_on(),
                ),
                Value(Decimal("0")),
            ),
            records=Count("id"),
        )
    )
    return sorted(
        (
            {
                "cohort": row["cohort"] or "—",
                **{k: row[k] for k in ("currency", "total", "follow_on", "records")},
            }
            for row in rows
        ),
        key=lambda row: (row["cohort"], row["currency"]),
    )


def _stalled(filters: DashboardFilters, now: datetime, call_limits: list[int], limit: int = 25) -> list[dict]:
    """Startups in an active stage longer than their admitting call's stall limit (or the
    default), longest first. The few distinct limits become one condition each, which keeps the
    comparison in SQL on every database."""
    default_days = settings.PIPELINE["STALL_DAYS"]
    over_limit = Q()
    for days in {default_days, *call_limits}:
        over_limit |= Q(limit_days=days, stage_entered_at__lt=now - timedelta(days=days))
    rows = (
        filters.restrict(Startup.objects.all(), "pk")
        .filter(stage__in=ACTIVE_STAGES)
        .annotate(limit_days=Coalesce(F("admitted_call__stall_limit_days"), Value(default_days)))
        .filter(over_limit)
        .order_by("stage_entered_at")
        .values("pk", "name", "stage", "stage_entered_at", "limit_days")[:limit]
    )
    return [
        {**row, "stage_label": str(STAGE_LABELS[row["stage"]]), "days": (now - row["stage_entered_at"]).days}
        for row in rows
    ]


def _to_do(by_call: list[dict], short: dict[int, int]) -> list[dict]:
    """Per call, what waits for the managers: submitted applications without reviewers, those
    in review left short of reviewers (``short``, by call), and decisions not yet released."""
    rows = [
        {
            "slug": entry["slug"],
            "title": entry["title"],
            "without_reviewers": entry["statuses"].get(ApplicationStatus.SUBMITTED, 0),
            "short_of_reviewers": short.get(entry["call_id"], 0),
            "held": entry["held"],
        }
        for entry in by_call
    ]
    return [row for row in rows if row["without_reviewers"] or row["short_of_reviewers"] or row["held"]]


def last_due_period(today: date) -> date:
    """The latest month whose report is already past its due date on ``today``."""
    this_month = today.replace(day=1)
    months_back = 1 if today > this_month.replace(day=settings.PIPELINE["KPI_DUE_DAY"]) else 2
    year, month = divmod(this_month.year * 12 + this_month.month - 1 - months_back, 12)
    return date(year, month + 1, 1)


def _missing_reports(filters: DashboardFilters, today: date, limit: int = 25) -> list[dict]:
    """Startups in incubation, acceleration or funding with monthly reports past due: the months
    from admission to the last month past its due date, minus the months reported. Counted and
    ranked in SQL; only the worst ``limit`` rows come back."""
    last = last_due_period(today)
    last_index = last.year * 12 + last.month
    admitted_index = ExtractYear("admitted_at") * 12 + ExtractMonth("admitted_at")
    rows = (
        filters.restrict(Startup.objects.all(), "pk")
        .filter(stage__in=REPORTING_STAGES, admitted_at__isnull=False)
        .annotate(
            due=Value(last_index + 1) - admitted_index,
            reported=Count(
                "kpi_reports",
                filter=Q(
                    kpi_reports__period__gte=TruncMonth("admitted_at", output_field=DateField()),
                    kpi_reports__period__lte=last,
                ),
            ),
        )
        .annotate(missing=F("due") - F("reported"))
        .filter(missing__gt=0)
        .order_by("-missing", "name")
        .values("pk", "name", "missing")[:limit]
    )
    return list(rows)


def conversion_rates(stage_counts: dict[str, int], moves: dict[tuple[str, str], int]) -> list[dict]:
    """For each step of the main line: how many startups reached the stage (every startup starts
    in the application stage; later stages count those in it now and those that left it, forward
    or off the pipeline), how many moved on to the next stage, and the rate."""
    left: dict[str, int] = defaultdict(int)
    for (source, _target), n in moves.items():
        left[source] += n
    rows = []
    for source, target in itertools.pairwise(PIPELINE_STAGES):
        if source == Stage.APPLICATION:
            reached = sum(stage_counts.values())
        else:
            reached = stage_counts.get(source, 0) + left[source]
        moved = moves.get((source, target), 0)
        rows.append(
            {
                "source": source,
                "target": target,
                "source_label": str(STAGE_LABELS[source]),
                "target_label": str(STAGE_LABELS[target]),
                "reached": reached,
                "moved": moved,
                "rate": moved / reached if reached else None,
            }
        )
    return rows


def manager_dashboard(filters: DashboardFilters, *, now: datetime | None = None) -> Dashboard:
    """Every panel of the managers' dashboard for ``filters``, in ten queries whatever the
    number of startups, applications, reviews and records."""
    now = now or timezone.now()
    stage_counts, trl, phase = _mix(filters.startups())
    applications, funnel, to_do = _applications(filters)
    moves, stage_times = _stage_moves(filters)
    options = filter_options()
    reviewers, reviewer_count = _reviewer_progress(filters, now)
    return Dashboard(
        filters=filters,
        stage_counts=stage_counts,
        funnel_by_call=funnel,
        conversion=conversion_rates(stage_counts, moves),
        stage_times=stage_times,
        applications_by_call=applications,
        reviewer_progress=reviewers,
        reviewer_count=reviewer_count,
        score_distribution=_score_distribution(filters),
        trl_mix=trl,
        phase_mix=phase,
        funding=_funding(filters),
        stalled=_stalled(filters, now, options["call_limits"]),
        missing_reports=_missing_reports(filters, timezone.localdate(now)),
        to_do=to_do,
        options=options,
    )


__all__ = ["Dashboard", "DashboardFilters", "conversion_rates", "filter_options", "manager_dashboard"]
