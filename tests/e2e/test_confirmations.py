"""Actions that cannot be undone ask first: saying no leaves everything as it was."""

import pytest
from playwright.sync_api import Page, expect

from incubator.models import ApiToken, MilestoneEvidence, Startup
from incubator.services.tokens import api_token_create
from tests import factories
from tests.pdf import make_pdf

from .conftest import accept_dialog
from .helpers import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_revoking_a_token_asks_first(page: Page):
    founder = factories.FounderFactory(email="ask@example.org")
    token, _key = api_token_create(user=founder, name="laptop")
    log_in(page, founder.email)
    page.goto("/account/tokens/")
    questions: list[str] = []

    def answer(dialog, accept: bool):
        questions.append(dialog.message)
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    page.remove_listener("dialog", accept_dialog)
    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("button", name="Revoke")).to_be_visible()
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("button", name="Revoke")).to_have_count(0)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert questions == ["Revoke this token? Programs using it stop working at once."] * 2


def test_refreshing_the_page_with_a_new_token_creates_no_second_one(page: Page):
    founder = factories.FounderFactory(email="refresh@example.org")
    log_in(page, founder.email)
    page.goto("/account/tokens/")
    page.get_by_label("Name").fill("laptop")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_label("New token")).to_be_visible()

    page.reload()

    expect(page.get_by_text("That form has already created its token")).to_be_visible()
    expect(page.get_by_label("New token")).to_have_count(0)
    assert list(ApiToken.objects.filter(user=founder).values_list("name", flat=True)) == ["laptop"]


def test_graduating_on_the_board_asks_first(page: Page):
    manager = factories.ManagerFactory()
    startup = factories.StartupFactory(name="GlucoLoop", stage="funding")
    log_in(page, manager.email)
    page.goto("/manage/board/")
    funding = page.locator("section.kanban-column[data-stage='funding']")
    alumni = page.locator("section.kanban-column[data-stage='alumni']")
    questions: list[str] = []

    def say_no(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.remove_listener("dialog", accept_dialog)
    page.on("dialog", say_no)
    funding.get_by_role("button", name="Graduate to alumni").click()
    funding.locator(f"#card-{startup.pk} p").first.drag_to(alumni.locator(".kanban-cards"))

    expect(funding.locator(f"#card-{startup.pk}")).to_be_visible()
    expect(alumni.locator(f"#card-{startup.pk}")).to_have_count(0)
    assert Startup.objects.get(pk=startup.pk).stage == "funding"
    assert questions == [
        "“Graduate to alumni” moves GlucoLoop to “Alumni”, a final stage: "
        "it cannot be moved on afterwards. Continue?",
        "Move this startup to “Alumni”? That stage is final: it cannot be moved on afterwards.",
    ]

    page.remove_listener("dialog", say_no)
    page.on("dialog", accept_dialog)
    funding.get_by_role("button", name="Graduate to alumni").click()
    expect(alumni.locator(f"#card-{startup.pk}")).to_be_visible()
    assert Startup.objects.get(pk=startup.pk).stage == "alumni"


def test_the_new_token_is_copied_with_one_click(page: Page):
    founder = factories.FounderFactory(email="copy@example.org")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, founder.email)
    page.goto("/account/tokens/")
    page.get_by_label("Name").fill("laptop")
    page.get_by_role("button", name="Create").click()
    shown = page.get_by_label("New token").input_value()

    page.get_by_role("button", name="Copy").click()

    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == shown


def test_the_team_adds_evidence_and_removes_a_mistake_after_saying_yes(page: Page, tmp_path):
    founder = factories.FounderFactory(email="evidence@example.org")
    startup = factories.StartupFactory(name="NeuroRegen", stage="incubation", founders=[founder])
    milestone = factories.MilestoneFactory(startup=startup, title="GLP toxicology")
    wrong = tmp_path / "wrong-study.pdf"
    wrong.write_bytes(make_pdf())
    log_in(page, founder.email)
    page.goto(f"/milestones/{milestone.pk}/")
    page.get_by_label("File (PDF, up to 20 MB)").set_input_files(str(wrong))
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("The evidence is added.")).to_be_visible()
    expect(page.get_by_role("link", name="wrong-study.pdf")).to_be_visible()
    questions: list[str] = []

    def answer(dialog, accept: bool):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.remove_listener("dialog", accept_dialog)
    remove = page.get_by_role("button", name="Remove wrong-study.pdf")
    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    remove.click()
    expect(page.get_by_role("link", name="wrong-study.pdf")).to_be_visible()
    assert MilestoneEvidence.objects.filter(milestone=milestone).count() == 1

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    remove.click()
    expect(page.get_by_text("“wrong-study.pdf” is removed from the evidence.")).to_be_visible()
    expect(page.get_by_role("link", name="wrong-study.pdf")).to_have_count(0)
    assert not MilestoneEvidence.objects.filter(milestone=milestone).exists()
    assert questions == ["Remove “wrong-study.pdf” from the evidence?"] * 2


def test_submitting_asks_for_good_only_once_nothing_required_is_missing(page: Page, tmp_path):
    from pipeline.models import Application

    founder = factories.FounderFactory(email="submit@example.org")
    startup = factories.StartupFactory(name="NeuroRegen", founders=[founder])
    application = factories.ApplicationFactory(
        startup=startup, pitch_deck=None, pitch_deck_name="", market=""
    )
    deck = tmp_path / "deck.pdf"
    deck.write_bytes(make_pdf())
    questions: list[str] = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.remove_listener("dialog", accept_dialog)
    page.on("dialog", answer)
    log_in(page, founder.email)
    page.goto(f"/applications/{application.pk}/edit/")

    # A required answer and the deck are missing: no "for good?" question, the page says what.
    page.get_by_role("button", name="Save and submit").click()
    expect(page.get_by_text("Fill in the required fields").first).to_be_visible()
    assert questions == []
    assert Application.objects.get(pk=application.pk).status == "draft"

    page.get_by_label("Market", exact=True).fill("Hospitals in the Moscow region.")
    page.get_by_label("Pitch deck (PDF, up to 20 MB)").set_input_files(str(deck))
    page.get_by_role("button", name="Save and submit").click()
    expect(page).to_have_url(f"{page.url.split('/applications/')[0]}/applications/{application.pk}/")
    assert questions == ["Submit the application? Its answers can no longer be changed afterwards."]
    assert Application.objects.get(pk=application.pk).status == "submitted"
