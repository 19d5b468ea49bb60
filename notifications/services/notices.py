"""Creating notices: outbox rows and in-app notifications, in the caller's transaction, with the
send tasks enqueued only once that transaction commits."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..kinds import OPTIONAL_KINDS, spec_for
from ..models import Notification, NotificationPreference, OutboxMessage

logger = logging.getLogger(__name__)

# Rows per INSERT / per IN (...) list: well within PostgreSQL's and SQLite's parameter limits.
_CHUNK = 500


@dataclass(frozen=True)
class Notice:
    """One notice to one person. ``dedup_key`` names why it exists (event or reminder, offset,
    recipient): creating the same notice twice creates nothing the second time."""

    kind: str
    recipient_id: int
    email: str
    dedup_key: str
    path: str = ""
    context: dict[str, Any] = field(default_factory=dict)


def notices_to(
    *, kind: str, recipients: Iterable[tuple[int, str]], key: str, path: str = "", context: dict[str, Any]
) -> list[Notice]:
    """The same notice to each ``(id, address)`` of ``recipients``; ``key`` is the reason part of
    the deduplication key, to which each recipient is added."""
    return [
        Notice(
            kind=kind,
            recipient_id=user_id,
            email=email,
            dedup_key=f"{key}:u{user_id}",
            path=path,
            context=context,
        )
        for user_id, email in recipients
    ]


def chunked(items: Iterable[Any], size: int = _CHUNK) -> Iterable[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def in_russian(**texts: str) -> dict[str, str]:
    """The Russian versions of a notice's names (``call`` → ``call_ru``), for those given: the
    e-mail and the in-app title read them in Russian (``notifications.rendering``)."""
    return {f"{key}_ru": text for key, text in texts.items() if text}


def iso(moment: datetime | None) -> str | None:
    """A datetime as it travels in a notice's context."""
    return moment.isoformat() if moment is not None else None


def stamp(moment: datetime) -> str:
    """A datetime as it appears in a deduplication key: UTC, to the second."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S")


def _opted_out(notices: Sequence[Notice]) -> set[tuple[int, str]]:
    kinds = {notice.kind for notice in notices} & OPTIONAL_KINDS
    if not kinds:
        return set()
    # Opting out is rare: fetching every opt-out of these kinds is one small query, whereas an
    # IN list of recipients would grow with the batch.
    return set(
        NotificationPreference.objects.filter(kind__in=kinds, email_enabled=False).values_list(
            "user_id", "kind"
        )
    )


def notices_create(*, notices: Sequence[Notice], now: datetime | None = None) -> list[int]:
    """Write the outbox rows (unless the person turned the kind off or has no address) and the
    in-app notifications of ``notices`` in the current transaction, skipping any whose
    deduplication key exists already, and enqueue the pending rows once the transaction commits.

    Returns the ids of the pending outbox rows for these notices.
    """
    if not notices:
        return []
    now = now or timezone.now()
    grace = timedelta(seconds=settings.NOTIFICATIONS["RELAY_GRACE_SECONDS"])
    opted_out = _opted_out(notices)
    messages = [
        OutboxMessage(
            dedup_key=notice.dedup_key,
            kind=notice.kind,
            recipient_id=notice.recipient_id,
            to_email=notice.email,
            context={**notice.context, "path": notice.path},
            created_at=now,
            # The task enqueued after commit sends it at once; the relay steps in only if the
            # broker never got it or lost it.
            next_attempt_at=now + grace,
        )
        for notice in notices
        if notice.email and (notice.recipient_id, notice.kind) not in opted_out
    ]
    notifications = [
        Notification(
            recipient_id=notice.recipient_id,
            kind=notice.kind,
            dedup_key=notice.dedup_key,
            context=notice.context,
            url=notice.path,
            created_at=now,
        )
        for notice in notices
        if spec_for(notice.kind).in_app
    ]
    with transaction.atomic():
        # ignore_conflicts: a concurrent sweep that wrote the same key first wins, quietly; the
        # unique constraint, not a prior SELECT, is what guarantees one row per key.
        for chunk in chunked(messages):
            OutboxMessage.objects.bulk_create(chunk, ignore_conflicts=True)
        for chunk in chunked(notifications):
            Notification.objects.bulk_create(chunk, ignore_conflicts=True)
        pending_ids: list[int] = []
        for keys in chunked(message.dedup_key for message in messages):
            pending_ids.extend(
                OutboxMessage.objects.filter(
                    dedup_key__in=keys, status=OutboxMessage.Status.PENDING
                ).values_list("pk", flat=True)
            )
    if pending_ids:
        transaction.on_commit(partial(outbox_enqueue, message_ids=pending_ids), robust=True)
    return pending_ids


def outbox_enqueue(*, message_ids: Sequence[int]) -> list[int]:
    """Publish send tasks for ``message_ids`` (one task per batch). Never raises: when the broker
    is down the rows stay pending and the relay sweep enqueues them later, so a web request is
    neither failed nor held up by it. Returns the ids whose task was published."""
    from ..tasks import send_outbox_batch, send_outbox_message

    published: list[int] = []
    for batch in chunked(message_ids, settings.NOTIFICATIONS["SEND_BATCH_SIZE"]):
        try:
            if len(batch) == 1:
                send_outbox_message.apply_async(args=[batch[0]], retry=False)
            else:
                send_outbox_batch.apply_async(args=[batch], retry=False)
        except Exception:
            # Stop at the first failure: the broker is unreachable and each further attempt would
            # wait for the connection timeout again.
            logger.warning(
                "Could not enqueue %d outgoing e-mails; the relay sweep will.",
                len(message_ids) - len(published),
                exc_info=True,
            )
            break
        published.extend(batch)
    return published
