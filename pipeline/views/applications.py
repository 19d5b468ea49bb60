"""The founder's side of an application: draft, pitch deck, documents, submission, withdrawal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from incubator.models import Call, Startup
from incubator.params import id_from

from .. import selectors
from ..documents import METADATA_NOT_REMOVED, MetadataNotRemoved, pdf_download, without_metadata
from ..exceptions import TransitionConflict, TransitionError
from ..forms import ApplicationForm, DocumentForm, WithdrawForm
from ..models import Application, ApplicationDocument, ApplicationStatus, TransitionLog
from ..models.applications import REQUIRED_ANSWERS
from ..services import (
    ApplicationError,
    answers_locked_reason,
    application_create,
    application_transition,
    application_update,
    application_version,
    document_add,
    document_delete,
    documents_locked_reason,
)
from ..services.applications import ANSWER_FIELDS


def _team_application(request: HttpRequest, pk: int) -> Application:
    """An application of one of the user's startups; 404 for anyone else's."""
    application = (
        Application.objects.select_related("call", "startup")
        .filter(pk=pk, startup__memberships__user=request.user)
        .first()
    )
    if application is None:
        raise Http404
    return application


def _readable_application(request: HttpRequest, pk: int) -> Application:
    """For files: the team, managers, and reviewers assigned to the application (not declined)
    until the founders withdraw it."""
    user = request.user
    queryset = Application.objects.select_related("call", "startup")
    if not user.is_manager:
        queryset = queryset.filter(
            Q(startup__memberships__user=user)
            | (
                Q(assignments__reviewer=user, assignments__declined_at__isnull=True)
                & ~Q(status=ApplicationStatus.WITHDRAWN)
            )
        ).distinct()
    return get_object_or_404(queryset, pk=pk)


@login_required
@require_POST
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    call = get_object_or_404(Call, slug=slug)
    startup = Startup.objects.filter(
        pk=id_from(request.POST.get("startup")), memberships__user=request.user
    ).first()
    if startup is None:
        messages.error(request, _("Choose one of your startups, or create one first."))
        return redirect("call-detail", slug=call.slug)
    try:
        application = application_create(startup=startup, call=call, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("call-detail", slug=call.slug)
    return redirect("application-edit", pk=application.pk)


def _detail_context(application: Application, document_form: DocumentForm) -> dict:
    view = selectors.founder_view(application.startup)
    status = view.status_of(application)
    return {
        "application": application,
        # The page the document form is on, for the language switch of a refused upload's page.
        "return_to": reverse("application-detail", args=[application.pk]),
        "status": status,
        # The application's own changes and the startup's stage changes; milestones have theirs.
        "timeline": [
            log
            for log in view.logs
            if log.application_id == application.pk or log.machine == TransitionLog.Machine.STARTUP
        ],
        "feedback": selectors.feedback_for_founders(application),
        "documents": application.documents.all(),
        "document_form": document_form,
        "answers_locked": answers_locked_reason(application),
        "documents_locked": documents_locked_reason(application),
        "can_withdraw": status in ("draft", "submitted", "in_review", "waitlisted")
        and not application.decision_held,
    }


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _team_application(request, pk)
    return render(request, "pipeline/application_detail.html", _detail_context(application, DocumentForm()))


@login_required
@require_http_methods(["GET", "POST"])
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = _team_application(request, pk)
    locked = answers_locked_reason(application)
    if locked:
        messages.info(request, locked)
        return redirect("application-detail", pk=application.pk)
    if request.method == "GET":
        form = ApplicationForm(instance=application, initial={"version": application_version(application)})
        return _render_edit(request, application, form)

    form = ApplicationForm(request.POST, request.FILES, instance=Application.objects.get(pk=application.pk))
    if not form.is_valid():
        messages.error(request, _("Nothing was saved: correct the fields marked below."))
        return _render_edit(request, application, form)
    try:
        saved = application_update(
            application=application,
            actor=request.user,
            answers={name: form.cleaned_data[name] for name in ANSWER_FIELDS},
            pitch_deck=form.cleaned_data.get("new_pitch_deck"),
            expected_version=form.cleaned_data["version"],
        )
    except ApplicationError as error:
        if error.code == "locked":
            messages.info(request, error.message)
            return redirect("application-detail", pk=application.pk)
        form.add_error(None, error.message)
        return _render_edit(request, application, form)
    except ValidationError as error:
        form.add_error("new_pitch_deck", error)
        return _render_edit(request, application, form)

    if "submit" not in request.POST:
        messages.success(request, _("Draft saved. You can come back to it until the call closes."))
        return redirect("application-edit", pk=saved.pk)
    return _submit(request, saved)


def _submit(request: HttpRequest, application: Application) -> HttpResponse:
    """Fire the submit transition for a just-saved draft; on refusal, show the form again with
    every missing answer marked next to its field."""
    try:
        application_transition(
            application=application,
            name="submit",
            actor=request.user,
            expected_status=ApplicationStatus.DRAFT,
        )
    except TransitionConflict:
        messages.info(request, _("This application has already been submitted."))
        return redirect("application-detail", pk=application.pk)
    except TransitionError as error:
        data = request.POST.copy()
        data["version"] = application_version(application)  # the draft was just saved
        form = ApplicationForm(data, instance=application)
        form.is_valid()
        for name in ANSWER_FIELDS:
            value = getattr(application, name)
            if value is None or (isinstance(value, str) and not value.strip()):
                form.add_error(name, _("Required to submit."))
        if not application.pitch_deck:
            form.add_error("new_pitch_deck", _("Required to submit."))
        for name in form.errors:
            if name in form.fields:  # marked as the form's own validation marks a field
                widget = form.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"
        for message in error.messages:
            messages.error(request, message)
        messages.info(request, _("Your draft is saved; it is not submitted yet."))
        return _render_edit(request, application, form, status=400)
    # The page shows what comes next; the message only confirms what just happened.
    messages.success(request, _("The application is submitted."))
    return redirect("application-detail", pk=application.pk)


def _render_edit(request: HttpRequest, application: Application, form: ApplicationForm, status: int = 200):
    # The fields a submission needs: the page asks "submit for good?" only once they are filled,
    # so nobody confirms a submission that is then refused.
    needed = [name for name in REQUIRED_ANSWERS if name in form.fields]
    if not application.pitch_deck:
        needed.append("new_pitch_deck")
    return render(
        request,
        "pipeline/application_form.html",
        {"application": application, "form": form, "needed_for_submit": " ".join(needed)},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _team_application(request, pk)
    if application.decision_held:
        messages.error(
            request,
            _(
                "A decision on this application is being finalised; it can no longer be withdrawn. "
                "Write to the cluster office if you need to."
            ),
        )
        return redirect("application-detail", pk=application.pk)
    if application.status == ApplicationStatus.WITHDRAWN:
        # The back button, or a second tab: nothing left to do.
        messages.info(request, _("This application is already withdrawn."))
        return redirect("application-detail", pk=application.pk)
    form = WithdrawForm(request.POST or None, initial={"expected_state": application.status})
    if request.method == "POST" and form.is_valid():
        try:
            application_transition(
                application=application,
                name="withdraw",
                actor=request.user,
                reason=form.cleaned_data["reason"],
                expected_status=form.cleaned_data["expected_state"],
            )
        except TransitionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The application is withdrawn."))
        return redirect("application-detail", pk=application.pk)
    others_live = application.startup.applications.exclude(pk=application.pk).filter(
        status__in=["draft", "submitted", "in_review", "waitlisted"]
    )
    return render(
        request,
        "pipeline/application_withdraw.html",
        {"application": application, "form": form, "leaves_pipeline": not others_live.exists()},
    )


def _pdf_response(file, filename: str, *, blind: bool = False) -> HttpResponse:
    """The stored PDF as a download; for a reviewer from whom the call hides the founders'
    names (``blind``), a copy without the file's metadata, under a neutral name."""
    if blind:
        try:
            content = without_metadata(file)
        except MetadataNotRemoved:
            return HttpResponse(METADATA_NOT_REMOVED, status=409, content_type="text/plain; charset=utf-8")
    else:
        content = file.open("rb")
    return pdf_download(content, filename)


