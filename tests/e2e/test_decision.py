"""A manager accepts a fully reviewed application from the ranking and releases the decision;
the startup is admitted to incubation, and its founder sees the decision only once released."""

import pytest
from playwright.sync_api import expect

from incubator.models import Startup
from pipeline.services.reviews import review_save
from tests import factories

from .helpers import log_in, success_message

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def reviewed_application(call, founder):
    """An application in review with the call's minimum of submitted reviews."""
    criteria = [
        factories.CriterionFactory(call=call, name="Science"),
        factories.CriterionFactory(call=call, name="Team"),
    ]
    application = factories.ApplicationFactory(
        call=call, status="in_review", startup__name="NeuroRegen", startup__founders=[founder]
    )
    for name, score in [("Olga Reviewer", 5), ("Pavel Reviewer", 4)]:
        assignment = factories.ReviewAssignmentFactory(
            application=application, reviewer=factories.MentorFactory(full_name=name)
        )
        review_save(
            assignment=assignment,
            actor=assignment.reviewer,
            scores={criterion.pk: (score, "") for criterion in criteria},
            comment_for_founders="Solid work.",
            confidential_note="",
            recommendation="accept",
            confidence=2,
            submit=True,
        )
    return application


def test_manager_accepts_from_the_ranking_and_releases_the_decision(new_page, shot):
    call = factories.CallFactory(title="Neuro Seed 2026", min_reviews=2, capacity=3)
    founder = factories.FounderFactory(full_name="Nadia Founder")
    application = reviewed_application(call, founder)
    manager = factories.ManagerFactory()

    office = new_page()
    log_in(office, manager.email)
    office.goto(f"/manage/calls/{call.slug}/")
    office.get_by_role("link", name="Ranking and decisions").click()
    row = office.get_by_role("row").filter(has_text="NeuroRegen")
    expect(row).to_contain_text("In review")
    expect(row.get_by_role("cell").nth(4)).to_have_text("2 / 2")
    shot(office, "ranking")

    # Tick the application with the keyboard, keep "Accept", give a reason and record it.
    checkbox = row.get_by_role("checkbox", name="Select NeuroRegen")
    checkbox.focus()
    checkbox.press("Space")
    expect(checkbox).to_be_checked()
    expect(office.get_by_label("Decision")).to_have_value("accept")
    office.get_by_label("Reason (audit trail; managers only)").fill(
        "Top of the ranking, both reviewers recommend it."
    )
    shot(office, "decision-filled")
    office.get_by_role("button", name="Record the decisions").click()
    success_message(office, "1 decision recorded.")
    expect(row).to_contain_text("Accepted")
    expect(row).to_contain_text("not released")
    shot(office, "decision-recorded")

    # Until the managers release it, the founder does not see the decision.
    founder_page = new_page()
    log_in(founder_page, founder.email)
    founder_page.goto(f"/applications/{application.pk}/")
    expect(founder_page.get_by_role("status")).to_contain_text("Experts are reviewing the application")
    shot(founder_page, "founder-before-release")

    office.get_by_role("button", name="Release 1 decision to the founders").click()
    success_message(office, "1 decision released")
    expect(row).not_to_contain_text("not released")
    expect(office.get_by_role("button", name="No decision waits to be released")).to_be_disabled()
    shot(office, "released")

    # The startup is in incubation: on the board and for its founder.
    assert Startup.objects.get(pk=application.startup_id).stage == "incubation"
    office.goto("/manage/board/")
    column = office.locator("section.kanban-column[data-stage='incubation']")
    expect(column.locator(f"#card-{application.startup_id}")).to_contain_text("NeuroRegen")
    shot(office, "board")

    founder_page.reload()
    expect(founder_page.get_by_role("status")).to_contain_text(
        "Accepted: welcome to the incubation programme"
    )
    expect(founder_page.get_by_role("heading", name="Neuro Seed 2026")).to_contain_text("Accepted")
    founder_page.get_by_role("link", name="My startup").first.click()
    expect(founder_page.get_by_role("heading", name="NeuroRegen")).to_contain_text("Incubation")
    shot(founder_page, "founder-after-release")
