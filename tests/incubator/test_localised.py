"""Fields (therapeutic areas) are named in both languages: a page, an export or a filter in
Russian reads the Russian name, and falls back to the name itself when none is given."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from incubator.models import FundingRecord, TherapeuticArea
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
    FundingRecord.objects.create(
        startup=startup,
        kind="grant",
        date=date(2026, 1, 1),
        amount=Decimal("10"),
        currency="RUB",
        investor_name="X",
    )
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
