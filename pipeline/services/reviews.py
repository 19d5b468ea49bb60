"""Reviews, the rubric they are scored against, decisions on the ranking, and their release."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from incubator.models import Call, Criterion, User

from ..exceptions import GuardFailed, TransitionError, TransitionNotAvailable
from ..models import Application, ApplicationStatus, Review, ReviewAssignment, ReviewScore
from ..models.applications import HELD_DECISION, accepted_in_call
from ..scoring import CriterionScore, weighted_score
from .transitions import application_transition


class ReviewError(Exception):
    def __init__(
        self, message: str, *, field_errors: dict[str, str] | None = None, code: str = "review_closed"
    ):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}
        self.code = code


def rubric_locked_since(call: Call) -> datetime | None:
    """When the first review of the call was submitted; from then on the rubric is fixed."""
    first = (
        Review.objects.filter(assignment__application__call=call, submitted_at__isnull=False)
        .order_by("submitted_at")
        .values_list("submitted_at", flat=True)
        .first()
    )
    return first


def rubric_lock_reason(call: Call) -> str | None:
    """Why the call's criteria can no longer change, or None while they can."""
    locked = rubric_locked_since(call)
    if not locked:
        return None
    return _(
        "The rubric is locked: the first review was submitted on %(date)s, and changing the "
        "criteria now would make reviews incomparable."
    ) % {"date": formats.date_format(timezone.localtime(locked), "DATETIME_FORMAT")}


def _rubric_editable(call: Call) -> None:
    reason = rubric_lock_reason(call)
    if reason:
        raise ReviewError(reason)


def criteria_name_clash(criteria: Iterable[dict]) -> str | None:
    """What is wrong when two of a rubric's criteria have the same name in either language (a
    page in either language must tell them apart), or None."""
    criteria = list(criteria)
    for name_field in ("name", "name_ru"):
        seen: set[str] = set()
        for data in criteria:
            key = " ".join(str(data.get(name_field) or "").split()).casefold()
            if key and key in seen:
                return _("Two criteria are called “%(name)s”: give each its own name.") % {
                    "name": data[name_field]
                }
            seen.add(key)
    return None


