"""Portfolio notices: milestone evidence and its outcome, milestones due soon, and monthly
reports before and after their due date, with frozen time."""

from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from incubator.models import KpiReport, Startup
from incubator.services.portfolio import milestone_evidence_add
from notifications.models import Notification, OutboxMessage
from notifications.rendering import render_email
from notifications.services import reminders_sweep
from pipeline.services import milestone_transition
from tests import factories

pytestmark = pytest.mark.django_db

MSK = timezone.get_fixed_timezone(180)


def _rendered(message: OutboxMessage):
    return render_email(kind=message.kind, context=message.context, recipient=message.recipient)


def _keys(kind: str) -> list[str]:
    return sorted(OutboxMessage.objects.filter(kind=kind).values_list("dedup_key", flat=True))


@pytest.fixture
def team(founder, mentor):
    startup = factories.StartupFactory(name="NeuroRegen", stage="incubation", founders=[founder])
    factories.MentorAssignmentFactory(startup=startup, mentor=mentor)
    Startup.objects.filter(pk=startup.pk).update(admitted_at=datetime(2026, 8, 20, 10, tzinfo=MSK))
    return startup


def test_submitted_evidence_goes_to_the_mentor_and_the_outcome_to_the_founders(team, founder, mentor):
    milestone = factories.MilestoneFactory(startup=team, title="GLP toxicology")
    milestone_evidence_add(milestone=milestone, actor=founder, note="Report attached.")

    milestone_transition(milestone=milestone, name="submit", actor=founder)
    [submitted] = OutboxMessage.objects.filter(kind="milestone_submitted")
    assert submitted.recipient == mentor
    assert "NeuroRegen submitted the evidence for “GLP toxicology”" in _rendered(submitted).subject

    milestone_transition(
        milestone=milestone, name="send_back", actor=mentor, reason="The report is unsigned."
    )
    [decided] = OutboxMessage.objects.filter(kind="milestone_decided")
    assert decided.recipient == founder
    rendered = _rendered(decided)
    assert rendered.subject == "Milestone “GLP toxicology” sent back"  # not its new status, "In progress"
    assert "The report is unsigned." in rendered.text
    assert "The report is unsigned." in rendered.html
    assert Notification.objects.filter(recipient=founder, kind="milestone_decided").exists()


def test_the_managers_learn_that_tranches_tied_to_an_accepted_milestone_can_be_paid(team, founder, mentor):
    from decimal import Decimal

    call_manager = factories.ManagerFactory()
    factories.ManagerFactory()  # not told: the admitting call has its own managers
    call = factories.CallFactory()
    call.managers.set([call_manager])
    Startup.objects.filter(pk=team.pk).update(admitted_call=call)
    factories.ApplicationFactory(
        startup=team, status="accepted"
    )  # to a later call: not the one that admitted it
    milestone = factories.MilestoneFactory(startup=team, title="Scale-up plan", status="submitted")
    other = factories.MilestoneFactory(startup=team, title="Pilot batch", status="submitted")
    rub = factories.FundingRecordFactory(startup=team, amount=Decimal("2000000"), currency="RUB")
    rub.tranches.create(amount=Decimal("1000000"), milestone=milestone)
    rub.tranches.create(
        amount=Decimal("500000"), milestone=milestone, status="paid", paid_on=date(2026, 9, 1)
    )
    usd = factories.FundingRecordFactory(startup=team, amount=Decimal("50000"), currency="USD")
    usd.tranches.create(amount=Decimal("40000.50"), milestone=milestone)

    milestone_transition(milestone=milestone, name="accept", actor=mentor)
    milestone_transition(milestone=other, name="accept", actor=mentor)  # nothing tied to it

    [message] = OutboxMessage.objects.filter(kind="tranche_payable")
    assert message.recipient == call_manager
    email = _rendered(message)
    assert email.subject == "NeuroRegen: funding tied to “Scale-up plan” can be paid"
    assert "* 1,000,000 RUB\n* 40,000.50 USD" in email.text
    assert "500,000" not in email.text  # already paid
    assert f"/startups/{team.pk}/" in email.text


def test_the_founders_hear_that_a_missed_milestone_is_open_again(team, founder, manager):
    milestone = factories.MilestoneFactory(startup=team, title="FTO analysis")
    milestone_transition(
        milestone=milestone, name="miss", actor=manager, reason="The patent attorney's opinion never came."
    )
    milestone_transition(milestone=milestone, name="reopen", actor=manager)

    subjects = [
        _rendered(m).subject for m in OutboxMessage.objects.filter(kind="milestone_decided").order_by("pk")
    ]
    assert subjects == ["Milestone “FTO analysis” marked as missed", "Milestone “FTO analysis” reopened"]
    missed = _rendered(OutboxMessage.objects.filter(kind="milestone_decided").earliest("pk"))
    assert "The patent attorney's opinion never came." in missed.text
    reopened = _rendered(OutboxMessage.objects.filter(kind="milestone_decided").latest("pk"))
    assert "is open again: add the evidence and submit it." in reopened.text


