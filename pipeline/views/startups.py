from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from incubator.access import manager_required
from incubator.models import Startup, StartupNote, User
from incubator.selectors import startup_notes, startup_portfolio
from incubator.services.notes import (
    NoteError,
    can_keep_notes,
    can_remove_note,
    startup_note_add,
    startup_note_remove,
)
from incubator.services.portfolio import REPORTING_STAGES, can_steer
from incubator.services.startups import MENTORED_STAGES

from .. import selectors
from ..exceptions import TransitionError
from ..forms import StartupNoteForm, TransitionForm
from ..machines import OFF_RAMPS
from ..models.applications import admission_held
from ..refusals import refusal_in_its_form
from ..services import startup_transition, transition_options


@login_required
def startup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    startup = get_object_or_404(selectors.startups_visible_to(request.user), pk=pk)
    return _detail(request, startup)


def _detail(
    request: HttpRequest,
    startup,
    *,
    refused: dict | None = None,
    note_form: StartupNoteForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The startup's page; ``refused`` is a move that was not made (its name, what the person
    wrote and why it was refused), shown in its own form with what they wrote kept, as is a
    refused ``note_form``."""
    keeps_notes = can_keep_notes(startup, request.user)
    applications = list(selectors.applications_of_startup(startup))
    options = transition_options(startup, request.user) if request.user.is_manager else []
    refused = refusal_in_its_form(
        request, refused, options, kept_message=_("The reason you wrote: %(reason)s")
    )
    if request.user.is_manager:
        stage, timeline, statuses = startup.stage, list(selectors.startup_timeline(startup)), {}
    else:
        # Founders and mentors see decisions only once managers release them.
        view = selectors.founder_view(startup)
        stage, timeline, statuses = view.stage, view.logs, view.statuses
    return render(
        request,
        "pipeline/startup_detail.html",
        {
            "startup": startup,
            "stage": stage,
            "portfolio": startup_portfolio(startup, stage),
            "can_steer": can_steer(startup, request.user) and stage in REPORTING_STAGES,
            # A proposal may have waited while the startup moved on: it is decided in any stage.
            "can_decide_readiness": can_steer(startup, request.user),
            "left_pipeline": stage in OFF_RAMPS,
            "reports_expected": stage in REPORTING_STAGES,
            "this_month": timezone.localdate().replace(day=1),
            "today": timezone.localdate(),
            "is_team": startup.has_member(request.user),
            "options": options,
            "timeline": timeline,
            "applications": [
                (application, statuses.get(application.pk, application.status))
                for application in applications
            ],
            "refused": refused,
            "mentorships": startup.mentor_assignments.all(),
            "mentor_choices": _mentor_choices(startup) if request.user.is_manager else [],
            "keeps_notes": keeps_notes,
            "notes": list(startup_notes(startup)) if keeps_notes else [],
            "note_form": note_form or StartupNoteForm(),
        },
        status=status,
    )


def _mentor_choices(startup) -> list[User]:
    """The active mentors a manager may still give the startup: none outside the programme, nor
    while its admission is held (``mentor_assign`` refuses then)."""
    if startup.stage not in MENTORED_STAGES:
        return []
    if Startup.objects.filter(pk=startup.pk).annotate(held=admission_held()).filter(held=True).exists():
        return []
    return list(
        User.objects.filter(is_mentor=True, is_active=True)
        .exclude(pk__in=startup.mentor_ids() | startup.member_ids())
        .select_related("organisation")
        .order_by("full_name", "pk")
    )


@manager_required
@require_POST
def startup_transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    startup = get_object_or_404(selectors.startups_visible_to(request.user), pk=pk)
    form = TransitionForm(request.POST)
    refused = {
        "name": request.POST.get("transition", ""),
        "reason": request.POST.get("reason", ""),
        "override": bool(request.POST.get("override")),
    }
    if not form.is_valid():
        errors = [str(error) for field_errors in form.errors.values() for error in field_errors]
        return _detail(request, startup, refused={**refused, "errors": errors}, status=400)
    try:
        moved = startup_transition(
            startup=startup,
            name=form.cleaned_data["transition"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
            override=form.cleaned_data["override"],
            expected_stage=form.cleaned_data["expected_state"],
        )
    except TransitionError as error:
        # The page again, not a redirect: the reason typed stays in its box.
        startup = get_object_or_404(selectors.startups_visible_to(request.user), pk=startup.pk)
        return _detail(request, startup, refused={**refused, "errors": error.messages}, status=409)
    messages.success(
        request,
        _("%(startup)s: the stage is now “%(stage)s”.")
        % {"startup": moved.name, "stage": moved.get_stage_display()},
    )
    return redirect("startup-detail", pk=startup.pk)


@login_required
@require_POST
def startup_note_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    startup = get_object_or_404(selectors.startups_visible_to(request.user), pk=pk)
    if not can_keep_notes(startup, request.user):
        raise PermissionDenied
    form = StartupNoteForm(request.POST)
    if form.is_valid():
        try:
            startup_note_add(startup=startup, actor=request.user, body=form.cleaned_data["body"])
        except NoteError as error:
            form.add_error("body", error.message)
        else:
            messages.success(request, _("The note is added."))
            return redirect("startup-detail", pk=startup.pk)
    # The page again, not a redirect: what was written stays in its box.
    return _detail(request, startup, note_form=form, status=400)


@login_required
@require_POST
def startup_note_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(StartupNote.objects.select_related("startup"), pk=pk)
    startup = get_object_or_404(selectors.startups_visible_to(request.user), pk=note.startup_id)
    if not can_keep_notes(startup, request.user):
        raise Http404  # not even which notes exist, for the team that sees the startup
    if not can_remove_note(note, request.user):
        raise PermissionDenied
    startup_note_remove(note=note, actor=request.user)
    messages.success(request, _("The note is removed."))
    return redirect("startup-detail", pk=startup.pk)
