"""Exactly once under concurrency, on PostgreSQL with real connections (one per thread): two
sweeps at once create each notice once, and the same send task delivered twice at the same
moment sends each e-mail once."""

from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import Notification, OutboxMessage
from notifications.services import outbox_messages_send, reminders_sweep
from notifications.tasks import send_outbox_message
from tests import factories
from tests.concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def due_reviews():
    now = timezone.now()
    call = factories.CallFactory(opens_at=now - timedelta(days=40), closes_at=now - timedelta(days=10))
    return [
        factories.ReviewAssignmentFactory(
            application__call=call,
            due_at=now + timedelta(hours=12),
            created_at=now - timedelta(days=10),
        )
        for _ in range(20)
    ]


def test_two_sweeps_at_once_create_each_reminder_once(due_reviews, monkeypatch):
    # The rows are sent below, by hand; the sweeps' own send tasks are not needed here.
    monkeypatch.setattr(
        "notifications.services.notices.outbox_enqueue", lambda message_ids: list(message_ids)
    )
    now = timezone.now()

    outcomes = race(lambda: reminders_sweep(now=now), lambda: reminders_sweep(now=now))

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    keys = list(OutboxMessage.objects.values_list("dedup_key", flat=True))
    assert len(keys) == len(set(keys)) == len(due_reviews)
    assert Notification.objects.count() == len(due_reviews)

    # Both "workers" get the whole batch at the same moment: each e-mail goes out once.
    ids = list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True))
    mail.outbox = []
    outcomes = race(
        lambda: outbox_messages_send(message_ids=ids), lambda: outbox_messages_send(message_ids=ids)
    )

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    sent_to = Counter(message.to[0] for message in mail.outbox)
    assert sorted(sent_to) == sorted(a.reviewer.email for a in due_reviews)
    assert set(sent_to.values()) == {1}
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_the_same_task_delivered_twice_at_once_sends_once():
    messages = factories.OutboxMessageFactory.create_batch(5)
    mail.outbox = []

    for message in messages:
        race(
            lambda pk=message.pk: send_outbox_message.apply(args=[pk]),
            lambda pk=message.pk: send_outbox_message.apply(args=[pk]),
            lambda pk=message.pk: send_outbox_message.apply(args=[pk]),
        )

    assert Counter(m.extra_headers["X-Outbox-Message"] for m in mail.outbox) == {
        str(message.pk): 1 for message in messages
    }
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("sent", 1)}
