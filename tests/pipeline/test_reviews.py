"""Reviewing, blind review, the rubric lock, the ranking, decisions and their release."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incubator.models import ReadinessChange, ReviewerConflict, ReviewerProfile
from pipeline.models import Application, ApplicationDocument, Review, ReviewAssignment, TransitionLog
from pipeline.services.assignment import AssignmentError, assignment_decline
from pipeline.services.reviews import applications_decide
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def call():
    call = factories.CallFactory(title="Autumn call", min_reviews=2, capacity=2)
    factories.CriterionFactory(call=call, name="Science", weight=3)
    factories.CriterionFactory(call=call, name="Team", weight=1)
    return call


def assigned(call, reviewer=None, **application_kwargs):
    application = factories.ApplicationFactory(call=call, status="in_review", **application_kwargs)
    return factories.ReviewAssignmentFactory(
        application=application, reviewer=reviewer or factories.MentorFactory()
    )


def review_data(call, science=4, team=2, **extra):
    science_c, team_c = call.criteria.order_by("position", "pk")
    data = {
        f"score_{science_c.pk}": science,
        f"comment_{science_c.pk}": "Solid preclinical data.",
        f"score_{team_c.pk}": team,
        f"comment_{team_c.pk}": "",
        "comment_for_founders": "Plan the GLP studies early.",
        "confidential_note": "Knows the CEO from a conference.",
        "recommendation": "accept",
        "confidence": 2,
    }
    data.update(extra)
    return data


def test_reviewer_saves_a_draft_then_submits(client, call):
    assignment = assigned(call)
    client.force_login(assignment.reviewer)
    url = reverse("review-form", args=[assignment.application_id])

    page = client.get(url).content.decode()
    assert "Science (weight 3)" in page
    client.post(url, review_data(call, team="", recommendation="", save="1"))
    review = Review.objects.get()
    assert review.status == "draft"
    assert review.weighted_score is None

    response = client.post(url, review_data(call, submit="1"), follow=True)
    assert "Review submitted." in response.content.decode()
    review.refresh_from_db()
    assert review.status == "submitted"
    # Science 4 on 1..5 is 7.5, team 2 is 2.5; weights 3 and 1: (22.5 + 2.5) / 4 = 6.25
    assert float(review.weighted_score) == pytest.approx(6.25)
    assert review.scores.count() == 2

    response = client.post(url, review_data(call, science=5, save="1"), follow=True)
    assert "Your changes to the submitted review are saved." in response.content.decode()


def test_a_criterions_guidance_is_shown_as_text_on_the_review_form(client, call):
    call.criteria.filter(name="Science").update(guidance='Judge <img src=x onerror="alert(1)"> the data.')
    assignment = assigned(call)
    client.force_login(assignment.reviewer)

    page = client.get(reverse("review-form", args=[assignment.application_id])).content.decode()

    assert "<img src=x" not in page
    assert "Judge &lt;img src=x onerror=&quot;alert(1)&quot;&gt; the data." in page


def test_the_password_rules_stay_a_list_on_the_sign_up_page_in_the_readers_language(client):
    page = client.get(reverse("signup")).content.decode()
    assert re.search(r'<div class="form-text" id="id_password1_helptext"><ul><li>', page)
    assert "at least 8 characters" in page
    client.cookies["django_language"] = "ru"
    page = client.get(reverse("signup"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert re.search(r'<div class="form-text" id="id_password1_helptext"><ul><li>', page)
    assert "как минимум 8 символов" in page


def test_a_save_from_a_page_opened_before_the_last_save_is_refused_and_keeps_the_text(client, call):
    assignment = assigned(call)
    client.force_login(assignment.reviewer)
    url = reverse("review-form", args=[assignment.application_id])
    first_tab = client.get(url).context["form"].initial["version"]
    second_tab = client.get(url).context["form"].initial["version"]
    client.post(url, review_data(call, confidential_note="Tab one's note.", version=first_tab, save="1"))

    response = client.post(
        url, review_data(call, comment_for_founders="Tab two's comment.", version=second_tab, save="1")
    )
    page = response.content.decode()
    assert "saved somewhere else" in page
    assert "Tab two&#x27;s comment." in page
    review = Review.objects.get()
    assert (review.confidential_note, review.comment_for_founders) == (
        "Tab one's note.",
        "Plan the GLP studies early.",
    )

    current = client.get(url).context["form"].initial["version"]
    client.post(url, review_data(call, comment_for_founders="Tab two's comment.", version=current, save="1"))
    assert Review.objects.get().comment_for_founders == "Tab two's comment."


def test_submit_needs_every_score_a_recommendation_and_confidence(client, call):
    assignment = assigned(call)
    client.force_login(assignment.reviewer)
    response = client.post(
        reverse("review-form", args=[assignment.application_id]),
        review_data(call, team="", recommendation="", confidence="", submit="1"),
    )
    body = response.content.decode()
    assert "Score every criterion before submitting." in body
    assert "Choose a recommendation before submitting." in body
    assert "Say how confident you are before submitting." in body
    assert not Review.objects.filter(status="submitted").exists()

    # Once submitted, a review keeps them: clearing one is refused in those words.
    client.post(reverse("review-form", args=[assignment.application_id]), review_data(call, submit="1"))
    response = client.post(
        reverse("review-form", args=[assignment.application_id]),
        review_data(call, team="", recommendation="", save="1"),
    )
    body = response.content.decode()
    assert "A submitted review keeps a score for every criterion." in body
    assert "A submitted review keeps its recommendation." in body
    assert "before submitting" not in body


def test_out_of_scale_score_is_refused(client, call):
    assignment = assigned(call)
    client.force_login(assignment.reviewer)
    response = client.post(
        reverse("review-form", args=[assignment.application_id]), review_data(call, science=9, submit="1")
    )
    assert "Select a valid choice." in response.content.decode()
    assert not Review.objects.exists()


def test_review_can_be_edited_until_the_deadline(client, call):
    assignment = assigned(call)
    client.force_login(assignment.reviewer)
    url = reverse("review-form", args=[assignment.application_id])
    client.post(url, review_data(call, submit="1"))
    client.post(url, review_data(call, science=5, save="1"))
    review = Review.objects.get()
    assert review.status == "submitted"
    assert float(review.weighted_score) == pytest.approx((3 * 10 + 2.5) / 4)

    call.review_deadline = timezone.now() - timedelta(minutes=1)
    call.closes_at = call.review_deadline - timedelta(days=1)
    call.save()
    response = client.post(url, review_data(call, science=1, save="1"))
    assert "The review deadline has passed" in response.content.decode()
    review.refresh_from_db()
    assert float(review.weighted_score) == pytest.approx((3 * 10 + 2.5) / 4)


def test_once_closed_the_reviewer_still_reads_their_own_review(client, call):
    assignment = assigned(call)
    client.force_login(assignment.reviewer)
    url = reverse("review-form", args=[assignment.application_id])
    client.post(url, review_data(call, submit="1"))
    assert "What you submitted" not in client.get(url).content.decode()  # the form shows it

    Application.objects.filter(pk=assignment.application_id).update(status="accepted")
    page = client.get(url).content.decode()

    assert "Reviews of this application are closed." in page  # the decision is not released yet
    assert "What you submitted" in page
    assert "Science: 4 of 5 — Solid preclinical data." in page
    assert "Plan the GLP studies early." in page
    assert "Knows the CEO from a conference." in page  # their own note, to them only
    assert "<form" not in page.split("Your review")[1]


def test_blind_review_hides_other_reviews_until_submitting(client, call):
    first = assigned(call)
    second = factories.ReviewAssignmentFactory(application=first.application)
    other = factories.ReviewFactory(
        assignment=second, comment_for_founders="View of the second reviewer.", confidential_note="SECRET"
    )
    factories.ReviewScoreFactory(review=other, criterion=call.criteria.get(name="Science"), score=4)
    client.force_login(first.reviewer)
    url = reverse("review-form", args=[first.application_id])

    page = client.get(url).content.decode()
    assert "View of the second reviewer." not in page
    assert "other reviews appear after you submit yours" in page
    client.post(url, review_data(call, submit="1"))
    page = client.get(url).content.decode()
    assert "View of the second reviewer." in page
    assert "SECRET" not in page
    assert second.reviewer.full_name not in page
    assert "after you submit yours" not in page
    assert "blind review: you see the other submitted reviews" in page
    # A criterion's score is read against its own scale (1 to 5 here), the total against 10.
    assert "Science: 4 of 5" in page


def test_a_submitted_review_is_labelled_as_a_review_in_russian(client, call):
    assignment = assigned(call)
    factories.ReviewFactory(assignment=assignment)
    client.force_login(assignment.reviewer)
    client.cookies["django_language"] = "ru"

    page = client.get(reverse("review-form", args=[assignment.application_id])).content.decode()

    assert '<span class="badge text-bg-success">Отправлена</span>' in page


def test_open_review_shows_others_at_once(client):
    call = factories.CallFactory(blind_review=False)
    factories.CriterionFactory(call=call)
    first = assigned(call)
    factories.ReviewFactory(assignment__application=first.application, comment_for_founders="Visible now.")
    client.force_login(first.reviewer)
    assert "Visible now." in client.get(reverse("review-form", args=[first.application_id])).content.decode()


def test_founder_names_can_be_hidden_from_reviewers(client, call):
    founder = factories.FounderFactory(full_name="Olga Founderova")
    startup = factories.StartupFactory(founders=[founder])
    assignment = assigned(call, startup=startup)
    client.force_login(assignment.reviewer)
    url = reverse("review-form", args=[assignment.application_id])
    assert "Olga Founderova" in client.get(url).content.decode()
    call.hide_founder_names = True
    call.save()
    page = client.get(url).content.decode()
    assert "Olga Founderova" not in page
    assert "Founders' names are hidden in this call." in page


def test_reviewers_see_only_their_assignments(client, call):
    assignment = assigned(call)
    other = factories.MentorFactory()
    client.force_login(other)
    for name in ("review-form", "review-decline"):
        assert client.get(reverse(name, args=[assignment.application_id])).status_code == 404
    assert client.get(reverse("application-deck", args=[assignment.application_id])).status_code == 404
    queue = client.get(reverse("mentor-home")).content.decode()
    assert assignment.application.startup.name not in queue


def test_declining_removes_access_and_records_the_conflict(client, call):
    assignment = assigned(call)
    client.force_login(assignment.reviewer)
    response = client.post(
        reverse("review-decline", args=[assignment.application_id]),
        {"reason": "Former employer.", "conflict": "on"},
    )
    assert response.url == reverse("mentor-home")
    assignment.refresh_from_db()
    assert assignment.declined_for_conflict
    # The review page no longer opens; a notice or bookmark leading there says why.
    page = client.get(reverse("review-form", args=[assignment.application_id]), follow=True)
    assert page.redirect_chain == [(reverse("mentor-home"), 302)]
    assert "You declined this review on" in page.content.decode()
    assert 'name="submit"' not in page.content.decode()
    assert assignment.reviewer.declared_conflicts.get().startup == assignment.application.startup
    # Anyone else still gets "not found".
    client.force_login(factories.MentorFactory())
    assert client.get(reverse("review-form", args=[assignment.application_id])).status_code == 404


def test_declining_a_review_taken_back_in_the_meantime_says_so(client, call, monkeypatch):
    assignment = assigned(call)
    reviewer, application_id = assignment.reviewer, assignment.application_id
    # The page found the assignment; the managers take it back before the decline is saved.
    stale = ReviewAssignment.objects.get(pk=assignment.pk)
    monkeypatch.setattr("pipeline.views.reviews.selectors.assignment_for_reviewer", lambda user, pk: stale)
    ReviewAssignment.objects.filter(pk=assignment.pk).delete()
    with pytest.raises(AssignmentError) as refused:
        assignment_decline(assignment=stale, actor=reviewer, reason="Busy.", conflict=False)
    assert refused.value.code == "gone"

    client.force_login(reviewer)
    response = client.post(reverse("review-decline", args=[application_id]), {"reason": "Busy."}, follow=True)

    assert response.redirect_chain == [(reverse("mentor-home"), 302)]
    assert "The managers took this review back from you in the meantime" in response.content.decode()
    assert not ReviewerConflict.objects.exists()


def test_a_review_sent_after_it_was_taken_back_gives_the_text_back(client, call):
    assignment = assigned(call)
    reviewer, application_id = assignment.reviewer, assignment.application_id
    client.force_login(reviewer)
    url = reverse("review-form", args=[application_id])
    assert client.get(url).status_code == 200
    ReviewAssignment.objects.filter(pk=assignment.pk).delete()  # the managers take it back

    response = client.post(url, review_data(call, version="new", submit="1"))

    assert response.status_code == 409
    page = response.content.decode()
    assert "The managers took this review back from you in the meantime, so nothing was saved." in page
    assert "Solid preclinical data." in page
    assert "Plan the GLP studies early." in page
    assert "Knows the CEO from a conference." in page
    assert "Science · score 4" in page
    assert not Review.objects.exists()
    # Without the form's own fields (not a review being sent), it is the usual 404.
    assert client.post(url, {"comment_for_founders": "x"}).status_code == 404
    assert client.get(url).status_code == 404


def test_a_review_with_a_field_error_says_nothing_was_saved(client, call):
    assignment = assigned(call)
    client.force_login(assignment.reviewer)
    url = reverse("review-form", args=[assignment.application_id])

    response = client.post(url, review_data(call, version="new", comment_for_founders="x" * 5001, save="1"))

    assert "Nothing was saved: correct the fields marked below." in response.content.decode()
    assert response.context["form"].errors["comment_for_founders"]
    assert not Review.objects.exists()


def test_rubric_is_editable_until_the_first_review_then_locked(client, manager, call):
    client.force_login(manager)
    url = reverse("manage-rubric", args=[call.slug])
    criteria = list(call.criteria.order_by("position", "pk"))
    data = {
        "criteria-TOTAL_FORMS": 3,
        "criteria-INITIAL_FORMS": 2,
        "criteria-0-name": "Science and novelty",
        "criteria-0-guidance": "",
        "criteria-0-weight": "2.5",
        "criteria-0-scale_min": 1,
        "criteria-0-scale_max": 5,
        "criteria-1-name": "Team",
        "criteria-1-weight": "1",
        "criteria-1-scale_min": 1,
        "criteria-1-scale_max": 5,
        "criteria-1-DELETE": "on",
        "criteria-2-name": "Market",
        "criteria-2-weight": "1.5",
        "criteria-2-scale_min": 0,
        "criteria-2-scale_max": 10,
    }
    client.post(url, data)
    assert list(call.criteria.order_by("position").values_list("name", "weight", "scale_max")) == [
        ("Science and novelty", pytest.approx(2.5), 5),
        ("Market", pytest.approx(1.5), 10),
    ]
    assert call.criteria.get(name="Science and novelty").pk == criteria[0].pk

    factories.ReviewFactory(assignment__application__call=call)
    page = client.get(url).content.decode()
    assert "The rubric is locked" in page
    data["criteria-0-name"] = "Changed after reviews"
    client.post(url, data)
    assert not call.criteria.filter(name="Changed after reviews").exists()


def _rubric_as_shown(client, url) -> dict:
    """What the browser sends back from the rubric page: every field as the page shows it."""
    context = client.get(url).context
    formset = context["formset"]
    data = {
        "criteria-TOTAL_FORMS": len(formset.forms),
        "criteria-INITIAL_FORMS": formset.initial_form_count(),
        "rubric_version": context["rubric_version"],
    }
    for form in formset.forms:
        for name, field in form.fields.items():
            value = form.get_initial_for_field(field, name)
            if value not in (None, False):
                data[f"{form.prefix}-{name}"] = value
    return data


def test_a_rubric_page_opened_before_anothers_save_saves_nothing(client, manager, call):
    client.force_login(manager)
    url = reverse("manage-rubric", args=[call.slug])
    tab_a, tab_b = _rubric_as_shown(client, url), _rubric_as_shown(client, url)
    tab_b["criteria-0-DELETE"] = "on"  # B deletes "Science"
    client.post(url, tab_b)
    assert list(call.criteria.values_list("name", flat=True)) == ["Team"]

    tab_a["criteria-1-weight"] = "4"  # A, opened before, changes Team's weight
    response = client.post(url, tab_a)

    page = response.content.decode()
    assert "Someone changed the rubric after you opened this page. Nothing was saved" in page
    assert 'name="criteria-1-weight" value="4"' in page
    assert list(call.criteria.values_list("name", "weight")) == [("Team", 1)]


def test_saving_the_rubric_as_shown_keeps_the_russian_texts(client, manager, call):
    call.criteria.update(name_ru="Наука", guidance_ru="Новизна и доказательства.")
    client.force_login(manager)
    url = reverse("manage-rubric", args=[call.slug])
    client.post(url, _rubric_as_shown(client, url))
    assert set(call.criteria.values_list("name_ru", flat=True)) == {"Наука"}
    assert set(call.criteria.values_list("guidance_ru", flat=True)) == {"Новизна и доказательства."}


def test_the_rubric_refuses_two_criteria_of_one_name_and_warns_when_empty(client, manager, call):
    client.force_login(manager)
    url = reverse("manage-rubric", args=[call.slug])
    data = _rubric_as_shown(client, url)
    data["criteria-1-name"] = " science "
    response = client.post(url, data, follow=True)
    assert "Two criteria are called" in response.content.decode()
    assert list(call.criteria.order_by("position").values_list("name", flat=True)) == ["Science", "Team"]

    call.criteria.all().delete()
    response = client.post(url, _rubric_as_shown(client, url), follow=True)
    assert "The rubric has no criteria" in response.content.decode()


def _submitted_review(assignment, score):
    return factories.ReviewFactory(assignment=assignment, weighted_score=score)


def test_ranking_shows_normalised_scores_and_flags_disagreement(client, manager, call):
    harsh, lenient = factories.MentorFactory(), factories.MentorFactory()
    apps = [
        factories.ApplicationFactory(call=call, status="in_review", startup__name=f"S{i}") for i in range(3)
    ]
    for app, (low, high) in zip(apps, [(2, 6), (4, 8), (3, 9.9)], strict=True):
        _submitted_review(factories.ReviewAssignmentFactory(application=app, reviewer=harsh), low)
        _submitted_review(factories.ReviewAssignmentFactory(application=app, reviewer=lenient), high)
    client.force_login(manager)

    response = client.get(reverse("manage-ranking", args=[call.slug]))
    rows = {row.application.startup.name: row for row in response.context["rows"]}
    # Harsh reviewer: 2, 4, 3 (mean 3, sd 0.8165); lenient: 6, 8, 9.9 (mean 7.9667, sd 1.5924).
    assert rows["S0"].mean == pytest.approx(4.0)
    assert rows["S2"].mean == pytest.approx(6.45)
    assert rows["S0"].normalised == pytest.approx((-1.2247 - 1.2351) / 2, abs=1e-3)
    assert rows["S1"].normalised == pytest.approx((1.2247 + 0.0209) / 2, abs=1e-3)
    assert rows["S2"].normalised == pytest.approx((0 + 1.2141) / 2, abs=1e-3)
    assert rows["S2"].spread == pytest.approx(3.45)
    # Spread above the call's threshold (2.0) is flagged; exactly 2.0 is not.
    assert {name for name, row in rows.items() if row.flagged} == {"S2"}
    # Normalisation changes the order: S1 ranks first although S2 has the higher mean.
    assert [row.application.startup.name for row in response.context["rows"]] == ["S1", "S2", "S0"]
    assert [row.rank for row in response.context["rows"]] == [1, 2, 3]
    assert "How the figures are computed" in response.content.decode()
    by_mean = client.get(reverse("manage-ranking", args=[call.slug]) + "?sort=mean").context["rows"]
    assert [row.application.startup.name for row in by_mean] == ["S2", "S1", "S0"]
    only_flagged = client.get(reverse("manage-ranking", args=[call.slug]) + "?flagged=1").context["rows"]
    assert [row.application.startup.name for row in only_flagged] == ["S2"]


def test_bulk_decisions_go_through_the_service_and_wait_for_release(client, manager, call):
    call.capacity = 3
    call.save()
    apps = [factories.ApplicationFactory(call=call, status="in_review") for _ in range(3)]
    for app in apps[:2]:
        for _ in range(2):
            factories.ReviewFactory(assignment__application=app)
    client.force_login(manager)

    response = client.post(
        reverse("manage-ranking", args=[call.slug]),
        {"applications": [a.pk for a in apps], "decision": "accept", "reason": "Top of the ranking."},
        follow=True,
    )
    body = response.content.decode()
    assert "2 decisions recorded." in body
    assert "asks for 2 completed reviews" in body
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert [statuses[a.pk] for a in apps] == ["accepted", "accepted", "in_review"]
    assert TransitionLog.objects.filter(transition="accept", reason="Top of the ranking.").count() == 2
    assert not Application.objects.filter(decision_released_at__isnull=False).exists()
    # The refused one stays ticked, with the decision and the reason, to try again; once.
    ticked = re.findall(r'name="applications" value="(\d+)" [^>]*checked', body)
    assert ticked == [str(apps[2].pk)]
    assert 'value="Top of the ranking."' in body
    page = client.get(reverse("manage-ranking", args=[call.slug])).content.decode()
    assert not re.findall(r'name="applications" value="(\d+)" [^>]*checked', page)

    response = client.post(reverse("manage-release", args=[call.slug]), follow=True)
    assert "2 decisions released" in response.content.decode()
    assert Application.objects.filter(decision_released_at__isnull=False).count() == 2
    call.refresh_from_db()
    assert call.decisions_released_at is not None


def test_accepting_more_than_the_free_places_decides_nothing(client, manager, call):
    """Accepting one by one until the places ran out admitted whichever came first, not the
    ones the manager ranked highest."""
    apps = [factories.ApplicationFactory(call=call, status="in_review") for _ in range(3)]
    for app in apps:
        for _ in range(2):
            factories.ReviewFactory(assignment__application=app)
    client.force_login(manager)
    response = client.post(
        reverse("manage-ranking", args=[call.slug]),
        {"applications": [a.pk for a in apps], "decision": "accept", "reason": "Top three."},
        follow=True,
    )
    body = response.content.decode()
    message = (
        f"You chose 3 applications to accept in “{call.title}”, which has 2 free places (0 of 2 taken). "
        "Nothing was decided: untick those that should not get a place, "
        "or raise the call&#x27;s places first."
    )
    assert body.count(message) == 1
    assert not Application.objects.filter(status="accepted").exists()
    # All three stay ticked, with the decision and the reason.
    ticked = re.findall(r'name="applications" value="(\d+)" [^>]*checked', body)
    assert sorted(ticked) == sorted(str(a.pk) for a in apps)

    ranking = reverse("manage-ranking", args=[call.slug])
    client.post(ranking, {"applications": [apps[0].pk], "decision": "accept"})
    response = client.post(
        reverse("manage-ranking", args=[call.slug]),
        {"applications": [apps[1].pk, apps[2].pk], "decision": "accept"},
        follow=True,
    )
    assert "which has 1 free place (1 of 2 taken)" in response.content.decode()
    assert list(Application.objects.filter(status="accepted").values_list("pk", flat=True)) == [apps[0].pk]
    assert "Places: 1 of 2 taken." in client.get(reverse("manage-ranking", args=[call.slug])).content.decode()
    # Rejecting is not held to the places.
    client.post(
        reverse("manage-ranking", args=[call.slug]),
        {"applications": [apps[1].pk, apps[2].pk], "decision": "reject", "reason": "Not this time."},
    )
    assert Application.objects.filter(status="rejected").count() == 2


def test_a_full_call_refuses_one_more_acceptance(manager, call):
    apps = [factories.ApplicationFactory(call=call, status="in_review") for _ in range(3)]
    for app in apps:
        for _ in range(2):
            factories.ReviewFactory(assignment__application=app)
    applications_decide(applications=apps[:2], decision="accept", actor=manager)
    apps[2].refresh_from_db()
    outcome = applications_decide(applications=[apps[2]], decision="accept", actor=manager)
    [(refused, message)] = outcome.refused
    assert refused == apps[2]
    assert message.startswith("You chose 1 application to accept in")
    assert "which has 0 free places (2 of 2 taken)" in message


def test_deciding_an_application_not_yet_in_review_says_what_it_waits_for(client, manager, call):
    waiting = factories.ApplicationFactory(call=call, status="submitted", startup__name="CardioGene")
    client.force_login(manager)

    response = client.post(
        reverse("manage-ranking", args=[call.slug]),
        {"applications": [waiting.pk], "decision": "accept"},
        follow=True,
    )

    body = response.content.decode()
    assert (
        "CardioGene: the application is “Submitted” and has no reviews yet; it can be decided once it is "
        "in review (assign its reviewers first)."
    ) in body
    assert "is not possible from there" not in body
    assert Application.objects.get(pk=waiting.pk).status == "submitted"


def test_a_score_from_too_few_reviews_does_not_top_the_ranking(client, manager, call):
    # call.min_reviews is 2. "One" has a single, glowing review; "Two" has two fair ones.
    harsh, lenient, third = factories.MentorFactory(), factories.MentorFactory(), factories.MentorFactory()
    one = factories.ApplicationFactory(call=call, status="in_review", startup__name="One")
    two = factories.ApplicationFactory(call=call, status="in_review", startup__name="Two")
    other = factories.ApplicationFactory(call=call, status="in_review", startup__name="Other")
    _submitted_review(factories.ReviewAssignmentFactory(application=one, reviewer=third), 9.5)
    _submitted_review(factories.ReviewAssignmentFactory(application=other, reviewer=third), 2)
    for app, (low, high) in ((two, (5, 7)), (other, (3, 5))):
        _submitted_review(factories.ReviewAssignmentFactory(application=app, reviewer=harsh), low)
        _submitted_review(factories.ReviewAssignmentFactory(application=app, reviewer=lenient), high)
    client.force_login(manager)
    url = reverse("manage-ranking", args=[call.slug])

    for sort in ("", "?sort=mean"):
        rows = client.get(url + sort).context["rows"]
        assert rows[-1].application == one, sort
        assert not rows[-1].enough_reviews
    # The rank keeps that order whatever the page is sorted by.
    by_name = client.get(url + "?sort=name").context["rows"]
    assert (by_name[0].application.startup.name, by_name[0].rank) == ("One", 3)
    assert "applications with fewer than 2 completed reviews come last" in (client.get(url).content.decode())


def test_the_ranking_offers_no_status_it_leaves_out(client, manager, call):
    client.force_login(manager)

    response = client.get(reverse("manage-ranking", args=[call.slug]))

    offered = [value for value, _label in response.context["statuses"]]
    assert "withdrawn" not in offered
    assert "draft" not in offered
    assert "in_review" in offered


def test_manager_pages_are_forbidden_to_reviewers_and_founders(client, call, founder):
    mentor = factories.MentorFactory()
    for user in (mentor, founder):
        client.force_login(user)
        for name in ("manage-call", "manage-ranking", "manage-rubric"):
            assert client.get(reverse(name, args=[call.slug])).status_code == 403
        assert client.post(reverse("manage-auto-assign", args=[call.slug])).status_code == 403
        assert client.post(reverse("manage-release", args=[call.slug])).status_code == 403


def test_manager_runs_auto_assignment_from_the_page(client, manager, call):
    for _ in range(3):
        factories.MentorFactory()
    factories.ApplicationFactory(call=call, status="submitted")
    client.force_login(manager)
    response = client.post(reverse("manage-auto-assign", args=[call.slug]), follow=True)
    assert "Automatic assignment made 2 new assignments." in response.content.decode()
    assert ReviewAssignment.objects.count() == 2


@pytest.mark.parametrize("size", [5, 50])
def test_queue_query_count_is_fixed(client, django_assert_num_queries, size, call):
    mentor = factories.MentorFactory()
    for i in range(size):
        assignment = assigned(call, reviewer=mentor)
        if i % 2:
            factories.ReviewFactory(assignment=assignment)
    for _ in range(size):
        # Mentees waiting for the mentor: evidence to decide on, readiness changes to confirm.
        mentee = factories.StartupFactory(stage="incubation")
        factories.MentorAssignmentFactory(startup=mentee, mentor=mentor)
        factories.MilestoneFactory(startup=mentee, status="submitted")
        ReadinessChange.objects.create(
            startup=mentee,
            trl_from=3,
            trl_to=4,
            phase_from="discovery",
            phase_to="discovery",
            evidence_note="n",
        )
    client.force_login(mentor)
    with django_assert_num_queries(7):
        response = client.get(reverse("mentor-home"))
    assert len(response.context["queue"]) == size
    body = response.content.decode()
    assert body.count("accept or send back") == size
    assert body.count("confirm or reject") == size


def test_a_review_by_a_reviewer_with_a_conflict_declared_afterwards_is_marked(client, manager, call):
    from incubator.services import reviewer_conflict_declare

    application = factories.ApplicationFactory(call=call, status="in_review", startup__name="PlacentaCare")
    fair, conflicted = (
        factories.MentorFactory(full_name="Fair One"),
        factories.MentorFactory(full_name="Late One"),
    )
    for reviewer in (fair, conflicted):
        factories.ReviewFactory(
            assignment__application=application, assignment__reviewer=reviewer, weighted_score=8
        )
    client.force_login(manager)
    ranking_url = reverse("manage-ranking", args=[call.slug])
    assert "with a conflict" not in client.get(ranking_url).content.decode()

    reviewer_conflict_declare(reviewer=conflicted, startup=application.startup, note="Co-author.")

    [row] = client.get(ranking_url).context["rows"]
    assert row.conflicted == 1
    assert "1 by a reviewer with a conflict" in client.get(ranking_url).content.decode()
    page = client.get(reverse("manage-application", args=[application.pk])).content.decode()
    headings = {
        name: re.search(rf"<h3[^>]*>{name}.*?</h3>", page, re.S).group(0) for name in ("Late One", "Fair One")
    }
    assert "conflict: declared a conflict of interest with the startup" in headings["Late One"]
    assert "conflict" not in headings["Fair One"]


@pytest.mark.parametrize("size", [5, 50])
def test_ranking_query_count_is_fixed(client, django_assert_num_queries, size, call, manager):
    mentors = [factories.MentorFactory() for _ in range(3)]
    for _ in range(size):
        application = factories.ApplicationFactory(call=call, status="in_review")
        for mentor in mentors:
            factories.ReviewFactory(
                assignment__application=application, assignment__reviewer=mentor, weighted_score=5
            )
    client.force_login(manager)
    with django_assert_num_queries(13):
        response = client.get(reverse("manage-ranking", args=[call.slug]))
    assert len(response.context["rows"]) == size


@pytest.mark.parametrize("size", [5, 50])
def test_call_overview_query_count_is_fixed(client, django_assert_num_queries, size, call, manager):
    for _ in range(size):
        factories.ReviewFactory(assignment__application__call=call)
    client.force_login(manager)
    with django_assert_num_queries(11):
        page = client.get(reverse("manage-call", args=[call.slug])).content.decode()
    # Every reviewer offered, each with their load in this call against their capacity.
    assert page.count("1 of 6 in this call") == size


def test_a_missing_review_is_overdue_only_while_the_application_waits_for_it(call):
    from pipeline.selectors.reviews import is_overdue

    past = timezone.now() - timedelta(days=1)
    waiting = factories.ReviewAssignmentFactory(application__call=call, due_at=past)
    decided = factories.ReviewAssignmentFactory(
        application__call=call, application__status="rejected", due_at=past
    )

    assert is_overdue(waiting)
    assert not is_overdue(decided)


def test_the_mentors_queue_marks_reviews_due_soon_and_overdue(client, call):
    mentor = factories.MentorFactory()
    now = timezone.now()
    rows = {
        "Overdue Bio": now - timedelta(hours=2),
        "Soon Bio": now + timedelta(days=2),
        "Later Bio": now + timedelta(days=10),
    }
    for name, due in rows.items():
        factories.ReviewAssignmentFactory(
            application__call=call, application__startup__name=name, reviewer=mentor, due_at=due
        )
    done = factories.ReviewAssignmentFactory(
        application__call=call,
        application__startup__name="Done Bio",
        reviewer=mentor,
        due_at=now + timedelta(days=1),
    )
    factories.ReviewFactory(assignment=done)
    client.force_login(mentor)

    page = client.get(reverse("mentor-home")).content.decode()

    def row(name):
        start = page.index(name)
        return page[start : page.index("</tr>", start)]

    assert "overdue" in row("Overdue Bio")
    assert "due soon" not in row("Overdue Bio")
    assert "due soon" in row("Soon Bio")
    assert "due soon" not in row("Later Bio")
    assert "overdue" not in row("Later Bio")
    assert "due soon" not in row("Done Bio")
    # What is still owed comes first, soonest due first; the submitted one after it.
    names = ["Overdue Bio", "Soon Bio", "Later Bio", "Done Bio"]
    assert sorted(names, key=page.index) == names
    # The review page itself says so too.
    soon = ReviewAssignment.objects.get(application__startup__name="Soon Bio")
    assert (
        "due soon</span>" in client.get(reverse("review-form", args=[soon.application_id])).content.decode()
    )


@pytest.mark.parametrize("size", [2, 8])
def test_application_review_summary_query_count_is_fixed(
    client, django_assert_num_queries, size, call, manager
):
    criterion = factories.CriterionFactory(call=call)
    application = factories.ApplicationFactory(call=call, status="in_review")
    for _ in range(size):
        review = factories.ReviewFactory(
            assignment__application=application,
            assignment__reviewer__organisation=factories.OrganisationFactory(),
        )
        factories.ReviewScoreFactory(review=review, criterion=criterion)
    for n in range(size):
        ApplicationDocument.objects.create(application=application, title=f"Lab report {n}", file="x.pdf")
    client.force_login(manager)
    with django_assert_num_queries(11):
        response = client.get(reverse("manage-application", args=[application.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("/ 10 ·") == size
    assert response.content.decode().count("Lab report") == size
    # Each criterion's score reads against its scale, as on the reviewers' pages.
    score = f"{criterion.name}: {review.scores.get().score} of {criterion.scale_max}"
    assert score in response.content.decode()


def test_managers_read_the_answers_and_documents_next_to_the_reviews(client, call, manager):
    application = factories.ApplicationFactory(
        call=call, status="in_review", problem="Sepsis is found too late.", use_of_funds="A pilot study."
    )
    document = ApplicationDocument.objects.create(
        application=application, title="Patent filing", file="x.pdf"
    )
    client.force_login(manager)

    page = client.get(reverse("manage-application", args=[application.pk])).content.decode()

    assert "Sepsis is found too late." in page
    assert "A pilot study." in page
    assert reverse("document-download", args=[document.pk]) in page
    assert reverse("application-deck", args=[application.pk]) in page


def test_a_withdrawn_application_is_closed_to_its_reviewers_and_out_of_the_ranking(client, call, manager):
    assignment = factories.ReviewAssignmentFactory(
        application__call=call, application__status="withdrawn", application__startup__name="Gone Bio"
    )
    client.force_login(assignment.reviewer)

    form_page = client.get(reverse("review-form", args=[assignment.application_id])).content.decode()
    assert "reviews are closed" in form_page
    assert 'name="submit"' not in form_page
    assert "closed: Withdrawn" in client.get(reverse("mentor-home")).content.decode()

    client.force_login(manager)
    ranking = client.get(reverse("manage-ranking", args=[call.slug]))
    assert [row.application.startup.name for row in ranking.context["rows"]] == []


def test_assigning_by_hand_makes_the_assignments(client, call, manager):
    application = factories.ApplicationFactory(call=call, status="submitted")
    reviewer = factories.MentorFactory()
    client.force_login(manager)

    response = client.post(
        reverse("manage-assign", args=[call.slug]),
        {"applications": [application.pk], "reviewers": [reviewer.pk]},
        follow=True,
    )

    assert "1 assignment made." in response.content.decode()
    assert ReviewAssignment.objects.filter(application=application, reviewer=reviewer).exists()


def test_a_review_assigned_by_hand_is_due_later_than_now(client, call, manager):
    application = factories.ApplicationFactory(call=call, status="submitted")
    reviewer = factories.MentorFactory()
    client.force_login(manager)

    response = client.post(
        reverse("manage-assign", args=[call.slug]),
        {"applications": [application.pk], "reviewers": [reviewer.pk], "due_at": "2020-11-01T18:00"},
        follow=True,
    )

    page = response.content.decode()
    assert "The review must be due later than now." in page
    assert not ReviewAssignment.objects.exists()
    # The ticks and the date come back with the refusal.
    assert re.search(rf'name="applications" value="{application.pk}" [^>]*checked', page)
    assert re.search(rf'name="reviewers" value="{reviewer.pk}"[^>]*checked', page)
    assert 'value="2020-11-01T18:00"' in page

    # Not after the call's review deadline either, when reviews close.
    chosen = {"applications": [application.pk], "reviewers": [reviewer.pk]}
    late = timezone.localtime(call.review_deadline + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("manage-assign", args=[call.slug]), {**chosen, "due_at": late}, follow=True
    )
    assert response.content.decode().count("at the latest") == 1
    # Once that deadline has passed, no review can be assigned.
    call.review_deadline = timezone.now() - timedelta(hours=1)
    call.save()
    response = client.post(reverse("manage-assign", args=[call.slug]), chosen, follow=True)
    assert "reviews are closed. Move the deadline to assign more." in response.content.decode()
    assert not ReviewAssignment.objects.exists()


def test_assigning_by_hand_with_nothing_chosen_says_what_is_missing(client, call, manager):
    client.force_login(manager)

    response = client.post(reverse("manage-assign", args=[call.slug]), {}, follow=True)

    page = response.content.decode()
    assert page.count("Tick at least one application.") == 1
    assert page.count("Choose at least one reviewer.") == 1
    assert "This field is required." not in page
    assert not ReviewAssignment.objects.exists()


def test_managers_choose_reviewers_knowing_their_fields_and_load(client, manager, call):
    reviewer = factories.MentorFactory(
        full_name="Anna Expert", organisation=factories.OrganisationFactory(name="MIPT", short_name="MIPT")
    )
    profile = ReviewerProfile.objects.create(user=reviewer, capacity_per_call=8)
    profile.expertise.add(factories.TherapeuticAreaFactory(name="Oncology"))
    for _ in range(2):
        assigned(call, reviewer=reviewer)
    client.force_login(manager)

    page = client.get(reverse("manage-call", args=[call.slug])).content.decode()

    assert "Anna Expert · MIPT · Oncology · 2 of 8 in this call" in page
    assert 'type="checkbox" name="reviewers"' in page


def test_the_review_form_says_who_reads_a_criterion_comment(client, call):
    assignment = assigned(call)
    client.force_login(assignment.reviewer)
    url = reverse("review-form", args=[assignment.application_id])
    call.blind_review = True
    call.save()
    blind = client.get(url).content.decode().replace("&#x27;", "'")
    assert "For the managers and the call's other reviewers once they have reviewed;" in blind
    call.blind_review = False
    call.save()
    open_call = client.get(url).content.decode().replace("&#x27;", "'")
    assert "For the managers and the call's other reviewers; not shown to the founders." in open_call


def test_declaring_a_conflict_says_what_becomes_of_the_reviews_it_touches(client, call):
    reviewer = factories.MentorFactory()
    done = assigned(call, reviewer=reviewer, startup__name="AlzMark")
    factories.ReviewFactory(assignment=done)
    open_ = assigned(call, reviewer=reviewer, startup__name="CardioGene")
    assigned(call, reviewer=reviewer, startup__name="Unrelated Bio")
    client.force_login(reviewer)
    url = reverse("reviewer-profile")

    first, second = (
        client.post(url, {"declare": "1", "conflict-startup": startup.pk}, follow=True).content.decode()
        for startup in (done.application.startup, open_.application.startup)
    )

    assert "Your submitted review of AlzMark stays; the managers see it marked with the conflict." in first
    assert "You are still to review CardioGene: decline that review from its page." in second
    assert "AlzMark stays" not in second  # only what the conflict just declared touches
    page = first + second
    assert "of Unrelated Bio" not in page
    assert "review Unrelated Bio" not in page


def test_conflicts_are_declared_one_record_per_startup_or_organisation(client, mentor):
    startup = factories.StartupFactory(name="AlzMark")
    organisation = factories.OrganisationFactory(name="Martinex", short_name="Martinex")
    client.force_login(mentor)
    url = reverse("reviewer-profile")
    form = {"declare": "1", "conflict-startup": startup.pk, "conflict-organisation": organisation.pk}

    response = client.post(url, {**form, "conflict-note": "Former employer."}, follow=True)
    page = response.content.decode()
    assert "AlzMark" in page
    assert "Martinex" in page
    conflicts = {
        (c.startup_id, c.organisation_id): c for c in ReviewerConflict.objects.filter(reviewer=mentor)
    }
    assert set(conflicts) == {(startup.pk, None), (None, organisation.pk)}

    client.post(
        url, {"declare": "1", "conflict-startup": startup.pk, "conflict-note": "Advised them in 2024."}
    )
    assert ReviewerConflict.objects.get(reviewer=mentor, startup=startup).note == "Advised them in 2024."
    assert ReviewerConflict.objects.filter(reviewer=mentor).count() == 2

    client.post(reverse("reviewer-conflict-remove", args=[conflicts[(None, organisation.pk)].pk]))
    assert list(ReviewerConflict.objects.filter(reviewer=mentor).values_list("startup_id", flat=True)) == [
        startup.pk
    ]


def test_a_refused_conflict_declaration_keeps_the_profile_as_saved(client, mentor):
    area = factories.TherapeuticAreaFactory(name="Oncology")
    client.force_login(mentor)
    url = reverse("reviewer-profile")
    client.post(url, {"save_profile": "1", "profile-capacity_per_call": 8, "profile-expertise": [area.pk]})

    response = client.post(url, {"declare": "1"})

    assert response.status_code == 200
    assert response.context["form"]["capacity_per_call"].value() == 8
    assert [str(pk) for pk in response.context["form"]["expertise"].value()] == [str(area.pk)]
    assert not response.context["form"].errors
    assert response.context["conflict_form"].errors


def test_the_decline_page_of_a_submitted_review_says_so_before_a_reason_is_typed(client, call):
    assignment = assigned(call)
    factories.ReviewFactory(assignment=assignment)
    client.force_login(assignment.reviewer)

    response = client.get(reverse("review-decline", args=[assignment.application_id]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("review-form", args=[assignment.application_id])
    assert "You already submitted this review; it can no longer be declined." in response.content.decode()
