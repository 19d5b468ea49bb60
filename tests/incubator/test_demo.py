from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from incubator.demo import data
from incubator.demo.loader import DemoLoader
from incubator.models import (
    Call,
    InvestmentReadinessReview,
    MentorAssignment,
    Milestone,
    Organisation,
    Startup,
    User,
)
from pipeline.machines import Stage
from pipeline.models import Application, Review, TransitionLog

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Organisation, User, Call, Startup, Application, Review, TransitionLog)
    }


def test_demo_loads_every_stage_and_runs_twice_without_duplicates():
    call_command("load_demo")
    first = _counts()
    call_command("load_demo")

    assert _counts() == first
    assert first["Startup"] == 30
    assert first["Call"] == 2
    assert set(Startup.objects.values_list("stage", flat=True)) == {stage.value for stage in Stage}
    members = set(Organisation.objects.values_list("short_name", flat=True))
    assert {"MIPT", "Sechenov", "KSI Ventures", "NeuroChat", "Kulakov Centre"} <= members


def test_demo_history_matches_the_current_stages():
    call_command("load_demo")
    for startup in Startup.objects.all():
        last = TransitionLog.objects.filter(startup=startup, machine="startup").order_by("created_at").last()
        if last is None:
            assert startup.stage == "application"
        else:
            assert last.target == startup.stage
            assert last.created_at == startup.stage_entered_at
    # One call is open now, so founders can apply in the demo.
    assert [call.slug for call in Call.objects.all() if call.is_open] == ["cohort-2026-autumn"]
    # Nothing in the story happens after now.
    now = timezone.now()
    assert not Review.objects.filter(submitted_at__gt=now).exists()
    assert not TransitionLog.objects.filter(created_at__gt=now).exists()


def test_demo_milestones_have_the_history_of_their_status_and_funding_follows_a_ready_review():
    call_command("load_demo")
    now = timezone.now()
    milestones = Milestone.objects.select_related("startup")
    assert milestones.exists()
    for milestone in milestones:
        logs = list(TransitionLog.objects.filter(milestone=milestone).order_by("created_at"))
        if milestone.status == "planned":
            assert logs == [], milestone
        else:
            assert logs[-1].target == milestone.status, milestone
            assert [log.source for log in logs[1:]] == [log.target for log in logs[:-1]], milestone
        assert all(milestone.created_at <= log.created_at <= now for log in logs), milestone
        assert (milestone.submitted_at is not None) == (milestone.status in ("submitted", "accepted"))
        assert (milestone.decided_at is not None) == (milestone.status == "accepted")
    # Each mentorship began with the admission, before anything the mentor did.
    for mentorship in MentorAssignment.objects.select_related("startup"):
        assert mentorship.since <= timezone.localdate(mentorship.startup.admitted_at) + timedelta(days=1)
    for startup in Startup.objects.filter(stage__in=["funding", "alumni"]):
        funded = TransitionLog.objects.get(startup=startup, machine="startup", target="funding").created_at
        ready = InvestmentReadinessReview.objects.get(startup=startup, verdict="ready").created_at
        assert ready < funded, startup


def test_every_printed_login_works(client):
    call_command("load_demo")
    for _role, email, password in DemoLoader().logins():
        assert password == data.DEMO_PASSWORD
        assert client.login(username=email, password=password), email
        client.logout()


def test_demo_supports_the_review_round_end_to_end():
    from pipeline.models import Application
    from pipeline.selectors import call_ranking
    from pipeline.services.assignment import assignments_auto
    from pipeline.services.reviews import applications_decide, decisions_release

    call_command("load_demo")
    manager = User.objects.get(email="manager@cluster.demo")
    call = Call.objects.get(slug="cohort-2026-autumn")

    report = assignments_auto(call=call, actor=manager)
    assert len(report.created) >= 9  # the three submitted applications get their three reviewers
    assert not Application.objects.filter(call=call, status="submitted").exists()

    ranking = call_ranking(call)
    assert any(row.normalised is not None for row in ranking)
    top = [row.application for row in ranking if row.enough_reviews]
    assert {a.startup.name for a in top} == {"RareGen Therapeutics", "PlacentaCare"}
    outcome = applications_decide(applications=top, decision="accept", actor=manager)
    assert len(outcome.done) == 2
    assert sorted(decisions_release(call=call, actor=manager)) == sorted(a.pk for a in top)
    assert Startup.objects.get(name="PlacentaCare").stage == "incubation"


def test_demo_portfolio_and_gates():
    from incubator.models import MilestoneEvidence, ReadinessChange
    from pipeline.exceptions import GuardFailed
    from pipeline.services import startup_transition

    call_command("load_demo")
    manager = User.objects.get(email="manager@cluster.demo")
    neuroregen = Startup.objects.get(name="NeuroRegen")
    assert neuroregen.stage == "incubation"
    accepted = neuroregen.milestones.filter(status="accepted")
    assert MilestoneEvidence.objects.filter(milestone__in=accepted).exclude(file="").exists()
    change = ReadinessChange.objects.get(startup=neuroregen)
    assert (change.trl_from, change.trl_to) == (3, 4)
    assert change.evidence_file
    assert change.confirmed_by is not None

    with pytest.raises(GuardFailed):
        startup_transition(startup=neuroregen, name="accelerate", actor=manager)
    perinatest = Startup.objects.get(name="PerinaTest")
    assert startup_transition(startup=perinatest, name="accelerate", actor=manager).stage == "acceleration"
