"""The outbox sender: claim before sending, retry transient errors with backoff, record permanent
ones, and the relay that picks up what nobody is sending."""

import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from notifications.models import OutboxMessage
from notifications.services import (
    outbox_enqueue,
    outbox_message_retry,
    outbox_message_send,
    outbox_messages_send,
    outbox_relay,
)
from tests import factories

pytestmark = pytest.mark.django_db

NOW = timezone.datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(180))


class FailingBackend:
    """An e-mail backend whose every send raises the error the test chose."""

    error: Exception | None = None

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise type(self).error

    def open(self):
        return False

    def close(self):
        pass


@pytest.fixture
def failing_backend(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    yield FailingBackend
    FailingBackend.error = None


def test_a_pending_message_is_sent_once_with_both_parts(mailoutbox):
    message = factories.OutboxMessageFactory()

    assert outbox_message_send(message_id=message.pk) == "sent"
    assert outbox_message_send(message_id=message.pk) is None

    assert len(mailoutbox) == 1
    sent = mailoutbox[0]
    assert sent.to == [message.to_email]
    assert sent.alternatives[0].mimetype == "text/html"
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    assert message.subject == sent.subject == "Startup: stage changed to Acceleration"
    assert "moved from Incubation to Acceleration" in message.body_text
    assert "<strong>Acceleration</strong>" in message.body_html


def test_a_message_claimed_by_another_sender_is_left_alone(mailoutbox):
    message = factories.OutboxMessageFactory(
        status="sending", claimed_until=timezone.now() + timedelta(minutes=5)
    )

    assert outbox_message_send(message_id=message.pk) is None
    assert mailoutbox == []


def test_a_batch_sends_each_pending_message_and_skips_the_rest(mailoutbox):
    pending = factories.OutboxMessageFactory.create_batch(3)
    sent = factories.OutboxMessageFactory(status="sent")

    outcomes = outbox_messages_send(message_ids=[m.pk for m in pending] + [sent.pk])

    assert outcomes == {m.pk: "sent" for m in pending}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(m.to_email for m in pending)


def test_a_transient_error_is_retried_with_growing_backoff(failing_backend, settings, mailoutbox):
    failing_backend.error = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    message = factories.OutboxMessageFactory()

    with time_machine.travel(NOW, tick=False):
        assert outbox_message_send(message_id=message.pk) == "pending"
        message.refresh_from_db()
        assert message.attempts == 1
        assert message.next_attempt_at == NOW + timedelta(seconds=60)
        assert "SMTPServerDisconnected" in message.last_error
        assert outbox_message_send(message_id=message.pk) == "pending"
        message.refresh_from_db()
        assert message.next_attempt_at == NOW + timedelta(seconds=120)


def test_a_transient_error_fails_for_good_after_the_last_attempt(failing_backend, settings):
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "MAX_ATTEMPTS": 2}
    failing_backend.error = smtplib.SMTPResponseException(421, b"Try again later")
    message = factories.OutboxMessageFactory()

    assert outbox_message_send(message_id=message.pk) == "pending"
    assert outbox_message_send(message_id=message.pk) == "failed"
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 2)


def test_a_permanent_error_fails_at_once(failing_backend):
    failing_backend.error = smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"No such user")})
    message = factories.OutboxMessageFactory()

    assert outbox_message_send(message_id=message.pk) == "failed"
    message.refresh_from_db()
    assert message.attempts == 1
    assert "SMTPRecipientsRefused" in message.last_error


def test_a_failed_message_can_be_sent_again(mailoutbox):
    message = factories.OutboxMessageFactory(status="failed", attempts=6, last_error="550")

    assert outbox_message_retry(message_ids=[message.pk]) == 1
    assert outbox_message_send(message_id=message.pk) == "sent"
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("status", ["cancelled", "sent", "pending"])
def test_only_failed_messages_are_sent_again(status, mailoutbox):
    # A cancelled reminder's task is done (or its kind turned off): sending it late would be wrong.
    message = factories.OutboxMessageFactory(status=status, attempts=1)

    assert outbox_message_retry(message_ids=[message.pk]) == 0
    message.refresh_from_db()
    assert (message.status, message.attempts) == (status, 1)


