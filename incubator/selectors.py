"""Reads of the portfolio that pages, the dashboard and the API share."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear, TruncDate
from django.utils import timezone

from pipeline.models.applications import admission_held

from .localised import localised_column
from .models import (
    FundingRecord,
    FundingTranche,
    InvestmentReadinessReview,
    KpiReport,
    Milestone,
    MilestoneEvidence,
    ReadinessChange,
    Startup,
    StartupNote,
)

REPORTING_STAGES = ["incubation", "acceleration", "funding"]


@dataclass
class Portfolio:
    readiness: list[ReadinessChange]
    milestones: list[Milestone]
    reports: list[KpiReport]
    funding: list[FundingRecord]
    investment_reviews: list[InvestmentReadinessReview]
    missing_reports: list[date] = field(default_factory=list)

    def funding_totals(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for record in self.funding:
            if record.voided_at is None:
                totals[record.currency] += record.funded
        return dict(sorted(totals.items()))


def startup_portfolio(startup: Startup, stage: str | None = None) -> Portfolio:
    """Everything the startup page shows of the portfolio, in six queries. ``stage`` is the
    stage the viewer may see: while an admission is held, founders and mentors see no
    portfolio beyond the readiness history."""
    stage = stage or startup.stage
    if stage not in REPORTING_STAGES and startup.stage in REPORTING_STAGES:
        return Portfolio(
            readiness=list(
                startup.readiness_changes.select_related("recorded_by", "confirmed_by").order_by(
                    "recorded_at", "pk"
                )
            ),
            milestones=[],
            reports=[],
            funding=[],
            investment_reviews=[],
        )
    milestones = list(
        startup.milestones.prefetch_related(
            Prefetch("evidence", queryset=MilestoneEvidence.objects.select_related("uploaded_by"))
        ).order_by("stage", "due_on", "pk")
    )
    reports = list(startup.kpi_reports.annotate(corrections=Count("revisions")).order_by("-period")[:24])
    admitted = admission_dates([startup.pk]).get(startup.pk)
    return Portfolio(
        readiness=list(
            startup.readiness_changes.select_related("recorded_by", "confirmed_by").order_by(
                "recorded_at", "pk"
            )
        ),
        milestones=milestones,
        reports=reports,
        funding=list(
            startup.funding_records.select_related("investor").prefetch_related(
                Prefetch("tranches", queryset=FundingTranche.objects.select_related("milestone"))
            )
        ),
        investment_reviews=list(startup.investment_reviews.select_related("reviewer")[:5]),
        missing_reports=missing_periods(
            stage=stage,
            admitted=admitted,
            reported={r.period for r in reports},
            today=timezone.localdate(),
        ),
    )


def startup_notes(startup: Startup) -> QuerySet[StartupNote]:
    """The startup's programme notes, latest first, with their authors: one query."""
    return startup.notes.select_related("author__organisation").order_by("-created_at", "-pk")


def admission_dates(startup_ids: list[int]) -> dict[int, date]:
    """When each startup was admitted to incubation."""
    rows = Startup.objects.filter(pk__in=startup_ids, admitted_at__isnull=False).values_list(
        "pk", "admitted_at"
    )
    return {pk: timezone.localdate(admitted_at) for pk, admitted_at in rows}


def report_due_date(period: date) -> date:
    """A month's report is due by ``KPI_DUE_DAY`` of the following month."""
    next_month = date(period.year + (period.month == 12), period.month % 12 + 1, 1)
    return next_month.replace(day=settings.PIPELINE["KPI_DUE_DAY"])


def missing_periods(*, stage: str, admitted: date | None, reported: set[date], today: date) -> list[date]:
    """Months since admission whose report is past due and still missing (newest first)."""
    if stage not in REPORTING_STAGES or admitted is None:
        return []
    missing = []
    period = admitted.replace(day=1)
    while report_due_date(period) < today:
        if period not in reported:
            missing.append(period)
        period = date(period.year + (period.month == 12), period.month % 12 + 1, 1)
    return sorted(missing, reverse=True)


