"""Reminders found by the periodic sweep: reviews due soon or overdue (escalated to the call's
managers), drafts as the call closes, a call's closing (to its managers), startups stalled in a
stage, and the managers' weekly digest.

Each sweep is a pure function of the database and ``now``: what is due gets a notice whose
deduplication key names the thing, the date it is measured against and the offset, so running a
sweep twice, or two sweeps at once, creates each notice once; and a moved due date arms the
reminders again.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from incubator.models import Call
from pipeline.models import Application, ApplicationStatus
from pipeline.models.applications import AWAITING_REVIEWS, DECIDED_STATUSES

from .. import selectors
from ..kinds import Kind, spec_for
from ..models import Notification, OutboxMessage
from .events import founders_by_startup
from .notices import Notice, chunked, in_russian, iso, notices_create, notices_to, stamp
from .settle import RowsBusy, draft_reminders_recheck, review_reminders_recheck

logger = logging.getLogger(__name__)
# How often a chunk is tried while a service holds one of its rows (about 7 seconds in all).
BUSY_ATTEMPTS = 20


@dataclass(frozen=True)
class SweepResult:
    """How many notices of each rule were due (those that existed already are not created again)."""

    review_due_soon: int = 0
    review_overdue: int = 0
    review_escalations: int = 0
    draft_closing: int = 0
    call_closed: int = 0
    startup_stalled: int = 0
    milestone_due_soon: int = 0
    kpi_report_due: int = 0
    kpi_report_overdue: int = 0

    @property
    def total(self) -> int:
        return (
            self.review_due_soon
            + self.review_overdue
            + self.review_escalations
            + self.draft_closing
            + self.call_closed
            + self.startup_stalled
            + self.milestone_due_soon
            + self.kpi_report_due
            + self.kpi_report_overdue
        )


def days_left(moment: datetime, now: datetime) -> int:
    """Whole days until ``moment``, rounded up (a review due in 40 hours is due in 2 days), at
    least 1: what a reminder tells, whichever of its offsets' windows found it."""
    return max(1, math.ceil((moment - now) / timedelta(days=1)))


def due_windows(offsets: list[int], now: datetime) -> list[tuple[int, datetime, datetime]]:
    """For offsets in days (say 3 and 1): the due-date windows (now+1d, now+3d] for the 3-day
    reminder and (now, now+1d] for the 1-day one. Each date falls in one window, so after a
    missed sweep only the most urgent reminder goes out, not every one that was skipped."""
    windows = []
    previous = now
    for days in sorted(set(offsets)):
        upper = now + timedelta(days=days)
        windows.append((days, previous, upper))
        previous = upper
    return windows


def create_in_chunks(
    notices: list[Notice], now: datetime, recheck: Callable[[list[Notice]], object] | None = None
) -> int:
    """Write ``notices``; with ``recheck`` (see ``settle``), settle in the same transaction those
    just written whose task was finished since the sweep read it. Reminders written by an earlier
    sweep need no second look: the service that finished their task found and settled them."""
    # One transaction per few thousand notices: a long sweep holds no lock for long, and a sweep
    # that dies half-way has committed whole chunks that the next sweep skips by their keys.
    for chunk in chunked(notices, 5000):
        for attempt in range(1, BUSY_ATTEMPTS + 1):
            try:
                with transaction.atomic():
                    notices_create(notices=chunk, now=now)
                    if recheck is not None and (written := _written(chunk, now)):
                        recheck(written)
                break
            except RowsBusy as busy:
                # A service is finishing one of these tasks: let it commit, then write and look again.
                if attempt == BUSY_ATTEMPTS:
                    # Written by the next sweep instead; nothing of this chunk was kept.
                    logger.warning(
                        "Sweep: %d reminders left for the next sweep (%s rows busy)", len(chunk), busy
                    )
                    break
                time.sleep(min(0.05 * attempt, 0.5))
    return len(notices)


def _written(notices: list[Notice], now: datetime) -> list[Notice]:
    """The notices whose rows this sweep wrote (stamped with its ``now``), not an earlier one. A
    kind shown in the centre always has its notification row; others only their e-mail."""
    in_app = [notice.dedup_key for notice in notices if spec_for(notice.kind).in_app]
    by_mail = [notice.dedup_key for notice in notices if not spec_for(notice.kind).in_app]
    written: set[str] = set()
    for model, keys in ((Notification, in_app), (OutboxMessage, by_mail)):
        if keys:
            rows = model.objects.filter(dedup_key__in=keys, created_at=now)
            written.update(rows.values_list("dedup_key", flat=True))
    return [notice for notice in notices if notice.dedup_key in written]


