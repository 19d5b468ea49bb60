"""Reminders whose task is done or gone: once a review is submitted, declined or taken back, or its
application no longer waits for reviews; an application leaves its draft; a milestone's evidence
is in or decided; a readiness change is decided; a monthly report is sent. The notices asking for
it are marked read and their e-mails not yet sent are cancelled. The notices stay in the centre.

Called by the services that finish those tasks, inside their transaction: the reminders settle
with the change, or not at all. A reminder is found by the start of its deduplication key, which
names the thing it is about (see ``reminders``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date

from django.db import OperationalError
from django.db.models import Model, Q
from django.utils import timezone

from ..models import Notification, OutboxMessage
from .notices import Notice

LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for a NOWAIT lock that is taken


def _matching(prefixes: list[str]) -> Q:
    condition = Q()
    for prefix in prefixes:
        condition |= Q(dedup_key__startswith=prefix)
    return condition


def _settle(matching: Q) -> int:
    OutboxMessage.objects.filter(matching, status=OutboxMessage.Status.PENDING).update(
        status=OutboxMessage.Status.CANCELLED
    )
    return Notification.objects.filter(matching, read_at__isnull=True).update(read_at=timezone.now())


def reminders_settle(*, prefixes: Iterable[str], recipient_ids: Iterable[int]) -> int:
    """Mark read the unread notices of ``recipient_ids`` whose key starts with one of
    ``prefixes`` (each ends with ``:``, so ``review-due:1:`` is not ``review-due:12:``), and
    cancel their pending e-mails. Returns how many notices were marked read."""
    prefixes, recipient_ids = list(prefixes), list(recipient_ids)
    if not prefixes or not recipient_ids:
        return 0
    return _settle(_matching(prefixes) & Q(recipient_id__in=recipient_ids))


def review_reminders_settle(*, assignment_id: int, reviewer_id: int) -> int:
    """The reviewer's assignment notice and due-soon and overdue reminders. The managers'
    escalations stay: they tell of a review that came late, and after a decline someone still has
    to find another reviewer."""
    prefixes = [
        f"review-assigned:{assignment_id}:",
        f"review-due:{assignment_id}:",
        f"review-overdue:{assignment_id}:",
    ]
    return reminders_settle(prefixes=prefixes, recipient_ids=[reviewer_id])


def readiness_notices_settle(*, change_id: int) -> int:
    """Everyone's "readiness change to confirm" notice once one of them decided it."""
    return _settle(_matching([f"readiness:{change_id}:"]))


def milestone_review_notices_settle(*, milestone_id: int) -> int:
    """Everyone's "evidence to review" notices of a milestone once one of them decided it. They
    are keyed by the record of each submission (``milestone:<record>:``)."""
    from pipeline.models import TransitionLog

    submissions = TransitionLog.objects.filter(
        milestone_id=milestone_id, machine=TransitionLog.Machine.MILESTONE, transition="submit"
    ).values_list("pk", flat=True)
    prefixes = [f"milestone:{pk}:" for pk in submissions]
    return _settle(_matching(prefixes)) if prefixes else 0


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


# The sweep reads what is still open, then writes its reminders: a task finished in between would
# get a reminder after its own settle ran. So the sweep, in the transaction that writes a chunk of
# reminders, takes the row locks the finishing services take and reads again: a service that
# finished first is visible now, one that comes later waits for the sweep and then settles the
# reminders it finds. Whatever is no longer open is settled here.
#
# The sweep never waits for a lock (NOWAIT): a row held by a service still at work makes the whole
# chunk roll back and try again a moment later (``reminders.create_in_chunks``). A sweep that
# waited while holding other rows could close a circle with the services, which take their rows in
# different orders (a review: the assignment, then the call; a decision: the call, then the
# application).


class RowsBusy(Exception):
    """A row the sweep must lock is held by a service still at work."""


def _key_id(notice: Notice) -> int:
    """The id a reminder's key names first: ``review-due:12:…`` is about assignment 12."""
    return int(notice.dedup_key.split(":", 2)[1])


def _lock(model: type[Model], ids: Iterable[int]) -> None:
    """Lock the rows at once or raise ``RowsBusy``. The lock conflicts with the services'
    ``FOR UPDATE`` but not with a foreign key's check (``no_key``): a service inserting a row that
    refers to one of these is not turned away."""
    rows = model.objects.select_for_update(no_key=True, nowait=True).filter(pk__in=set(ids)).order_by("pk")
    try:
        list(rows.values_list("pk", flat=True))
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise RowsBusy(model._meta.label) from error
        raise


def _settle_closed(
    notices: Sequence[Notice], still_open: set[int], prefix: Callable[[int], list[str]]
) -> int:
    recipients: dict[int, set[int]] = defaultdict(set)
    for notice in notices:
        if _key_id(notice) not in still_open:
            recipients[_key_id(notice)].add(notice.recipient_id)
    return sum(
        reminders_settle(prefixes=prefix(pk), recipient_ids=user_ids) for pk, user_ids in recipients.items()
    )


def review_reminders_recheck(*, notices: Sequence[Notice]) -> int:
    """Reviewers' due-soon and overdue reminders whose review was submitted, declined or taken
    back, or whose application was decided or withdrawn, while the sweep ran. The application's
    row comes first, as in its transitions; then the assignment's, as in review_save."""
    from pipeline.models import Application, ReviewAssignment

    from ..selectors import open_review_assignments

    ids = {_key_id(notice) for notice in notices}
    _lock(Application, ReviewAssignment.objects.filter(pk__in=ids).values_list("application_id", flat=True))
    _lock(ReviewAssignment, ids)
    still_open = set(open_review_assignments().filter(pk__in=ids).values_list("pk", flat=True))
    return _settle_closed(notices, still_open, lambda pk: [f"review-due:{pk}:", f"review-overdue:{pk}:"])


def draft_reminders_recheck(*, notices: Sequence[Notice]) -> int:
    """Founders' reminders of a draft that was submitted or withdrawn while the sweep ran."""
    from pipeline.models import Application

    ids = {_key_id(notice) for notice in notices}
    _lock(Application, ids)
    drafts = set(Application.objects.filter(pk__in=ids, status="draft").values_list("pk", flat=True))
    return _settle_closed(notices, drafts, lambda pk: [f"draft:{pk}:"])


def milestone_reminders_recheck(*, notices: Sequence[Notice]) -> int:
    """Founders' reminders of a milestone whose evidence came in (or that was accepted or missed)
    while the sweep ran."""
    from incubator.models import Milestone

    ids = {_key_id(notice) for notice in notices}
    _lock(Milestone, ids)
    still_open = set(
        Milestone.objects.filter(
            pk__in=ids, status__in=[Milestone.Status.PLANNED, Milestone.Status.IN_PROGRESS]
        ).values_list("pk", flat=True)
    )
    return _settle_closed(notices, still_open, lambda pk: [f"milestone-due:{pk}:"])


def kpi_reminders_recheck(*, notices: Sequence[Notice], period: date) -> int:
    """Founders' reminders of the month's report, sent while the sweep ran. The startup's row is
    the lock both take (the report has no row until it is sent)."""
    from incubator.models import KpiReport, Startup

    ids = {_key_id(notice) for notice in notices}
    _lock(Startup, ids)
    waiting = ids - set(
        KpiReport.objects.filter(startup_id__in=ids, period=period).values_list("startup_id", flat=True)
    )
    return _settle_closed(
        notices,
        waiting,
        lambda pk: [f"kpi-due:{pk}:{period.isoformat()}:", f"kpi-overdue:{pk}:{period.isoformat()}:"],
    )
