"""What the notification tests look at."""

from __future__ import annotations

from notifications.models import Notification, OutboxMessage


def notice_state(kind: str) -> dict[int, tuple[bool, str]]:
    """Per recipient of ``kind``: whether the notice is read, and its e-mail's status."""
    mails = dict(OutboxMessage.objects.filter(kind=kind).values_list("dedup_key", "status"))
    return {
        notice.recipient_id: (notice.read_at is not None, mails[notice.dedup_key])
        for notice in Notification.objects.filter(kind=kind)
    }
