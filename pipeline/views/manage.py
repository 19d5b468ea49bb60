"""The managers' side of a call: assignment, rubric, ranking, decisions and their release."""

from django.contrib import messages
from django.db.models import Count, Q
from django.forms import formset_factory
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from incubator.access import manager_required
from incubator.models import Call, TherapeuticArea

from .. import selectors
from ..forms import BulkAssignForm, CriterionForm, DecisionForm
from ..models import Application, ApplicationStatus, ReviewAssignment
from ..models.applications import HELD_DECISION, accepted_in_call
from ..selectors.reviews import RANKED_STATUSES, ranking_filters
from ..services.assignment import (
    AssignmentError,
    assignment_counts,
    assignment_remove,
    assignments_auto,
    assignments_create_bulk,
    reviewer_loads,
    reviewers_queryset,
)
from ..services.conflicts import ConflictIndex
from ..services.reviews import (
    ReviewError,
    applications_decide,
    decisions_release,
    rubric_locked_since,
    rubric_save,
    rubric_version,
)


@manager_required
def call_list(request: HttpRequest) -> HttpResponse:
    calls = Call.objects.annotate(
        n_applications=Count("applications", filter=~Q(applications__status="draft")),
        n_drafts=Count("applications", filter=Q(applications__status="draft")),
        n_accepted=Count("applications", filter=Q(applications__status="accepted")),
    ).order_by("-opens_at")
    return render(request, "pipeline/manage/call_list.html", {"calls": calls})


def _keep(request: HttpRequest, key: str, values: dict[str, list[str]]) -> None:
    """What a refused bulk form held, for the page it redirects to (``_kept``)."""
    request.session[key] = values


def _query(values: dict[str, list[str]]) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, items in values.items():
        query.setlist(name, items)
    return query


def _kept(request: HttpRequest, key: str) -> tuple[dict[str, list[str]], set[int]]:
    """What ``_keep`` stored, once, and the application ids it held."""
    values = request.session.pop(key, None) or {}
    return values, {int(pk) for pk in values.get("applications", []) if str(pk).isdigit()}


@manager_required
def call_overview(request: HttpRequest, slug: str) -> HttpResponse:
    call = get_object_or_404(Call, slug=slug)
    applications = list(
        Application.objects.filter(call=call)
        .exclude(status=ApplicationStatus.DRAFT)
        .select_related("startup__therapeutic_area")
        .prefetch_related("assignments__reviewer", "assignments__review")
        .order_by("startup__name")
    )
    counts = assignment_counts(call)
    reviewers = reviewers_queryset()
    # After a refused assignment the ticks and the date come back, with any field's error.
    kept, kept_applications = _kept(request, f"kept-assignment-{call.pk}")
    assign_form = BulkAssignForm(
        _query(kept) if kept else None, call=call, reviewers=reviewers, loads=reviewer_loads(call)
    )
    if kept:
        assign_form.is_valid()
        assign_form.errors.pop("applications", None)  # said in the messages already
    return render(
        request,
        "pipeline/manage/call_overview.html",
        {
            "call": call,
            "applications": [(a, counts.get(a.pk, {})) for a in applications],
            "assign_form": assign_form,
            "kept_applications": kept_applications,
            "undecided_released": Application.objects.filter(HELD_DECISION, call=call).count(),
        },
    )


@manager_required
@require_POST
def call_auto_assign(request: HttpRequest, slug: str) -> HttpResponse:
    call = get_object_or_404(Call, slug=slug)
    report = assignments_auto(call=call, actor=request.user)
    messages.success(
        request,
        ngettext(
            "Automatic assignment made %(count)d new assignment.",
            "Automatic assignment made %(count)d new assignments.",
            len(report.created),
        )
        % {"count": len(report.created)},
    )
    for unfilled in report.unfilled:
        reasons = ", ".join(f"{reason}: {count}" for reason, count in sorted(unfilled.reasons.items()))
        messages.warning(
            request,
            ngettext(
                "%(startup)s still needs %(missing)d reviewer; no eligible reviewer is left (%(reasons)s).",
                "%(startup)s still needs %(missing)d reviewers; no eligible reviewer is left (%(reasons)s).",
                unfilled.missing,
            )
            % {
                "startup": unfilled.application.startup.name,
                "missing": unfilled.missing,
                "reasons": reasons or "—",
            },
        )
    return redirect("manage-call", slug=call.slug)


