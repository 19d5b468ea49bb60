"""The managers' kanban board: moving a startup from incubation to acceleration by its button and
by dragging its card, what the founder then sees and receives, and a move the stage rules refuse.

The board answers a move with htmx, without loading the page again: each test marks the window
before the move and checks the mark is still there afterwards.
"""

import re
from urllib.parse import parse_qs

import pytest
from django.core import mail
from playwright.sync_api import Locator, Page, expect

from incubator.models import Startup
from notifications.models import OutboxMessage
from notifications.services import outbox_messages_send, outbox_relay
from pipeline.models import TransitionLog
from tests import factories

from .helpers import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# "drag-low": dropped low in the column, below its last card.
MOVES = ["button", "drag", "drag-low"]


def open_board(page: Page, email: str) -> None:
    """Log in as a manager and reach the board from the dashboard, as a manager would."""
    log_in(page, email)
    expect(page).to_have_url(re.compile(r"/manage/$"))
    page.get_by_role("link", name="Kanban board").click()
    expect(page).to_have_url(re.compile(r"/manage/board/$"))
    expect(page.get_by_role("heading", name="Kanban board", exact=True)).to_be_visible()
    page.evaluate("window.boardLoadedOnce = true")


def column(page: Page, stage: str) -> Locator:
    return page.locator(f"section.kanban-column[data-stage='{stage}']")


def card(page: Page, startup: Startup) -> Locator:
    return page.locator(f"article.kanban-card#card-{startup.pk}")


def move(page: Page, startup: Startup, how: str) -> None:
    """Move the startup's card from incubation to acceleration with its button, or by dragging
    it (by its description line: links and buttons on a card do not start a drag) onto the cards
    of the acceleration column. Either way htmx posts the move, which is checked here."""
    with page.expect_request(lambda r: r.method == "POST" and "/manage/board/move/" in r.url) as posted:
        if how == "button":
            card(page, startup).get_by_role("button", name="Move to acceleration").click()
        elif how == "drag":
            card(page, startup).locator("p").first.drag_to(
                column(page, "acceleration").locator(".kanban-cards")
            )
        else:
            target = column(page, "acceleration")
            box = target.bounding_box()
            card(page, startup).locator("p").first.drag_to(
                target, target_position={"x": box["width"] / 2, "y": box["height"] - 12}
            )
    request = posted.value
    assert request.headers.get("hx-request") == "true"
    form = parse_qs(request.post_data)
    assert form["startup"] == [str(startup.pk)]
    if how == "button":
        assert form["transition"] == ["accelerate"]
    else:
        assert (form["target"], form.get("transition")) == (["acceleration"], None)


def assert_no_page_load(page: Page) -> None:
    assert page.evaluate("window.boardLoadedOnce === true"), "the board was loaded again"


@pytest.fixture
def manager(db):
    return factories.ManagerFactory(full_name="Maria Manager")


@pytest.fixture
def founder(db):
    return factories.FounderFactory(full_name="Nadia Founder", email="nadia@neuroregen.example")


