"""Writes of the portfolio: milestones and their evidence, readiness changes, investment-readiness
reviews, monthly reports and the funding ledger. Milestone status changes go through
``pipeline.services.milestone_transition``."""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pipeline.documents import pdf_file_name, validate_pdf
from pipeline.machines import OFF_RAMPS, PROGRAMME_LEFT, programme_left_message
from pipeline.models.applications import admission_held

from ..models import (
    FundingRecord,
    FundingTranche,
    InvestmentReadinessReview,
    KpiReport,
    KpiReportRevision,
    Milestone,
    MilestoneEvidence,
    Organisation,
    ReadinessChange,
    Startup,
    User,
)
from ..models.portfolio import POSITIVE_TRANCHE, TRANCHE_OF_ANOTHER_STARTUP, TRANCHES_OVER_AMOUNT
from ..models.startups import PHASES_BY_PRODUCT_TYPE, DevelopmentPhase
from ..months import month_in_text

REPORTING_STAGES = ["incubation", "acceleration", "funding"]
REJECTION_REASON_MAX = ReadinessChange._meta.get_field("rejection_reason").max_length


class PortfolioError(Exception):
    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.code = code


def can_steer(startup: Startup, user: User) -> bool:
    """Managers, and mentors for their mentees: they set milestones and confirm progress."""
    return bool(user.is_active and (user.is_manager or startup.has_mentor(user)))


def can_see_portfolio(startup: Startup, user: User) -> bool:
    """The team, its mentors and managers: evidence, reports and the ledger are confidential."""
    return bool(
        user.is_authenticated and (user.is_manager or startup.has_member(user) or startup.has_mentor(user))
    )


def milestone_stage_left(milestone_stage: str, startup_stage: str) -> bool:
    """Whether a startup in ``startup_stage`` has left the stage of milestones of
    ``milestone_stage`` behind: incubation ones once in acceleration or funding (acceleration
    milestones are still set in funding)."""
    return milestone_stage == "incubation" and startup_stage in ("acceleration", "funding")


def milestone_problems(*, startup: Startup, stage: str, due_on: date | None) -> dict[str, str]:
    """What is wrong with a new milestone, by field: due in the past, or for a stage the startup
    has left (the incubation gate was passed without it)."""
    problems = {}
    if due_on is not None and due_on < timezone.localdate():
        problems["due_on"] = _("A new milestone is due today or later.")
    if milestone_stage_left(stage, startup.stage):
        problems["stage"] = _("%(startup)s is past incubation: set its milestones for acceleration.") % {
            "startup": startup.name
        }
    return problems


@transaction.atomic
def milestone_create(
    *,
    startup: Startup,
    actor: User,
    stage: str,
    title: str,
    due_on: date,
    description: str = "",
    required_evidence: str = "",
) -> Milestone:
    if not can_steer(startup, actor):
        raise PermissionDenied
    # The stage read under the row's lock, so a move past incubation at the same moment is seen.
    startup = Startup.objects.select_for_update().get(pk=startup.pk)
    if startup.stage in PROGRAMME_LEFT:
        raise PortfolioError(programme_left_message(startup), code="programme_left")
    problems = milestone_problems(startup=startup, stage=stage, due_on=due_on)
    if problems:
        raise PortfolioError(" ".join(problems.values()))
    return Milestone.objects.create(
        startup=startup,
        stage=stage,
        title=title.strip(),
        due_on=due_on,
        description=description.strip(),
        required_evidence=required_evidence.strip(),
        created_by=actor,
    )


def milestone_due_problem(*, current: date, due_on: date) -> str | None:
    """Why a milestone may not be moved to ``due_on``: a new date is today or later (an unchanged
    past one may stay while other fields change)."""
    if due_on != current and due_on < timezone.localdate():
        return _("A new due date is today or later.")
    return None


def _steered_milestone(milestone: Milestone, actor: User) -> Milestone:
    locked = Milestone.objects.select_for_update(of=("self",)).select_related("startup").get(pk=milestone.pk)
    if not can_steer(locked.startup, actor):
        raise PermissionDenied
    if locked.startup.stage in PROGRAMME_LEFT:
        raise PortfolioError(programme_left_message(locked.startup), code="programme_left")
    return locked


