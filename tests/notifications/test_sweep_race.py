"""A task finished while the reminder sweep runs gets no reminder left behind: the sweep reads
what is open, then writes its reminders and reads again under the finishing services' row locks,
settling what was finished in between (notifications.services.settle)."""

import threading
import time
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connections, transaction
from django.utils import timezone

from incubator.models import Startup
from incubator.services.portfolio import kpi_report_submit, milestone_evidence_add
from notifications.models import Notification
from notifications.services import portfolio as portfolio_reminders
from notifications.services import reminders, reminders_sweep
from pipeline.services import application_transition, milestone_transition
from pipeline.services.assignment import assignment_decline
from tests import factories
from tests.notifications.helpers import closing_draft, notice_state
from tests.reviews import review_write

MSK = timezone.get_fixed_timezone(180)


def _finish_before_write(monkeypatch, module, kind: str, finish) -> None:
    """Run ``finish`` after the sweep read the open tasks of ``kind`` and before it writes."""
    original = module.create_in_chunks

    def create_in_chunks(notices, now, recheck=None):
        if notices and notices[0].kind == kind:
            finish()
        return original(notices, now, recheck)

    monkeypatch.setattr(module, "create_in_chunks", create_in_chunks)


def _due_reviews(count: int, *, due_in: timedelta = timedelta(days=2)):
    call = factories.CallFactory()
    factories.CriterionFactory(call=call)
    return [
        factories.ReviewAssignmentFactory(
            application__call=call,
            due_at=timezone.now() + due_in,
            created_at=timezone.now() - timedelta(days=10),
        )
        for _ in range(count)
    ]


@pytest.mark.django_db
def test_reviews_finished_between_the_sweeps_read_and_write_are_settled(monkeypatch, manager):
    submitted, declined, decided, still_owed = _due_reviews(4)

    def finish():
        review_write(submitted)
        assignment_decline(assignment=declined, actor=declined.reviewer, reason="No time.", conflict=False)
        application_transition(
            application=decided.application,
            name="reject",
            actor=manager,
            reason="Out of scope.",
            override=True,
        )

    _finish_before_write(monkeypatch, reminders, "review_due_soon", finish)
    reminders_sweep()

    assert notice_state("review_due_soon") == {
        submitted.reviewer_id: (True, "cancelled"),
        declined.reviewer_id: (True, "cancelled"),
        decided.reviewer_id: (True, "cancelled"),
        still_owed.reviewer_id: (False, "pending"),
    }


@pytest.mark.django_db
def test_an_overdue_review_submitted_meanwhile_is_settled(monkeypatch):
    submitted, still_owed = _due_reviews(2, due_in=-timedelta(hours=3))
    _finish_before_write(monkeypatch, reminders, "review_overdue", lambda: review_write(submitted))

    reminders_sweep()

    assert notice_state("review_overdue") == {
        submitted.reviewer_id: (True, "cancelled"),
        still_owed.reviewer_id: (False, "pending"),
    }


@pytest.mark.django_db
def test_a_draft_submitted_meanwhile_is_settled_for_every_founder(monkeypatch):
    world = closing_draft()
    draft, founders, someone_else = world.draft, world.founders, world.someone_else
    _finish_before_write(
        monkeypatch,
        reminders,
        "draft_closing",
        lambda: application_transition(application=draft, name="submit", actor=founders[0]),
    )

    reminders_sweep()

    state = notice_state("draft_closing")
    assert [state[f.pk] for f in founders] == [(True, "cancelled")] * 2
    assert state[someone_else.pk] == (False, "pending")


@pytest.mark.django_db
def test_milestone_evidence_submitted_meanwhile_is_settled(monkeypatch, founder):
    startup = factories.StartupFactory(stage="incubation", founders=[founder])
    done = factories.MilestoneFactory(startup=startup, due_on=date(2026, 12, 10))
    owed = factories.MilestoneFactory(startup=startup, due_on=date(2026, 12, 10))

    def finish():
        milestone_evidence_add(milestone=done, actor=founder, note="Report attached.")
        milestone_transition(milestone=done, name="submit", actor=founder)

    _finish_before_write(monkeypatch, portfolio_reminders, "milestone_due_soon", finish)
    with time_machine.travel(datetime(2026, 12, 3, 9, tzinfo=MSK), tick=False):
        reminders_sweep()

    read = {
        int(key.split(":")[1]): read_at is not None
        for key, read_at in Notification.objects.filter(kind="milestone_due_soon").values_list(
            "dedup_key", "read_at"
        )
    }
    assert read == {done.pk: True, owed.pk: False}


