"""Notices caused by events of the pipeline: stage and status changes, released decisions, new
review assignments. Every function here runs inside the caller's transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.urls import reverse

from incubator.models import TeamMembership
from pipeline.machines import Stage
from pipeline.models import Application, ApplicationStatus, ReviewAssignment, TransitionLog
from pipeline.models.applications import AWAITING_REVIEWS

from .. import selectors
from ..kinds import Kind
from .notices import Notice, in_russian, iso, notices_create, notices_to, stamp
from .settle import (
    application_review_reminders_settle,
    draft_reminders_settle,
    milestone_reminders_settle,
    milestone_review_notices_settle,
)

DECISION_STATUSES = frozenset({"accepted", "rejected", "waitlisted"})
DECISION_TRANSITIONS = frozenset({"accept", "reject", "waitlist"})
# Stage changes that only ever follow from a decision (admission on acceptance, leaving the
# pipeline when the last application is rejected): telling founders of them would tell them the
# decision before the managers release it.
DECISION_STAGE_TRANSITIONS = frozenset({"admit", "reject"})
# Application statuses founders hear of as they happen (their own submission and withdrawal are
# a receipt for the whole team).
ANNOUNCED_STATUSES = frozenset({"submitted", "in_review", "withdrawn"})


def founders_by_startup(startup_ids: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
    """(user id, e-mail) of the active team members of each startup, in one query."""
    team: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rows = (
        TeamMembership.objects.filter(startup_id__in=set(startup_ids), user__is_active=True)
        .order_by("startup_id", "user_id")
        .values_list("startup_id", "user_id", "user__email")
    )
    for startup_id, user_id, email in rows:
        team[startup_id].append((user_id, email))
    return team


def _is_held(log: TransitionLog) -> bool:
    if log.machine == TransitionLog.Machine.APPLICATION:
        return log.target in DECISION_STATUSES
    cause = getattr(log, "caused_by", None)
    if cause is not None and cause.transition in DECISION_TRANSITIONS:
        return True
    return log.transition in DECISION_STAGE_TRANSITIONS


def notify_transition(*, log: TransitionLog) -> list[int]:
    """Tell the startup's founders of a stage change or an application status change just
    recorded. Decisions, and the stage changes that follow from them, are held back until a
    manager releases them (``notify_decisions_released``). Returns the new outbox row ids."""
    if log.machine == TransitionLog.Machine.MILESTONE:
        from .portfolio import notify_milestone_transition

        if log.transition in ("submit", "accept", "miss"):  # no evidence is owed any more
            milestone_reminders_settle(milestone_id=log.milestone_id, startup_id=log.startup_id)
        if log.source == "submitted":  # the evidence was reviewed: nobody else need look at it
            milestone_review_notices_settle(milestone_id=log.milestone_id)
        return notify_milestone_transition(log=log)
    if log.machine == TransitionLog.Machine.APPLICATION:
        if log.source == ApplicationStatus.DRAFT:
            draft_reminders_settle(application_id=log.application_id, startup_id=log.startup_id)
        elif log.source in AWAITING_REVIEWS and log.target not in AWAITING_REVIEWS:
            application_review_reminders_settle(application_id=log.application_id)
            _notify_reviews_closed(log)
    if _is_held(log):
        return []
    if log.machine == TransitionLog.Machine.APPLICATION and log.target not in ANNOUNCED_STATUSES:
        return []
    startup = log.startup
    context = {
        "startup": startup.name,
        "source": log.source,
        "target": log.target,
        "source_label": log.source_label,
        "target_label": log.target_label,
        "changed_at": iso(log.created_at),
    }
    if log.machine == TransitionLog.Machine.STARTUP:
        # Being dropped is a decision about the startup: its founders hear of it whatever they
        # chose to hear of stage changes.
        kind = Kind.STARTUP_DROPPED if log.target == Stage.EXITED else Kind.STAGE_CHANGED
        prefix, path = "stage", reverse("startup-detail", args=[startup.pk])
    else:
        kind, prefix = Kind.APPLICATION_STATUS, "application"
        path = reverse("application-detail", args=[log.application_id])
        context["call"] = log.application.call.title
        context.update(in_russian(call=log.application.call.title_ru))
    notices = notices_to(
        kind=kind,
        recipients=founders_by_startup([startup.pk]).get(startup.pk, []),
        key=f"{prefix}:{log.pk}",
        path=path,
        context=context,
    )
    if log.machine == TransitionLog.Machine.STARTUP:
        # The startup's mentors follow its stage as the founders do.
        notices += notices_to(
            kind=Kind.MENTEE_STAGE_CHANGED,
            recipients=selectors.startup_mentors(startup.pk),
            key=f"mentee-stage:{log.pk}",
            path=path,
            context=context,
        )
    return notices_create(notices=notices)


def _notify_reviews_closed(log: TransitionLog) -> list[int]:
    """Reviewers still owing a review of the application learn it is no longer needed: not why
    (a decision may be held), only that reviews are closed."""
    from pipeline.models import ReviewAssignment

    owing = (
        ReviewAssignment.objects.filter(application_id=log.application_id, declined_at__isnull=True)
        .exclude(review__status="submitted")
        .values_list("reviewer_id", "reviewer__email")
    )
    context = {
        "startup": log.startup.name,
        "call": log.application.call.title,
        **in_russian(call=log.application.call.title_ru),
        "closed_at": iso(log.created_at),
    }
    path = reverse("review-form", args=[log.application_id])
    return notices_create(
        notices=notices_to(
            kind=Kind.REVIEWS_CLOSED,
            recipients=owing,
            key=f"reviews-closed:{log.pk}",
            path=path,
            context=context,
        )
    )


def notify_decisions_released(*, application_ids: list[int]) -> list[int]:
    """Tell the founders of each application its decision (accepted, rejected or waitlisted).
    Call it inside the transaction that sets ``decision_released_at``. Releasing the same
    decision again tells nobody twice; a later, different decision is told anew. Returns the new
    outbox row ids."""
    applications = list(
        Application.objects.filter(
            pk__in=application_ids, status__in=DECISION_STATUSES, decision_released_at__isnull=False
        ).select_related("startup", "call")
    )
    team = founders_by_startup(application.startup_id for application in applications)
    notices = []
    for application in applications:
        path = reverse("application-detail", args=[application.pk])
        decided = application.decided_at or application.decision_released_at
        context = {
            "startup": application.startup.name,
            "call": application.call.title,
            **in_russian(call=application.call.title_ru),
            "status": application.status,
            "status_label": str(application.get_status_display()),
            "decided_at": iso(decided),
        }
        for user_id, email in team.get(application.startup_id, []):
            notices.append(
                Notice(
                    kind=Kind.DECISION_RELEASED,
                    recipient_id=user_id,
                    email=email,
                    dedup_key=f"decision:{application.pk}:{application.status}:{stamp(decided)}:u{user_id}",
                    path=path,
                    context=context,
                )
            )
    return notices_create(notices=notices)


def notify_review_assigned(*, assignment_id: int) -> list[int]:
    """Tell a reviewer of a new assignment. Call it inside the transaction that creates the
    assignment. Returns the new outbox row ids (none for a declined assignment or an inactive
    reviewer)."""
    assignment = (
        ReviewAssignment.objects.select_related("reviewer", "application__startup", "application__call")
        .filter(pk=assignment_id, declined_at__isnull=True, reviewer__is_active=True)
        .first()
    )
    if assignment is None:
        return []
    application = assignment.application
    notice = Notice(
        kind=Kind.REVIEW_ASSIGNED,
        recipient_id=assignment.reviewer_id,
        email=assignment.reviewer.email,
        dedup_key=f"review-assigned:{assignment.pk}:u{assignment.reviewer_id}",
        path=reverse("review-form", args=[application.pk]),
        context={
            "startup": application.startup.name,
            "call": application.call.title,
            **in_russian(call=application.call.title_ru),
            "due_at": iso(assignment.due_at),
        },
    )
    return notices_create(notices=[notice])


def notify_review_declined(*, assignment_id: int) -> list[int]:
    """Tell the call's managers (every cluster manager when the call names none) that a reviewer
    gave an application back: it needs someone else. Call it inside the transaction that records
    the decline. Returns the new outbox row ids."""
    from .. import selectors

    assignment = (
        ReviewAssignment.objects.select_related("reviewer", "application__startup", "application__call")
        .filter(pk=assignment_id, declined_at__isnull=False)
        .first()
    )
    if assignment is None:
        return []
    application = assignment.application
    managers = selectors.call_managers([application.call_id]).get(application.call_id) or (
        selectors.cluster_managers()
    )
    context = {
        "startup": application.startup.name,
        "call": application.call.title,
        **in_russian(call=application.call.title_ru),
        "reviewer": assignment.reviewer.full_name or assignment.reviewer.email,
        "reason": assignment.decline_reason,
        "conflict": assignment.declined_for_conflict,
    }
    path = reverse("manage-call", args=[application.call.slug])
    return notices_create(
        notices=notices_to(
            kind=Kind.REVIEW_DECLINED,
            recipients=managers,
            key=f"review-declined:{assignment.pk}",
            path=path,
            context=context,
        )
    )