@transaction.atomic
def milestone_update(
    *,
    milestone: Milestone,
    actor: User,
    title: str | None = None,
    due_on: date | None = None,
    description: str | None = None,
    required_evidence: str | None = None,
) -> Milestone:
    """A manager or mentor corrects a milestone or moves its due date (a reopened one, say); a
    field not given keeps what the locked row has. Its stage stays: the stage gate counts it. An
    accepted milestone stays as it was accepted. Reminders of the old due date are settled; the
    new date gets its own."""
    locked = _steered_milestone(milestone, actor)
    if locked.status == Milestone.Status.ACCEPTED:
        raise PortfolioError(_("An accepted milestone stays as it was accepted."), code="accepted")
    if due_on is not None and due_on != locked.due_on:
        if problem := milestone_due_problem(current=locked.due_on, due_on=due_on):
            raise PortfolioError(problem, code="due_in_past")
        from notifications.services import milestone_reminders_settle

        milestone_reminders_settle(milestone_id=locked.pk, startup_id=locked.startup_id)
        locked.due_on = due_on
    texts = {"title": title, "description": description, "required_evidence": required_evidence}
    for name, value in texts.items():
        if value is not None:
            setattr(locked, name, value.strip())
    locked.save(update_fields=["title", "due_on", "description", "required_evidence"])
    return locked


@transaction.atomic
def milestone_remove(*, milestone: Milestone, actor: User) -> None:
    """A manager or mentor removes a milestone set by mistake, as long as nothing happened to it:
    still planned, without evidence, and without planned funding tied to it (it would otherwise
    hold the stage gate shut for good)."""
    locked = _steered_milestone(milestone, actor)
    if locked.status != Milestone.Status.PLANNED or locked.evidence.exists():
        raise PortfolioError(
            _("Only a milestone still planned, without evidence, can be removed; mark it as missed instead."),
            code="started",
        )
    # A tranche settled (cancelled, or voided with its record) holds nothing back; it keeps its
    # reason, no longer its milestone.
    if locked.tranches.filter(status=FundingTranche.Status.PLANNED).exists():
        raise PortfolioError(
            _("Funding tranches are tied to this milestone: tie them to another one first."),
            code="tranches",
        )
    from notifications.services import milestone_reminders_settle

    # Its reminders would point at a page that is gone.
    milestone_reminders_settle(milestone_id=locked.pk, startup_id=locked.startup_id)
    locked.delete()


@transaction.atomic
def milestone_evidence_add(
    *, milestone: Milestone, actor: User, note: str = "", upload: UploadedFile | None = None
) -> MilestoneEvidence:
    """The team adds a PDF or a note as evidence while the milestone is open."""
    locked = Milestone.objects.select_for_update(of=("self",)).select_related("startup").get(pk=milestone.pk)
    if not locked.startup.has_member(actor):
        raise PermissionDenied
    if locked.startup.stage in PROGRAMME_LEFT:
        raise PortfolioError(programme_left_message(locked.startup), code="programme_left")
    if locked.status not in (Milestone.Status.PLANNED, Milestone.Status.IN_PROGRESS):
        raise PortfolioError(
            _("The milestone is “%(status)s”; evidence can no longer be added.")
            % {"status": locked.get_status_display()}
        )
    if upload is None and not note.strip():
        raise PortfolioError(_("Add a file or write a note."))
    evidence = MilestoneEvidence(
        milestone=locked, startup=locked.startup, note=note.strip(), uploaded_by=actor
    )
    if upload is not None:
        validate_pdf(upload)
        evidence.original_name = pdf_file_name(upload.name, "evidence.pdf")
        evidence.file.save("evidence.pdf", upload, save=False)
    evidence.save()
    return evidence