def test_a_kind_turned_off_after_queueing_is_cancelled(mailoutbox):
    message = factories.OutboxMessageFactory(kind="stage_changed")
    factories.NotificationPreferenceFactory(user=message.recipient, kind="stage_changed")

    assert outbox_message_send(message_id=message.pk) == "cancelled"
    assert mailoutbox == []


def test_a_mandatory_kind_is_sent_whatever_the_preferences_say(mailoutbox):
    message = factories.OutboxMessageFactory(
        kind="decision_released",
        context={"startup": "S", "call": "C", "status": "accepted", "status_label": "Accepted", "path": "/"},
    )
    # A preference row for a mandatory kind cannot be made through the services; even if one
    # exists in the database, it is ignored.
    factories.NotificationPreferenceFactory(user=message.recipient, kind="decision_released")

    assert outbox_message_send(message_id=message.pk) == "sent"
    assert len(mailoutbox) == 1


def test_relay_enqueues_rows_never_enqueued(monkeypatch):
    enqueued = []
    monkeypatch.setattr(
        "notifications.services.outbox.outbox_enqueue",
        lambda message_ids: enqueued.extend(message_ids) or message_ids,
    )
    with time_machine.travel(NOW, tick=False):
        waiting = factories.OutboxMessageFactory(next_attempt_at=NOW - timedelta(minutes=3))
        factories.OutboxMessageFactory(next_attempt_at=NOW + timedelta(minutes=1))  # its task may still run
        factories.OutboxMessageFactory(status="sent", next_attempt_at=NOW - timedelta(hours=1))

        result = outbox_relay()

    assert enqueued == [waiting.pk]
    assert result.enqueued == 1
    waiting.refresh_from_db()
    # Not enqueued again by the next sweep while its task waits in the queue.
    assert waiting.next_attempt_at == NOW + timedelta(seconds=120)


def test_relay_reclaims_rows_whose_worker_died(monkeypatch, mailoutbox):
    monkeypatch.setattr("notifications.services.outbox.outbox_enqueue", lambda message_ids: list(message_ids))
    with time_machine.travel(NOW, tick=False):
        dead = factories.OutboxMessageFactory(
            status="sending", attempts=1, claimed_until=NOW - timedelta(seconds=1)
        )
        alive = factories.OutboxMessageFactory(
            status="sending", attempts=1, claimed_until=NOW + timedelta(minutes=5)
        )
        hopeless = factories.OutboxMessageFactory(
            status="sending", attempts=6, claimed_until=NOW - timedelta(seconds=1)
        )

        result = outbox_relay()

    assert (result.reclaimed, result.failed) == (1, 1)
    statuses = dict(OutboxMessage.objects.values_list("pk", "status"))
    assert statuses == {dead.pk: "pending", alive.pk: "sending", hopeless.pk: "failed"}
    assert outbox_message_send(message_id=dead.pk) == "sent"
    assert len(mailoutbox) == 1


def test_enqueue_never_raises_when_the_broker_is_down(monkeypatch, caplog):
    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("Connection refused")

    monkeypatch.setattr("notifications.tasks.send_outbox_message.apply_async", broker_down)
    monkeypatch.setattr("notifications.tasks.send_outbox_batch.apply_async", broker_down)

    assert outbox_enqueue(message_ids=[1]) == []
    assert outbox_enqueue(message_ids=[1, 2, 3]) == []
    assert "the relay sweep will" in caplog.text


def test_enqueue_publishes_one_task_per_batch(monkeypatch, settings):
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "SEND_BATCH_SIZE": 2}
    batches = []
    monkeypatch.setattr(
        "notifications.tasks.send_outbox_batch.apply_async", lambda args, **kwargs: batches.append(args[0])
    )
    monkeypatch.setattr(
        "notifications.tasks.send_outbox_message.apply_async", lambda args, **kwargs: batches.append(args)
    )

    assert outbox_enqueue(message_ids=[1, 2, 3, 4, 5]) == [1, 2, 3, 4, 5]
    assert batches == [[1, 2], [3, 4], [5]]


def test_tasks_take_ids_and_send(mailoutbox):
    from notifications.tasks import send_outbox_batch, send_outbox_message

    first, second = factories.OutboxMessageFactory.create_batch(2)

    send_outbox_message.apply(args=[first.pk])
    send_outbox_message.apply(args=[first.pk])  # delivered twice
    send_outbox_batch.apply(args=[[first.pk, second.pk]])

    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.to_email, second.to_email])
