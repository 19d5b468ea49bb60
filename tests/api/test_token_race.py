"""One form sent twice at the same moment (a double click), on PostgreSQL with two real
connections: one token is created, the other request learns that its form was used."""

import pytest

from incubator.models import ApiToken
from incubator.services.tokens import TokenFormUsed, api_token_create
from tests import factories
from tests.concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_one_form_sent_twice_at_once_creates_one_token():
    founder = factories.FounderFactory()

    outcomes = race(
        lambda: api_token_create(user=founder, name="laptop", form_id="form-1"),
        lambda: api_token_create(user=founder, name="laptop", form_id="form-1"),
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["TokenFormUsed", "tuple"]
    assert ApiToken.objects.filter(user=founder).count() == 1


def test_the_same_form_id_of_two_people_creates_two_tokens():
    first, second = factories.FounderFactory(), factories.FounderFactory()

    api_token_create(user=first, name="laptop", form_id="form-1")
    api_token_create(user=second, name="laptop", form_id="form-1")

    assert ApiToken.objects.filter(form_id="form-1").count() == 2


def test_tokens_without_a_form_id_are_not_limited():
    founder = factories.FounderFactory()

    api_token_create(user=founder, name="script")
    api_token_create(user=founder, name="another script")

    assert ApiToken.objects.filter(user=founder).count() == 2


def test_a_used_form_raises_without_a_second_token():
    founder = factories.FounderFactory()
    api_token_create(user=founder, name="laptop", form_id="form-1")

    with pytest.raises(TokenFormUsed):
        api_token_create(user=founder, name="laptop", form_id="form-1")

    assert ApiToken.objects.filter(user=founder).count() == 1