@transaction.atomic
def milestone_evidence_remove(*, evidence: MilestoneEvidence, actor: User) -> None:
    """The team takes back a note or a file added by mistake, while the milestone is still open
    (planned, or in progress again after being sent back); submitted evidence stays as the
    mentor saw it. The file leaves storage once the removal is committed."""
    locked = (
        Milestone.objects.select_for_update(of=("self",))
        .select_related("startup")
        .get(pk=evidence.milestone_id)
    )
    if not locked.startup.has_member(actor):
        raise PermissionDenied
    if locked.startup.stage in PROGRAMME_LEFT:
        raise PortfolioError(programme_left_message(locked.startup), code="programme_left")
    if locked.status not in (Milestone.Status.PLANNED, Milestone.Status.IN_PROGRESS):
        raise PortfolioError(
            _("The milestone is “%(status)s”; its evidence can no longer be removed.")
            % {"status": locked.get_status_display()}
        )
    current = MilestoneEvidence.objects.filter(pk=evidence.pk, milestone=locked).first()
    if current is None:
        raise PortfolioError(_("This evidence was already removed."))
    name, storage = current.file.name, current.file.storage
    current.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def readiness_proposal_waiting(startup: Startup) -> ReadinessChange | None:
    """The founders' proposal that waits for confirmation, if one does (one at a time)."""
    return startup.readiness_changes.filter(confirmed_at=None, rejected_at=None).first()


@transaction.atomic
def readiness_evidence_attach(
    *, change: ReadinessChange, actor: User, upload: UploadedFile
) -> ReadinessChange:
    """Attach the evidence PDF to a readiness change recorded without one (the API records a
    change first, as JSON, then sends its file): only by the person who recorded it, once, and
    not to a change already rejected. The file is checked as every upload is."""
    locked = ReadinessChange.objects.select_for_update().filter(pk=change.pk).first()
    if locked is None:  # a proposal withdrawn meanwhile
        raise PortfolioError(_("This proposal was already withdrawn."), code="gone")
    if locked.recorded_by_id != actor.pk:
        raise PermissionDenied
    if locked.evidence_file:
        raise PortfolioError(
            _("This change has its evidence file already; it is kept as it was."), code="has_file"
        )
    if locked.rejected_at is not None:
        raise PortfolioError(_("This change was rejected; its evidence is kept as it was."), code="rejected")
    validate_pdf(upload)
    locked.evidence_file_name = pdf_file_name(upload.name, "evidence.pdf")
    locked.evidence_file.save("evidence.pdf", upload, save=False)
    locked.save(update_fields=["evidence_file", "evidence_file_name"])
    return locked


@transaction.atomic
def readiness_proposal_withdraw(*, change: ReadinessChange, actor: User) -> None:
    """The team takes back its proposal while it waits: it is removed (it never changed the
    startup), with its evidence file once the removal is committed, and the notices asking to
    confirm it are settled. Then the team may propose again."""
    locked = (
        ReadinessChange.objects.select_for_update().filter(pk=change.pk).select_related("startup").first()
    )
    if locked is None:
        raise PortfolioError(_("This proposal was already withdrawn."), code="gone")
    if not locked.startup.has_member(actor):
        raise PermissionDenied
    if not locked.is_pending:
        raise PortfolioError(_("This change was already decided."), code="already_decided")
    from notifications.services import readiness_notices_settle

    readiness_notices_settle(change_id=locked.pk)
    name, storage = locked.evidence_file.name, locked.evidence_file.storage
    locked.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def readiness_change_record(
    *,
    startup: Startup,
    actor: User,
    trl: int,
    phase: str,
    evidence_note: str = "",
    evidence_file: UploadedFile | None = None,
) -> ReadinessChange:
    """Record a new TRL and development phase with its evidence. From a manager or the startup's
    mentor it is confirmed and applied at once; from a founder it waits for their confirmation."""
    locked = Startup.objects.select_for_update().get(pk=startup.pk)
    steering = can_steer(locked, actor)
    if not (steering or locked.has_member(actor)):
        raise PermissionDenied
    if not 1 <= trl <= 9:
        raise PortfolioError(_("The technology readiness level goes from 1 to 9."))
    if phase not in PHASES_BY_PRODUCT_TYPE[locked.product_type]:
        raise PortfolioError(_("This phase does not apply to the startup's product type."))
    if trl == locked.trl and phase == locked.development_phase:
        raise PortfolioError(_("Nothing changes: this is the startup's current level and phase."))
    if not evidence_note.strip() and evidence_file is None:
        raise PortfolioError(_("Say what shows the progress: a note, a file, or both."))
    if not steering and locked.stage in OFF_RAMPS:
        raise PortfolioError(
            _("%(startup)s has left the pipeline; its readiness is no longer followed.")
            % {"startup": locked.name},
            code="left_pipeline",
        )
    if not steering:
        waiting = readiness_proposal_waiting(locked)
        if waiting is not None:
            # Two proposals from the same level could both be confirmed, one on top of the other.
            raise PortfolioError(
                _(
                    "The change proposed on %(date)s (TRL %(trl)d) waits for confirmation; "
                    "propose the next one once it is decided."
                )
                % {
                    "date": formats.date_format(timezone.localdate(waiting.recorded_at)),
                    "trl": waiting.trl_to,
                },
                code="proposal_waiting",
            )
    change = ReadinessChange(
        startup=locked,
        trl_from=locked.trl,
        trl_to=trl,
        phase_from=locked.development_phase,
        phase_to=phase,
        evidence_note=evidence_note.strip(),
        recorded_by=actor,
    )
    if evidence_file is not None:
        validate_pdf(evidence_file)
        change.evidence_file_name = pdf_file_name(evidence_file.name, "evidence.pdf")
        change.evidence_file.save("evidence.pdf", evidence_file, save=False)
    change.save()
    if steering:
        _apply(change, locked, actor)
    else:
        from notifications.services import notify_readiness_proposed

        notify_readiness_proposed(change_id=change.pk)
    return change


