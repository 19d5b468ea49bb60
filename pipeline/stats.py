"""Derived figures the dashboard reads instead of aggregating every review on each page view.

Each refresh recounts one small slice from the source rows, so it is exact and idempotent; the
receivers in ``pipeline.receivers`` call them after every change of an assignment or a review
(factories, the admin and the services alike), and ``dashboard_counters_rebuild`` recounts all,
for bulk loads."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Floor, Least

from incubator.models import Call

from .models import Review, ReviewAssignment, ReviewerLoad, ScoreBin


def _lock_call(call_id: int) -> None:
    """Refreshes of one call's counters take turns (on PostgreSQL): each recounts after the
    previous one committed, so none is lost and none inserts a row another just inserted."""
    list(Call.objects.select_for_update().filter(pk=call_id).values_list("pk", flat=True))


@transaction.atomic
def reviewer_load_refresh(*, call_id: int, reviewer_id: int) -> None:
    _lock_call(call_id)
    counts = ReviewAssignment.objects.filter(
        call_id=call_id, reviewer_id=reviewer_id, declined_at__isnull=True
    ).aggregate(assigned=Count("id"), done=Count("id", filter=Q(submitted_at__isnull=False)))
    if counts["assigned"]:
        ReviewerLoad.objects.update_or_create(call_id=call_id, reviewer_id=reviewer_id, defaults=counts)
    else:
        ReviewerLoad.objects.filter(call_id=call_id, reviewer_id=reviewer_id).delete()


def score_bin(expression) -> Least:
    return Least(Floor(expression), Value(9), output_field=IntegerField())


@transaction.atomic
def score_bins_refresh(*, call_id: int) -> None:
    _lock_call(call_id)
    rows = (
        Review.objects.filter(
            assignment__call_id=call_id, status=Review.Status.SUBMITTED, weighted_score__isnull=False
        )
        .order_by()
        .annotate(bin=score_bin("weighted_score"))
        .values_list("bin")
        .annotate(n=Count("id"))
    )
    ScoreBin.objects.filter(call_id=call_id).delete()
    ScoreBin.objects.bulk_create(ScoreBin(call_id=call_id, bin=int(bin_), reviews=n) for bin_, n in rows)


def assignment_submission_sync(*, assignment_id: int) -> None:
    """Copy the review's submission time onto its assignment."""
    submitted_at = (
        Review.objects.filter(assignment_id=assignment_id, status=Review.Status.SUBMITTED)
        .values_list("submitted_at", flat=True)
        .first()
    )
    ReviewAssignment.objects.filter(pk=assignment_id).update(submitted_at=submitted_at)


def dashboard_counters_rebuild() -> None:
    """Recount everything (after bulk loads, or to repair)."""
    ReviewAssignment.objects.update(
        submitted_at=Subquery(
            Review.objects.filter(assignment_id=OuterRef("pk"), status=Review.Status.SUBMITTED).values(
                "submitted_at"
            )[:1]
        )
    )
    ReviewerLoad.objects.all().delete()
    loads = (
        ReviewAssignment.objects.filter(declined_at__isnull=True)
        .order_by()
        .values("call_id", "reviewer_id")
        .annotate(assigned=Count("id"), done=Count("id", filter=Q(submitted_at__isnull=False)))
    )
    ReviewerLoad.objects.bulk_create((ReviewerLoad(**row) for row in loads), batch_size=5000)
    ScoreBin.objects.all().delete()
    bins = (
        Review.objects.filter(status=Review.Status.SUBMITTED, weighted_score__isnull=False)
        .order_by()
        .annotate(bin=score_bin("weighted_score"))
        .values("assignment__call_id", "bin")
        .annotate(n=Count("id"))
    )
    ScoreBin.objects.bulk_create(
        ScoreBin(call_id=row["assignment__call_id"], bin=int(row["bin"]), reviews=row["n"]) for row in bins
    )
