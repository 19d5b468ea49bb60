import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from incubator.models import Startup
from pipeline.models import Application, TransitionLog
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client):
    client.force_login(factories.ManagerFactory(is_superuser=True))
    return client


APPS = ("incubator", "pipeline", "notifications")


def _registered() -> dict:
    return dict(admin.site._registry)


def _inlined() -> set:
    return {inline.model for model_admin in _registered().values() for inline in model_admin.inlines}


ADMIN_PAGES = sorted(
    f"{model._meta.app_label}_{model._meta.model_name}"
    for model in admin.site._registry
    if model._meta.app_label in APPS
)


def test_every_model_is_in_the_admin_on_its_own_or_inline():
    missing = [
        model.__name__
        for app in APPS
        for model in apps.get_app_config(app).get_models()
        if model not in _registered() and model not in _inlined()
    ]
    assert missing == []


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_every_model_has_an_admin_list(admin_client_, name):
    factories.ReviewScoreFactory()
    factories.MilestoneFactory()
    assert admin_client_.get(reverse(f"admin:{name}_changelist")).status_code == 200


def test_dashboard_counters_are_recounted_from_the_admin(admin_client_):
    from pipeline.models import ReviewerLoad

    review = factories.ReviewFactory()
    load = ReviewerLoad.objects.get(reviewer=review.assignment.reviewer)
    ReviewerLoad.objects.filter(pk=load.pk).update(assigned=99, done=0)  # gone astray
    response = admin_client_.post(
        reverse("admin:pipeline_reviewerload_changelist"),
        {"action": "recount", ACTION_CHECKBOX_NAME: [load.pk]},
        follow=True,
    )
    assert response.status_code == 200
    load = ReviewerLoad.objects.get(reviewer=review.assignment.reviewer)
    assert (load.assigned, load.done) == (1, 1)


def test_startup_stage_is_read_only_in_the_admin(admin_client_):
    startup = factories.StartupFactory(stage="funding")
    page = admin_client_.get(reverse("admin:incubator_startup_change", args=[startup.pk])).content.decode()
    assert 'name="stage"' not in page


def test_admin_action_asks_for_a_reason_then_fires_through_the_service(admin_client_):
    startup = factories.StartupFactory(stage="funding")
    url = reverse("admin:incubator_startup_changelist")

    confirm = admin_client_.post(url, {"action": "transition_exit", ACTION_CHECKBOX_NAME: [startup.pk]})
    assert "Reason (recorded in the audit trail)" in confirm.content.decode()
    assert Startup.objects.get(pk=startup.pk).stage == "funding"

    admin_client_.post(
        url,
        {
            "action": "transition_exit",
            ACTION_CHECKBOX_NAME: [startup.pk],
            "confirm": "yes",
            "reason": "Closed down.",
        },
    )
    assert Startup.objects.get(pk=startup.pk).stage == "exited"
    assert TransitionLog.objects.get().reason == "Closed down."


def test_admin_action_reports_guard_refusals(admin_client_):
    application = factories.ApplicationFactory(status="in_review")
    url = reverse("admin:pipeline_application_changelist")

    response = admin_client_.post(
        url,
        {"action": "transition_accept", ACTION_CHECKBOX_NAME: [application.pk], "confirm": "yes"},
        follow=True,
    )
    assert "asks for 2 completed reviews" in response.content.decode()
    assert Application.objects.get(pk=application.pk).status == "in_review"


def test_audit_trail_cannot_be_edited_in_the_admin(admin_client_):
    startup = factories.StartupFactory(stage="funding")
    log = TransitionLog.objects.create(
        machine="startup", startup=startup, transition="fund", source="acceleration", target="funding"
    )
    assert admin_client_.get(reverse("admin:pipeline_transitionlog_add")).status_code == 403
    response = admin_client_.post(
        reverse("admin:pipeline_transitionlog_delete", args=[log.pk]), {"post": "yes"}
    )
    assert response.status_code == 403


def test_the_audit_trail_in_the_admin_names_states_in_the_readers_language(admin_client_):
    startup = factories.StartupFactory(stage="funding")
    TransitionLog.objects.create(
        machine="startup", startup=startup, transition="fund", source="acceleration", target="funding"
    )
    url = reverse("admin:pipeline_transitionlog_changelist")
    page = admin_client_.get(url, headers={"accept-language": "ru"}).content.decode()
    assert "Акселерация" in page
    assert "?target=in_progress" in page  # the filter offers every machine's states ...
    assert "В работе" in page  # ... by name
    assert ">in_progress<" not in page
    header = page.split("column-startup", 1)[1].split("</th>", 1)[0]
    assert "Стартап" in header
    english = admin_client_.get(url).content.decode()
    assert "Submitted / Evidence submitted" in english  # one value, named by two machines
    filtered = admin_client_.get(url, {"target": "funding"}).context["cl"].result_count
    assert filtered == 1