def _apply(change: ReadinessChange, startup: Startup, actor: User) -> None:
    change.trl_from, change.phase_from = startup.trl, startup.development_phase
    change.confirmed_by = actor
    change.confirmed_at = timezone.now()
    change.save(update_fields=["trl_from", "phase_from", "confirmed_by", "confirmed_at"])
    startup.trl = change.trl_to
    startup.development_phase = change.phase_to
    startup.save(update_fields=["trl", "development_phase"])


@transaction.atomic
def readiness_change_confirm(
    *, change: ReadinessChange, actor: User, accept: bool, reason: str = ""
) -> ReadinessChange:
    """A manager or mentor confirms (and applies) or rejects a founder's proposed change; a
    rejection says why, for the team. Decided in any stage: a proposal may wait while the startup
    moves on."""
    locked = ReadinessChange.objects.select_for_update().get(pk=change.pk)
    startup = Startup.objects.select_for_update().get(pk=locked.startup_id)
    if not can_steer(startup, actor):
        raise PermissionDenied
    if not locked.is_pending:
        raise PortfolioError(_("This change was already decided."), code="already_decided")
    if not accept and not reason.strip():
        raise PortfolioError(
            _("Say why the change is not confirmed: the team reads it with the decision."),
            code="reason_required",
        )
    if len(reason.strip()) > REJECTION_REASON_MAX:
        raise PortfolioError(
            _("Say why in at most %(limit)d characters.") % {"limit": REJECTION_REASON_MAX},
            code="reason_too_long",
        )
    if accept and (locked.trl_from, locked.phase_from) != (startup.trl, startup.development_phase):
        raise PortfolioError(
            _(
                "The startup's readiness changed after this was proposed: it was TRL %(then)d "
                "(%(phase_then)s), it is TRL %(now)d (%(phase_now)s) now. Reject this proposal; the "
                "team can propose again from where the startup is."
            )
            % {
                "then": locked.trl_from,
                "phase_then": DevelopmentPhase(locked.phase_from).label,
                "now": startup.trl,
                "phase_now": startup.get_development_phase_display(),
            },
            code="outdated",
        )
    if accept:
        _apply(locked, startup, actor)
    else:
        locked.rejected_at = timezone.now()
        locked.confirmed_by = actor
        locked.rejection_reason = reason.strip()
        locked.save(update_fields=["rejected_at", "confirmed_by", "rejection_reason"])
    from notifications.services import notify_readiness_decided, readiness_notices_settle

    readiness_notices_settle(change_id=locked.pk)
    notify_readiness_decided(change_id=locked.pk)
    return locked


