"""A manager writes a whole rubric in one save: "Add a criterion" adds blank rows on the page."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests import factories

from .helpers import log_in, success_message

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_manager_adds_three_criteria_and_saves_them_at_once(page: Page):
    manager = factories.ManagerFactory(email="rubric@example.org")
    call = factories.CallFactory()
    call.criteria.all().delete()
    log_in(page, manager.email)
    page.goto(reverse("manage-rubric", args=[call.slug]))

    new = page.locator("fieldset", has=page.get_by_text("New criterion", exact=True))
    expect(new).to_have_count(1)
    page.get_by_role("button", name="Add a criterion").click()
    page.get_by_role("button", name="Add a criterion").click()
    expect(new).to_have_count(3)
    # The new row takes the focus, so typing goes on where the manager asked for it.
    expect(new.nth(2).get_by_label("Name", exact=True)).to_be_focused()
    for index, (name, weight) in enumerate([("Science", "2"), ("Team", "1"), ("Market", "1.5")]):
        new.nth(index).get_by_label("Name", exact=True).fill(name)
        new.nth(index).get_by_label("Weight").fill(weight)
    page.get_by_role("button", name="Save the rubric").click()

    success_message(page, "The rubric is saved.")
    saved = {c.name: str(c.weight.normalize()) for c in call.criteria.all()}
    assert saved == {"Science": "2", "Team": "1", "Market": "1.5"}
    # The saved criteria come back under their names, with one blank row to add another.
    for name in saved:
        expect(page.get_by_role("group", name=name)).to_be_visible()
    expect(new).to_have_count(1)


def test_a_refused_rubric_keeps_the_rows_added_on_the_page(page: Page):
    manager = factories.ManagerFactory(email="rubric-refused@example.org")
    call = factories.CallFactory()
    call.criteria.all().delete()
    log_in(page, manager.email)
    page.goto(reverse("manage-rubric", args=[call.slug]))

    page.get_by_role("button", name="Add a criterion").click()
    new = page.locator("fieldset", has=page.get_by_text("New criterion", exact=True))
    new.nth(0).get_by_label("Name", exact=True).fill("Science")
    new.nth(1).get_by_label("Name", exact=True).fill("Science")
    page.get_by_role("button", name="Save the rubric").click()

    expect(new).to_have_count(2)
    expect(new.nth(1).get_by_label("Name", exact=True)).to_have_value("Science")
    assert not call.criteria.exists()
