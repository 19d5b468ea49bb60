"""End to end with a real Redis, real Celery workers (subprocesses) and PostgreSQL: a transition
leads to exactly one e-mail per recipient; a worker killed mid-batch loses and duplicates
nothing; a transition fired while Redis is down commits and its e-mail goes out once Redis is
back."""

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboxMessage
from notifications.services import outbox_relay, reminders_sweep
from notifications.tasks import send_outbox_batch
from pipeline.services import startup_transition
from tests import factories

from .conftest import outbox_ids_sent, read_mail, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _statuses() -> Counter:
    return Counter(OutboxMessage.objects.values_list("status", flat=True))


def test_a_stage_change_sends_one_email_to_each_founder_and_the_mentor_with_both_parts(workers, mail_dir):
    workers.start(env={"SITE_URL": "https://pipeline.example.org"})  # the worker renders the e-mail
    manager = factories.ManagerFactory()
    founders = [factories.FounderFactory(), factories.FounderFactory()]
    startup = factories.StartupFactory(stage="incubation", founders=founders, name="NeuroRegen")
    mentor = factories.MentorAssignmentFactory(startup=startup).mentor  # told under a notice of their own

    startup_transition(
        startup=startup, name="accelerate", actor=manager, override=True, reason="Investor deadline."
    )

    wait_for(lambda: _statuses() == {"sent": 3}, timeout=30, message="the three e-mails to be sent")
    time.sleep(0.5)  # room for a duplicate to show up, if there were one
    mails = read_mail(mail_dir)
    assert sorted(message["To"] for message in mails) == sorted([*(f.email for f in founders), mentor.email])
    for message in mails:
        assert message["Subject"] == "NeuroRegen: stage changed to Acceleration"
        parts = {
            part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()
        }
        assert "NeuroRegen moved from Incubation to Acceleration." in parts["text/plain"]
        assert "<strong>Acceleration</strong>" in parts["text/html"]
        assert f"https://pipeline.example.org/startups/{startup.pk}/" in parts["text/plain"]
        assert (
            message["List-Unsubscribe"]
            .strip()
            .startswith("<https://pipeline.example.org/notifications/unsubscribe/")
        )
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(workers, mail_dir, settings):
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "RELAY_GRACE_SECONDS": 0, "SEND_BATCH_SIZE": 50}
    lease = {"NOTIFICATIONS_SEND_LEASE_SECONDS": "3"}
    now = timezone.now()
    call = factories.CallFactory(opens_at=now - timedelta(days=40), closes_at=now - timedelta(days=10))
    for _ in range(5):
        factories.ReviewAssignmentFactory(
            application__call=call, due_at=now + timedelta(hours=12), created_at=now - timedelta(days=10)
        )
    first = workers.start(slow=1.5, env=lease)

    reminders_sweep()  # five due reminders, enqueued after commit as one batch task

    wait_for(lambda: _statuses()["sent"] == 2, timeout=30, message="two e-mails sent by the slow worker")
    time.sleep(0.3)  # the third is claimed and its sending under way
    first.kill()
    assert _statuses() == {"sent": 2, "sending": 1, "pending": 2}
    assert set(outbox_ids_sent(mail_dir).values()) == {1}

    second = workers.start(env=lease)
    time.sleep(3.2)  # the dead worker's lease runs out
    assert outbox_relay().reclaimed == 1
    wait_for(lambda: _statuses() == {"sent": 5}, timeout=30, message="every e-mail sent")

    # The broker hands the killed worker's task out again (as it would after its visibility
    # timeout): nothing is sent twice.
    ids = list(OutboxMessage.objects.values_list("pk", flat=True))
    send_outbox_batch.delay(ids)
    time.sleep(1.5)
    second.stop()
    assert outbox_ids_sent(mail_dir) == Counter(dict.fromkeys(ids, 1))


def test_redis_down_while_a_manager_fires_a_transition(
    private_workers, private_redis, mail_dir, settings, client
):
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "RELAY_GRACE_SECONDS": 0}
    manager = factories.ManagerFactory()
    founder = factories.FounderFactory()
    startup = factories.StartupFactory(stage="incubation", founders=[founder])
    private_workers.start()
    client.force_login(manager)

    private_redis.stop()
    started = time.monotonic()
    response = client.post(
        reverse("startup-transition", args=[startup.pk]),
        {
            "transition": "accelerate",
            "expected_state": "incubation",
            "reason": "Investor deadline.",
            "override": "on",
        },
    )
    elapsed = time.monotonic() - started

    # The request neither failed nor hung, the transition committed, and the e-mail waits.
    assert response.status_code == 302
    assert elapsed < 10
    startup.refresh_from_db()
    assert startup.stage == "acceleration"
    message = OutboxMessage.objects.get()
    assert (message.status, message.to_email) == ("pending", founder.email)
    assert outbox_relay().enqueued == 0  # still down: the relay waits too

    private_redis.start()
    wait_for(lambda: outbox_relay().enqueued == 1, timeout=20, message="the relay to reach Redis again")
    wait_for(lambda: _statuses() == {"sent": 1}, timeout=60, message="the e-mail to go out")
    assert outbox_ids_sent(mail_dir) == Counter({message.pk: 1})