@dataclass
class MissingReport:
    startup: Startup
    periods: list[date]


def missing_reports(today: date | None = None) -> list[MissingReport]:
    """Startups in incubation, acceleration or funding with overdue monthly reports. Three
    queries whatever the number of startups and reports."""
    today = today or timezone.localdate()
    # A startup is not asked for reports before it is told of its admission.
    startups = list(
        Startup.objects.filter(stage__in=REPORTING_STAGES).exclude(admission_held()).order_by("name")
    )
    ids = [s.pk for s in startups]
    admitted = admission_dates(ids)
    reported: dict[int, set[date]] = defaultdict(set)
    for startup_id, period in KpiReport.objects.filter(startup_id__in=ids).values_list(
        "startup_id", "period"
    ):
        reported[startup_id].add(period)
    result = []
    for startup in startups:
        periods = missing_periods(
            stage=startup.stage, admitted=admitted.get(startup.pk), reported=reported[startup.pk], today=today
        )
        if periods:
            result.append(MissingReport(startup=startup, periods=periods))
    return result


@dataclass
class FundingRow:
    group: str
    currency: str
    total: Decimal
    follow_on: Decimal
    records: int


def funded_amount() -> Case:
    """A funding record's amount less its cancelled tranches: what the startup got or is still
    to get; nothing for a voided record. The totals add this up, never the amount as first
    recorded."""
    cancelled = (
        FundingTranche.objects.filter(record=OuterRef("pk"), status=FundingTranche.Status.CANCELLED)
        .order_by()
        .values("record")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    # Room for totals of many records (SQLite reads a sum back within these digits).
    room = DecimalField(max_digits=24, decimal_places=2)
    return Case(
        When(voided_at__isnull=False, then=Value(Decimal("0"))),
        default=ExpressionWrapper(
            F("amount") - Coalesce(Subquery(cancelled), Value(Decimal("0"))), output_field=room
        ),
        output_field=room,
    )


def _with_cohort(queryset: QuerySet[FundingRecord]) -> QuerySet[FundingRecord]:
    return queryset.annotate(
        cohort=localised_column("startup__admitted_call__title"), admitted_at=F("startup__admitted_at")
    )


def funding_by(dimension: str, *, records: QuerySet[FundingRecord] | None = None) -> list[FundingRow]:
    """Funding totals per ``dimension`` ("call", "field" or "year") and currency, as stored:
    amounts in different currencies are never added up. ``follow_on`` is the part raised after
    the startup was admitted to the programme, from others than the programme itself. One query."""
    queryset = _with_cohort((records if records is not None else FundingRecord.objects.all()).in_force())
    if dimension == "call":
        key = "cohort"
    elif dimension == "field":
        queryset = queryset.annotate(field_name=localised_column("startup__therapeutic_area__name"))
        key = "field_name"
    elif dimension == "year":
        queryset = queryset.annotate(year=ExtractYear("date"))
        key = "year"
    else:
        raise ValueError(dimension)
    grouped: dict[tuple[str, str], FundingRow] = {}
    queryset = queryset.annotate(funded=funded_amount())
    for record in queryset.values(key, "currency", "funded", "date", "admitted_at", "from_programme"):
        group = str(record[key]) if record[key] is not None else "—"
        row = grouped.setdefault(
            (group, record["currency"]),
            FundingRow(
                group=group,
                currency=record["currency"],
                total=Decimal("0"),
                follow_on=Decimal("0"),
                records=0,
            ),
        )
        row.total += record["funded"]
        row.records += 1
        if is_follow_on(
            on=record["date"], from_programme=record["from_programme"], admitted_at=record["admitted_at"]
        ):
            row.follow_on += record["funded"]
    return sorted(grouped.values(), key=lambda row: (row.group, row.currency))


def is_follow_on(*, on: date, from_programme: bool, admitted_at: datetime | None) -> bool:
    """Whether funding dated ``on`` was raised after the startup's admission (``admitted_at``),
    from others than the programme itself."""
    return not from_programme and admitted_at is not None and on >= timezone.localdate(admitted_at)


def follow_on() -> Q:
    """``is_follow_on`` in SQL, for a funding record: dated on or after its startup's day of
    admission (in the site's time zone), not from the programme itself."""
    return Q(from_programme=False, date__gte=TruncDate("startup__admitted_at"))


def funding_ledger() -> QuerySet[FundingRecord]:
    """Every funding record, oldest first, with its startup's field and cohort and what its
    tranches have paid, still plan to pay and will not pay: one query, to read in chunks."""

    def tranches(status: str) -> Sum:
        return Sum("tranches__amount", filter=Q(tranches__status=status), default=Decimal("0"))

    return _with_cohort(
        FundingRecord.objects.select_related("startup", "investor").order_by("date", "pk")
    ).annotate(
        field_name=localised_column("startup__therapeutic_area__name"),
        funded_total=funded_amount(),
        paid=tranches(FundingTranche.Status.PAID),
        planned=tranches(FundingTranche.Status.PLANNED),
        cancelled=tranches(FundingTranche.Status.CANCELLED),
    )


def kpi_report_rows() -> QuerySet[KpiReport]:
    """Every monthly report, by startup and month, with how often it was corrected. One query,
    to read in chunks."""
    return (
        KpiReport.objects.order_by("startup__name", "startup_id", "period")
        .annotate(corrections=Count("revisions"))
        .values(
            "startup__name",
            "period",
            *KpiReport.FIGURES,
            "submitted_by__full_name",
            "submitted_at",
            "corrections",
        )
    )


def funding_totals_by_currency(records: QuerySet[FundingRecord] | None = None) -> dict[str, Decimal]:
    queryset = (records if records is not None else FundingRecord.objects.all()).in_force()
    rows = (
        queryset.order_by().annotate(funded=funded_amount()).values("currency").annotate(total=Sum("funded"))
    )
    return {row["currency"]: row["total"] for row in sorted(rows, key=lambda r: r["currency"])}


def milestones_for_user(user) -> QuerySet[Milestone]:
    """Milestones of the startups a user may see the portfolio of."""
    queryset = Milestone.objects.select_related("startup")
    if user.is_manager:
        return queryset

    return queryset.filter(
        Q(startup__memberships__user=user) | Q(startup__mentor_assignments__mentor=user)
    ).distinct()


@dataclass(frozen=True)
class ReportCorrection:
    """One correction of a monthly report: the submission it replaced and what changed."""

    submitted_by: object
    submitted_at: datetime
    corrected_by: object
    corrected_at: datetime
    # (label, before, after) for each figure that changed.
    changes: list[tuple[str, object, object]]


def _figures(stored: dict) -> dict:
    """A revision's figures (numbers kept as text) as the report's columns hold them."""
    return {name: KpiReport._meta.get_field(name).to_python(stored[name]) for name in stored}


def kpi_report_history(report: KpiReport | None) -> list[ReportCorrection]:
    """The corrections of ``report``, newest first, each with the figures it changed; one query."""
    if report is None:
        return []
    revisions = list(
        report.revisions.select_related("submitted_by", "replaced_by").order_by("replaced_at", "pk")
    )
    states = [_figures(revision.figures) for revision in revisions]
    states.append({name: getattr(report, name) for name in KpiReport.FIGURES})
    corrections = []
    for index, revision in enumerate(revisions):
        before, after = states[index], states[index + 1]
        changes = [
            (str(KpiReport._meta.get_field(name).verbose_name), before.get(name), after.get(name))
            for name in KpiReport.FIGURES
            if before.get(name) != after.get(name)
        ]
        corrections.append(
            ReportCorrection(
                submitted_by=revision.submitted_by,
                submitted_at=revision.submitted_at,
                corrected_by=revision.replaced_by,
                corrected_at=revision.replaced_at,
                changes=changes,
            )
        )
    return list(reversed(corrections))
