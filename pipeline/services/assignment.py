"""Giving applications to reviewers: by hand, in bulk, and automatically."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from incubator.models import Call, ReviewerConflict, User

from ..models import Application, ApplicationStatus, Review, ReviewAssignment
from ..models.audit import REVIEWERS_ASSIGNED
from .conflicts import ConflictIndex
from .transitions import application_transition

ASSIGNABLE = [ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW]
DEFAULT_CAPACITY = 6


class AssignmentError(Exception):
    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.message = message
        # "gone": the assignment no longer exists (taken back in the meantime).
        self.code = code


def _require_manager(actor: User) -> None:
    if not (actor.is_active and actor.is_manager):
        raise PermissionDenied


def _capacity(reviewer: User) -> int:
    profile = getattr(reviewer, "reviewer_profile", None)
    return profile.capacity_per_call if profile is not None else DEFAULT_CAPACITY


def _expertise(reviewer: User) -> set[int]:
    profile = getattr(reviewer, "reviewer_profile", None)
    if profile is None:
        return set()
    return {area.pk for area in profile.expertise.all()}


def reviewers_queryset():
    return (
        User.objects.filter(is_mentor=True, is_active=True)
        .select_related("organisation", "reviewer_profile")
        .prefetch_related("reviewer_profile__expertise")
        .order_by("pk")
    )


def reviewer_loads(call: Call) -> Counter:
    """How many of the call's applications each reviewer reviews (declined ones not counted)."""
    return Counter(
        dict(
            ReviewAssignment.objects.filter(application__call=call, declined_at__isnull=True)
            .values_list("reviewer_id")
            .annotate(n=Count("id"))
        )
    )


def _start_review_if_needed(application: Application, actor: User) -> None:
    if application.status == ApplicationStatus.SUBMITTED:
        application_transition(
            application=application.pk,
            name="start_review",
            actor=actor,
            # Stored untranslated; pages show it in the reader's language (``TransitionLog.reason_text``).
            reason=REVIEWERS_ASSIGNED,
            expected_status=ApplicationStatus.SUBMITTED,
        )


def _announce(assignment: ReviewAssignment) -> None:
    from notifications.services import notify_review_assigned

    notify_review_assigned(assignment_id=assignment.pk)


@transaction.atomic
def assignment_create(
    *,
    application: Application,
    reviewer: User,
    actor: User,
    due_at: datetime | None = None,
    automatic: bool = False,
) -> ReviewAssignment:
    """Assign one reviewer to one application after checking status, role, conflicts of
    interest and the reviewer's capacity in the call. The application moves into review."""
    _require_manager(actor)
    # Assignments in one call take turns, so the capacity and duplicate checks below hold.
    list(Call.objects.select_for_update().filter(pk=application.call_id).values_list("pk", flat=True))
    application = Application.objects.select_related("call", "startup").get(pk=application.pk)
    if application.status not in ASSIGNABLE:
        raise AssignmentError(
            _("Only submitted applications get reviewers; %(startup)s's is “%(status)s”.")
            % {"startup": application.startup.name, "status": application.get_status_display()}
        )
    if not (reviewer.is_mentor and reviewer.is_active):
        raise AssignmentError(_("%(name)s is not an active reviewer.") % {"name": reviewer})
    reason = ConflictIndex.build(reviewers=[reviewer], startup_ids=[application.startup_id]).reason(
        reviewer.pk, application.startup_id
    )
    if reason:
        raise AssignmentError(
            _("%(name)s cannot review %(startup)s: %(reason)s.")
            % {"name": reviewer, "startup": application.startup.name, "reason": reason}
        )
    existing = ReviewAssignment.objects.filter(application=application, reviewer=reviewer).first()
    if existing is not None:
        if existing.is_declined:
            raise AssignmentError(
                _("%(name)s declined %(startup)s on %(date)s.")
                % {"name": reviewer, "startup": application.startup.name, "date": existing.declined_at.date()}
            )
        raise AssignmentError(
            _("%(name)s already reviews %(startup)s.")
            % {"name": reviewer, "startup": application.startup.name}
        )
    load = reviewer_loads(application.call)[reviewer.pk]
    capacity = _capacity(reviewer)
    if load >= capacity:
        raise AssignmentError(
            _("%(name)s already has %(load)d of at most %(capacity)d reviews in this call.")
            % {"name": reviewer, "load": load, "capacity": capacity}
        )
    deadline = application.call.review_deadline
    if deadline <= timezone.now():
        raise AssignmentError(
            _(
                "The call's review deadline passed on %(date)s: reviews are closed. "
                "Move the deadline to assign more."
            )
            % {"date": formats.date_format(timezone.localtime(deadline), "DATETIME_FORMAT")}
        )
    if due_at is not None and due_at <= timezone.now():
        raise AssignmentError(_("The review must be due later than now."))
    if due_at is not None and due_at > deadline:
        raise AssignmentError(
            _("A review is due by the call's review deadline, %(date)s, at the latest.")
            % {"date": formats.date_format(timezone.localtime(deadline), "DATETIME_FORMAT")}
        )
    assignment = ReviewAssignment.objects.create(
        application=application,
        reviewer=reviewer,
        due_at=due_at or deadline,
        assigned_by=actor,
        is_automatic=automatic,
    )
    _start_review_if_needed(application, actor)
    _announce(assignment)
    return assignment