@transaction.atomic
def investment_review_create(
    *, startup: Startup, actor: User, verdict: str, summary: str
) -> InvestmentReadinessReview:
    if not can_steer(startup, actor):
        raise PermissionDenied
    if not summary.strip():
        raise PortfolioError(_("Write a short summary of the review."))
    review = InvestmentReadinessReview.objects.create(
        startup=startup, reviewer=actor, verdict=verdict, summary=summary.strip()
    )
    from notifications.services import notify_investment_reviewed

    notify_investment_reviewed(review_id=review.pk)
    return review


def month_start(day: date) -> date:
    return day.replace(day=1)


def kpi_reporting_problem(startup: Startup) -> str | None:
    """Why the startup does not report monthly now, if it does not: only startups in the
    programme's stages do, once their admission is released."""
    if (
        startup.stage not in REPORTING_STAGES
        or Startup.objects.filter(admission_held(), pk=startup.pk).exists()
    ):
        return _("Only startups in incubation, acceleration or funding report monthly.")
    return None


def kpi_period_problem(startup: Startup, period: date) -> str | None:
    """Why the month starting ``period`` cannot be reported, if it cannot: it has not begun, or
    it ended before the startup was admitted (a month with no programme to report on)."""
    if period > month_start(timezone.localdate()):
        return _("A month can be reported on once it has begun.")
    if startup.admitted_at is None:  # admitted before admissions were recorded: no lower bound
        return None
    first = month_start(timezone.localdate(startup.admitted_at))
    if period < first:
        return _("%(startup)s reports from %(month)s on, the month it was admitted.") % {
            "startup": startup.name,
            "month": month_in_text(first),
        }
    return None


def kpi_report_version(report: KpiReport | None) -> str:
    """What a page or client sends back to show which state of the month's report it corrects
    ("" for no report yet): a digest of who submitted what, and when."""
    if report is None:
        return ""
    state = [report.submitted_at.isoformat(), report.submitted_by_id] + [
        str(getattr(report, name)) for name in KpiReport.FIGURES
    ]
    return hashlib.sha256(repr(state).encode()).hexdigest()[:16]


def _keep_revision(report: KpiReport, figures: dict, actor: User, now) -> bool:
    """Before a correction changes a report's figures, keep the figures it replaces; whether
    anything changes."""
    before = {name: getattr(report, name) for name in KpiReport.FIGURES}

    def same(name: str) -> bool:
        # As the column holds it: "0" and Decimal("0.00") are the same revenue.
        return before[name] == KpiReport._meta.get_field(name).to_python(figures.get(name, before[name]))

    if all(same(name) for name in KpiReport.FIGURES):
        return False
    KpiReportRevision.objects.create(
        report=report,
        figures={name: str(value) for name, value in before.items()},
        submitted_by_id=report.submitted_by_id,
        submitted_at=report.submitted_at,
        replaced_by=actor,
        replaced_at=now,
    )
    return True


