"""Dates read the same way on every page: in English day, month name and year with the 24-hour
clock (never the American 3/4/2026), in Russian the same order with the Russian month, without
the "г." that made a sentence ending with a date end with two full stops."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.utils import formats, translation

from incubator.models import ApiToken
from incubator.services.tokens import api_token_create
from tests import factories

pytestmark = pytest.mark.django_db

# 09:05 UTC is 12:05 in Moscow, the cluster's time zone.
MOMENT = datetime(2026, 3, 4, 9, 5, tzinfo=UTC)


@pytest.fixture
def token_page():
    founder = factories.FounderFactory()
    token, _key = api_token_create(user=founder, name="laptop")
    ApiToken.objects.filter(pk=token.pk).update(created_at=MOMENT)
    client = Client()
    client.force_login(founder)

    def page(language: str) -> str:
        return client.get("/account/tokens/", headers={"accept-language": language}).content.decode()

    return page


def test_english_pages_show_day_month_name_year_and_24_hour_time(token_page):
    page = token_page("en")

    assert "4 Mar 2026, 12:05" in page
    assert "03/04/2026" not in page
    assert "p.m." not in page


def test_russian_pages_show_russian_dates(token_page):
    page = token_page("ru")

    assert "04.03.2026, 12:05" in page


def test_long_russian_dates_spell_the_month_and_end_where_the_sentence_does():
    with translation.override("ru"):
        assert formats.date_format(MOMENT.date(), "DATE_FORMAT") == "4 марта 2026"
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == "4 марта 2026, 09:05"
        assert formats.date_format(MOMENT, "TIME_FORMAT") == "09:05"


def test_long_english_dates_spell_the_month():
    with translation.override("en"):
        assert formats.date_format(MOMENT.date(), "DATE_FORMAT") == "4 March 2026"
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == "4 March 2026, 09:05"


@pytest.mark.parametrize(
    ("value", "english", "russian"),
    [
        ("3.00", "3", "3"),
        ("1.50", "1.5", "1,5"),
        ("1.25", "1.25", "1,25"),
        ("10", "10", "10"),
        ("0.5", "0.5", "0,5"),
    ],
)
def test_a_rubric_weight_is_as_short_as_it_is_exact(value, english, russian):
    from decimal import Decimal

    from django.utils import translation

    from incubator.formatting import weight_text

    with translation.override("en"):
        assert weight_text(Decimal(value)) == english
    with translation.override("ru"):
        assert weight_text(Decimal(value)) == russian