@pytest.mark.parametrize("how", MOVES)
def test_manager_moves_a_startup_to_acceleration_and_the_founder_is_told(
    how, new_page, shot, live_server, manager, founder
):
    startup = factories.StartupFactory(name="NeuroRegen", stage="incubation", founders=[founder])
    for title in ["Toxicology package", "Lead compound selected"]:
        factories.MilestoneFactory(startup=startup, title=title, status="accepted")
    neighbour = factories.StartupFactory(name="CardioGene", stage="incubation")
    ahead = factories.StartupFactory(name="OncoLab", stage="acceleration")

    office = new_page()
    open_board(office, manager.email)
    expect(column(office, "incubation").locator(f"#card-{startup.pk}")).to_be_visible()
    expect(column(office, "acceleration").locator("article.kanban-card")).to_have_count(1)
    shot(office, "board-before")

    move(office, startup, how)

    moved = column(office, "acceleration").locator(f"#card-{startup.pk}")
    expect(moved).to_contain_text("NeuroRegen")
    expect(moved).to_have_attribute("data-stage", "acceleration")
    expect(moved.get_by_role("button", name="Move to funding")).to_be_visible()
    expect(column(office, "incubation").locator(f"#card-{startup.pk}")).to_have_count(0)
    expect(column(office, "incubation").locator(f"#card-{neighbour.pk}")).to_be_visible()
    expect(column(office, "acceleration").locator(f"#card-{ahead.pk}")).to_be_visible()
    expect(column(office, "acceleration").get_by_role("heading", level=2)).to_have_text(
        re.compile(r"Acceleration\s*2")
    )
    expect(column(office, "incubation").get_by_role("heading", level=2)).to_have_text(
        re.compile(r"Incubation\s*1")
    )
    expect(office.locator("#board").get_by_role("alert")).to_contain_text(
        "NeuroRegen: the stage is now “Acceleration”."
    )
    expect(office.locator("#board").get_by_role("alert")).to_be_visible()
    assert_no_page_load(office)
    shot(office, "board-after")

    assert Startup.objects.get(pk=startup.pk).stage == "acceleration"
    [log] = TransitionLog.objects.filter(startup=startup, machine="startup")
    assert (log.transition, log.source, log.target, log.actor_id) == (
        "accelerate",
        "incubation",
        "acceleration",
        manager.pk,
    )

    # The board stays as it is when the manager comes back to it.
    office.reload()
    expect(column(office, "acceleration").locator(f"#card-{startup.pk}")).to_be_visible()

    # The founder's e-mail waits in the outbox; deliver it as the workers would.
    outbox_relay()
    pending = list(
        OutboxMessage.objects.filter(recipient=founder, kind="stage_changed", status="pending").values_list(
            "pk", flat=True
        )
    )
    assert len(pending) == 1
    assert outbox_messages_send(message_ids=pending) == {pending[0]: "sent"}
    [email] = [m for m in mail.outbox if m.to == [founder.email]]
    assert email.subject == "NeuroRegen: stage changed to Acceleration"
    assert "NeuroRegen moved from Incubation to Acceleration." in email.body
    [(html, mimetype)] = email.alternatives
    assert mimetype == "text/html"
    assert "<strong>NeuroRegen</strong> moved from Incubation to <strong>Acceleration</strong>." in html
    assert f"{live_server.url}/startups/{startup.pk}/" in email.body

    # The founder reads the e-mail (its HTML part, kept as a screenshot), then logs in and sees
    # the new stage on their home page and the notice in the centre.
    home = new_page()
    home.set_content(html)
    expect(home.get_by_text("moved from Incubation to")).to_be_visible()
    shot(home, "stage-email")
    log_in(home, founder.email)
    expect(home).to_have_url(re.compile(r"/founder/$"))
    heading = home.get_by_role("heading", name="NeuroRegen")
    expect(heading).to_contain_text("Acceleration")
    expect(home.get_by_role("region", name="NeuroRegen")).to_contain_text("Incubation → Acceleration")
    shot(home, "founder-home")
    home.get_by_role("link", name="Notifications").click()
    expect(home).to_have_url(re.compile(r"/notifications/$"))
    notice = home.locator("#notification-list li").filter(
        has_text="NeuroRegen: stage changed to Acceleration"
    )
    expect(notice).to_contain_text("New")
    shot(home, "notification-centre")
    notice.get_by_role("link", name="NeuroRegen: stage changed to Acceleration").click()
    expect(home).to_have_url(re.compile(rf"/startups/{startup.pk}/$"))
    shot(home, "startup-page")


@pytest.mark.parametrize("how", MOVES)
def test_a_refused_move_shows_the_guard_message_and_leaves_the_card(how, new_page, shot, manager, founder):
    startup = factories.StartupFactory(name="Blocked Bio", stage="incubation", founders=[founder])
    ahead = factories.StartupFactory(name="OncoLab", stage="acceleration")

    office = new_page()
    open_board(office, manager.email)
    shot(office, "board-before")

    move(office, startup, how)

    stayed = column(office, "incubation").locator(f"#card-{startup.pk}")
    alert = stayed.get_by_role("alert")
    expect(alert).to_contain_text("No incubation milestones have been set for Blocked Bio yet")
    expect(stayed).to_have_attribute("data-stage", "incubation")
    expect(stayed.get_by_role("button", name="Move to acceleration")).to_be_visible()
    expect(column(office, "acceleration").locator("article.kanban-card")).to_have_count(1)
    expect(column(office, "acceleration").locator(f"#card-{ahead.pk}")).to_be_visible()
    assert_no_page_load(office)
    shot(office, "refused")

    assert Startup.objects.get(pk=startup.pk).stage == "incubation"
    assert not TransitionLog.objects.filter(startup=startup, machine="startup").exists()
    assert not OutboxMessage.objects.filter(recipient=founder, kind="stage_changed").exists()

    # Once its milestones are accepted, the same move on the re-rendered board goes through.
    factories.MilestoneFactory(startup=startup, status="accepted")
    move(office, startup, how)
    moved = column(office, "acceleration").locator(f"#card-{startup.pk}")
    expect(moved).to_have_attribute("data-stage", "acceleration")
    expect(moved.get_by_role("alert")).to_have_count(0)
    assert_no_page_load(office)
    shot(office, "moved-after-milestones")
    assert Startup.objects.get(pk=startup.pk).stage == "acceleration"
