import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


def test_open_calls_page_shows_dates_and_links(client):
    call = factories.CallFactory(title="Autumn call", summary="For oncology.")
    body = client.get(reverse("call-list")).content.decode()
    assert "Autumn call" in body
    assert "For oncology." in body
    assert reverse("call-detail", args=[call.slug]) in body


def test_call_page_shows_rules_and_rubric(client):
    call = factories.CallFactory(rules="Affiliation with a member required.")
    factories.CriterionFactory(call=call, name="Scientific novelty", weight=3)
    body = client.get(reverse("call-detail", args=[call.slug])).content.decode()
    assert "Affiliation with a member required." in body
    assert "Scientific novelty" in body
    assert "Log in or create a founder account to apply." in body


def test_founder_without_startup_is_asked_to_create_one(client, founder):
    call = factories.CallFactory()
    client.force_login(founder)
    assert "Create your startup" in client.get(reverse("call-detail", args=[call.slug])).content.decode()


def test_managers_and_mentors_are_not_asked_to_create_a_startup(client, manager, mentor):
    call = factories.CallFactory()
    url = reverse("call-detail", args=[call.slug])
    client.force_login(manager)
    page = client.get(url).content.decode()
    assert "Create your startup" not in page
    assert f'href="{reverse("manage-call", args=[call.slug])}"' in page
    client.force_login(mentor)
    page = client.get(url).content.decode()
    assert "Create your startup" not in page
    assert "Founders apply on this page." in page


@pytest.mark.parametrize("calls", [1, 4])
def test_call_list_query_count_is_fixed(client, django_assert_num_queries, calls, founder, startup):
    for _ in range(calls):
        factories.CriterionFactory(call=factories.CallFactory())
    client.force_login(founder)
    with django_assert_num_queries(5):
        client.get(reverse("call-list"))
