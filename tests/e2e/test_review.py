"""A manager gives a submitted application its reviewers automatically; one of them scores it."""

import re

import pytest
from playwright.sync_api import expect

from pipeline.models import Review
from tests import factories

from .helpers import log_in, success_message

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_manager_assigns_reviewers_and_a_reviewer_scores(new_page, shot):
    call = factories.CallFactory(title="Cardio Seed 2026", reviewers_per_application=2, min_reviews=2)
    science = factories.CriterionFactory(call=call, name="Science", weight=2)
    factories.CriterionFactory(call=call, name="Team", weight=1)
    application = factories.ApplicationFactory(
        call=call,
        status="submitted",
        startup__name="CardioGene",
        startup__founders=[factories.FounderFactory()],
    )
    manager = factories.ManagerFactory(full_name="Maria Manager")
    olga = factories.MentorFactory(full_name="Olga Reviewer", email="olga@sechenov.example")
    factories.MentorFactory(full_name="Pavel Reviewer")

    # The manager runs the automatic assignment from the call's page.
    office = new_page()
    log_in(office, manager.email)
    office.goto(f"/manage/calls/{call.slug}/")
    row = office.get_by_role("row").filter(has_text="CardioGene")
    expect(row).to_contain_text("Submitted")
    shot(office, "call-before-assignment")
    office.get_by_role("button", name="Assign reviewers automatically").click()
    success_message(office, "Automatic assignment made 2 new assignments.")
    expect(row).to_contain_text("In review")
    expect(row).to_contain_text("Olga Reviewer")
    expect(row).to_contain_text("Pavel Reviewer")
    expect(row.get_by_role("cell").last).to_have_text("0 / 2")
    shot(office, "call-after-assignment")

    # The reviewer finds it in their queue (and the notice of it) and opens the review form.
    reviewer = new_page()
    log_in(reviewer, olga.email)
    expect(reviewer).to_have_url(re.compile(r"/mentor/$"))
    queue = reviewer.get_by_role("region", name="Review queue")
    expect(queue.get_by_role("row").filter(has_text="CardioGene")).to_contain_text("not started")
    expect(reviewer.get_by_role("region", name="Recent notifications")).to_contain_text(
        "Please review CardioGene (Cardio Seed 2026)"
    )
    shot(reviewer, "queue")
    queue.get_by_role("link", name="CardioGene").click()
    expect(reviewer.get_by_role("heading", name="Review of CardioGene")).to_be_visible()

    reviewer.get_by_label("Science (weight 2)").select_option("5")
    reviewer.get_by_label("Comment on “Science”").fill("Convincing animal data.")
    reviewer.get_by_label("Team (weight 1)").select_option("3")
    reviewer.get_by_label("Comment on “Team”").fill("A regulatory expert is missing.")
    reviewer.get_by_label("Comment for the founders").fill("Strong science; hire a regulatory lead.")
    reviewer.get_by_label("Confidential note for the managers").fill("I know the field well.")
    reviewer.get_by_label("Recommendation").select_option(label="Accept")
    reviewer.get_by_label("Confidence").select_option(label="High")
    shot(reviewer, "review-filled")
    reviewer.get_by_role("button", name="Submit the review").click()

    success_message(reviewer, "Review submitted.")
    expect(reviewer.get_by_role("heading", name="Review of CardioGene")).to_contain_text("Submitted")
    expect(reviewer.get_by_role("button", name="Submit the review")).to_have_count(0)
    shot(reviewer, "review-submitted")
    reviewer.get_by_role("link", name="My reviews").first.click()
    expect(queue.get_by_role("row").filter(has_text="CardioGene")).to_contain_text("submitted")
    shot(reviewer, "queue-after")

    # The manager sees one of the two reviews done.
    office.reload()
    expect(row.get_by_role("cell").last).to_have_text("1 / 2")
    expect(row).to_contain_text("Olga Reviewer ✓")
    shot(office, "call-one-review-done")

    review = Review.objects.get(assignment__application=application, assignment__reviewer=olga)
    assert review.status == "submitted"
    assert review.recommendation == "accept"
    assert review.confidence == Review.Confidence.HIGH
    assert {s.criterion_id: s.score for s in review.scores.all()}[science.pk] == 5
    assert review.weighted_score is not None