@transaction.atomic
def kpi_report_submit(
    *, startup: Startup, actor: User, period: date, expected_version: str | None = None, **figures
) -> KpiReport:
    """Submit (or correct) the startup's report for the month starting ``period``. With
    ``expected_version`` (``kpi_report_version`` of the report the person saw), a report that
    someone else submitted or corrected meanwhile is refused instead of silently overwritten."""
    if not startup.has_member(actor):
        raise PermissionDenied
    if problem := kpi_reporting_problem(startup):
        raise PortfolioError(problem)
    period = month_start(period)
    if problem := kpi_period_problem(startup, period):
        raise PortfolioError(problem)
    # The lock the reminder sweep takes before it looks again for the month's report
    # (notifications.services.settle): a reminder written meanwhile is settled, not left behind.
    Startup.objects.select_for_update().filter(pk=startup.pk).first()
    if expected_version is not None:
        current = (
            KpiReport.objects.filter(startup=startup, period=period).select_related("submitted_by").first()
        )
        if current is not None and kpi_report_version(current) != expected_version:
            raise PortfolioError(
                _(
                    "%(who)s saved this month's report at %(time)s, after you opened this page. Nothing "
                    "was saved: what you typed is still below; compare it with the report and save again."
                )
                % {
                    "who": current.submitted_by or _("Someone"),
                    "time": formats.date_format(timezone.localtime(current.submitted_at), "DATETIME_FORMAT"),
                },
                code="stale",
            )
    now = timezone.now()
    try:
        with transaction.atomic():
            report = KpiReport.objects.select_for_update().filter(startup=startup, period=period).first()
            if report is None:
                report = KpiReport.objects.create(
                    startup=startup, period=period, submitted_by=actor, submitted_at=now, **figures
                )
            elif _keep_revision(report, figures, actor, now):
                for name, value in figures.items():
                    setattr(report, name, value)
                # Saved again unchanged, it stays the report of whoever submitted those figures.
                report.submitted_by, report.submitted_at = actor, now
                report.save()
    except IntegrityError as exc:  # two co-founders at once: the second one updates
        raise PortfolioError(_("The report was just submitted by someone else; reload the page.")) from exc
    from notifications.services import kpi_reminders_settle

    kpi_reminders_settle(startup_id=startup.pk, period=period)
    return report


@transaction.atomic
def funding_record_create(
    *,
    startup: Startup,
    actor: User,
    kind: str,
    date: date,
    amount: Decimal,
    currency: str,
    investor: Organisation | None = None,
    investor_name: str = "",
    title: str = "",
    note: str = "",
    from_programme: bool = False,
    tranches: list[dict] | None = None,
) -> FundingRecord:
    """Add a grant, equity round or loan to the ledger, optionally split into tranches tied to
    milestones; the tranches may not add up to more than the record."""
    if not actor.is_manager:
        raise PermissionDenied
    if investor is None and not investor_name.strip() and not from_programme:
        raise PortfolioError(_("Name the investor or grantor: a member organisation or another name."))
    if investor is not None and investor_name.strip():
        raise PortfolioError(
            _("Choose a member organisation or type another name, not both: the record has one source.")
        )
    record = FundingRecord(
        startup=startup,
        kind=kind,
        date=date,
        amount=amount,
        currency=currency,
        investor=investor,
        investor_name=investor_name.strip(),
        title=title.strip(),
        note=note.strip(),
        from_programme=from_programme,
        recorded_by=actor,
    )
    try:
        record.full_clean()  # the amount and its date (FundingRecord.clean)
    except ValidationError as error:
        raise PortfolioError(" ".join(error.messages)) from error
    tranches = tranches or []
    if any(t["amount"] <= 0 for t in tranches):
        raise PortfolioError(str(POSITIVE_TRANCHE))
    if sum((t["amount"] for t in tranches), Decimal("0")) > amount:
        raise PortfolioError(str(TRANCHES_OVER_AMOUNT))
    record.save()
    for tranche in tranches:
        milestone = tranche.get("milestone")
        if milestone is not None and milestone.startup_id != startup.pk:
            raise PortfolioError(str(TRANCHE_OF_ANOTHER_STARTUP))
        FundingTranche.objects.create(record=record, amount=tranche["amount"], milestone=milestone)
    from notifications.services import notify_funding

    notify_funding(record_id=record.pk)
    return record


CANCELLATION_REASON_LENGTH = FundingTranche._meta.get_field("cancellation_reason").max_length
VOID_REASON_LENGTH = FundingRecord._meta.get_field("void_reason").max_length
VOIDED_RECORD = gettext_lazy("The funding record is void: its tranches take no more changes.")


def _written_reason(reason: str, *, missing: str, limit: int) -> str:
    """A reason as stored: a line break counts as one character, as the page's box counts it;
    none, or one longer than ``limit``, is refused (never cut)."""
    reason = reason.replace("\r\n", "\n").strip()
    if not reason:
        raise PortfolioError(missing)
    if len(reason) > limit:
        raise PortfolioError(
            _("Say why in at most %(limit)d characters.") % {"limit": limit}, code="reason_too_long"
        )
    return reason