def rubric_version(call: Call) -> str:
    """A token that changes whenever the call's criteria change, to catch a rubric page opened
    before someone else's save (its rows are matched to the criteria by position)."""
    rows = call.criteria.order_by("position", "pk").values_list(
        "pk", "name", "name_ru", "guidance", "guidance_ru", "weight", "scale_min", "scale_max"
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()[:20]


@transaction.atomic
def rubric_save(
    *,
    call: Call,
    actor: User,
    criteria: list[dict],
    delete_ids: list[int] | None = None,
    expected_version: str | None = None,
) -> list[Criterion]:
    """Replace the call's criteria as edited on the rubric page (``id`` in a dict updates that
    criterion, no ``id`` adds one). Refused once a review has been submitted, and, given the
    ``rubric_version`` the page was opened with, once the criteria changed since."""
    if not actor.is_manager:
        raise PermissionDenied
    Call.objects.select_for_update().get(pk=call.pk)
    _rubric_editable(call)
    if expected_version is not None and expected_version != rubric_version(call):
        raise ReviewError(
            _(
                "Someone changed the rubric after you opened this page. Nothing was saved: your "
                "changes are still below. Copy what you need, reload the page and make them again."
            ),
            code="stale",
        )
    problem = criteria_name_clash(criteria)
    if problem:
        raise ReviewError(problem)
    if delete_ids:
        Criterion.objects.filter(call=call, pk__in=delete_ids).delete()
    saved = []
    for position, data in enumerate(criteria):
        data = dict(data)
        pk = data.pop("id", None)
        criterion = Criterion.objects.get(call=call, pk=pk) if pk else Criterion(call=call)
        for name, value in data.items():
            setattr(criterion, name, value)
        criterion.position = position
        criterion.full_clean()
        criterion.save()
        saved.append(criterion)
    return saved


def review_deadline_passed(assignment: ReviewAssignment) -> bool:
    return timezone.now() > assignment.application.call.review_deadline


def review_version(review: Review | None) -> str:
    """A token that changes whenever the review is saved ("new" before its first save), to
    catch a form opened before the last save (another tab)."""
    return review.updated_at.isoformat() if review is not None else "new"


@transaction.atomic
def review_save(
    *,
    assignment: ReviewAssignment,
    actor: User,
    scores: dict[int, tuple[int | None, str]],
    comment_for_founders: str,
    confidential_note: str,
    recommendation: str,
    confidence: int | None,
    submit: bool,
    expected_version: str | None = None,
) -> Review:
    """Save the reviewer's draft or submit it. Submitting needs a score for every criterion, a
    recommendation and a confidence; a submitted review may be edited until the call's review
    deadline (it stays submitted and its weighted score is recomputed). Refused, with nothing
    saved, when the review changed since the reviewer's form was opened (``expected_version``)."""
    locked = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("application__call", "application__startup")
        .get(pk=assignment.pk)
    )
    if actor.pk != locked.reviewer_id:
        raise PermissionDenied
    if locked.is_declined:
        raise ReviewError(_("You declined this application; the review can no longer be changed."))
    call = locked.application.call
    if review_deadline_passed(locked):
        raise ReviewError(
            _("The review deadline passed on %(date)s; the review can no longer be changed.")
            % {"date": formats.date_format(timezone.localtime(call.review_deadline), "DATETIME_FORMAT")}
        )
    if not locked.application.reviews_open:
        # Reviewers learn a decision when the founders do.
        shown = locked.application.status_shown_to(actor)
        if shown == ApplicationStatus.IN_REVIEW:
            raise ReviewError(_("Reviews of this application are closed."))
        raise ReviewError(
            _("The application is “%(status)s”; reviews are closed.")
            % {"status": ApplicationStatus(shown).label}
        )
    if expected_version is not None and expected_version != review_version(
        Review.objects.filter(assignment=locked).first()
    ):
        raise ReviewError(
            _(
                "This review was saved somewhere else (another tab?) after you opened this page. "
                "Nothing was saved: what you wrote is still below. Copy what you need, reload the "
                "page and try again."
            ),
            code="stale",
        )
    criteria = list(call.criteria.all())
    review, _created = Review.objects.get_or_create(assignment=locked)
    was_submitted = review.status == Review.Status.SUBMITTED
    field_errors: dict[str, str] = {}
    for criterion in criteria:
        score, _comment = scores.get(criterion.pk, (None, ""))
        if score is not None and not criterion.scale_min <= score <= criterion.scale_max:
            field_errors[f"score_{criterion.pk}"] = _("Give a score from %(low)d to %(high)d.") % {
                "low": criterion.scale_min,
                "high": criterion.scale_max,
            }
        elif score is None and was_submitted:
            field_errors[f"score_{criterion.pk}"] = _("A submitted review keeps a score for every criterion.")
        elif score is None and submit:
            field_errors[f"score_{criterion.pk}"] = _("Score every criterion before submitting.")
    if submit or was_submitted:
        if not recommendation:
            field_errors["recommendation"] = (
                _("A submitted review keeps its recommendation.")
                if was_submitted
                else _("Choose a recommendation before submitting.")
            )
        if confidence is None:
            field_errors["confidence"] = (
                _("A submitted review keeps its confidence.")
                if was_submitted
                else _("Say how confident you are before submitting.")
            )
    if field_errors:
        raise ReviewError(
            _("The review is not saved: correct the fields marked below."), field_errors=field_errors
        )

    review.comment_for_founders = comment_for_founders.strip()
    review.confidential_note = confidential_note.strip()
    review.recommendation = recommendation or ""
    review.confidence = confidence
    for criterion in criteria:
        score, comment = scores.get(criterion.pk, (None, ""))
        if score is None:
            ReviewScore.objects.filter(review=review, criterion=criterion).delete()
        else:
            ReviewScore.objects.update_or_create(
                review=review, criterion=criterion, defaults={"score": score, "comment": comment.strip()}
            )
    if submit or was_submitted:
        value = weighted_score(
            CriterionScore(scores[c.pk][0], c.weight, c.scale_min, c.scale_max) for c in criteria
        )
        review.weighted_score = None if value is None else Decimal(str(round(value, 4)))
        if not was_submitted:
            review.status = Review.Status.SUBMITTED
            review.submitted_at = timezone.now()
    review.save()
    if submit and not was_submitted:
        from notifications.services import review_reminders_settle

        review_reminders_settle(assignment_id=locked.pk, reviewer_id=locked.reviewer_id)
    return review


