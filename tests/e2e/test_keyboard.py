"""Keyboard users keep their place: a form that comes back with errors puts the focus on the
first field in error, a move on the kanban board leaves the focus on the moved card (on the
reason, when refused), marking a notice read leaves it on the notice, and the language is
switched by a button, not by moving through a list."""

import re

import pytest
from playwright.sync_api import Page, expect

from notifications.models import Notification
from tests import factories

from .helpers import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def focused(page: Page) -> dict:
    return page.evaluate(
        "({id: document.activeElement.id, tag: document.activeElement.tagName,"
        " text: document.activeElement.textContent.trim()})"
    )


def test_a_form_with_errors_puts_the_focus_on_the_first_field_in_error(new_page, shot):
    founder = factories.FounderFactory()
    page = new_page()
    log_in(page, founder.email)
    page.goto("/startups/new/")
    page.get_by_role("button", name=re.compile("Create")).click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert focused(page)["id"] == "id_name"
    expect(page.locator("#id_name")).to_have_attribute("aria-invalid", "true")
    shot(page, "focus-on-error")


def test_a_group_of_boxes_is_named_by_its_legend(new_page):
    factories.OrganisationFactory(name="Sechenov University", short_name="Sechenov", is_member=True)
    founder = factories.FounderFactory()
    page = new_page()
    log_in(page, founder.email)
    page.goto("/startups/new/")
    group = page.get_by_role("group", name="Affiliations with member organisations")
    expect(group.get_by_role("checkbox", name="Sechenov")).to_be_visible()
    # The asterisk of a required field is drawn, not read out.
    expect(page.get_by_role("textbox", name="Name", exact=True)).to_be_visible()


def test_a_move_on_the_board_by_keyboard_keeps_the_focus_on_the_card(new_page, shot, manager):
    refused = factories.StartupFactory(name="Blocked Bio", stage="incubation")
    page = new_page()
    log_in(page, manager.email)
    page.goto("/manage/board/")
    button = page.locator(f"#card-{refused.pk}").get_by_role(
        "button", name=re.compile(r"^Move to acceleration\s*: Blocked Bio$")
    )
    button.focus()
    page.keyboard.press("Enter")
    alert = page.locator(f"#card-{refused.pk}").get_by_role("alert")
    expect(alert).to_contain_text("No incubation milestones")
    expect(alert).to_be_focused()
    shot(page, "refused-move-focused")


def test_marking_a_notice_read_by_keyboard_keeps_the_focus_on_it(new_page, founder):
    notice = Notification.objects.create(
        recipient=founder, kind="stage_changed", context={"startup": "NeuroRegen", "stage": "Acceleration"}
    )
    page = new_page()
    log_in(page, founder.email)
    page.goto("/notifications/")
    page.locator(f"#notification-{notice.pk}").get_by_role("button", name=re.compile("Mark as read")).focus()
    page.keyboard.press("Enter")
    item = page.locator(f"#notification-{notice.pk}")
    expect(item.get_by_role("button")).to_have_count(0)
    expect(item).to_be_focused()


def test_the_language_changes_only_when_its_button_is_pressed(new_page):
    founder = factories.FounderFactory()
    page = new_page()
    log_in(page, founder.email)
    page.goto("/startups/new/")
    english = page.get_by_role("button", name="English")
    expect(english).to_have_attribute("aria-current", "true")
    english.focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Русский")).to_be_focused()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page).to_have_url(re.compile(r"/startups/new/$"))