@manager_required
@require_POST
def call_assign(request: HttpRequest, slug: str) -> HttpResponse:
    call = get_object_or_404(Call, slug=slug)
    form = BulkAssignForm(request.POST, call=call, reviewers=reviewers_queryset())
    posted = {name: request.POST.getlist(name) for name in ("applications", "reviewers", "due_at")}
    if not form.is_valid():
        # The ticks of applications are in the table, not at a field: their error is a message;
        # the others are shown at their fields when the page comes back with the input.
        for error in form.errors.get("applications", []):
            messages.error(request, error)
        if any(name != "applications" for name in form.errors):
            messages.error(request, _("Nothing was assigned: correct the fields marked below."))
        _keep(request, f"kept-assignment-{call.pk}", posted)
        return redirect("manage-call", slug=call.slug)
    outcome = assignments_create_bulk(
        applications=list(form.cleaned_data["applications"]),
        reviewers=list(form.cleaned_data["reviewers"]),
        actor=request.user,
        due_at=form.cleaned_data["due_at"],
    )
    if outcome.created:
        messages.success(
            request,
            ngettext("%(count)d assignment made.", "%(count)d assignments made.", len(outcome.created))
            % {"count": len(outcome.created)},
        )
    # One message per reason: a due date past the deadline is refused for every pair alike.
    for message in dict.fromkeys(outcome.refused):
        messages.error(request, message)
    if outcome.refused:
        _keep(request, f"kept-assignment-{call.pk}", posted)
    return redirect("manage-call", slug=call.slug)


@manager_required
@require_POST
def assignment_unassign(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        ReviewAssignment.objects.select_related("application__call", "reviewer"), pk=pk
    )
    try:
        assignment_remove(assignment=assignment, actor=request.user)
    except AssignmentError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(name)s no longer reviews this application.") % {"name": assignment.reviewer}
        )
    return redirect("manage-call", slug=assignment.application.call.slug)


CriterionFormSet = formset_factory(CriterionForm, extra=1, can_delete=True)