def review_reminders_create(*, now: datetime) -> tuple[int, int, int]:
    """Reminders to reviewers before their review is due and once it is overdue, and the
    escalation of overdue reviews to the call's managers. Returns the three counts of notices."""
    config = settings.NOTIFICATIONS
    path = reverse("mentor-home")
    soon: list[Notice] = []
    for days, lower, upper in due_windows(config["REVIEW_REMINDER_DAYS"], now):
        rows = selectors.open_review_assignments().filter(
            due_at__gt=lower,
            due_at__lte=upper,
            # Assigned after this reminder's moment: the assignment notice said it already.
            created_at__lte=F("due_at") - timedelta(days=days),
        )
        for row in rows.values_list(
            "pk",
            "reviewer_id",
            "reviewer__email",
            "due_at",
            "application__startup__name",
            "application__call__title",
            "application_id",
            "application__call__title_ru",
        ):
            pk, reviewer_id, email, due_at, startup, call, application_id, call_ru = row
            soon.append(
                Notice(
                    kind=Kind.REVIEW_DUE_SOON,
                    recipient_id=reviewer_id,
                    email=email,
                    dedup_key=f"review-due:{pk}:{stamp(due_at)}:{days}d",
                    path=reverse("review-form", args=[application_id]),
                    context={
                        "startup": startup,
                        "call": call,
                        **in_russian(call=call_ru),
                        "due_at": iso(due_at),
                        "days": days_left(due_at, now),
                    },
                )
            )
    overdue: list[Notice] = []
    escalations: list[Notice] = []
    escalate_before = now - timedelta(days=config["REVIEW_ESCALATION_DAYS"])
    rows = list(
        selectors.open_review_assignments()
        .filter(due_at__lte=now)
        .values_list(
            "pk",
            "reviewer_id",
            "reviewer__email",
            "reviewer__full_name",
            "due_at",
            "application__startup__name",
            "application__call_id",
            "application__call__title",
            "application__call__title_ru",
        )
    )
    managers = selectors.call_managers([row[6] for row in rows if row[4] <= escalate_before])
    manager_path = reverse("manager-home")
    for pk, reviewer_id, email, reviewer_name, due_at, startup, call_id, call, call_ru in rows:
        context = {
            "startup": startup,
            "call": call,
            **in_russian(call=call_ru),
            "due_at": iso(due_at),
            "reviewer": reviewer_name,
        }
        overdue.append(
            Notice(
                kind=Kind.REVIEW_OVERDUE,
                recipient_id=reviewer_id,
                email=email,
                dedup_key=f"review-overdue:{pk}:{stamp(due_at)}",
                path=path,
                context=context,
            )
        )
        if due_at <= escalate_before:
            for manager_id, manager_email in managers.get(call_id, []):
                escalations.append(
                    Notice(
                        kind=Kind.REVIEW_OVERDUE_ESCALATION,
                        recipient_id=manager_id,
                        email=manager_email,
                        dedup_key=f"review-escalation:{pk}:{stamp(due_at)}:u{manager_id}",
                        path=manager_path,
                        context=context,
                    )
                )
    return (
        create_in_chunks(soon, now, lambda chunk: review_reminders_recheck(notices=chunk)),
        create_in_chunks(overdue, now, lambda chunk: review_reminders_recheck(notices=chunk)),
        create_in_chunks(escalations, now),
    )


def draft_reminders_create(*, now: datetime) -> int:
    """Reminders to the founders of a draft application as its call closes. Returns the number
    of notices."""
    notices: list[Notice] = []
    for days, lower, upper in due_windows(settings.NOTIFICATIONS["DRAFT_REMINDER_DAYS"], now):
        rows = list(
            Application.objects.filter(
                status="draft",
                call__opens_at__lte=now,
                call__closes_at__gt=lower,
                call__closes_at__lte=upper,
                # Started after this reminder's moment: the founders know the call is closing.
                created_at__lte=F("call__closes_at") - timedelta(days=days),
            ).values_list(
                "pk", "startup_id", "startup__name", "call__title", "call__closes_at", "call__title_ru"
            )
        )
        team = founders_by_startup(row[1] for row in rows)
        for pk, startup_id, startup, call, closes_at, call_ru in rows:
            for user_id, email in team.get(startup_id, []):
                notices.append(
                    Notice(
                        kind=Kind.DRAFT_CLOSING,
                        recipient_id=user_id,
                        email=email,
                        dedup_key=f"draft:{pk}:{stamp(closes_at)}:{days}d:u{user_id}",
                        path=reverse("application-edit", args=[pk]),
                        context={
                            "startup": startup,
                            "call": call,
                            **in_russian(call=call_ru),
                            "closes_at": iso(closes_at),
                            "days": days_left(closes_at, now),
                        },
                    )
                )
    return create_in_chunks(notices, now, lambda chunk: draft_reminders_recheck(notices=chunk))


