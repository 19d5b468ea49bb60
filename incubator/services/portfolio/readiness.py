"""Readiness changes (technology readiness level and development phase) and
investment-readiness reviews."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from pipeline.documents import pdf_file_name, validate_pdf
from pipeline.machines import OFF_RAMPS

from ...models import (
    InvestmentReadinessReview,
    ReadinessChange,
    Startup,
    User,
)
from ...models.startups import PHASES_BY_PRODUCT_TYPE, DevelopmentPhase
from .common import PortfolioError, can_steer

REJECTION_REASON_MAX = ReadinessChange._meta.get_field("rejection_reason").max_length


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
