"""The periodic sweeps as django-celery-beat rows, created by an idempotent command."""

import pytest
from django.core.management import call_command
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from config.celery_app import app
from notifications.schedules import SCHEDULES

pytestmark = pytest.mark.django_db


def test_setup_schedules_creates_every_sweep_once():
    call_command("setup_schedules")
    call_command("setup_schedules")

    tasks = {task.name: task for task in PeriodicTask.objects.all()}
    assert set(tasks) == {schedule.name for schedule in SCHEDULES}
    assert tasks["notifications: relay outbox"].interval.every == 60
    assert tasks["notifications: weekly digest"].crontab.day_of_week == "1"
    assert IntervalSchedule.objects.filter(every=60).count() == 1
    # Every scheduled task exists in the worker's registry.
    app.loader.import_default_modules()
    assert {task.task for task in tasks.values()} <= set(app.tasks)


def test_edits_in_the_admin_are_kept_unless_reset():
    call_command("setup_schedules")
    relay = PeriodicTask.objects.get(name="notifications: relay outbox")
    relay.interval = IntervalSchedule.objects.create(every=30, period=IntervalSchedule.SECONDS)
    relay.enabled = False
    relay.save()

    call_command("setup_schedules")
    relay.refresh_from_db()
    assert (relay.interval.every, relay.enabled) == (30, False)

    call_command("setup_schedules", "--reset")
    relay.refresh_from_db()
    assert (relay.interval.every, relay.enabled) == (60, True)
