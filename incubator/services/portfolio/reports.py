"""Monthly KPI reports, with what each said before its corrections."""

from __future__ import annotations

import hashlib
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from pipeline.models.applications import admission_held

from ...models import (
    KpiReport,
    KpiReportRevision,
    Startup,
    User,
)
from ...months import month_in_text
from .common import REPORTING_STAGES, PortfolioError


def month_start(day: date) -> date:
    return day.replace(day=1)


def kpi_reporting_problem(startup: Startup) -> str | None:
    """Why the startup does not report monthly now, if it does not: only startups in the
    programme's stages do, once their admission is released."""
    if (
        startup.stage not in REPORTING_STAGES
        or Startup.objects.filter(admission_held(), pk=startup.pk).exists()
    ):
        return _("Only startups in incubation, acceleration or funding report monthly.")
    return None


def kpi_period_problem(startup: Startup, period: date) -> str | None:
    """Why the month starting ``period`` cannot be reported, if it cannot: it has not begun, or
    it ended before the startup was admitted (a month with no programme to report on)."""
    if period > month_start(timezone.localdate()):
        return _("A month can be reported on once it has begun.")
    if startup.admitted_at is None:  # admitted before admissions were recorded: no lower bound
        return None
    first = month_start(timezone.localdate(startup.admitted_at))
    if period < first:
        return _("%(startup)s reports from %(month)s on, the month it was admitted.") % {
            "startup": startup.name,
            "month": month_in_text(first),
        }
    return None


def kpi_report_version(report: KpiReport | None) -> str:
    """What a page or client sends back to show which state of the month's report it corrects
    ("" for no report yet): a digest of who submitted what, and when."""
    if report is None:
        return ""
    state = [report.submitted_at.isoformat(), report.submitted_by_id] + [
        str(getattr(report, name)) for name in KpiReport.FIGURES
    ]
    return hashlib.sha256(repr(state).encode()).hexdigest()[:16]


def _keep_revision(report: KpiReport, figures: dict, actor: User, now) -> bool:
    """Before a correction changes a report's figures, keep the figures it replaces; whether
    anything changes."""
    before = {name: getattr(report, name) for name in KpiReport.FIGURES}

    def same(name: str) -> bool:
        # As the column holds it: "0" and Decimal("0.00") are the same revenue.
        return before[name] == KpiReport._meta.get_field(name).to_python(figures.get(name, before[name]))

    if all(same(name) for name in KpiReport.FIGURES):
        return False
    KpiReportRevision.objects.create(
        report=report,
        figures={name: str(value) for name, value in before.items()},
        submitted_by_id=report.submitted_by_id,
        submitted_at=report.submitted_at,
        replaced_by=actor,
        replaced_at=now,
    )
    return True


@transaction.atomic
def kpi_report_submit(
    *, startup: Startup, actor: User, period: date, expected_version: str | None = None, **figures
) -> KpiReport:
    """Submit (or correct) the startup's report for the month starting ``period``. With
    ``expected_version`` (``kpi_report_version`` of the report the person saw), a report that
    someone else submitted or corrected meanwhile is refused instead of silently overwritten."""
    if not startup.has_member(actor):
        raise PermissionDenied
    if problem := kpi_reporting_problem(startup):
        raise PortfolioError(problem)
    period = month_start(period)
    if problem := kpi_period_problem(startup, period):
        raise PortfolioError(problem)
    # The lock the reminder sweep takes before it looks again for the month's report
    # (notifications.services.settle): a reminder written meanwhile is settled, not left behind.
    Startup.objects.select_for_update().filter(pk=startup.pk).first()
    if expected_version is not None:
        current = (
            KpiReport.objects.filter(startup=startup, period=period).select_related("submitted_by").first()
        )
        if current is not None and kpi_report_version(current) != expected_version:
            raise PortfolioError(
                _(
                    "%(who)s saved this month's report at %(time)s, after you opened this page. Nothing "
                    "was saved: what you typed is still below; compare it with the report and save again."
                )
                % {
                    "who": current.submitted_by or _("Someone"),
                    "time": formats.date_format(timezone.localtime(current.submitted_at), "DATETIME_FORMAT"),
                },
                code="stale",
            )
    now = timezone.now()
    try:
        with transaction.atomic():
            report = KpiReport.objects.select_for_update().filter(startup=startup, period=period).first()
            if report is None:
                report = KpiReport.objects.create(
                    startup=startup, period=period, submitted_by=actor, submitted_at=now, **figures
                )
            elif _keep_revision(report, figures, actor, now):
                for name, value in figures.items():
                    setattr(report, name, value)
                # Saved again unchanged, it stays the report of whoever submitted those figures.
                report.submitted_by, report.submitted_at = actor, now
                report.save()
    except IntegrityError as exc:  # two co-founders at once: the second one updates
        raise PortfolioError(_("The report was just submitted by someone else; reload the page.")) from exc
    from notifications.services import kpi_reminders_settle

    kpi_reminders_settle(startup_id=startup.pk, period=period)
    return report