def test_the_founders_learn_the_verdict_of_an_investment_readiness_review(team, founder, mentor):
    from incubator.services.portfolio import investment_review_create

    investment_review_create(startup=team, actor=mentor, verdict="not_ready", summary="Build the data room.")

    [message] = OutboxMessage.objects.filter(kind="investment_reviewed")
    assert message.recipient == founder
    email = _rendered(message)
    assert email.subject == "NeuroRegen: investment-readiness review, “Not ready yet”"
    assert "Build the data room." in email.text
    assert "Moving on to funding needs a review that finds the startup ready." in email.text
    assert not OutboxMessage.objects.filter(kind="investment_reviewed", recipient=mentor).exists()


def test_the_founders_hear_of_funding_recorded_and_of_each_tranche_paid(team, founder, manager):
    from decimal import Decimal

    from incubator.services.portfolio import funding_record_create, funding_tranche_mark_paid

    record = funding_record_create(
        startup=team,
        actor=manager,
        kind="grant",
        date=date(2026, 10, 1),
        amount=Decimal("5000000.50"),
        currency="RUB",
        investor_name="Innovation Promotion Fund",
        tranches=[{"amount": Decimal("2000000")}],
    )
    funding_tranche_mark_paid(tranche=record.tranches.get(), actor=manager, paid_on=date(2026, 10, 20))

    recorded, paid = (
        _rendered(m) for m in OutboxMessage.objects.filter(kind="funding_recorded").order_by("pk")
    )
    assert recorded.subject == "NeuroRegen: funding of 5,000,000.50 RUB recorded"
    assert "Grant, 5,000,000.50 RUB, from Innovation Promotion Fund, dated 1 October 2026." in recorded.text
    assert paid.subject == "NeuroRegen: a tranche of 2,000,000 RUB paid"
    assert "was paid to NeuroRegen on 20 October 2026, out of: Grant, 5,000,000.50 RUB" in paid.text
    assert set(OutboxMessage.objects.filter(kind="funding_recorded").values_list("recipient", flat=True)) == {
        founder.pk
    }


def test_milestone_due_reminders_a_week_and_a_day_before(team, founder):
    milestone = factories.MilestoneFactory(startup=team, due_on=date(2026, 12, 10))
    factories.MilestoneFactory(startup=team, due_on=date(2026, 12, 10), status="accepted")

    with time_machine.travel(datetime(2026, 12, 2, 9, tzinfo=MSK), tick=False):
        reminders_sweep()
    assert _keys("milestone_due_soon") == []
    with time_machine.travel(datetime(2026, 12, 3, 9, tzinfo=MSK), tick=False):
        reminders_sweep()
        reminders_sweep()
    assert _keys("milestone_due_soon") == [f"milestone-due:{milestone.pk}:2026-12-10:7d:u{founder.pk}"]
    with time_machine.travel(datetime(2026, 12, 9, 12, tzinfo=MSK), tick=False):
        reminders_sweep()
    assert [key.split(":")[3] for key in _keys("milestone_due_soon")] == ["1d", "7d"]


def test_no_milestone_reminders_once_the_startup_left_the_programme(team, founder):
    factories.MilestoneFactory(startup=team, due_on=date(2026, 12, 10))
    type(team).objects.filter(pk=team.pk).update(stage="exited")

    with time_machine.travel(datetime(2026, 12, 3, 9, tzinfo=MSK), tick=False):
        reminders_sweep()

    assert _keys("milestone_due_soon") == []


def test_a_rescheduled_or_removed_milestone_takes_its_old_reminders_with_it(team, founder, manager):
    from incubator.services.portfolio import milestone_remove, milestone_update

    moved = factories.MilestoneFactory(startup=team, due_on=date(2026, 12, 4))
    removed = factories.MilestoneFactory(startup=team, due_on=date(2026, 12, 4))
    with time_machine.travel(datetime(2026, 12, 3, 9, tzinfo=MSK), tick=False):
        reminders_sweep()
        assert Notification.objects.filter(kind="milestone_due_soon", read_at__isnull=True).count() == 2
        milestone_update(milestone=moved, actor=manager, due_on=date(2027, 3, 1))
        milestone_remove(milestone=removed, actor=manager)

    assert not Notification.objects.filter(kind="milestone_due_soon", read_at__isnull=True).exists()
    assert not OutboxMessage.objects.filter(kind="milestone_due_soon", status="pending").exists()
    # The new date gets reminders of its own.
    with time_machine.travel(datetime(2027, 2, 28, 9, tzinfo=MSK), tick=False):
        reminders_sweep()
    assert Notification.objects.filter(kind="milestone_due_soon", read_at__isnull=True).count() == 1


