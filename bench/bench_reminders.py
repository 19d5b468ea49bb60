"""Benchmark: the reminder sweep over 100,000 due reminders on PostgreSQL, then their delivery.

Seeds 100,000 review assignments due within a day (so each needs a "due soon" reminder) in a
throwaway database created for the run, then measures:
1. the sweep that finds them and writes 100,000 outbox rows and in-app notices, enqueueing the
   send tasks on the broker (target: under 60 seconds);
2. the same sweep again (nothing new may be created);
3. delivery by two processes that both work through every row at the same time, each claiming a
   row before sending it (locmem e-mail backend), so every row is raced for.
It checks there are no duplicates (one outbox row per deduplication key, one e-mail per row),
prints the figures and writes them to bench/results/reminders.json.

Run by `make bench` (DATABASE_URL and CELERY_BROKER_URL from scripts/with-test-services).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

from bench import databases  # noqa: E402  (needs BASE_DIR on the path when run as a script)

REMINDERS = int(os.environ.get("BENCH_REMINDERS", "100000"))
REVIEWERS = 1000
TARGET_SECONDS = 60.0
RESULTS = BASE_DIR / "bench" / "results" / "reminders.json"


def _seed(now) -> None:
    from incubator.models import Call, Startup, User
    from pipeline.models import Application, ReviewAssignment

    call = Call.objects.create(
        title="Bench call",
        slug="bench-call",
        opens_at=now - timedelta(days=60),
        closes_at=now - timedelta(days=20),
        review_deadline=now + timedelta(days=1),
        capacity=10,
    )
    reviewers = User.objects.bulk_create(
        User(email=f"reviewer{i}@bench.example.org", full_name=f"Reviewer {i}", is_mentor=True, password="!")
        for i in range(REVIEWERS)
    )
    applications_needed = -(-REMINDERS // REVIEWERS)
    startups = Startup.objects.bulk_create(
        Startup(name=f"Startup {i}", slug=f"startup-{i}") for i in range(applications_needed)
    )
    applications = Application.objects.bulk_create(
        Application(startup=startup, call=call, status="in_review") for startup in startups
    )
    assignments = (
        ReviewAssignment(
            application=applications[n // REVIEWERS],
            call=call,
            reviewer=reviewers[n % REVIEWERS],
            # Spread over the next 20 hours: every one is inside the one-day reminder window.
            due_at=now + timedelta(hours=4, seconds=n % 57_600),
            created_at=now - timedelta(days=14),
        )
        for n in range(REMINDERS)
    )
    batch: list = []
    for assignment in assignments:
        batch.append(assignment)
        if len(batch) == 5000:
            ReviewAssignment.objects.bulk_create(batch)
            batch = []
    if batch:
        ReviewAssignment.objects.bulk_create(batch)


def _deliver(args: tuple[list[int], int]) -> list[int]:
    """One delivery process: claim and send every row of ``ids`` in batches of the task's size;
    returns the outbox ids of the e-mails this process sent."""
    ids, batch_size = args
    from django.core import mail
    from django.db import connections

    from notifications.services import outbox_messages_send

    mail.outbox = []
    for start in range(0, len(ids), batch_size):
        outbox_messages_send(message_ids=ids[start : start + batch_size])
    sent = [int(message.extra_headers["X-Outbox-Message"]) for message in mail.outbox]
    connections.close_all()
    return sent


def main() -> int:
    with databases.throwaway_database("bench_reminders"):
        return _run()


def _run() -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.core import mail
    from django.core.management import call_command
    from django.db import connections
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from notifications.models import Notification, OutboxMessage
    from notifications.services import reminders_sweep

    setup_test_environment()  # the locmem e-mail backend, whatever the settings say
    call_command("migrate", verbosity=0)
    now = timezone.now()

    started = time.perf_counter()
    _seed(now)
    seed_seconds = time.perf_counter() - started

    started = time.perf_counter()
    first = reminders_sweep(now=now)
    sweep_seconds = time.perf_counter() - started

    started = time.perf_counter()
    reminders_sweep(now=now)
    second_sweep_seconds = time.perf_counter() - started

    rows = OutboxMessage.objects.count()
    distinct_keys = OutboxMessage.objects.values("dedup_key").distinct().count()
    notifications = Notification.objects.count()

    ids = list(OutboxMessage.objects.order_by("pk").values_list("pk", flat=True))
    batch_size = settings.NOTIFICATIONS["SEND_BATCH_SIZE"]
    connections.close_all()  # the delivery processes open their own
    mail.outbox = []
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        # Both processes work through every row, one from each end: each row is raced for.
        per_process = pool.map(_deliver, [(ids, batch_size), (ids[::-1], batch_size)])
    delivery_seconds = time.perf_counter() - started
    sent = Counter(pk for process in per_process for pk in process)
    statuses = dict(Counter(OutboxMessage.objects.values_list("status", flat=True)))

    result = {
        "reminders_seeded": REMINDERS,
        "seed_seconds": round(seed_seconds, 2),
        "sweep_seconds": round(sweep_seconds, 2),
        "sweep_notices_due": first.total,
        "second_sweep_seconds": round(second_sweep_seconds, 2),
        "outbox_rows": rows,
        "distinct_dedup_keys": distinct_keys,
        "in_app_notifications": notifications,
        "delivery_processes": 2,
        "delivery_seconds": round(delivery_seconds, 2),
        "emails_sent": sum(sent.values()),
        "emails_sent_by_process": [len(process) for process in per_process],
        "rows_emailed_more_than_once": sum(1 for count in sent.values() if count > 1),
        "rows_by_status": statuses,
        "target_sweep_seconds": TARGET_SECONDS,
    }
    duplicates_free = (
        rows == distinct_keys == REMINDERS
        and notifications == REMINDERS
        and result["rows_emailed_more_than_once"] == 0
        and len(sent) == REMINDERS
        and statuses == {"sent": REMINDERS}
    )
    result["no_duplicates"] = duplicates_free
    result["within_target"] = sweep_seconds < TARGET_SECONDS

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"reminder sweep over {REMINDERS:,} due reminders (PostgreSQL)")
    print(f"  seed:                {seed_seconds:8.2f} s")
    print(f"  sweep:               {sweep_seconds:8.2f} s   target < {TARGET_SECONDS:.0f} s")
    print(f"  sweep again:         {second_sweep_seconds:8.2f} s   (creates nothing)")
    print(f"  outbox rows:         {rows:,} for {distinct_keys:,} keys; in-app notices: {notifications:,}")
    print(f"  delivery, 2 racing:  {delivery_seconds:8.2f} s   {sum(sent.values()):,} e-mails")
    print(f"  no duplicates:       {duplicates_free}")
    print(f"  written to {RESULTS.relative_to(BASE_DIR)}")
    return 0 if duplicates_free and result["within_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