@dataclass
class BulkOutcome:
    created: list[ReviewAssignment] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def assignments_create_bulk(
    *, applications: list[Application], reviewers: list[User], actor: User, due_at: datetime | None = None
) -> BulkOutcome:
    """Assign every reviewer to every application; each pair succeeds or is refused on its own."""
    _require_manager(actor)
    outcome = BulkOutcome()
    for application in applications:
        for reviewer in reviewers:
            try:
                outcome.created.append(
                    assignment_create(application=application, reviewer=reviewer, actor=actor, due_at=due_at)
                )
            except AssignmentError as error:
                outcome.refused.append(error.message)
    return outcome


@transaction.atomic
def assignment_remove(*, assignment: ReviewAssignment, actor: User) -> None:
    """Take an application back from a reviewer, unless their review is already submitted."""
    _require_manager(actor)
    # The row lock review_save takes: a review being submitted right now is either in (and the
    # assignment stays) or waits until the assignment is gone.
    locked = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("reviewer")
        .filter(pk=assignment.pk)
        .first()
    )
    if locked is None:
        return
    review = Review.objects.filter(assignment=locked).first()
    if review is not None and review.status == review.Status.SUBMITTED:
        raise AssignmentError(
            _("%(name)s already submitted the review; it stays part of the results.")
            % {"name": locked.reviewer}
        )
    from notifications.services import review_reminders_settle

    review_reminders_settle(assignment_id=locked.pk, reviewer_id=locked.reviewer_id)
    locked.delete()


@transaction.atomic
def assignment_decline(
    *, assignment: ReviewAssignment, actor: User, reason: str, conflict: bool
) -> ReviewAssignment:
    """The reviewer gives an application back; with ``conflict`` it is also recorded as a declared
    conflict of interest, so no later assignment run picks them for this startup again."""
    if actor.pk != assignment.reviewer_id:
        raise PermissionDenied
    locked = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("application__startup")
        .filter(pk=assignment.pk)
        .first()
    )
    if locked is None:
        raise AssignmentError(
            _("The managers took this review back from you in the meantime; there is nothing to decline."),
            code="gone",
        )
    review = getattr(locked, "review", None)
    if review is not None and review.status == review.Status.SUBMITTED:
        raise AssignmentError(_("You already submitted this review; it can no longer be declined."))
    if locked.is_declined:
        return locked
    locked.declined_at = timezone.now()
    locked.decline_reason = reason.strip()
    locked.declined_for_conflict = conflict
    locked.save(update_fields=["declined_at", "decline_reason", "declined_for_conflict"])
    from notifications.services import notify_review_declined, review_reminders_settle

    review_reminders_settle(assignment_id=locked.pk, reviewer_id=locked.reviewer_id)
    notify_review_declined(assignment_id=locked.pk)
    if conflict:
        ReviewerConflict.objects.get_or_create(
            reviewer=actor, startup=locked.application.startup, defaults={"note": reason.strip()[:500]}
        )
    return locked


@dataclass
class Unfilled:
    application: Application
    missing: int
    reasons: dict[str, int]


@dataclass
class AutoAssignReport:
    created: list[ReviewAssignment] = field(default_factory=list)
    unfilled: list[Unfilled] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.unfilled


