"""Portfolio pages: milestones and evidence, readiness changes, investment-readiness reviews,
monthly reports, the funding ledger, and the managers' portfolio overview."""

from collections.abc import Iterator
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from notifications.selectors import startup_mentors
from pipeline.documents import pdf_download
from pipeline.exceptions import TransitionError
from pipeline.machines import PROGRAMME_LEFT
from pipeline.models.applications import admission_held
from pipeline.refusals import refusal_in_its_form
from pipeline.services import milestone_transition, permitted_transitions
from pipeline.views.dashboard import csv_response, fixed

from .. import selectors
from ..access import manager_required
from ..forms import (
    EvidenceForm,
    FundingForm,
    InvestmentReviewForm,
    KpiReportForm,
    MilestoneEditForm,
    MilestoneForm,
    ReadinessForm,
)
from ..models import (
    FundingRecord,
    FundingTranche,
    KpiReport,
    Milestone,
    MilestoneEvidence,
    ReadinessChange,
    Startup,
)
from ..months import month_in_text
from ..services.portfolio import (
    PortfolioError,
    can_see_portfolio,
    can_steer,
    funding_record_create,
    funding_record_void,
    funding_tranche_cancel,
    funding_tranche_mark_paid,
    investment_review_create,
    kpi_period_problem,
    kpi_report_submit,
    kpi_report_version,
    kpi_reporting_problem,
    milestone_create,
    milestone_evidence_add,
    milestone_evidence_remove,
    milestone_remove,
    milestone_update,
    readiness_change_confirm,
    readiness_change_record,
    readiness_proposal_waiting,
    readiness_proposal_withdraw,
)


def _portfolio_startup(request: HttpRequest, pk: int, *, readiness: bool = False) -> Startup:
    """A startup whose portfolio the user may see (team, mentors, managers); 404 otherwise.
    While its admission is held, founders and mentors see only its readiness history."""
    startup = (
        Startup.objects.prefetch_related("memberships", "mentor_assignments")
        .annotate(admission_held=admission_held())
        .filter(pk=pk)
        .first()
    )
    if startup is None or not can_see_portfolio(startup, request.user):
        raise Http404
    if startup.admission_held and not readiness and not request.user.is_manager:
        raise Http404
    return startup


def _steered_startup(request: HttpRequest, pk: int) -> Startup:
    startup = _portfolio_startup(request, pk)
    if not can_steer(startup, request.user):
        raise PermissionDenied
    return startup


def _pdf(file, name: str) -> FileResponse:
    return pdf_download(file.open("rb"), name)