def call_closed_notices_create(*, now: datetime) -> int:
    """The managers of each call that closed lately (every cluster manager when it names none) are
    told how many applications came in, how many of them still have no reviewers and how many
    drafts were left. Once per closing date: a call reopened and closed again is reported again.
    Returns the number of notices."""
    within = timedelta(days=settings.NOTIFICATIONS["CALL_CLOSED_WITHIN_DAYS"])
    came_in = [*AWAITING_REVIEWS, *DECIDED_STATUSES]  # submitted and not withdrawn
    calls = list(
        Call.objects.filter(closes_at__gt=now - within, closes_at__lte=now)
        .annotate(
            submitted=Count("applications", filter=Q(applications__status__in=came_in)),
            without_reviewers=Count(
                "applications", filter=Q(applications__status=ApplicationStatus.SUBMITTED)
            ),
            drafts=Count("applications", filter=Q(applications__status=ApplicationStatus.DRAFT)),
        )
        .order_by("closes_at", "pk")
        .values("pk", "slug", "title", "title_ru", "closes_at", "submitted", "without_reviewers", "drafts")
    )
    if not calls:
        return 0
    managers = selectors.call_managers(call["pk"] for call in calls)
    everyone = selectors.cluster_managers()
    notices = []
    for call in calls:
        notices += notices_to(
            kind=Kind.CALL_CLOSED,
            recipients=managers.get(call["pk"]) or everyone,
            key=f"call-closed:{call['pk']}:{stamp(call['closes_at'])}",
            path=reverse("manage-call", args=[call["slug"]]),
            context={
                "call": call["title"],
                **in_russian(call=call["title_ru"]),
                "closes_at": iso(call["closes_at"]),
                "submitted": call["submitted"],
                "without_reviewers": call["without_reviewers"],
                "drafts": call["drafts"],
            },
        )
    return create_in_chunks(notices, now)


def stall_alerts_create(*, now: datetime) -> int:
    """Alerts to managers about startups that stayed in one active stage longer than the limit of
    the call that admitted them (or the project's default). A startup is reported once per stage
    entry. The managers of the admitting call are told, or every cluster manager when it has none.
    Returns the number of notices."""
    stalled = selectors.stalled_startups(now=now)
    if not stalled:
        return 0
    call_managers = selectors.call_managers({s.call_id for s in stalled if s.call_id})
    everyone = selectors.cluster_managers()
    notices = []
    for startup in stalled:
        recipients = call_managers.get(startup.call_id) or everyone
        for manager_id, email in recipients:
            notices.append(
                Notice(
                    kind=Kind.STARTUP_STALLED,
                    recipient_id=manager_id,
                    email=email,
                    dedup_key=f"stalled:{startup.pk}:{startup.stage}:{stamp(startup.stage_entered_at)}:u{manager_id}",
                    path=reverse("startup-detail", args=[startup.pk]),
                    context={
                        "startup": startup.name,
                        "stage": startup.stage,
                        "stage_label": startup.stage_label,
                        "stage_entered_at": iso(startup.stage_entered_at),
                        "limit_days": startup.limit_days,
                    },
                )
            )
    return create_in_chunks(notices, now)


def reminders_sweep(*, now: datetime | None = None) -> SweepResult:
    """Run every reminder rule once. Safe to run at any time, as often as wanted, concurrently."""
    from .portfolio import kpi_reminders_create, milestone_reminders_create

    now = now or timezone.now()
    soon, overdue, escalations = review_reminders_create(now=now)
    kpi_due, kpi_overdue = kpi_reminders_create(now=now)
    return SweepResult(
        review_due_soon=soon,
        review_overdue=overdue,
        review_escalations=escalations,
        draft_closing=draft_reminders_create(now=now),
        call_closed=call_closed_notices_create(now=now),
        startup_stalled=stall_alerts_create(now=now),
        milestone_due_soon=milestone_reminders_create(now=now),
        kpi_report_due=kpi_due,
        kpi_report_overdue=kpi_overdue,
    )


def weekly_digest_create(*, now: datetime | None = None) -> int:
    """The managers' weekly digest: one e-mail per manager and ISO week, however often it runs."""
    now = now or timezone.now()
    year, week, _weekday = timezone.localtime(now).isocalendar()
    summary = selectors.pipeline_summary(now=now)
    path = reverse("manager-home")
    notices = notices_to(
        kind=Kind.WEEKLY_DIGEST,
        recipients=selectors.cluster_managers(),
        key=f"digest:{year}-W{week:02d}",
        path=path,
        context={**summary, "week": f"{year}-W{week:02d}", "generated_at": iso(now)},
    )
    return create_in_chunks(notices, now)
