"""Reviewers' queues and the managers' ranking."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from incubator.models import Call, User
from incubator.params import id_from

from ..models import Application, ApplicationStatus, Review, ReviewAssignment
from ..models.applications import AWAITING_REVIEWS
from ..scoring import ScoredReview, application_scores
from .startups import DUE_SOON


def reviewer_queue(user: User) -> QuerySet[ReviewAssignment]:
    """The reviewer's assignments, soonest due first, with what each row shows."""
    return (
        ReviewAssignment.objects.filter(reviewer=user)
        .select_related("application__startup", "application__call", "review")
        .order_by("declined_at", "due_at", "pk")
    )


def assignment_for_reviewer(user: User, application_id: int) -> ReviewAssignment:
    """The user's live assignment to the application; 404 when they are not (or no longer)
    assigned, so application ids reveal nothing to other reviewers."""
    assignment = (
        ReviewAssignment.objects.select_related(
            "application__startup__therapeutic_area", "application__call", "review"
        )
        .filter(reviewer=user, application_id=application_id, declined_at__isnull=True)
        .first()
    )
    if assignment is None:
        raise Http404
    return assignment


def other_reviews_for_reviewer(assignment: ReviewAssignment) -> list[Review]:
    """Other reviewers' submitted reviews of the same application, when this reviewer may see
    them: with blind review only after submitting their own. Never with reviewer names (the
    template numbers them) and never with confidential notes (the template leaves them out)."""
    own = getattr(assignment, "review", None)
    own_submitted = own is not None and own.status == Review.Status.SUBMITTED
    if assignment.application.call.blind_review and not own_submitted:
        return []
    return list(
        Review.objects.filter(
            assignment__application_id=assignment.application_id, status=Review.Status.SUBMITTED
        )
        .exclude(assignment=assignment)
        .prefetch_related("scores__criterion")
        .order_by("submitted_at", "pk")
    )


@dataclass
class RankingRow:
    application: Application
    assigned: int
    declined: int
    completed: int
    mean: float | None
    normalised: float | None
    spread: float | None
    flagged: bool
    recommendations: Counter = field(default_factory=Counter)
    rank: int = 0
    # Submitted reviews by reviewers who have a conflict with the startup now (declared after
    # reviewing, or an affiliation added since): they count, and the managers see them marked.
    conflicted: int = 0

    @property
    def recommendation_list(self) -> list[tuple[str, int]]:
        labels = dict(Review.Recommendation.choices)
        return [(str(labels.get(key, key)), n) for key, n in sorted(self.recommendations.items())]

    @property
    def enough_reviews(self) -> bool:
        return self.completed >= self.application.call.min_reviews


# The score orders rank first the applications with the call's minimum of completed reviews: a
# score from one review (normalised against a reviewer's two or three others) is no basis for a
# place at the top.
SORT_KEYS = {
    "normalised": lambda row: (not row.enough_reviews, row.normalised is None, -(row.normalised or 0)),
    "mean": lambda row: (not row.enough_reviews, row.mean is None, -(row.mean or 0)),
    "spread": lambda row: (row.spread is None, -(row.spread or 0)),
    "completed": lambda row: -row.completed,
    "name": lambda row: row.application.startup.name.lower(),
    "status": lambda row: row.application.status,
}


def conflicted_reviews(reviews: list[tuple[int, int]], startup_of: dict[int, int]) -> Counter:
    """Of the (reviewer id, application id) pairs, how many per application are by a reviewer
    with a conflict of interest with the application's startup today. Five queries."""
    reviewer_ids = {reviewer for reviewer, _application in reviews}
    if not reviewer_ids:
        return Counter()
    from ..services.conflicts import ConflictIndex

    index = ConflictIndex.build(
        reviewers=User.objects.filter(pk__in=reviewer_ids).only("pk", "organisation_id"),
        startup_ids=set(startup_of.values()),
    )
    return Counter(
        application
        for reviewer, application in reviews
        if application in startup_of and index.reason(reviewer, startup_of[application])
    )


