"""A form is sent once however quickly its button is clicked twice (static/js/once.js)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from incubator.models import FundingRecord
from tests import factories

from .helpers import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Two submits of the page's main form in a row, as a double click makes them: whether the
# browser would send each (a submit event not cancelled is a request).
TWO_SUBMITS = """selector => {
    const form = document.querySelector(selector);
    return [1, 2].map(() => {
        const event = new SubmitEvent("submit", {bubbles: true, cancelable: true});
        form.dispatchEvent(event);
        return !event.defaultPrevented;
    });
}"""


def test_a_second_submit_while_the_first_is_on_its_way_is_not_sent(page: Page):
    manager = factories.ManagerFactory()
    startup = factories.StartupFactory(stage="incubation", name="NeuroRegen")
    log_in(page, manager.email)

    page.goto(f"/startups/{startup.pk}/milestones/new/")
    assert page.evaluate(TWO_SUBMITS, "main form[method=post]") == [True, False]
    # A search form (GET) changes nothing: each submit is sent.
    page.goto(f"/startups/{startup.pk}/funding/new/")
    page.evaluate(
        """() => document.body.insertAdjacentHTML("beforeend", '<form id="find" method="get"></form>')"""
    )
    assert page.evaluate(TWO_SUBMITS, "#find") == [True, True]

    page.get_by_label("Kind").select_option("grant")
    page.get_by_label("Date", exact=True).fill(timezone.localdate().isoformat())
    page.get_by_label("Amount", exact=True).fill("1000000")
    page.get_by_label("Investor or grantor (other)").fill("Fund")
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/startups/{startup.pk}/$"))
    assert FundingRecord.objects.count() == 1

    # Back on the form after it was sent, it can be sent again (a second record, on purpose).
    page.go_back()
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/startups/{startup.pk}/$"))
    assert FundingRecord.objects.count() == 2
