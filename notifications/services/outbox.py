"""Sending the outbox: claim, send, record; and the relay that finds rows nobody is sending.

The race this guards against: the same row reaches two senders (a task delivered twice, a task
and the relay's copy of it, two workers after a lost acknowledgement). Each sender first moves
the row from "pending" to "sending" with one conditional UPDATE; the database lets exactly one
of them change the row, and only that one sends. A sender that dies after claiming leaves the
row in "sending"; once its lease (longer than a task may run) has passed, the relay puts the row
back to "pending" and enqueues it again.

The one window left is between the mail server accepting a message and the UPDATE that records
it: a worker killed exactly there makes the message go out again after the lease. SMTP offers
no way to close it; it is kept to a single statement.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.utils import timezone

from ..kinds import is_optional
from ..models import NotificationPreference, OutboxMessage
from ..rendering import RenderedEmail, render_email
from .notices import chunked, outbox_enqueue

logger = logging.getLogger(__name__)

Status = OutboxMessage.Status


@dataclass(frozen=True)
class RelayResult:
    reclaimed: int
    failed: int
    enqueued: int


def _setting(name: str) -> int:
    return settings.NOTIFICATIONS[name]


def _claim(message_id: int, now: datetime) -> bool:
    claimed = OutboxMessage.objects.filter(pk=message_id, status=Status.PENDING).update(
        status=Status.SENDING,
        attempts=F("attempts") + 1,
        claimed_until=now + timedelta(seconds=_setting("SEND_LEASE_SECONDS")),
    )
    return claimed == 1


def _finish(message_id: int, **fields) -> None:
    # Conditional as well: only the sender that holds the claim records the outcome.
    OutboxMessage.objects.filter(pk=message_id, status=Status.SENDING).update(claimed_until=None, **fields)


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 500 <= error.smtp_code < 600
    # A malformed address or header is refused by Django before any connection is made.
    return isinstance(error, (ValueError, UnicodeError))


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _retry_or_fail(message: OutboxMessage, error: Exception, now: datetime) -> str:
    attempts = message.attempts
    if _is_permanent(error) or attempts >= _setting("MAX_ATTEMPTS"):
        logger.error("E-mail %s failed for good after %d attempts: %s", message.pk, attempts, error)
        _finish(message.pk, status=Status.FAILED, last_error=_describe(error))
        return Status.FAILED
    delay = _setting("RETRY_BACKOFF_SECONDS") * 2 ** max(attempts - 1, 0)
    logger.warning("E-mail %s failed (attempt %d), retrying in %ss: %s", message.pk, attempts, delay, error)
    _finish(
        message.pk,
        status=Status.PENDING,
        next_attempt_at=now + timedelta(seconds=delay),
        last_error=_describe(error),
    )
    return Status.PENDING


def _email(message: OutboxMessage, rendered: RenderedEmail, connection) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        to=[message.to_email],
        headers={**rendered.headers, "X-Outbox-Message": str(message.pk)},
        connection=connection,
    )
    email.attach_alternative(rendered.html, "text/html")
    return email


class _Connection:
    """One mail-server connection for a batch, reopened after a failure broke it."""

    def __init__(self) -> None:
        self.connection = None

    def get(self):
        if self.connection is None:
            self.connection = get_connection()
        return self.connection

    def reset(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:
                logger.debug("Closing a broken mail connection failed", exc_info=True)
        self.connection = None


def _deliver(message: OutboxMessage, opted_out: bool, connection: _Connection) -> str:
    now = timezone.now()
    if opted_out:
        _finish(message.pk, status=Status.CANCELLED, last_error="")
        return Status.CANCELLED
    try:
        rendered = render_email(kind=message.kind, context=message.context, recipient=message.recipient)
    except (TemplateDoesNotExist, TemplateSyntaxError, KeyError, ValueError) as error:
        _finish(message.pk, status=Status.FAILED, last_error=_describe(error))
        logger.error("E-mail %s could not be rendered: %s", message.pk, error)
        return Status.FAILED
    try:
        _email(message, rendered, connection.get()).send()
    except Exception as error:
        connection.reset()
        return _retry_or_fail(message, error, now)
    _finish(
        message.pk,
        status=Status.SENT,
        sent_at=timezone.now(),
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        last_error="",
    )
    return Status.SENT


def outbox_messages_send(*, message_ids: Sequence[int]) -> dict[int, str]:
    """Claim and send each of ``message_ids`` in turn over one mail connection. A row that another
    sender claimed, or that was sent already, is skipped. Returns the outcome per id for the rows
    this call claimed (sent, pending for a retry, failed or cancelled)."""
    rows = {
        message.pk: message
        for message in OutboxMessage.objects.filter(pk__in=message_ids, status=Status.PENDING).select_related(
            "recipient"
        )
    }
    if not rows:
        return {}
    opted_out = set(
        NotificationPreference.objects.filter(
            user_id__in={row.recipient_id for row in rows.values()},
            kind__in={row.kind for row in rows.values()},
            email_enabled=False,
        ).values_list("user_id", "kind")
    )
    connection = _Connection()
    outcomes: dict[int, str] = {}
    try:
        for message_id in message_ids:
            message = rows.get(message_id)
            if message is None or not _claim(message_id, timezone.now()):
                continue
            message.attempts += 1
            outcomes[message_id] = _deliver(
                message,
                is_optional(message.kind) and (message.recipient_id, message.kind) in opted_out,
                connection,
            )
    finally:
        connection.reset()
    return outcomes


def outbox_message_send(*, message_id: int) -> str | None:
    """Claim and send one outbox row. Returns its new status, or None when another sender had it
    or it was not pending."""
    return outbox_messages_send(message_ids=[message_id]).get(message_id)


def outbox_relay(*, now: datetime | None = None, limit: int = 10_000) -> RelayResult:
    """The periodic safety net: put rows whose sender died (lease expired) back to pending, or to
    failed once they have used up their attempts, and enqueue every pending row that is due,
    including rows committed while the broker was unreachable and rows waiting for a retry."""
    now = now or timezone.now()
    expired = OutboxMessage.objects.filter(status=Status.SENDING, claimed_until__lt=now)
    failed = expired.filter(attempts__gte=_setting("MAX_ATTEMPTS")).update(
        status=Status.FAILED,
        claimed_until=None,
        last_error="The worker sending this e-mail stopped before it finished, too many times.",
    )
    reclaimed = expired.update(status=Status.PENDING, claimed_until=None, next_attempt_at=now)
    due = list(
        OutboxMessage.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    published = outbox_enqueue(message_ids=due)
    # Not again before the grace period: the task may wait behind others in the queue.
    later = now + timedelta(seconds=_setting("RELAY_GRACE_SECONDS"))
    for chunk in chunked(published):
        OutboxMessage.objects.filter(pk__in=chunk, status=Status.PENDING).update(next_attempt_at=later)
    if reclaimed or failed:
        logger.warning("Relay: %d e-mails of stopped workers reclaimed, %d failed", reclaimed, failed)
    return RelayResult(reclaimed=reclaimed, failed=failed, enqueued=len(published))


def outbox_message_retry(*, message_ids: Sequence[int]) -> int:
    """Give failed e-mails a fresh set of attempts, e.g. after a manager fixed an address; they
    are sent by the next relay sweep. Returns how many rows were reset. Cancelled e-mails stay
    cancelled: their recipient turned the kind off, or the task a reminder was about is done, and
    sending it late would tell them of something that no longer stands."""
    return OutboxMessage.objects.filter(pk__in=message_ids, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
