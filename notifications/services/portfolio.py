"""Notices of the portfolio: milestone evidence to review and its outcome, milestones due soon,
and monthly KPI reports before and after their due date."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from incubator.models import KpiReport, Milestone, Startup
from incubator.selectors import REPORTING_STAGES, admission_dates, report_due_date
from pipeline.machines import PROGRAMME_LEFT
from pipeline.models import TransitionLog
from pipeline.models.applications import admission_held

from .. import selectors
from ..kinds import Kind
from .events import founders_by_startup
from .notices import Notice, iso, notices_create, notices_to
from .reminders import create_in_chunks, due_windows
from .settle import kpi_reminders_recheck, milestone_reminders_recheck


def _mentors_or_managers(startup_id: int) -> list[tuple[int, str]]:
    return selectors.startup_mentors(startup_id) or selectors.cluster_managers()


def notify_milestone_transition(*, log: TransitionLog) -> list[int]:
    """Submitted evidence goes to the startup's mentors (or the managers when it has none); an
    acceptance, a send-back (with its comment), a miss or a reopening goes to the founders."""
    milestone = log.milestone
    startup = log.startup
    context = {
        "startup": startup.name,
        "milestone": milestone.title,
        "source": log.source,
        "target": log.target,
        "target_label": log.target_label,
        "comment": log.reason,
        "changed_at": iso(log.created_at),
    }
    path = reverse("milestone-detail", args=[milestone.pk])
    if log.transition == "submit":
        recipients, kind = _mentors_or_managers(startup.pk), Kind.MILESTONE_SUBMITTED
    elif log.transition in ("accept", "send_back", "miss", "reopen"):
        recipients, kind = founders_by_startup([startup.pk]).get(startup.pk, []), Kind.MILESTONE_DECIDED
    else:
        return []
    notices = notices_to(
        kind=kind, recipients=recipients, key=f"milestone:{log.pk}", path=path, context=context
    )
    if log.transition == "accept":
        notices += _payable_tranches(log, context)
    return notices_create(notices=notices)


def _payable_tranches(log: TransitionLog, context: dict) -> list:
    """The managers learn that the tranches tied to an accepted milestone can be paid: those of
    the call that admitted the startup, or every manager when none did."""
    from incubator.models import FundingTranche

    tranches = list(
        FundingTranche.objects.filter(milestone=log.milestone, status=FundingTranche.Status.PLANNED)
        .order_by("record__currency", "pk")
        .values_list("amount", "record__currency")
    )
    if not tranches:
        return []
    admitted_by = log.startup.admitted_call_id
    recipients = (admitted_by and selectors.call_managers([admitted_by]).get(admitted_by)) or (
        selectors.cluster_managers()
    )
    return notices_to(
        kind=Kind.TRANCHE_PAYABLE,
        recipients=recipients,
        key=f"tranche-payable:{log.pk}",
        path=reverse("startup-detail", args=[log.startup_id]) + "#funding-heading",
        context={
            **context,
            "tranches": [{"amount": str(amount), "currency": currency} for amount, currency in tranches],
        },
    )


def notify_investment_reviewed(*, review_id: int) -> list[int]:
    """The founders learn the verdict of an investment-readiness review of their startup, with its
    summary (both are on the startup's page for them too). Call it inside the transaction that
    records it."""
    from incubator.models import InvestmentReadinessReview

    review = InvestmentReadinessReview.objects.select_related("startup").get(pk=review_id)
    return notices_create(
        notices=notices_to(
            kind=Kind.INVESTMENT_REVIEWED,
            recipients=founders_by_startup([review.startup_id]).get(review.startup_id, []),
            key=f"investment-review:{review.pk}",
            path=reverse("startup-detail", args=[review.startup_id]),
            context={
                "startup": review.startup.name,
                "verdict": review.verdict,
                "summary": review.summary,
                "reviewed_at": iso(review.created_at),
            },
        )
    )


def notify_funding(
    *,
    record_id: int,
    paid_tranche_id: int | None = None,
    cancelled_tranche_id: int | None = None,
    voided: bool = False,
) -> list[int]:
    """The founders learn of funding recorded for their startup, of a tranche of it paid (with
    ``paid_tranche_id``) or cancelled (``cancelled_tranche_id``, with the reason), or of the
    record voided (``voided``, with the reason): the ledger on their startup's page shows it too.
    Call it inside the transaction that records it."""
    from incubator.models import FundingRecord, FundingTranche

    record = FundingRecord.objects.select_related("startup", "investor").get(pk=record_id)
    context = {
        "startup": record.startup.name,
        "funding_kind": record.kind,
        "source": record.source,
        "currency": record.currency,
        "amount": str(record.amount),
        "date_on": record.date.isoformat(),
    }
    key = f"funding:{record.pk}"
    if paid_tranche_id is not None:
        tranche = FundingTranche.objects.get(pk=paid_tranche_id, record=record)
        context.update(tranche_amount=str(tranche.amount), paid_on=tranche.paid_on.isoformat())
        key = f"tranche-paid:{tranche.pk}"
    if cancelled_tranche_id is not None:
        tranche = FundingTranche.objects.get(pk=cancelled_tranche_id, record=record)
        context.update(
            tranche_amount=str(tranche.amount),
            cancelled_at=iso(tranche.cancelled_at),
            reason=tranche.cancellation_reason,
        )
        key = f"tranche-cancelled:{tranche.pk}"
    if voided:
        context.update(voided_at=iso(record.voided_at), reason=record.void_reason)
        key = f"funding-voided:{record.pk}"
    return notices_create(
        notices=notices_to(
            kind=Kind.FUNDING_RECORDED,
            recipients=founders_by_startup([record.startup_id]).get(record.startup_id, []),
            key=key,
            path=reverse("startup-detail", args=[record.startup_id]) + "#funding-heading",
            context=context,
        )
    )


def notify_readiness_proposed(*, change_id: int) -> list[int]:
    """A founder's proposed readiness change goes to the startup's mentors (or the managers when
    it has none), who confirm or reject it. Call it inside the transaction that records it."""
    from incubator.models import ReadinessChange

    change = ReadinessChange.objects.select_related("startup").get(pk=change_id)
    return _readiness_notices(
        change,
        kind=Kind.READINESS_PROPOSED,
        key=f"readiness:{change.pk}",
        recipients=_mentors_or_managers(change.startup_id),
        recorded_at=iso(change.recorded_at),
    )


def _readiness_notices(change, *, kind: Kind, key: str, recipients, **context) -> list[int]:
    """Notices about a readiness change, with what every one of them says about it."""
    context = {
        "startup": change.startup.name,
        "trl_from": change.trl_from,
        "trl_to": change.trl_to,
        "phase_from": change.phase_from,
        "phase_to": change.phase_to,
        **context,
    }
    path = reverse("startup-detail", args=[change.startup_id])
    return notices_create(
        notices=notices_to(kind=kind, recipients=recipients, key=key, path=path, context=context)
    )


def notify_readiness_decided(*, change_id: int) -> list[int]:
    """The founders learn whether the readiness change their team proposed was confirmed or
    rejected. Call it inside the transaction that decides it."""
    from incubator.models import ReadinessChange

    change = ReadinessChange.objects.select_related("startup").get(pk=change_id)
    return _readiness_notices(
        change,
        kind=Kind.READINESS_DECIDED,
        key=f"readiness-decided:{change.pk}",
        recipients=founders_by_startup([change.startup_id]).get(change.startup_id, []),
        confirmed=change.rejected_at is None,
        reason=change.rejection_reason,
        decided_at=iso(change.rejected_at or change.confirmed_at),
    )


def milestone_reminders_create(*, now: datetime) -> int:
    """Founders are reminded of open milestones a week and a day before they are due."""
    today = timezone.localdate(now)
    notices: list[Notice] = []
    for days, lower, upper in due_windows(settings.NOTIFICATIONS["MILESTONE_REMINDER_DAYS"], now):
        # Not before the founders are told of the admission the milestones belong to.
        rows = list(
            Milestone.objects.exclude(admission_held("startup"))
            .exclude(startup__stage__in=PROGRAMME_LEFT)
            .filter(
                status__in=[Milestone.Status.PLANNED, Milestone.Status.IN_PROGRESS],
                due_on__gt=timezone.localdate(lower),
                due_on__lte=timezone.localdate(upper),
                due_on__gte=today,
            )
            .values_list("pk", "startup_id", "startup__name", "title", "due_on")
        )
        team = founders_by_startup(row[1] for row in rows)
        for pk, startup_id, startup, title, due_on in rows:
            for user_id, email in team.get(startup_id, []):
                notices.append(
                    Notice(
                        kind=Kind.MILESTONE_DUE_SOON,
                        recipient_id=user_id,
                        email=email,
                        dedup_key=f"milestone-due:{pk}:{due_on.isoformat()}:{days}d:u{user_id}",
                        path=reverse("milestone-detail", args=[pk]),
                        context={
                            "startup": startup,
                            "milestone": title,
                            "due_on": due_on.isoformat(),
                            "days": max(1, (due_on - today).days),
                        },
                    )
                )
    return create_in_chunks(notices, now, lambda chunk: milestone_reminders_recheck(notices=chunk))


def _previous_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def kpi_reminders_create(*, now: datetime) -> tuple[int, int]:
    """The last finished month's report: a reminder a few days before its due date, and an
    overdue notice once the date has passed, to the founders of every startup in incubation,
    acceleration or funding that was admitted before that month ended and has not reported it."""
    today = timezone.localdate(now)
    period = _previous_month(today)
    due = report_due_date(period)
    lead_days = settings.NOTIFICATIONS["KPI_REMINDER_DAYS_BEFORE"]
    if today < due - timedelta(days=lead_days):
        return 0, 0
    overdue = today > due
    startups = list(
        Startup.objects.filter(stage__in=REPORTING_STAGES).exclude(admission_held()).values_list("pk", "name")
    )
    admitted = admission_dates([pk for pk, _name in startups])
    reported = set(
        KpiReport.objects.filter(startup_id__in=[pk for pk, _name in startups], period=period).values_list(
            "startup_id", flat=True
        )
    )
    next_month = report_due_date(period).replace(day=1)
    waiting = [
        (pk, name)
        for pk, name in startups
        if pk not in reported and pk in admitted and admitted[pk] < next_month
    ]
    team = founders_by_startup(pk for pk, _name in waiting)
    kind, prefix = (Kind.KPI_REPORT_OVERDUE, "kpi-overdue") if overdue else (Kind.KPI_REPORT_DUE, "kpi-due")
    notices = []
    for pk, name in waiting:
        for user_id, email in team.get(pk, []):
            notices.append(
                Notice(
                    kind=kind,
                    recipient_id=user_id,
                    email=email,
                    dedup_key=f"{prefix}:{pk}:{period.isoformat()}:u{user_id}",
                    path=reverse("kpi-report", args=[pk, period.year, period.month]),
                    context={"startup": name, "period": period.isoformat(), "due_on": due.isoformat()},
                )
            )
    created = create_in_chunks(
        notices, now, lambda chunk: kpi_reminders_recheck(notices=chunk, period=period)
    )
    return (0, created) if overdue else (created, 0)


__all__ = [
    "kpi_reminders_create",
    "milestone_reminders_create",
    "notify_milestone_transition",
    "notify_readiness_decided",
    "notify_readiness_proposed",
]
