"""Reminders whose task is done or gone: once a review is submitted, declined or taken back, or its
application no longer waits for reviews; an application leaves its draft; a milestone's evidence
is in; a monthly report is sent. The reminders about it are marked read and their e-mails not yet
sent are cancelled. The notices stay in the centre.

Called by the services that finish those tasks, inside their transaction: the reminders settle
with the change, or not at all. A reminder is found by the start of its deduplication key, which
names the thing it is about (see ``reminders``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Q
from django.utils import timezone

from ..models import Notification, OutboxMessage


def _matching(prefixes: list[str]) -> Q:
    condition = Q()
    for prefix in prefixes:
        condition |= Q(dedup_key__startswith=prefix)
    return condition


def reminders_settle(*, prefixes: Iterable[str], recipient_ids: Iterable[int]) -> int:
    """Mark read the unread notices of ``recipient_ids`` whose key starts with one of
    ``prefixes`` (each ends with ``:``, so ``review-due:1:`` is not ``review-due:12:``), and
    cancel their pending e-mails. Returns how many notices were marked read."""
    prefixes, recipient_ids = list(prefixes), list(recipient_ids)
    if not prefixes or not recipient_ids:
        return 0
    matching = _matching(prefixes)
    OutboxMessage.objects.filter(
        matching, recipient_id__in=recipient_ids, status=OutboxMessage.Status.PENDING
    ).update(status=OutboxMessage.Status.CANCELLED)
    return Notification.objects.filter(matching, recipient_id__in=recipient_ids, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def review_reminders_settle(*, assignment_id: int, reviewer_id: int) -> int:
    """The reviewer's due-soon and overdue reminders. The managers' escalations stay: they tell
    of a review that came late, and after a decline someone still has to find another reviewer."""
    prefixes = [f"review-due:{assignment_id}:", f"review-overdue:{assignment_id}:"]
    return reminders_settle(prefixes=prefixes, recipient_ids=[reviewer_id])


def application_review_reminders_settle(*, application_id: int) -> int:
    """Every reviewer's reminders about an application that no longer waits for reviews."""
    from pipeline.models import ReviewAssignment

    return sum(
        review_reminders_settle(assignment_id=pk, reviewer_id=reviewer_id)
        for pk, reviewer_id in ReviewAssignment.objects.filter(application_id=application_id).values_list(
            "pk", "reviewer_id"
        )
    )


def _team(startup_id: int) -> list[int]:
    from incubator.models import TeamMembership

    return list(TeamMembership.objects.filter(startup_id=startup_id).values_list("user_id", flat=True))


def draft_reminders_settle(*, application_id: int, startup_id: int) -> int:
    return reminders_settle(prefixes=[f"draft:{application_id}:"], recipient_ids=_team(startup_id))


def milestone_reminders_settle(*, milestone_id: int, startup_id: int) -> int:
    return reminders_settle(prefixes=[f"milestone-due:{milestone_id}:"], recipient_ids=_team(startup_id))


def kpi_reminders_settle(*, startup_id: int, period: date) -> int:
    key = f"{startup_id}:{period.isoformat()}:"
    prefixes = [f"kpi-due:{key}", f"kpi-overdue:{key}"]
    return reminders_settle(prefixes=prefixes, recipient_ids=_team(startup_id))