def _reporting_startup(founder) -> Startup:
    startup = factories.StartupFactory(stage="incubation", founders=[founder])
    Startup.objects.filter(pk=startup.pk).update(admitted_at=datetime(2026, 8, 20, 10, tzinfo=MSK))
    startup.refresh_from_db()
    return startup


@pytest.mark.django_db
def test_a_monthly_report_sent_meanwhile_is_settled(monkeypatch, founder):
    startup = _reporting_startup(founder)
    other_founder = factories.FounderFactory()
    _reporting_startup(other_founder)
    _finish_before_write(
        monkeypatch,
        portfolio_reminders,
        "kpi_report_overdue",
        lambda: kpi_report_submit(startup=startup, actor=founder, period=date(2026, 10, 1), team_size=3),
    )

    with time_machine.travel(datetime(2026, 11, 11, 9, tzinfo=MSK), tick=False):
        reminders_sweep()

    assert notice_state("kpi_report_overdue") == {
        founder.pk: (True, "cancelled"),
        other_founder.pk: (False, "pending"),
    }


class _Busy:
    """Stands in for the sweep's ``time`` module: its first wait for a busy row is announced."""

    def __init__(self) -> None:
        self.seen = threading.Event()

    def sleep(self, seconds: float) -> None:
        self.seen.set()
        time.sleep(seconds)


def _in_another_connection(finish, done: threading.Event, release: threading.Event) -> threading.Thread:
    """``finish`` in its own transaction on its own connection, kept open (its row locks held, its
    settle already run and finding nothing) after ``done`` is set, until ``release`` is."""

    def run():
        try:
            with transaction.atomic():
                finish()
                done.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _sweep_meanwhile(monkeypatch, finish) -> None:
    """Run the sweep while ``finish`` is done but not committed in another connection; the other
    transaction commits once the sweep has found one of its rows busy."""
    busy = _Busy()
    monkeypatch.setattr(reminders, "time", busy)
    done = threading.Event()
    thread = _in_another_connection(finish, done, busy.seen)
    assert done.wait(10)
    # The sweep reads the task as open, writes its reminder, finds the task's row locked: it rolls
    # back and tries again once the other transaction has committed, and then reads it as done.
    reminders_sweep()
    thread.join(10)
    assert not thread.is_alive()
    assert busy.seen.is_set()  # the two really overlapped


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_review_submitted_while_the_sweep_writes_is_settled(monkeypatch):
    [assignment] = _due_reviews(1)

    _sweep_meanwhile(monkeypatch, lambda: review_write(assignment))

    assert notice_state("review_due_soon") == {assignment.reviewer_id: (True, "cancelled")}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_application_decided_while_the_sweep_writes_is_settled(monkeypatch):
    [assignment] = _due_reviews(1)
    manager = factories.ManagerFactory()

    _sweep_meanwhile(
        monkeypatch,
        lambda: application_transition(
            application=assignment.application,
            name="reject",
            actor=manager,
            reason="Out of scope.",
            override=True,
        ),
    )

    assert notice_state("review_due_soon") == {assignment.reviewer_id: (True, "cancelled")}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_report_sent_while_the_sweep_writes_is_settled(monkeypatch, founder):
    startup = _reporting_startup(founder)
    with time_machine.travel(datetime(2026, 11, 11, 9, tzinfo=MSK), tick=True):
        _sweep_meanwhile(
            monkeypatch,
            lambda: kpi_report_submit(startup=startup, actor=founder, period=date(2026, 10, 1), team_size=3),
        )

    assert notice_state("kpi_report_overdue") == {founder.pk: (True, "cancelled")}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_sweep_that_keeps_finding_rows_busy_leaves_the_reminders_to_the_next(monkeypatch):
    [assignment] = _due_reviews(1)
    monkeypatch.setattr(reminders, "BUSY_ATTEMPTS", 2)
    monkeypatch.setattr(reminders, "time", _Busy())
    done, release = threading.Event(), threading.Event()
    # A reviewer's draft save holds the assignment's row; the review stays owed.
    thread = _in_another_connection(lambda: review_write(assignment, submit=False), done, release)
    assert done.wait(10)
    try:
        reminders_sweep()
        assert notice_state("review_due_soon") == {}  # nothing half-written
    finally:
        release.set()
        thread.join(10)

    reminders_sweep()

    assert notice_state("review_due_soon") == {assignment.reviewer_id: (False, "pending")}