def call_ranking(
    call: Call,
    *,
    sort: str = "normalised",
    status: str | None = None,
    flagged_only: bool = False,
    area_id: int | None = None,
) -> list[RankingRow]:
    """Every submitted application of the call with its scores, ranked by ``sort``. Three
    queries whatever the number of applications and reviews."""
    applications = list(
        Application.objects.filter(call=call)
        # Withdrawn applications are out of the running: their scores would only mislead.
        .exclude(status__in=["draft", "withdrawn"])
        .select_related("startup__therapeutic_area", "call")
        .annotate(
            n_assigned=Count("assignments", filter=Q(assignments__declined_at__isnull=True)),
            n_declined=Count("assignments", filter=Q(assignments__declined_at__isnull=False)),
        )
    )
    reviews = list(
        Review.objects.filter(
            assignment__application__call=call, status=Review.Status.SUBMITTED, weighted_score__isnull=False
        ).values_list(
            "assignment__reviewer_id", "assignment__application_id", "weighted_score", "recommendation"
        )
    )
    scores = application_scores([ScoredReview(r, a, float(s)) for r, a, s, _rec in reviews])
    conflicted = conflicted_reviews(
        [(reviewer, application_id) for reviewer, application_id, _s, _rec in reviews],
        {application.pk: application.startup_id for application in applications},
    )
    recommendations: dict[int, Counter] = {}
    for _reviewer, application_id, _score, recommendation in reviews:
        recommendations.setdefault(application_id, Counter())[recommendation] += 1
    threshold = float(call.disagreement_threshold)
    rows = []
    for application in applications:
        score = scores.get(application.pk)
        rows.append(
            RankingRow(
                application=application,
                assigned=application.n_assigned,
                declined=application.n_declined,
                completed=score.completed if score else 0,
                mean=score.mean if score else None,
                normalised=score.normalised if score else None,
                spread=score.spread if score else None,
                flagged=bool(score and score.flagged(threshold)),
                recommendations=recommendations.get(application.pk, Counter()),
                conflicted=conflicted.get(application.pk, 0),
            )
        )
    for rank, row in enumerate(sorted(rows, key=SORT_KEYS["normalised"]), start=1):
        row.rank = rank
    if status:
        rows = [row for row in rows if row.application.status == status]
    if flagged_only:
        rows = [row for row in rows if row.flagged]
    if area_id:
        rows = [row for row in rows if row.application.startup.therapeutic_area_id == area_id]
    return sorted(rows, key=SORT_KEYS.get(sort, SORT_KEYS["normalised"]))


def is_pending(assignment: ReviewAssignment) -> bool:
    """The reviewer still owes this review: not submitted, not declined, reviews still open."""
    review = getattr(assignment, "review", None)
    done = review is not None and review.status == Review.Status.SUBMITTED
    return not done and assignment.declined_at is None and assignment.application.status in AWAITING_REVIEWS


def is_overdue(assignment: ReviewAssignment) -> bool:
    return is_pending(assignment) and assignment.due_at < timezone.now()


def is_due_soon(assignment: ReviewAssignment) -> bool:
    """Pending and due within ``DUE_SOON`` (not yet overdue)."""
    now = timezone.now()
    return is_pending(assignment) and now <= assignment.due_at < now + DUE_SOON


# The ranking leaves drafts and withdrawn applications out: no filter for them.
RANKED_STATUSES = [s for s in ApplicationStatus.choices if s[0] not in ("draft", "withdrawn")]


def ranking_filters(params) -> dict:
    """The ranking's filters and order from a query string, as ``selectors.call_ranking`` takes
    them (the page and its CSV export alike); an unknown value is left out."""
    status = params.get("status") or None
    sort = params.get("sort") or "normalised"
    return {
        "sort": sort if sort in SORT_KEYS else "normalised",
        "status": status if status in {value for value, _label in RANKED_STATUSES} else None,
        "flagged_only": params.get("flagged") == "1",
        "area_id": id_from(params.get("area")),
    }
