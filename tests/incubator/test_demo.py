import pytest
from django.core.management import call_command

from incubator.demo import data
from incubator.demo.loader import DemoLoader
from incubator.models import Call, Organisation, Startup, User
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


def test_every_printed_login_works(client):
    call_command("load_demo")
    for _role, email, password in DemoLoader().logins():
        assert password == data.DEMO_PASSWORD
        assert client.login(username=email, password=password), email
        client.logout()