@transaction.atomic
def funding_record_void(*, record: FundingRecord, actor: User, reason: str) -> FundingRecord:
    """Void a funding record entered by mistake (a wrong amount, a duplicate), with the reason:
    it stays in the ledger, marked, and counts in no funding total; its planned tranches are
    cancelled with the same reason, and none takes more changes. The right figures are recorded
    anew. The founders are told, with the reason."""
    if not actor.is_manager:
        raise PermissionDenied
    locked = FundingRecord.objects.select_for_update().get(pk=record.pk)
    if locked.voided_at is not None:
        raise PortfolioError(_("This funding record is void already."))
    locked.void_reason = _written_reason(
        reason,
        missing=_("Write down why the record is void: the founders are told."),
        limit=VOID_REASON_LENGTH,
    )
    locked.voided_at = timezone.now()
    locked.voided_by = actor
    locked.save(update_fields=["voided_at", "voided_by", "void_reason"])
    # What was still planned will not be paid, for the same reason (one notice tells of both).
    locked.tranches.filter(status=FundingTranche.Status.PLANNED).update(
        status=FundingTranche.Status.CANCELLED,
        cancelled_at=locked.voided_at,
        cancelled_by=actor,
        cancellation_reason=locked.void_reason,
    )
    from notifications.services import notify_funding

    notify_funding(record_id=locked.pk, voided=True)
    return locked


@transaction.atomic
def funding_tranche_cancel(*, tranche: FundingTranche, actor: User, reason: str) -> FundingTranche:
    """Record that a planned tranche will not be paid, and why: its amount no longer counts in
    the funding totals. The startup's founders are told, with the reason."""
    if not actor.is_manager:
        raise PermissionDenied
    locked = (
        FundingTranche.objects.select_for_update(of=("self", "record"))
        .select_related("record")
        .get(pk=tranche.pk)
    )
    if locked.record.voided_at is not None:
        raise PortfolioError(str(VOIDED_RECORD))
    if locked.status != FundingTranche.Status.PLANNED:
        raise PortfolioError(_("Only a planned tranche can be cancelled."))
    reason = _written_reason(
        reason,
        missing=_("Write down why the tranche will not be paid: the founders are told."),
        limit=CANCELLATION_REASON_LENGTH,
    )
    locked.status = FundingTranche.Status.CANCELLED
    locked.cancelled_at = timezone.now()
    locked.cancelled_by = actor
    locked.cancellation_reason = reason
    locked.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancellation_reason"])
    from notifications.services import notify_funding

    notify_funding(record_id=locked.record_id, cancelled_tranche_id=locked.pk)
    return locked


@transaction.atomic
def funding_tranche_mark_paid(*, tranche: FundingTranche, actor: User, paid_on: date) -> FundingTranche:
    if not actor.is_manager:
        raise PermissionDenied
    tranches = FundingTranche.objects.select_for_update(of=("self", "record")).select_related(
        "milestone", "record"
    )
    locked = tranches.get(pk=tranche.pk)
    if locked.record.voided_at is not None:
        raise PortfolioError(str(VOIDED_RECORD))
    if locked.status != FundingTranche.Status.PLANNED:
        raise PortfolioError(_("Only a planned tranche can be paid."))
    if paid_on > timezone.localdate():
        raise PortfolioError(_("The payment date cannot be in the future."))
    if paid_on < locked.record.date:
        raise PortfolioError(
            _("The payment date cannot come before the funding itself (%(date)s).")
            % {"date": formats.date_format(locked.record.date, "SHORT_DATE_FORMAT")}
        )
    milestone = locked.milestone
    if milestone is not None and milestone.status != Milestone.Status.ACCEPTED:
        raise PortfolioError(
            _("This tranche is tied to the milestone “%(milestone)s”, which is not accepted yet.")
            % {"milestone": milestone.title}
        )
    locked.status = FundingTranche.Status.PAID
    locked.paid_on = paid_on
    locked.save(update_fields=["status", "paid_on"])
    from notifications.services import notify_funding

    notify_funding(record_id=locked.record_id, paid_tranche_id=locked.pk)
    return locked
