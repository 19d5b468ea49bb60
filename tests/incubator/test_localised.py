"""Reference data in both languages: fields (therapeutic areas), calls and their rubrics. A page,
an export, a filter, an e-mail or the dashboard in Russian reads the Russian text, and falls back
to the text itself when none is given; the API gives both."""

import pytest
from django.urls import reverse
from django.utils import translation

from incubator.models import TherapeuticArea
from incubator.selectors import funding_by
from pipeline.selectors.dashboard import filter_options
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def oncology(db):
    return factories.TherapeuticAreaFactory(name="Oncology", name_ru="Онкология", slug="oncology")


def test_a_field_reads_in_the_pages_language_with_a_fallback(oncology):
    plain = factories.TherapeuticAreaFactory(name="Rare diseases", slug="rare")
    with translation.override("en"):
        assert (str(oncology), str(plain)) == ("Oncology", "Rare diseases")
    with translation.override("ru"):
        assert (str(oncology), str(plain)) == ("Онкология", "Rare diseases")


def test_pages_filters_and_ledgers_name_the_field_in_russian(client, manager, oncology):
    startup = factories.StartupFactory(name="OncoBio", stage="incubation", therapeutic_area=oncology)
    factories.FundingRecordFactory(startup=startup)
    client.force_login(manager)
    russian = {"accept-language": "ru"}
    assert (
        "Онкология"
        in client.get(reverse("startup-detail", args=[startup.pk]), headers=russian).content.decode()
    )
    assert "Онкология" in client.get(reverse("manager-board"), headers=russian).content.decode()
    with translation.override("ru"):
        assert [row.group for row in funding_by("field")] == ["Онкология"]
        assert (oncology.pk, "Онкология") in filter_options()["area"]
    with translation.override("en"):
        assert [row.group for row in funding_by("field")] == ["Oncology"]
        assert (oncology.pk, "Oncology") in filter_options()["area"]


def test_the_api_gives_both_names(client, manager, oncology):
    client.force_login(manager)
    data = client.get(f"/api/v1/therapeutic-areas/{oncology.pk}/").json()
    assert (data["name"], data["name_ru"]) == ("Oncology", "Онкология")
    assert TherapeuticArea.objects.get(pk=oncology.pk).name_ru == "Онкология"


@pytest.fixture
def bilingual_call(db):
    call = factories.CallFactory(
        title="Autumn call",
        title_ru="Осенний отбор",
        summary="Seed incubation.",
        summary_ru="Посевная инкубация.",
        rules="Up to 10 places.",
        rules_ru="До 10 мест.",
    )
    factories.CriterionFactory(
        call=call, name="Team", name_ru="Команда", guidance="Can they do it?", guidance_ru="Справятся ли?"
    )
    return call


def test_a_call_and_its_rubric_read_in_the_pages_language(client, bilingual_call):
    url = reverse("call-detail", args=[bilingual_call.slug])
    english = client.get(url).content.decode()
    russian = client.get(url, headers={"accept-language": "ru"}).content.decode()
    for text in ("Autumn call", "Seed incubation.", "Up to 10 places.", "Team", "Can they do it?"):
        assert text in english
    for text in ("Осенний отбор", "Посевная инкубация.", "До 10 мест.", "Команда", "Справятся ли?"):
        assert text in russian
        assert text not in english
    blank = factories.CallFactory(title="Winter call")
    assert (
        "Winter call"
        in client.get(
            reverse("call-detail", args=[blank.slug]), headers={"accept-language": "ru"}
        ).content.decode()
    )


def test_the_reviewer_scores_criteria_named_in_their_language(client, bilingual_call):
    assignment = factories.ReviewAssignmentFactory(
        application__call=bilingual_call, application__status="in_review"
    )
    client.force_login(assignment.reviewer)
    page = client.get(
        reverse("review-form", args=[assignment.application_id]), headers={"accept-language": "ru"}
    ).content.decode()
    assert "Команда" in page
    assert "Осенний отбор" in page


def test_the_rubric_page_keeps_both_names(client, manager, bilingual_call):
    criterion = bilingual_call.criteria.get()
    client.force_login(manager)
    response = client.post(
        reverse("manage-rubric", args=[bilingual_call.slug]),
        {
            "criteria-TOTAL_FORMS": 1,
            "criteria-INITIAL_FORMS": 1,
            "criteria-0-id": criterion.pk,
            "criteria-0-name": "Team",
            "criteria-0-name_ru": "Команда основателей",
            "criteria-0-guidance": "",
            "criteria-0-guidance_ru": "",
            "criteria-0-weight": "2",
            "criteria-0-scale_min": 1,
            "criteria-0-scale_max": 5,
        },
    )
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert (criterion.name, criterion.name_ru) == ("Team", "Команда основателей")


def test_notices_name_the_call_in_the_recipients_language(bilingual_call):
    from notifications.models import OutboxMessage
    from notifications.rendering import render_email
    from notifications.services import notify_review_assigned

    assignment = factories.ReviewAssignmentFactory(application__call=bilingual_call)
    notify_review_assigned(assignment_id=assignment.pk)
    message = OutboxMessage.objects.get(kind="review_assigned")
    english = render_email(kind=message.kind, context=message.context, recipient=factories.UserFactory())
    russian = render_email(
        kind=message.kind, context=message.context, recipient=factories.UserFactory(language="ru")
    )
    assert "“Autumn call”" in english.text
    assert "Осенний отбор" in russian.text
    assert "Autumn call" not in russian.text


def test_dashboards_and_the_api_name_the_call_in_both_languages(client, manager, bilingual_call):
    startup = factories.StartupFactory(stage="incubation", admitted_call=bilingual_call)
    factories.ApplicationFactory(startup=startup, call=bilingual_call, status="submitted")
    factories.FundingRecordFactory(startup=startup)
    with translation.override("ru"):
        assert [row.group for row in funding_by("call")] == ["Осенний отбор"]
        assert (bilingual_call.pk, "Осенний отбор") in filter_options()["call"]
    client.force_login(manager)
    page = client.get(reverse("manager-home"), headers={"accept-language": "ru"}).content.decode()
    assert "Осенний отбор" in page
    data = client.get(f"/api/v1/calls/{bilingual_call.pk}/").json()
    assert (data["title"], data["title_ru"]) == ("Autumn call", "Осенний отбор")
    assert data["criteria"][0]["name_ru"] == "Команда"