@login_required
def pitch_deck_download(request: HttpRequest, pk: int) -> HttpResponse:
    application = _readable_application(request, pk)
    if not application.pitch_deck:
        raise Http404
    if application.names_hidden_from(request.user):
        return _pdf_response(application.pitch_deck, "pitch-deck.pdf", blind=True)
    return _pdf_response(application.pitch_deck, application.pitch_deck_name or "pitch-deck.pdf")


@login_required
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(ApplicationDocument, pk=pk)
    application = _readable_application(request, document.application_id)
    if application.names_hidden_from(request.user):
        return _pdf_response(document.file, f"document-{document.pk}.pdf", blind=True)
    return _pdf_response(document.file, document.original_name or "document.pdf")


@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    application = _team_application(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document_add(
                application=application,
                actor=request.user,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
            )
        except (ApplicationError, ValidationError) as error:
            messages.error(request, getattr(error, "message", None) or " ".join(error.messages))
        else:
            messages.success(request, _("The document is added."))
            return redirect("application-detail", pk=application.pk)
    else:
        messages.error(request, _("The document was not added: correct the fields marked below."))
    return render(request, "pipeline/application_detail.html", _detail_context(application, form), status=400)


@login_required
@require_POST
def document_remove(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(
        ApplicationDocument.objects.select_related("application"),
        pk=pk,
        application__startup__memberships__user=request.user,
    )
    try:
        document_delete(document=document, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The document is removed."))
    return redirect("application-detail", pk=document.application_id)