@login_required
@require_http_methods(["GET", "POST"])
def milestone_new(request: HttpRequest, pk: int) -> HttpResponse:
    startup = _steered_startup(request, pk)
    form = MilestoneForm(
        request.POST or None,
        startup=startup,
        initial={"stage": "incubation" if startup.stage == "incubation" else "acceleration"},
    )
    if request.method == "POST" and form.is_valid():
        milestone = milestone_create(startup=startup, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The milestone “%(title)s” is set.") % {"title": milestone.title})
        return redirect("startup-detail", pk=startup.pk)
    return render(request, "incubator/portfolio/milestone_form.html", {"startup": startup, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone, pk=pk)
    startup = _steered_startup(request, milestone.startup_id)
    fields = ["title", "due_on", "description", "required_evidence"]
    form = MilestoneEditForm(
        request.POST or None, milestone=milestone, initial={name: getattr(milestone, name) for name in fields}
    )
    if request.method == "POST" and form.is_valid():
        try:
            milestone_update(milestone=milestone, actor=request.user, **form.cleaned_data)
        except PortfolioError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("The milestone “%(title)s” is saved.") % {"title": form.cleaned_data["title"]}
            )
            return redirect("milestone-detail", pk=milestone.pk)
    return render(
        request,
        "incubator/portfolio/milestone_edit.html",
        {"startup": startup, "milestone": milestone, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def milestone_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone, pk=pk)
    startup = _steered_startup(request, milestone.startup_id)
    try:
        milestone_remove(milestone=milestone, actor=request.user)
    except PortfolioError as error:
        messages.error(request, error.message)
        return redirect("milestone-detail", pk=milestone.pk)
    messages.success(request, _("The milestone “%(title)s” is removed.") % {"title": milestone.title})
    return redirect("startup-detail", pk=startup.pk)


def _milestone_page(
    request: HttpRequest,
    milestone: Milestone,
    startup: Startup,
    form: EvidenceForm,
    *,
    refused: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    """The milestone's page; ``refused`` keeps a refused status change's name and the reason
    typed, so the form shows it again instead of losing it."""
    can_change_evidence = (
        startup.has_member(request.user)
        and startup.stage not in PROGRAMME_LEFT
        and milestone.status in (Milestone.Status.PLANNED, Milestone.Status.IN_PROGRESS)
    )
    options = permitted_transitions(milestone, request.user)
    evidence = list(milestone.evidence.select_related("uploaded_by"))
    evidence_exists = bool(evidence)
    refused = refusal_in_its_form(
        request, refused, options, kept_message=_("The comment you wrote: %(reason)s")
    )
    return render(
        request,
        "incubator/portfolio/milestone_detail.html",
        {
            "milestone": milestone,
            "return_to": reverse("milestone-detail", args=[milestone.pk]),
            "startup": startup,
            "evidence": evidence,
            "history": milestone.transition_logs.select_related("actor").order_by("created_at"),
            "options": options,
            "form": form,
            "can_add_evidence": can_change_evidence,
            "can_remove_evidence": can_change_evidence,
            "can_edit": can_steer(startup, request.user)
            and startup.stage not in PROGRAMME_LEFT
            and milestone.status != Milestone.Status.ACCEPTED,
            # Only one nothing happened to (see milestone_remove).
            "can_remove": can_steer(startup, request.user)
            and startup.stage not in PROGRAMME_LEFT
            and milestone.status == Milestone.Status.PLANNED
            and not evidence_exists,
            "refused": refused,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def milestone_detail(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone.objects.select_related("startup"), pk=pk)
    startup = _portfolio_startup(request, milestone.startup_id)
    milestone.startup = startup
    form = EvidenceForm()
    status = 200
    if request.method == "POST":
        form = EvidenceForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            try:
                milestone_evidence_add(
                    milestone=milestone,
                    actor=request.user,
                    note=form.cleaned_data["note"],
                    upload=form.cleaned_data["file"],
                )
            except PermissionDenied:
                raise
            except PortfolioError as error:
                messages.error(request, error.message)
                milestone.refresh_from_db(fields=["status"])
                status = 409
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("The evidence is added. Submit it when it is complete."))
                return redirect("milestone-detail", pk=milestone.pk)
    return _milestone_page(request, milestone, startup, form, status=status)


@login_required
@require_POST
def milestone_transition_view(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_object_or_404(Milestone.objects.select_related("startup"), pk=pk)
    startup = _portfolio_startup(request, milestone.startup_id)
    milestone.startup = startup
    name = request.POST.get("transition", "")
    reason = request.POST.get("reason", "")[:2000]
    try:
        moved = milestone_transition(
            milestone=milestone,
            name=name,
            actor=request.user,
            reason=reason,
            expected_status=request.POST.get("expected_state") or None,
        )
    except TransitionError as error:
        # The page again, not a redirect: the comment typed stays in its box.
        milestone.refresh_from_db(fields=["status"])
        refused = {"name": name, "reason": reason, "errors": error.messages}
        return _milestone_page(request, milestone, startup, EvidenceForm(), refused=refused, status=409)
    messages.success(
        request, _("The milestone is now “%(status)s”.") % {"status": moved.get_status_display()}
    )
    return redirect("milestone-detail", pk=milestone.pk)


@login_required
@require_POST
def evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(MilestoneEvidence, pk=pk)
    _portfolio_startup(request, evidence.startup_id)
    try:
        milestone_evidence_remove(evidence=evidence, actor=request.user)
    except PortfolioError as error:
        messages.error(request, error.message)
    else:
        if evidence.file:
            message = _("“%(name)s” is removed from the evidence.") % {"name": evidence.original_name}
        else:
            message = _("The note is removed from the evidence.")
        messages.success(request, message)
    return redirect("milestone-detail", pk=evidence.milestone_id)


@login_required
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(MilestoneEvidence, pk=pk)
    _portfolio_startup(request, evidence.startup_id)
    if not evidence.file:
        raise Http404
    return _pdf(evidence.file, evidence.original_name)


@login_required
@require_http_methods(["GET", "POST"])
def readiness_new(request: HttpRequest, pk: int) -> HttpResponse:
    startup = _portfolio_startup(request, pk, readiness=True)
    steering = can_steer(startup, request.user)
    if not (steering or startup.has_member(request.user)):
        raise PermissionDenied
    # A founder's proposal waits alone (see readiness_change_record): say so before any typing.
    waiting = None if steering else readiness_proposal_waiting(startup)
    form = ReadinessForm(
        request.POST or None,
        request.FILES or None,
        startup=startup,
        initial={"trl": startup.trl, "phase": startup.development_phase},
    )
    if request.method == "POST" and form.is_valid():
        try:
            change = readiness_change_record(
                startup=startup,
                actor=request.user,
                trl=form.cleaned_data["trl"],
                phase=form.cleaned_data["phase"],
                evidence_note=form.cleaned_data["note"],
                evidence_file=form.cleaned_data["file"],
            )
        except PortfolioError as error:
            form.add_error(None, error.message)
        else:
            if change.confirmed_at:
                messages.success(request, _("Recorded: TRL %(trl)d.") % {"trl": change.trl_to})
            elif startup_mentors(startup.pk):  # whom the notice went to (notify_readiness_proposed)
                messages.success(request, _("Sent for confirmation to the startup's mentor."))
            else:
                messages.success(request, _("Sent for confirmation to the cluster managers."))
            return redirect("startup-detail", pk=startup.pk)
    return render(
        request,
        "incubator/portfolio/readiness_form.html",
        {"startup": startup, "form": form, "steering": steering, "waiting": waiting},
    )


@login_required
@require_POST
def readiness_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(ReadinessChange, pk=pk)
    startup = _portfolio_startup(request, change.startup_id, readiness=True)
    try:
        readiness_proposal_withdraw(change=change, actor=request.user)
    except PortfolioError as error:
        messages.error(request, error.message)
        return redirect("startup-detail", pk=startup.pk)
    messages.success(request, _("Your proposal is withdrawn; you can propose another."))
    return redirect("readiness-new", pk=startup.pk)


@login_required
@require_POST
def readiness_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    change = ReadinessChange.objects.filter(pk=pk).first()
    if change is None:
        # A page opened before the team withdrew its proposal.
        messages.info(request, _("This proposed change is no longer there: the team withdrew it."))
        return redirect("home")
    _portfolio_startup(request, change.startup_id, readiness=True)
    accept = request.POST.get("decision") == "confirm"
    try:
        decided = readiness_change_confirm(
            change=change, actor=request.user, accept=accept, reason=request.POST.get("reason", "")
        )
    except PortfolioError as error:
        messages.error(request, error.message)
    else:
        if accept:
            messages.success(
                request, _("Confirmed: the startup is now at TRL %(trl)d.") % {"trl": decided.trl_to}
            )
        else:
            messages.success(request, _("The proposed change is rejected; the readiness stays as it was."))
    return redirect("startup-detail", pk=change.startup_id)


@login_required
def readiness_file(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(ReadinessChange, pk=pk)
    _portfolio_startup(request, change.startup_id, readiness=True)
    if not change.evidence_file:
        raise Http404
    return _pdf(change.evidence_file, change.evidence_file_name)


@login_required
@require_http_methods(["GET", "POST"])
def investment_review_new(request: HttpRequest, pk: int) -> HttpResponse:
    startup = _steered_startup(request, pk)
    form = InvestmentReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        investment_review_create(startup=startup, actor=request.user, **form.cleaned_data)
        messages.success(request, _("The investment-readiness review is recorded."))
        return redirect("startup-detail", pk=startup.pk)
    return render(
        request, "incubator/portfolio/investment_review_form.html", {"startup": startup, "form": form}
    )


@login_required
@require_http_methods(["GET", "POST"])
def kpi_report(request: HttpRequest, pk: int, year: int, month: int) -> HttpResponse:
    startup = _portfolio_startup(request, pk)
    try:
        period = date(year, month, 1)
    except (ValueError, OverflowError) as exc:
        raise Http404 from exc
    existing = KpiReport.objects.filter(startup=startup, period=period).first()
    # Said before anything is typed: a month that cannot be reported gets no form.
    problem = kpi_reporting_problem(startup) or (None if existing else kpi_period_problem(startup, period))
    editable = startup.has_member(request.user) and problem is None
    form = KpiReportForm(request.POST or None, instance=existing)
    version = request.POST.get("version", "") if request.method == "POST" else kpi_report_version(existing)
    if request.method == "POST":
        if not startup.has_member(request.user):
            raise PermissionDenied
        if editable and form.is_valid():
            figures = {name: form.cleaned_data[name] for name in KpiReportForm.Meta.fields}
            try:
                kpi_report_submit(
                    startup=startup,
                    actor=request.user,
                    period=period,
                    # The report this page showed (a second tab, a co-founder): a later one stays.
                    expected_version=request.POST.get("version"),
                    **figures,
                )
            except PortfolioError as error:
                form.add_error(None, error.message)
                if error.code == "stale":
                    # The page now shows who saved what when; saving again replaces that.
                    existing = KpiReport.objects.filter(startup=startup, period=period).first()
                    version = kpi_report_version(existing)
            else:
                messages.success(
                    request, _("The report for %(month)s is saved.") % {"month": month_in_text(period)}
                )
                return redirect("startup-detail", pk=startup.pk)
    return render(
        request,
        "incubator/portfolio/kpi_report_form.html",
        {
            "startup": startup,
            "form": form,
            "period": period,
            "existing": existing,
            "editable": editable,
            "problem": problem,
            "version": version,
            "history": selectors.kpi_report_history(existing),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def funding_new(request: HttpRequest, pk: int) -> HttpResponse:
    startup = _portfolio_startup(request, pk)
    if not request.user.is_manager:
        raise PermissionDenied
    form = FundingForm(request.POST or None, startup=startup)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in FundingForm.Meta.fields}
        try:
            funding_record_create(startup=startup, actor=request.user, tranches=form.tranches(), **data)
        except PortfolioError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The funding is recorded."))
            return redirect("startup-detail", pk=startup.pk)
    return render(request, "incubator/portfolio/funding_form.html", {"startup": startup, "form": form})


@manager_required
@require_POST
def tranche_paid(request: HttpRequest, pk: int) -> HttpResponse:
    tranche = get_object_or_404(FundingTranche.objects.select_related("record"), pk=pk)
    given = request.POST.get("paid_on", "")
    try:
        paid_on = date.fromisoformat(given) if given else timezone.localdate()
    except ValueError:
        messages.error(request, _("Give the payment date as a date."))
        return redirect("startup-detail", pk=tranche.record.startup_id)
    try:
        paid = funding_tranche_mark_paid(tranche=tranche, actor=request.user, paid_on=paid_on)
    except PortfolioError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The tranche of %(amount)s %(currency)s is recorded as paid on %(date)s.")
            % {
                "amount": floatformat(paid.amount, "-2g"),
                "currency": tranche.record.currency,
                "date": formats.date_format(paid.paid_on, "SHORT_DATE_FORMAT"),
            },
        )
    return redirect("startup-detail", pk=tranche.record.startup_id)


@manager_required
@require_POST
def tranche_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    tranche = get_object_or_404(FundingTranche.objects.select_related("record"), pk=pk)
    try:
        cancelled = funding_tranche_cancel(
            tranche=tranche, actor=request.user, reason=request.POST.get("reason", "")
        )
    except PortfolioError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The tranche of %(amount)s %(currency)s is cancelled; the founders are told why.")
            % {"amount": floatformat(cancelled.amount, "-2g"), "currency": tranche.record.currency},
        )
    return redirect("startup-detail", pk=tranche.record.startup_id)


@manager_required
@require_POST
def funding_void(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(FundingRecord, pk=pk)
    try:
        voided = funding_record_void(record=record, actor=request.user, reason=request.POST.get("reason", ""))
    except PortfolioError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "The record of %(amount)s %(currency)s is void and counts in no total; the founders "
                "are told why. Record the right figures anew if it was a mistake."
            )
            % {"amount": floatformat(voided.amount, "-2g"), "currency": voided.currency},
        )
    return redirect("startup-detail", pk=record.startup_id)


@manager_required
def portfolio_overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "incubator/portfolio/overview.html",
        {
            "tables": [
                (_("By call"), selectors.funding_by("call")),
                (_("By field"), selectors.funding_by("field")),
                (_("By year"), selectors.funding_by("year")),
            ],
            "totals": selectors.funding_totals_by_currency(),
            "missing": selectors.missing_reports(),
        },
    )


def _yes(value: bool) -> str:
    return _("yes") if value else ""


@manager_required
def funding_export(request: HttpRequest) -> StreamingHttpResponse:
    """The funding ledger, a record a row, oldest first, voided records too (marked): its
    "funded" column is what the overview's totals add up."""
    header = [
        _("Date"),
        _("Startup"),
        _("Field"),
        _("Admitted by call"),
        _("Kind"),
        _("Round or programme"),
        _("Investor or grantor"),
        _("The programme's own funding"),
        _("Follow-on"),
        _("Amount"),
        _("Currency"),
        _("Funded (less cancelled tranches; nothing once voided)"),
        _("Paid in tranches"),
        _("Planned in tranches"),
        _("Cancelled in tranches"),
        _("Voided on"),
        _("Why it was voided"),
    ]

    def rows() -> Iterator[list]:
        for record in selectors.funding_ledger().iterator(chunk_size=500):
            follow_on = selectors.is_follow_on(
                on=record.date, from_programme=record.from_programme, admitted_at=record.admitted_at
            )
            yield [
                record.date.isoformat(),
                record.startup.name,
                record.field_name or "",
                record.cohort or "",
                record.get_kind_display(),
                record.title,
                record.source,
                _yes(record.from_programme),
                _yes(follow_on),
                fixed(record.amount, 2),
                record.currency,
                fixed(record.funded_total, 2),
                fixed(record.paid, 2),
                fixed(record.planned, 2),
                fixed(record.cancelled, 2),
                timezone.localdate(record.voided_at).isoformat() if record.voided_at else "",
                record.void_reason,
            ]

    stamp = timezone.localdate().isoformat()
    return csv_response(f"funding-{stamp}.csv", header, rows())


@manager_required
def kpi_reports_export(request: HttpRequest) -> StreamingHttpResponse:
    """Every monthly report, by startup and month, with how often it was corrected."""
    fields = [KpiReport._meta.get_field(name) for name in KpiReport.FIGURES]
    header = [
        _("Startup"),
        _("Month"),
        *(capfirst(field.verbose_name) for field in fields),
        _("Submitted by"),
        _("Submitted at"),
        _("Corrections"),
    ]

    def rows() -> Iterator[list]:
        for report in selectors.kpi_report_rows().iterator(chunk_size=500):
            yield [
                report["startup__name"],
                report["period"].strftime("%Y-%m"),
                *(report[name] for name in KpiReport.FIGURES),
                report["submitted_by__full_name"] or "",
                timezone.localtime(report["submitted_at"]).strftime("%Y-%m-%d %H:%M"),
                report["corrections"],
            ]

    stamp = timezone.localdate().isoformat()
    return csv_response(f"monthly-reports-{stamp}.csv", header, rows())
