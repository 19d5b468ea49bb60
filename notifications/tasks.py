"""Celery tasks: thin, they take ids and call a service that re-reads the rows.

Every task is safe to run twice (a redelivery after a lost worker, a relay's second copy): the
sender claims each row before sending it.
"""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="notifications.send_outbox_message")
def send_outbox_message(message_id: int) -> str | None:
    return services.outbox_message_send(message_id=message_id)


@shared_task(name="notifications.send_outbox_batch")
def send_outbox_batch(message_ids: list[int]) -> dict[int, str]:
    return services.outbox_messages_send(message_ids=message_ids)


@shared_task(name="notifications.relay_outbox")
def relay_outbox() -> dict[str, int]:
    result = services.outbox_relay()
    return {"reclaimed": result.reclaimed, "failed": result.failed, "enqueued": result.enqueued}


@shared_task(name="notifications.sweep_reminders")
def sweep_reminders() -> int:
    return services.reminders_sweep().total


@shared_task(name="notifications.send_weekly_digest")
def send_weekly_digest() -> int:
    return services.weekly_digest_create()
