import re

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


def _inline_formset_data(prefix: str, rows: list[dict]) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for n, row in enumerate(rows):
        data.update({f"{prefix}-{n}-{name}": value for name, value in row.items()})
    return data


def test_criteria_in_the_admin_keep_the_rubric_pages_rules(rf, admin_client_):
    from incubator.admin import CriterionInline
    from incubator.models import Call, Criterion

    call = factories.CallFactory()
    request = rf.get("/")
    request.user = factories.ManagerFactory(is_superuser=True)
    formset_class = CriterionInline(Call, admin.site).get_formset(request, call)
    criterion = {"weight": "1", "scale_min": "1", "scale_max": "5", "position": "0"}
    formset = formset_class(
        _inline_formset_data(
            "criteria",
            [{**criterion, "name": "Science"}, {**criterion, "name": "Team", "name_ru": "Команда"}],
        ),
        instance=call,
    )
    assert formset.is_valid(), formset.errors
    formset = formset_class(
        _inline_formset_data(
            "criteria", [{**criterion, "name": "Science"}, {**criterion, "name": " science "}]
        ),
        instance=call,
    )
    assert not formset.is_valid()
    assert formset.non_form_errors() == ["Two criteria are called “science”: give each its own name."]

    # Once a review is submitted, the rubric is read only here too.
    locked = factories.CriterionFactory(call=call, name="Science")
    factories.ReviewFactory(assignment__application__call=call)
    page = admin_client_.get(reverse("admin:incubator_call_change", args=[call.pk])).content.decode()
    assert "Science" in page
    assert 'name="criteria-0-name"' not in page
    url = reverse("admin:incubator_criterion_change", args=[locked.pk])
    assert admin_client_.post(url, {"call": call.pk, "name": "Changed"}).status_code == 403
    response = admin_client_.post(
        reverse("admin:incubator_criterion_add"), {"call": call.pk, "name": "Market", **criterion}
    )
    assert response.status_code == 200
    assert "The rubric is locked" in response.content.decode()
    assert list(Criterion.objects.filter(call=call).values_list("name", flat=True)) == ["Science"]


def test_a_milestone_added_in_the_admin_keeps_the_startup_pages_rules(admin_client_):
    from incubator.models import Milestone

    startup = factories.StartupFactory(stage="acceleration", name="NeuroRegen")
    url = reverse("admin:incubator_milestone_add")
    form = {
        "startup": startup.pk,
        "title": "GLP toxicology",
        "stage": "incubation",
        "due_on": "2020-01-01",
        "created_at_0": "2026-11-27",
        "created_at_1": "12:00",
    }
    page = admin_client_.get(url).content.decode()
    for prefix in re.findall(r'name="([\w-]+)-TOTAL_FORMS"', page):
        form.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})

    response = admin_client_.post(url, form)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["due_on"] == ["A new milestone is due today or later."]
    assert errors["stage"] == ["NeuroRegen is past incubation: set its milestones for acceleration."]
    assert not Milestone.objects.exists()
    response = admin_client_.post(url, {**form, "stage": "acceleration", "due_on": "2099-01-01"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Milestone.objects.get().stage == "acceleration"


def test_a_call_under_way_keeps_its_places_applications_and_due_reviews(admin_client_):
    from datetime import timedelta

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    call = factories.CallFactory(capacity=3)
    factories.ApplicationFactory(call=call, status="accepted")
    factories.ApplicationFactory(call=call, status="accepted")
    assignment = factories.ReviewAssignmentFactory(
        application__call=call, application__status="in_review", due_at=call.review_deadline
    )

    call.capacity = 1
    call.opens_at = timezone.now() + timedelta(days=1)
    call.review_deadline = assignment.due_at - timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        call.full_clean()

    assert refused.value.message_dict == {
        "capacity": ["2 applications are accepted already: the call needs at least that many places."],
        "opens_at": ["Applications to this call are already submitted: it cannot open later."],
        "review_deadline": [refused.value.message_dict["review_deadline"][0]],
    }
    assert refused.value.message_dict["review_deadline"][0].startswith("Open reviews are due as late as ")


def test_admin_tranches_keep_the_ledgers_rules_and_are_paid_on_the_page(rf, admin_client_):
    from incubator.admin import FundingTrancheInline
    from incubator.models import FundingRecord, FundingTranche

    startup = factories.StartupFactory(stage="incubation")
    other_milestone = factories.MilestoneFactory()
    record = FundingRecord.objects.create(
        startup=startup, kind="grant", date="2026-01-10", amount=1000, currency="RUB", investor_name="Fund"
    )
    request = rf.get("/")
    request.user = factories.ManagerFactory(is_superuser=True)
    formset_class = FundingTrancheInline(FundingRecord, admin.site).get_formset(request, record)

    formset = formset_class(
        _inline_formset_data(
            "tranches",
            [{"amount": "900"}, {"amount": "0"}, {"amount": "300", "milestone": other_milestone.pk}],
        ),
        instance=record,
    )

    assert not formset.is_valid()
    assert formset.errors[1]["amount"] == ["The amount must be more than zero."]
    assert formset.errors[2]["milestone"] == ["A tranche can only depend on a milestone of the same startup."]
    assert formset.non_form_errors() == ["The tranches add up to more than the amount."]
    # A paid tranche stays as it was paid: neither changed nor removed here.
    paid = FundingTranche.objects.create(record=record, amount=400, status="paid", paid_on="2026-02-01")
    prefix = {"tranches-TOTAL_FORMS": "1", "tranches-INITIAL_FORMS": "1", "tranches-0-id": str(paid.pk)}
    for change in ({"tranches-0-amount": "300"}, {"tranches-0-amount": "400", "tranches-0-DELETE": "on"}):
        formset = formset_class({**prefix, "tranches-0-record": str(record.pk), **change}, instance=record)
        assert not formset.is_valid()
        assert formset.non_form_errors() == ["A paid tranche stays as it was paid."]
    # So does a cancelled one; why it was cancelled is not edited here either.
    paid.status, paid.paid_on, paid.cancellation_reason = "cancelled", None, "Missed."
    paid.save()
    formset = formset_class(
        {**prefix, "tranches-0-record": str(record.pk), "tranches-0-amount": "300"}, instance=record
    )
    assert not formset.is_valid()
    assert formset.non_form_errors() == ["A cancelled tranche stays cancelled."]
    page = admin_client_.get(
        reverse("admin:incubator_fundingrecord_change", args=[record.pk])
    ).content.decode()
    assert 'name="tranches-__prefix__-status"' not in page
    assert 'name="tranches-0-cancellation_reason"' not in page
    assert 'name="startup"' not in page


def test_an_applications_startup_and_call_and_a_startups_readiness_are_not_edited_in_the_admin(admin_client_):
    application = factories.ApplicationFactory(status="submitted")
    page = admin_client_.get(
        reverse("admin:pipeline_application_change", args=[application.pk])
    ).content.decode()
    assert 'name="call"' not in page
    assert 'name="startup"' not in page
    page = admin_client_.get(
        reverse("admin:incubator_startup_change", args=[application.startup.pk])
    ).content.decode()
    assert 'name="trl"' not in page
    assert 'name="development_phase"' not in page