@manager_required
@require_http_methods(["GET", "POST"])
def call_rubric(request: HttpRequest, slug: str) -> HttpResponse:
    call = get_object_or_404(Call, slug=slug)
    criteria = list(call.criteria.all())
    locked_since = rubric_locked_since(call)
    # Every field the form edits, so a save never blanks one the form did not start with.
    initial = [{name: getattr(c, name) for name in CriterionForm.Meta.fields} for c in criteria]
    formset = CriterionFormSet(request.POST or None, initial=initial, prefix="criteria")
    # The criteria as the page showed them: a save from an older page is refused, not matched
    # row by row to criteria that changed since.
    version = request.POST.get("rubric_version") if request.method == "POST" else rubric_version(call)
    if request.method == "POST" and not locked_since and formset.is_valid():
        kept, deleted = [], []
        for index, form in enumerate(formset.forms):
            existing = criteria[index] if index < len(criteria) else None
            if not form.has_changed() and existing is None:
                continue
            if form.cleaned_data.get("DELETE"):
                if existing is not None:
                    deleted.append(existing.pk)
                continue
            data = {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
            if existing is not None:
                data["id"] = existing.pk
            kept.append(data)
        try:
            saved = rubric_save(
                call=call, actor=request.user, criteria=kept, delete_ids=deleted, expected_version=version
            )
        except ReviewError as error:
            messages.error(request, error.message)
        else:
            if saved:
                messages.success(request, _("The rubric is saved."))
            else:
                messages.warning(
                    request,
                    _("The rubric has no criteria: reviewers cannot score applications until it has one."),
                )
            return redirect("manage-rubric", slug=call.slug)
    return render(
        request,
        "pipeline/manage/rubric.html",
        {
            "call": call,
            "formset": formset,
            "locked_since": locked_since,
            "criteria": criteria,
            "rubric_version": version or "",
        },
    )


@manager_required
@require_http_methods(["GET", "POST"])
def call_ranking(request: HttpRequest, slug: str) -> HttpResponse:
    call = get_object_or_404(Call, slug=slug)
    if request.method == "POST":
        form = DecisionForm(request.POST, call=call)
        if form.is_valid():
            outcome = applications_decide(
                applications=list(form.cleaned_data["applications"].select_related("startup")),
                decision=form.cleaned_data["decision"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
            if outcome.done:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d decision recorded. Founders see it once you release the decisions.",
                        "%(count)d decisions recorded. Founders see them once you release the decisions.",
                        len(outcome.done),
                    )
                    % {"count": len(outcome.done)},
                )
            # Each message names the application already; one shared by all is said once.
            for message in dict.fromkeys(message for _application, message in outcome.refused):
                messages.error(request, message)
            if outcome.refused:
                # The refused ones stay ticked, with the decision and the reason, to try again.
                _keep(
                    request,
                    f"kept-decision-{call.pk}",
                    {
                        "applications": [str(application.pk) for application, _message in outcome.refused],
                        "decision": [form.cleaned_data["decision"]],
                        "reason": [form.cleaned_data["reason"]],
                    },
                )
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            _keep(
                request,
                f"kept-decision-{call.pk}",
                {name: request.POST.getlist(name) for name in ("applications", "decision", "reason")},
            )
        return redirect(request.get_full_path())
    kept, kept_applications = _kept(request, f"kept-decision-{call.pk}")
    filters = ranking_filters(request.GET)
    if request.GET.get("status") and filters["status"] is None:
        messages.warning(
            request,
            _("There is no status “%(value)s” among the ranking’s, so all are shown.")
            % {"value": request.GET["status"]},
        )
    sort, status, area = filters["sort"], filters["status"], request.GET.get("area")
    rows = selectors.call_ranking(call, **filters)
    return render(
        request,
        "pipeline/manage/ranking.html",
        {
            "call": call,
            "rows": rows,
            "sort": sort,
            "status": status or "",
            "area": area or "",
            "flagged": filters["flagged_only"],
            # The ranking leaves drafts and withdrawn applications out: no filter for them.
            "statuses": RANKED_STATUSES,
            "areas": TherapeuticArea.objects.all(),
            "unreleased": Application.objects.filter(HELD_DECISION, call=call).count(),
            "places_taken": accepted_in_call(call.pk),
            "kept_applications": kept_applications,
            "kept_decision": (kept.get("decision") or [""])[0],
            "kept_reason": (kept.get("reason") or [""])[0],
        },
    )


@manager_required
@require_POST
def call_release(request: HttpRequest, slug: str) -> HttpResponse:
    call = get_object_or_404(Call, slug=slug)
    released = decisions_release(call=call, actor=request.user)
    if released:
        messages.success(
            request,
            ngettext(
                "%(count)d decision released: the founders see it now.",
                "%(count)d decisions released: the founders see them now.",
                len(released),
            )
            % {"count": len(released)},
        )
    else:
        messages.info(request, _("There was no decision waiting to be released."))
    return redirect("manage-ranking", slug=call.slug)


@manager_required
def application_review_summary(request: HttpRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(
        Application.objects.select_related("call", "startup__therapeutic_area"), pk=pk
    )
    assignments = list(
        application.assignments.select_related("reviewer__organisation", "review").prefetch_related(
            "review__scores__criterion"
        )
    )
    index = ConflictIndex.build(
        reviewers=[assignment.reviewer for assignment in assignments], startup_ids=[application.startup_id]
    )
    for assignment in assignments:
        # A conflict known today, whenever it was declared: the managers weigh the review knowing it.
        assignment.conflict = index.reason(assignment.reviewer_id, application.startup_id)
    return render(
        request,
        "pipeline/manage/application.html",
        {
            "application": application,
            "assignments": assignments,
            "criteria": application.call.criteria.all(),
            "documents": application.documents.order_by("uploaded_at", "pk"),
        },
    )