def test_monthly_report_reminders_before_and_after_the_due_date(team, founder):
    # October's report is due on 10 November.
    with time_machine.travel(datetime(2026, 11, 6, 9, tzinfo=MSK), tick=False):
        reminders_sweep()
    assert _keys("kpi_report_due") == []

    with time_machine.travel(datetime(2026, 11, 7, 9, tzinfo=MSK), tick=False):
        reminders_sweep()
        reminders_sweep()
    assert _keys("kpi_report_due") == [f"kpi-due:{team.pk}:2026-10-01:u{founder.pk}"]
    rendered = _rendered(OutboxMessage.objects.get(kind="kpi_report_due"))
    assert "the report for October 2026 is due soon" in rendered.subject
    assert f"/startups/{team.pk}/reports/2026-10/" in rendered.text

    with time_machine.travel(datetime(2026, 11, 10, 20, tzinfo=MSK), tick=False):
        reminders_sweep()
    assert _keys("kpi_report_overdue") == []
    with time_machine.travel(datetime(2026, 11, 11, 9, tzinfo=MSK), tick=False):
        reminders_sweep()
        reminders_sweep()
    assert _keys("kpi_report_overdue") == [f"kpi-overdue:{team.pk}:2026-10-01:u{founder.pk}"]


def test_no_report_reminder_once_reported_or_before_admission(team, founder):
    KpiReport.objects.create(startup=team, period=date(2026, 10, 1), team_size=3)
    late = factories.StartupFactory(stage="incubation", founders=[factories.FounderFactory()])
    Startup.objects.filter(pk=late.pk).update(admitted_at=datetime(2026, 11, 2, 10, tzinfo=MSK))
    factories.StartupFactory(stage="application", founders=[factories.FounderFactory()])

    with time_machine.travel(datetime(2026, 11, 12, 9, tzinfo=MSK), tick=False):
        reminders_sweep()
    assert _keys("kpi_report_due") == []
    assert _keys("kpi_report_overdue") == []


def test_portfolio_kinds_render_all_three_parts(founder):
    context = {
        "startup": "NeuroRegen",
        "milestone": "GLP toxicology",
        "period": "2026-10-01",
        "due_on": "2026-11-10",
        "days": 1,
        "target": "accepted",
        "target_label": "Accepted",
        "comment": "",
        "path": "/milestones/1/",
    }
    for kind in (
        "milestone_submitted",
        "milestone_decided",
        "milestone_due_soon",
        "kpi_report_due",
        "kpi_report_overdue",
    ):
        rendered = render_email(kind=kind, context=context, recipient=founder)
        assert rendered.subject
        assert "/milestones/1/" in rendered.text
        assert "/milestones/1/" in rendered.html
        assert "{{" not in rendered.text + rendered.html
        assert "2026-10-01" not in rendered.subject  # dates are formatted, not raw


def test_the_founders_latest_changes_name_the_milestone(client, team, founder, mentor):
    milestone = factories.MilestoneFactory(startup=team, title="GLP toxicology")
    milestone_evidence_add(milestone=milestone, actor=founder, note="Report attached.")
    milestone_transition(milestone=milestone, name="submit", actor=founder)
    client.force_login(founder)

    page = client.get("/founder/").content.decode()

    assert "Milestone “GLP toxicology”: Planned → Evidence submitted" in page


def test_a_founders_readiness_proposal_goes_to_the_mentor_to_confirm(client, team, founder, mentor):
    from incubator.services.portfolio import readiness_change_record

    change = readiness_change_record(
        startup=team,
        actor=founder,
        trl=team.trl + 1,
        phase=team.development_phase,
        evidence_note="In vivo data.",
    )

    [message] = OutboxMessage.objects.filter(kind="readiness_proposed")
    assert message.recipient == mentor
    rendered = _rendered(message)
    assert rendered.subject == f"NeuroRegen reports TRL {change.trl_to}: to confirm"
    assert f"TRL {change.trl_from} → {change.trl_to}" in rendered.text

    # The mentor's own record applies at once: nobody is asked.
    readiness_change_record(
        startup=team,
        actor=mentor,
        trl=team.trl + 2,
        phase=team.development_phase,
        evidence_note="Pilot done.",
    )
    assert OutboxMessage.objects.filter(kind="readiness_proposed").count() == 1

    client.force_login(mentor)
    response = client.post(
        reverse("readiness-confirm", args=[change.pk]),
        {"decision": "reject", "reason": "Show the second model."},
        follow=True,
    )
    assert "The proposed change is rejected; the readiness stays as it was." in response.content.decode()
