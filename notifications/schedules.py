"""The periodic sweeps, as django-celery-beat rows (so they show, and can be changed, in the admin).

``schedules_ensure`` is idempotent: it creates the missing rows and leaves rows a person edited
alone, unless asked to reset them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str
    description: str
    every_seconds: int | None = None
    # minute, hour, day of week (crontab syntax), in the project's time zone
    crontab: tuple[str, str, str] | None = None
    # Run as soon as beat starts, not one interval later (sweeps that are cheap when idle).
    run_at_start: bool = False


SCHEDULES = [
    Schedule(
        name="notifications: relay outbox",
        task="notifications.relay_outbox",
        description="Enqueue e-mails nobody is sending: never enqueued, retry due, or whose worker died.",
        every_seconds=60,
        run_at_start=True,
    ),
    Schedule(
        name="notifications: reminder sweep",
        task="notifications.sweep_reminders",
        description="Reviews due soon or overdue, drafts as a call closes, stalled startups.",
        every_seconds=300,
        run_at_start=True,
    ),
    Schedule(
        name="notifications: weekly digest",
        task="notifications.send_weekly_digest",
        description="The managers' weekly digest, Monday morning.",
        crontab=("0", "8", "1"),
    ),
]


@dataclass(frozen=True)
class EnsureResult:
    created: list[str]
    reset: list[str]
    kept: list[str]


def _schedule_fields(schedule: Schedule) -> dict:
    if schedule.every_seconds is not None:
        interval, _created = IntervalSchedule.objects.get_or_create(
            every=schedule.every_seconds, period=IntervalSchedule.SECONDS
        )
        return {"interval": interval, "crontab": None}
    minute, hour, day_of_week = schedule.crontab
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute=minute,
        hour=hour,
        day_of_week=day_of_week,
        day_of_month="*",
        month_of_year="*",
        timezone=settings.TIME_ZONE,
    )
    return {"crontab": crontab, "interval": None}


@transaction.atomic
def schedules_ensure(*, reset: bool = False) -> EnsureResult:
    """Create the periodic tasks of the notifications app that are missing; with ``reset``, put
    existing ones back to their defaults (task, schedule, enabled)."""
    created, was_reset, kept = [], [], []
    for schedule in SCHEDULES:
        existing = PeriodicTask.objects.filter(name=schedule.name).first()
        if existing is not None and not reset:
            kept.append(schedule.name)
            continue
        fields = {
            "task": schedule.task,
            "description": schedule.description,
            "enabled": True,
            "args": "[]",
            "kwargs": "{}",
            # A start time makes beat run the task at once instead of one interval after start.
            "start_time": timezone.now() if schedule.run_at_start else None,
            **_schedule_fields(schedule),
        }
        PeriodicTask.objects.update_or_create(name=schedule.name, defaults=fields)
        (was_reset if existing is not None else created).append(schedule.name)
    return EnsureResult(created=created, reset=was_reset, kept=kept)
