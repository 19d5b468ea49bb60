"""The funding ledger: records, their tranches paid or cancelled, and records voided."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ...forms_base import one_line_break
from ...models import (
    FundingRecord,
    FundingTranche,
    Milestone,
    Organisation,
    Startup,
    User,
)
from ...models.portfolio import POSITIVE_TRANCHE, TRANCHE_OF_ANOTHER_STARTUP, TRANCHES_OVER_AMOUNT
from .common import PortfolioError


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
    reason = one_line_break(reason).strip()
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
