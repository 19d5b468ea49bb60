"""The reviewer's side: the review form, declining, and the reviewer profile."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from incubator.access import role_required
from incubator.forms import ConflictForm, ReviewerProfileForm
from incubator.models import Criterion, ReviewerConflict, ReviewerProfile, Startup
from incubator.services import reviewer_conflict_declare, reviewer_conflict_remove

from .. import selectors
from ..forms import DeclineForm, ReviewForm
from ..models import ReviewAssignment
from ..selectors.reviews import is_due_soon, is_overdue, is_pending
from ..services.assignment import AssignmentError, assignment_decline
from ..services.reviews import ReviewError, review_deadline_passed, review_save

reviewer_required = role_required("mentor")


def _taken_back(request: HttpRequest, application_id: int) -> HttpResponse:
    """A review form sent after the managers took the assignment back: nothing is saved, and the
    reviewer gets back what they typed (their own text only) to copy."""
    posted = request.POST
    criterion_ids = [
        int(name.split("_", 1)[1])
        for name in posted
        if name.startswith(("score_", "comment_")) and name.split("_", 1)[1].isdigit()
    ]
    names = {
        criterion.pk: criterion.name_text
        for criterion in Criterion.objects.filter(pk__in=criterion_ids, call__applications=application_id)
    }
    typed = []
    for pk, name in sorted(names.items()):
        score, comment = posted.get(f"score_{pk}", "").strip(), posted.get(f"comment_{pk}", "").strip()
        if score or comment:
            typed.append({"label": name, "score": score, "text": comment})
    for field, label in (
        ("comment_for_founders", _("Comment for the founders")),
        ("confidential_note", _("Confidential note for the managers")),
    ):
        if posted.get(field, "").strip():
            typed.append({"label": label, "score": "", "text": posted[field].strip()})
    messages.error(
        request,
        _("The managers took this review back from you in the meantime, so nothing was saved."),
    )
    return render(request, "pipeline/review_taken_back.html", {"typed": typed}, status=409)


def _tell_about_reviews_in_conflict(request: HttpRequest, declared: list[ReviewerConflict]) -> None:
    """After conflicts are declared: what becomes of the reviewer's reviews they touch (the
    startup named, or the startups affiliated with the organisation named)."""
    startups = Q(pk__in=[c.startup_id for c in declared if c.startup_id]) | Q(
        affiliations__in=[c.organisation_id for c in declared if c.organisation_id]
    )
    touched = Startup.objects.filter(startups).values("pk")
    assignments = list(
        ReviewAssignment.objects.filter(
            reviewer=request.user, declined_at__isnull=True, application__startup__in=touched
        )
        .select_related("application__startup", "review")
        .order_by("application__startup__name")
    )
    for assignment in assignments:
        startup = assignment.application.startup
        review = getattr(assignment, "review", None)
        if review is not None and review.status == review.Status.SUBMITTED:
            messages.info(
                request,
                _("Your submitted review of %(startup)s stays; the managers see it marked with the conflict.")
                % {"startup": startup.name},
            )
        elif is_pending(assignment):
            messages.warning(
                request,
                _("You are still to review %(startup)s: decline that review from its page.")
                % {"startup": startup.name},
            )


@reviewer_required
@require_http_methods(["GET", "POST"])
def review_form(request: HttpRequest, application_id: int) -> HttpResponse:
    declined = ReviewAssignment.objects.filter(
        reviewer=request.user, application_id=application_id, declined_at__isnull=False
    ).first()
    if declined is not None:
        # A notice or a bookmark may still lead here: say what happened rather than "not found".
        messages.info(
            request,
            _("You declined this review on %(date)s.")
            % {"date": formats.date_format(timezone.localtime(declined.declined_at), "DATE_FORMAT")},
        )
        return redirect("mentor-home")
    try:
        assignment = selectors.assignment_for_reviewer(request.user, application_id)
    except Http404:
        if request.method == "POST" and "version" in request.POST:
            return _taken_back(request, application_id)
        raise
    application = assignment.application
    call = application.call
    criteria = list(call.criteria.all())
    review = getattr(assignment, "review", None)
    if request.method == "POST":
        form = ReviewForm(request.POST, criteria=criteria, blind=call.blind_review)
        if not form.is_valid():
            messages.error(request, _("Nothing was saved: correct the fields marked below."))
        else:
            try:
                review = review_save(
                    assignment=assignment,
                    actor=request.user,
                    scores=form.scores(),
                    comment_for_founders=form.cleaned_data["comment_for_founders"],
                    confidential_note=form.cleaned_data["confidential_note"],
                    recommendation=form.cleaned_data["recommendation"],
                    confidence=form.cleaned_data["confidence"],
                    submit="submit" in request.POST,
                    expected_version=form.cleaned_data["version"],
                )
            except ReviewError as error:
                for name, message in error.field_errors.items():
                    form.add_error(name, message)
                if not error.field_errors:
                    form.add_error(None, error.message)
                messages.error(request, error.message)
            else:
                if review.status == review.Status.SUBMITTED and "submit" not in request.POST:
                    messages.success(request, _("Your changes to the submitted review are saved."))
                elif review.status == review.Status.SUBMITTED:
                    messages.success(
                        request, _("Review submitted. You can edit it until the review deadline.")
                    )
                else:
                    messages.success(request, _("Draft saved."))
                return redirect("review-form", application_id=application.pk)
    else:
        form = ReviewForm(initial=ReviewForm.initial_from(review), criteria=criteria, blind=call.blind_review)
    return render(
        request,
        "pipeline/review_form.html",
        {
            "assignment": assignment,
            "application": application,
            "call": call,
            "review": review,
            "form": form,
            "documents": application.documents.all(),
            "team": [] if call.hide_founder_names else application.startup.memberships.select_related("user"),
            "others": selectors.other_reviews_for_reviewer(assignment),
            "closed": review_deadline_passed(assignment),
            "reviews_open": application.reviews_open,
            # Shown read-only once the review is closed: one query, in the rubric's order.
            "own_scores": []
            if review is None
            else review.scores.select_related("criterion").order_by("criterion__position", "criterion_id"),
            "overdue": is_overdue(assignment),
            "due_soon": is_due_soon(assignment),
        },
    )


@reviewer_required
@require_http_methods(["GET", "POST"])
def review_decline(request: HttpRequest, application_id: int) -> HttpResponse:
    assignment = selectors.assignment_for_reviewer(request.user, application_id)
    review = getattr(assignment, "review", None)
    if request.method == "GET" and review is not None and review.status == review.Status.SUBMITTED:
        # Said before a reason is typed, not after.
        messages.info(request, _("You already submitted this review; it can no longer be declined."))
        return redirect("review-form", application_id=application_id)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assignment_decline(
                assignment=assignment,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                conflict=form.cleaned_data["conflict"],
            )
        except AssignmentError as error:
            messages.error(request, error.message)
            if error.code == "gone":
                return redirect("mentor-home")
            return redirect("review-form", application_id=application_id)
        messages.success(request, _("You declined the review; the managers will find another reviewer."))
        return redirect("mentor-home")
    return render(request, "pipeline/review_decline.html", {"assignment": assignment, "form": form})


@reviewer_required
@require_http_methods(["GET", "POST"])
def reviewer_profile(request: HttpRequest) -> HttpResponse:
    profile, _created = ReviewerProfile.objects.get_or_create(user=request.user)
    # Each form reads the POST only when it was the one sent: a refused conflict declaration
    # must not show the profile emptied (saving that would wipe it).
    saving = request.method == "POST" and "save_profile" in request.POST
    form = ReviewerProfileForm(request.POST if saving else None, instance=profile, prefix="profile")
    conflict_form = ConflictForm(prefix="conflict")
    if saving and form.is_valid():
        form.save()
        messages.success(request, _("Your reviewer profile is saved."))
        return redirect("reviewer-profile")
    if request.method == "POST" and "declare" in request.POST:
        conflict_form = ConflictForm(request.POST, prefix="conflict")
        if conflict_form.is_valid():
            declared = reviewer_conflict_declare(reviewer=request.user, **conflict_form.cleaned_data)
            messages.success(request, _("The conflict of interest is recorded."))
            _tell_about_reviews_in_conflict(request, declared)
            return redirect("reviewer-profile")
    return render(
        request,
        "pipeline/reviewer_profile.html",
        {
            "form": form,
            "conflict_form": conflict_form,
            "conflicts": request.user.declared_conflicts.select_related("startup", "organisation"),
        },
    )


@reviewer_required
@require_POST
def conflict_remove(request: HttpRequest, pk: int) -> HttpResponse:
    conflict = get_object_or_404(ReviewerConflict, pk=pk, reviewer=request.user)
    reviewer_conflict_remove(conflict=conflict, actor=request.user)
    messages.success(request, _("The conflict of interest is removed."))
    return redirect("reviewer-profile")