@dataclass
class DecisionOutcome:
    done: list[Application] = field(default_factory=list)
    refused: list[tuple[Application, str]] = field(default_factory=list)


DECISIONS = {"accept": "accept", "reject": "reject", "waitlist": "waitlist"}


def applications_decide(
    *, applications: list[Application], decision: str, actor: User, reason: str = ""
) -> DecisionOutcome:
    """Accept, reject or waitlist each application through the transition service, each in its
    own transaction: one refusal (not enough reviews, no free place) does not undo the others."""
    if decision not in DECISIONS:
        raise ValueError(decision)
    outcome = DecisionOutcome()
    if decision == "accept":
        # Accepting one by one until the places run out would admit whichever came first, not
        # the ones the manager ranked highest: more than the free places refuses them all.
        too_many = _more_than_free_places(applications)
        if too_many:
            outcome.refused = [(application, too_many) for application in applications]
            return outcome
    for application in applications:
        try:
            outcome.done.append(
                application_transition(
                    application=application.pk,
                    name=DECISIONS[decision],
                    actor=actor,
                    reason=reason,
                    expected_status=application.status,
                )
            )
        except TransitionNotAvailable:
            # Say what the decision waits for, not which state machine refused it.
            outcome.refused.append((application, _undecidable(application)))
        except GuardFailed as error:
            # The guards speak of "this application": say which.
            outcome.refused.append((application, f"{application.startup.name}: {error}"))
        except TransitionError as error:
            outcome.refused.append((application, error.message))  # names the application itself
    return outcome


def _more_than_free_places(applications: list[Application]) -> str:
    """Why accepting all of ``applications`` cannot be done, or "" when their calls have room."""
    by_call: dict[int, list[Application]] = {}
    for application in applications:
        if application.status != ApplicationStatus.ACCEPTED:
            by_call.setdefault(application.call_id, []).append(application)
    for chosen in by_call.values():
        call = chosen[0].call
        taken = accepted_in_call(call.pk)
        free = max(call.capacity - taken, 0)
        if len(chosen) > free:
            chosen_text = ngettext(
                "You chose %(count)d application to accept in “%(call)s”,",
                "You chose %(count)d applications to accept in “%(call)s”,",
                len(chosen),
            ) % {"count": len(chosen), "call": call.title_text}
            free_text = ngettext(
                "which has %(free)d free place (%(taken)d of %(capacity)d taken).",
                "which has %(free)d free places (%(taken)d of %(capacity)d taken).",
                free,
            ) % {"free": free, "taken": taken, "capacity": call.capacity}
            advice = _(
                "Nothing was decided: untick those that should not get a place, "
                "or raise the call's places first."
            )
            return f"{chosen_text} {free_text} {advice}"
    return ""


def _undecidable(application: Application) -> str:
    status = application.get_status_display()
    if application.status in (ApplicationStatus.SUBMITTED,):
        return _(
            "%(startup)s: the application is “%(status)s” and has no reviews yet; it can be decided "
            "once it is in review (assign its reviewers first)."
        ) % {"startup": application.startup.name, "status": status}
    return _(
        "%(startup)s: the application is “%(status)s”; only applications in review are decided here."
    ) % {
        "startup": application.startup.name,
        "status": status,
    }


@transaction.atomic
def decisions_release(*, call: Call, actor: User) -> list[int]:
    """Show every decision of the call not yet released to its founders, at once, and tell them."""
    if not actor.is_manager:
        raise PermissionDenied
    Call.objects.select_for_update().get(pk=call.pk)
    now = timezone.now()
    ids = list(Application.objects.filter(HELD_DECISION, call=call).values_list("pk", flat=True))
    if not ids:
        return []
    Application.objects.filter(pk__in=ids).update(decision_released_at=now)
    Call.objects.filter(pk=call.pk).update(decisions_released_at=now)
    from notifications.services import notify_decisions_released

    notify_decisions_released(application_ids=ids)
    return ids