def plan_assignments(
    *,
    applications: list[Application],
    reviewers: list[User],
    k: int,
    taken: set[tuple[int, int]],
    active_count: Counter,
    load: Counter,
    index: ConflictIndex,
) -> tuple[list[tuple[Application, User]], list[Unfilled]]:
    """Decide who reviews what, without touching the database.

    Every application gets up to ``k`` active reviewers. A reviewer is eligible when not already
    on the application (``taken`` includes declined pairs), free of conflicts, and below their
    capacity. Applications with the fewest eligible reviewers are served first, so scarce experts
    go where they are needed; among eligible reviewers, experts in the startup's field come first,
    then the least loaded, then the lowest id, which makes the plan deterministic.
    """
    capacity = {r.pk: _capacity(r) for r in reviewers}
    expertise = {r.pk: _expertise(r) for r in reviewers}

    def eligible(application: Application) -> list[User]:
        return [
            r
            for r in reviewers
            if (application.pk, r.pk) not in taken
            and index.reason(r.pk, application.startup_id) is None
            and load[r.pk] < capacity[r.pk]
        ]

    order = sorted(applications, key=lambda a: (len(eligible(a)), a.pk))
    plan: list[tuple[Application, User]] = []
    unfilled: list[Unfilled] = []
    for application in order:
        missing = k - active_count[application.pk]
        while missing > 0:
            candidates = eligible(application)
            if not candidates:
                break
            area = application.startup.therapeutic_area_id
            chosen = min(candidates, key=lambda r: (area not in expertise[r.pk], load[r.pk], r.pk))
            plan.append((application, chosen))
            taken.add((application.pk, chosen.pk))
            load[chosen.pk] += 1
            missing -= 1
        if missing > 0:
            reasons: Counter = Counter()
            for r in reviewers:
                if (application.pk, r.pk) in taken:
                    reasons[_("already assigned or declined")] += 1
                elif index.reason(r.pk, application.startup_id):
                    reasons[_("conflict of interest")] += 1
                elif load[r.pk] >= capacity[r.pk]:
                    reasons[_("at capacity")] += 1
            unfilled.append(Unfilled(application=application, missing=missing, reasons=dict(reasons)))
    return plan, unfilled


@transaction.atomic
def assignments_auto(*, call: Call, actor: User) -> AutoAssignReport:
    """Give every submitted application of ``call`` its ``reviewers_per_application`` reviewers.
    Running it again adds only what is missing (a reviewer who declined is replaced)."""
    _require_manager(actor)
    Call.objects.select_for_update().get(pk=call.pk)  # one run per call at a time
    applications = list(
        Application.objects.filter(call=call, status__in=ASSIGNABLE).select_related("startup").order_by("pk")
    )
    reviewers = list(reviewers_queryset())
    pairs = list(
        ReviewAssignment.objects.filter(application__call=call).values_list(
            "application_id", "reviewer_id", "declined_at"
        )
    )
    taken = {(a, r) for a, r, _declined in pairs}
    active_count = Counter(a for a, _r, declined in pairs if declined is None)
    load = Counter(r for _a, r, declined in pairs if declined is None)
    index = ConflictIndex.build(reviewers=reviewers, startup_ids=[a.startup_id for a in applications])
    plan, unfilled = plan_assignments(
        applications=applications,
        reviewers=reviewers,
        k=call.reviewers_per_application,
        taken=taken,
        active_count=active_count,
        load=load,
        index=index,
    )
    report = AutoAssignReport(unfilled=unfilled)
    for application, reviewer in plan:
        assignment = ReviewAssignment.objects.create(
            application=application,
            reviewer=reviewer,
            due_at=call.review_deadline,
            assigned_by=actor,
            is_automatic=True,
        )
        report.created.append(assignment)
        _announce(assignment)
    for application in {a.pk: a for a, _r in plan}.values():
        _start_review_if_needed(application, actor)
    return report


def assignment_counts(call: Call) -> dict[int, dict[str, int]]:
    """Per application of the call: active and declined assignments, and submitted reviews."""
    rows = (
        ReviewAssignment.objects.filter(application__call=call)
        .values("application_id")
        .annotate(
            active=Count("id", filter=Q(declined_at__isnull=True)),
            declined=Count("id", filter=Q(declined_at__isnull=False)),
            done=Count("id", filter=Q(review__status="submitted")),
        )
    )
    return {row["application_id"]: row for row in rows}
