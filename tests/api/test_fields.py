"""What each person may not see is absent from the API's answers (the key is not there), never
blank: a review's confidential note; other reviewers' identities, and with blind review their
reviews until one's own is submitted; the founders' names when the call hides them from
reviewers; and a decision the managers have not released yet, which founders see as the founders'
pages show it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from incubator.models import Startup
from incubator.services.tokens import api_token_create
from notifications.models import Notification
from pipeline.models import Application, Review, ReviewAssignment, TransitionLog
from pipeline.selectors import founder_view
from pipeline.services import application_transition
from pipeline.services.reviews import decisions_release
from tests import factories
from tests.api.conftest import World

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
NOTE = "Their lab results look too good to be true."
OTHER_NOTE = "I know the CTO from a failed company."
OTHER_COMMENT = "Strong science, thin market analysis."


def keys_in(data: Any) -> Iterator[str]:
    """Every key of every object in a JSON answer, at any depth."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from keys_in(value)
    elif isinstance(data, list):
        for item in data:
            yield from keys_in(item)


def _body(response) -> str:
    assert response.status_code == 200, response.content
    return response.content.decode()


def _submit(review: Review, **fields: Any) -> None:
    Review.objects.filter(pk=review.pk).update(
        status=Review.Status.SUBMITTED,
        submitted_at=timezone.now(),
        recommendation=Review.Recommendation.ACCEPT,
        confidence=Review.Confidence.MEDIUM,
        **fields,
    )


@pytest.fixture
def reviewed(world: World) -> World:
    """Application A with two reviews: the assigned reviewer's draft (with a confidential note)
    and Rita's, submitted, with a comment for the founders and a confidential note."""
    Review.objects.filter(pk=world.review.pk).update(
        confidential_note=NOTE, comment_for_founders="Promising."
    )
    rita = factories.MentorFactory(full_name="Rita Reviewer", email="rita@example.org")
    assignment = ReviewAssignment.objects.create(
        application=world.application_a, reviewer=rita, due_at=world.assignment.due_at
    )
    factories.ReviewFactory(
        assignment=assignment, confidential_note=OTHER_NOTE, comment_for_founders=OTHER_COMMENT
    )
    world.users["rita"] = rita
    return world


def _decide(world: World, name: str = "accept") -> None:
    _submit(world.review)
    application_transition(application=world.application_a, name=name, actor=world.users["manager"])


def _assignment(world: World) -> dict:
    response = world.client("assigned_reviewer").get(f"{V1}/review-assignments/{world.assignment.pk}/")
    assert response.status_code == 200
    return response.json()


# Confidential notes


def test_the_reviewer_sees_their_own_confidential_note(reviewed: World):
    response = reviewed.client("assigned_reviewer").get(f"{V1}/reviews/{reviewed.review.pk}/")

    assert response.json()["confidential_note"] == NOTE


def test_managers_see_confidential_notes(reviewed: World):
    response = reviewed.client("manager").get(f"{V1}/reviews/", {"application": reviewed.application_a.pk})

    assert sorted(row["confidential_note"] for row in response.json()["results"]) == sorted(
        [NOTE, OTHER_NOTE]
    )


def test_other_reviewers_reviews_come_without_their_confidential_notes(reviewed: World):
    _submit(reviewed.review)

    other_reviews = _assignment(reviewed)["other_reviews"]

    assert [review["comment_for_founders"] for review in other_reviews] == [OTHER_COMMENT]
    assert "confidential_note" not in set(keys_in(other_reviews))


def test_another_reviewers_confidential_note_is_nowhere_in_the_reviewers_answers(reviewed: World):
    _submit(reviewed.review)
    client = reviewed.client("assigned_reviewer")

    bodies = [
        _body(client.get(f"{V1}/review-assignments/{reviewed.assignment.pk}/")),
        _body(client.get(f"{V1}/review-assignments/")),
        _body(client.get(f"{V1}/reviews/", {"application": reviewed.application_a.pk})),
        _body(client.get(f"{V1}/applications/{reviewed.application_a.pk}/")),
    ]

    assert [body for body in bodies if OTHER_NOTE in body] == []


def test_a_reviewer_cannot_read_another_reviewers_review(reviewed: World):
    other = Review.objects.get(assignment__reviewer=reviewed.users["rita"])

    response = reviewed.client("assigned_reviewer").get(f"{V1}/reviews/{other.pk}/")

    assert response.status_code == 404


def test_founders_get_the_comments_for_them_once_released(reviewed: World):
    _decide(reviewed)
    decisions_release(call=reviewed.call, actor=reviewed.users["manager"])

    response = reviewed.client("founder_a").get(f"{V1}/applications/{reviewed.application_a.pk}/")

    assert sorted(response.json()["feedback"]) == sorted(["Promising.", OTHER_COMMENT])


def test_founders_never_get_a_confidential_note(reviewed: World):
    _decide(reviewed)
    decisions_release(call=reviewed.call, actor=reviewed.users["manager"])
    client = reviewed.client("founder_a")

    detail = client.get(f"{V1}/applications/{reviewed.application_a.pk}/")
    listing = client.get(f"{V1}/applications/")

    assert "confidential_note" not in set(keys_in([detail.json(), listing.json()]))
    assert [body for body in (_body(detail), _body(listing)) if NOTE in body or OTHER_NOTE in body] == []


# Reviewers' identities


def test_with_blind_review_other_reviews_are_absent_until_ones_own_is_submitted(reviewed: World):
    assert reviewed.call.blind_review

    assert "other_reviews" not in _assignment(reviewed)


def test_with_blind_review_no_other_reviewer_is_named_before_ones_own_is_submitted(reviewed: World):
    client = reviewed.client("assigned_reviewer")

    bodies = [
        _body(client.get(f"{V1}/review-assignments/{reviewed.assignment.pk}/")),
        _body(client.get(f"{V1}/review-assignments/")),
        _body(client.get(f"{V1}/reviews/")),
        _body(client.get(f"{V1}/applications/{reviewed.application_a.pk}/")),
    ]

    assert [body for body in bodies if "Rita" in body or "rita@example.org" in body] == []


def test_with_blind_review_other_reviews_appear_once_ones_own_is_submitted(reviewed: World):
    _submit(reviewed.review)

    assert [review["number"] for review in _assignment(reviewed)["other_reviews"]] == [1]


def test_other_reviews_never_say_who_wrote_them(reviewed: World):
    _submit(reviewed.review)

    response = reviewed.client("assigned_reviewer").get(f"{V1}/review-assignments/{reviewed.assignment.pk}/")

    other_reviews = response.json()["other_reviews"]
    assert {"reviewer", "assignment", "id"} & set(keys_in(other_reviews)) == set()
    assert "Rita" not in _body(response)


def test_without_blind_review_other_reviews_are_shown_before_ones_own(reviewed: World):
    reviewed.call.blind_review = False
    reviewed.call.save(update_fields=["blind_review"])

    assert [review["comment_for_founders"] for review in _assignment(reviewed)["other_reviews"]] == [
        OTHER_COMMENT
    ]


def test_a_managers_view_of_an_assignment_has_no_other_reviews(reviewed: World):
    response = reviewed.client("manager").get(f"{V1}/review-assignments/{reviewed.assignment.pk}/")

    assert "other_reviews" not in response.json()


def test_founders_never_learn_who_reviewed_them(reviewed: World):
    _decide(reviewed)
    decisions_release(call=reviewed.call, actor=reviewed.users["manager"])
    client = reviewed.client("founder_a")
    # Ada, Rita and Clara were asked to review the application (Clara declined); none of them
    # mentors this startup.
    reviewers = ["Ada Reviewer", "Rita Reviewer", "Clara Reviewer"]

    bodies = [
        _body(client.get(f"{V1}/applications/{reviewed.application_a.pk}/")),
        _body(client.get(f"{V1}/applications/", {"startup": reviewed.startup_a.pk})),
        _body(client.get(f"{V1}/startups/{reviewed.startup_a.pk}/")),
        _body(client.get(f"{V1}/transition-logs/", {"startup": reviewed.startup_a.pk})),
        _body(client.get(f"{V1}/notifications/")),
    ]

    assert [name for name in reviewers if any(name in body for body in bodies)] == []


def test_founders_may_not_read_reviews_or_assignments(reviewed: World):
    client = reviewed.client("founder_a")

    statuses = [client.get(f"{V1}/reviews/").status_code, client.get(f"{V1}/review-assignments/").status_code]

    assert statuses == [403, 403]


# Founders' names


@pytest.fixture
def names_hidden(world: World) -> World:
    world.call.hide_founder_names = True
    world.call.save(update_fields=["hide_founder_names"])
    return world


def test_reviewers_see_the_team_when_the_call_shows_it(world: World):
    response = world.client("assigned_reviewer").get(f"{V1}/applications/{world.application_a.pk}/")

    assert [member["user"]["full_name"] for member in response.json()["team"]] == ["Anna Founder"]


def test_the_team_is_absent_for_reviewers_when_the_call_hides_it(names_hidden: World):
    client = names_hidden.client("assigned_reviewer")

    detail = client.get(f"{V1}/applications/{names_hidden.application_a.pk}/").json()
    listing = client.get(f"{V1}/applications/").json()["results"]

    assert "team" not in detail
    assert [row["id"] for row in listing if "team" in row] == []


def test_no_founders_name_reaches_reviewers_when_the_call_hides_them(names_hidden: World):
    client = names_hidden.client("assigned_reviewer")
    founder = names_hidden.users["founder_a"]

    bodies = [
        _body(client.get(f"{V1}/applications/{names_hidden.application_a.pk}/")),
        _body(client.get(f"{V1}/applications/")),
        _body(client.get(f"{V1}/review-assignments/{names_hidden.assignment.pk}/")),
        _body(client.get(f"{V1}/review-assignments/")),
        _body(client.get(f"{V1}/reviews/{names_hidden.review.pk}/")),
        _body(client.get(f"{V1}/notifications/")),
    ]

    assert [body for body in bodies if founder.full_name in body or founder.email in body] == []


def test_files_reach_reviewers_under_neutral_names_when_the_call_hides_the_founders(names_hidden: World):
    from pipeline.models import Application

    Application.objects.filter(pk=names_hidden.application_a.pk).update(
        pitch_deck_name="Anna_Founder_deck.pdf"
    )
    application = names_hidden.application_a
    for name, pitch_deck_name, document_name in [
        ("assigned_reviewer", None, None),
        ("founder_a", "Anna_Founder_deck.pdf", "letter.pdf"),
        ("manager", "Anna_Founder_deck.pdf", "letter.pdf"),
    ]:
        client = names_hidden.client(name)
        detail = client.get(f"{V1}/applications/{application.pk}/").json()
        assert detail.get("pitch_deck_name") == pitch_deck_name, name
        assert detail["documents"][0].get("original_name") == document_name, name
        deck = client.get(f"{V1}/applications/{application.pk}/pitch-deck/")
        document = client.get(f"{V1}/applications/{application.pk}/documents/{names_hidden.document.pk}/")
        client.force_login(names_hidden.users[name])  # the pages: the browser's session
        page_deck = client.get(f"/applications/{application.pk}/pitch-deck/")
        page_document = client.get(f"/documents/{names_hidden.document.pk}/")
        expected = pitch_deck_name or "pitch-deck.pdf"
        assert deck["Content-Disposition"] == f'attachment; filename="{expected}"', name
        assert page_deck["Content-Disposition"] == f'attachment; filename="{expected}"', name
        expected = document_name or f"document-{names_hidden.document.pk}.pdf"
        assert page_document["Content-Disposition"] == f'attachment; filename="{expected}"', name
        assert document["Content-Disposition"] == f'attachment; filename="{expected}"', name


def test_the_founders_still_see_their_own_team_when_the_call_hides_it(names_hidden: World):
    response = names_hidden.client("founder_a").get(f"{V1}/applications/{names_hidden.application_a.pk}/")

    assert [member["user"]["full_name"] for member in response.json()["team"]] == ["Anna Founder"]


def test_managers_see_the_team_when_the_call_hides_it(names_hidden: World):
    response = names_hidden.client("manager").get(f"{V1}/applications/{names_hidden.application_a.pk}/")

    assert "team" in response.json()


# Decisions not yet released


@pytest.mark.parametrize("decision", ["accept", "reject", "waitlist"])
def test_a_held_decision_shows_founders_the_status_before_it(world: World, decision: str):
    _decide(world, decision)

    response = world.client("founder_a").get(f"{V1}/applications/{world.application_a.pk}/")

    assert response.json()["status"] == "in_review"


@pytest.mark.parametrize("decision", ["accept", "reject", "waitlist"])
def test_founders_see_the_status_the_founders_view_shows(world: World, decision: str):
    _decide(world, decision)
    application = Application.objects.get(pk=world.application_a.pk)
    shown = founder_view(Startup.objects.get(pk=world.startup_a.pk)).status_of(application)

    rows = world.client("founder_a").get(f"{V1}/applications/").json()["results"]

    assert [row["status"] for row in rows if row["id"] == application.pk] == [shown]


def test_a_held_decisions_dates_and_feedback_are_absent_for_founders(reviewed: World):
    _decide(reviewed)

    data = reviewed.client("founder_a").get(f"{V1}/applications/{reviewed.application_a.pk}/").json()

    assert {"decided_at", "decision_released_at", "feedback"} & set(data) == set()


def test_a_held_decisions_dates_are_absent_from_the_founders_list(world: World):
    _decide(world)

    rows = world.client("founder_a").get(f"{V1}/applications/").json()["results"]

    assert [row["id"] for row in rows if {"decided_at", "decision_released_at"} & set(row)] == []


def _founders_copy(world: World) -> tuple[dict, dict]:
    """Application A as founder A reads it: the detail, and its row of the list."""
    client = world.client("founder_a")
    detail = client.get(f"{V1}/applications/{world.application_a.pk}/").json()
    rows = client.get(f"{V1}/applications/").json()["results"]
    [row] = [row for row in rows if row["id"] == world.application_a.pk]
    return detail, row


@pytest.mark.parametrize("decisions", [["accept"], ["reject"], ["waitlist"], ["waitlist", "accept"]])
def test_a_held_decision_leaves_the_founders_updated_at_and_version_as_they_were(
    world: World, decisions: list[str]
):
    before, _row = _founders_copy(world)

    for name in decisions:
        _decide(world, name)
    detail, row = _founders_copy(world)

    shown = {key: detail[key] for key in ("updated_at", "version")}
    assert shown == {key: before[key] for key in ("updated_at", "version")}
    assert {key: row[key] for key in ("updated_at", "version")} == shown
    assert Application.objects.get(pk=world.application_a.pk).updated_at > datetime.fromisoformat(
        shown["updated_at"]
    )


def test_a_held_decision_does_not_move_the_application_up_the_founders_list(world: World):
    later = factories.ApplicationFactory(startup=world.startup_a)
    _decide(world)
    newest_first = {"ordering": "-updated_at"}

    founders = world.client("founder_a").get(f"{V1}/applications/", newest_first).json()["results"]
    managers = (
        world.client("manager")
        .get(f"{V1}/applications/", {**newest_first, "startup": world.startup_a.pk})
        .json()["results"]
    )

    assert [row["id"] for row in founders] == [later.pk, world.application_a.pk]
    assert [row["id"] for row in managers] == [world.application_a.pk, later.pk]


def test_managers_see_a_held_decisions_updated_at_as_stored(world: World):
    _decide(world)
    stored = Application.objects.get(pk=world.application_a.pk)

    data = world.client("manager").get(f"{V1}/applications/{stored.pk}/").json()

    assert datetime.fromisoformat(data["updated_at"]) == stored.updated_at
    assert data["version"] == stored.updated_at.isoformat()


def test_a_released_decision_shows_founders_the_stored_updated_at(world: World):
    _decide(world)
    decisions_release(call=world.call, actor=world.users["manager"])
    stored = Application.objects.get(pk=world.application_a.pk)

    data = world.client("founder_a").get(f"{V1}/applications/{stored.pk}/").json()

    assert datetime.fromisoformat(data["updated_at"]) == stored.updated_at


def test_managers_see_a_held_decision_as_it_is(world: World):
    _decide(world)

    data = world.client("manager").get(f"{V1}/applications/{world.application_a.pk}/").json()

    assert (data["status"], data["decision_released_at"]) == ("accepted", None)
    assert data["decided_at"] is not None


def test_filtering_by_a_held_status_finds_nothing_for_founders(world: World):
    _decide(world)
    client = world.client("founder_a")

    accepted = client.get(f"{V1}/applications/", {"status": "accepted"}).json()["results"]
    in_review = client.get(f"{V1}/applications/", {"status": "in_review"}).json()["results"]

    assert ([row["id"] for row in accepted], [row["id"] for row in in_review]) == (
        [],
        [world.application_a.pk],
    )


@pytest.mark.parametrize("decision", ["accept", "reject"])
def test_a_stage_change_that_followed_a_held_decision_is_hidden_from_founders(world: World, decision: str):
    # Accepting admits the startup; rejecting its only application takes it out of the pipeline.
    _decide(world, decision)
    assert Startup.objects.get(pk=world.startup_a.pk).stage != "application"

    response = world.client("founder_a").get(f"{V1}/startups/{world.startup_a.pk}/")

    assert response.json()["stage"] == "application"


def test_filtering_by_a_held_stage_does_not_find_the_startup_for_founders(world: World):
    _decide(world)
    client = world.client("founder_a")

    incubating = client.get(f"{V1}/startups/", {"stage": "incubation"}).json()["results"]
    applying = client.get(f"{V1}/startups/", {"stage": "application"}).json()["results"]

    assert world.startup_a.pk not in [row["id"] for row in incubating]
    assert world.startup_a.pk in [row["id"] for row in applying]


def test_a_held_decision_leaves_the_stage_start_the_founders_saw(world: World):
    before = world.client("founder_a").get(f"{V1}/startups/{world.startup_a.pk}/").json()["stage_entered_at"]
    _decide(world)

    after = world.client("founder_a").get(f"{V1}/startups/{world.startup_a.pk}/").json()["stage_entered_at"]

    assert after == before


def test_a_held_decision_is_not_in_the_founders_audit_trail(world: World):
    _decide(world)
    hidden = TransitionLog.objects.filter(startup=world.startup_a, transition__in=["accept", "admit"])
    client = world.client("founder_a")

    listed = {row["transition"] for row in client.get(f"{V1}/transition-logs/").json()["results"]}
    details = [client.get(f"{V1}/transition-logs/{log.pk}/").status_code for log in hidden]

    assert (listed & {"accept", "admit"}, details) == (set(), [404, 404])


def test_a_managers_reason_stays_in_the_managers_audit_trail(world: World):
    _submit(world.review)
    application_transition(
        application=world.application_a,
        name="reject",
        actor=world.users["manager"],
        reason="INTERNAL: the CEO is seen as unreliable.",
    )
    decisions_release(call=world.call, actor=world.users["manager"])
    reject = TransitionLog.objects.get(application=world.application_a, transition="reject")
    started = TransitionLog.objects.get(application=world.application_a, transition="start_review")

    founder = world.client("founder_a")
    rows = {row["id"]: row for row in founder.get(f"{V1}/transition-logs/").json()["results"]}
    detail = founder.get(f"{V1}/transition-logs/{reject.pk}/").json()
    managers = world.client("manager").get(f"{V1}/transition-logs/{reject.pk}/").json()

    assert "reason" not in rows[reject.pk]
    assert "reason" not in detail
    assert "INTERNAL" not in str(rows)
    assert managers["reason"] == "INTERNAL: the CEO is seen as unreliable."
    # What the system wrote is no one's secret.
    assert rows[started.pk]["reason"] == "Reviewers assigned."


def test_the_teams_own_reason_reaches_the_team(world: World):
    application_transition(
        application=world.application_a,
        name="withdraw",
        actor=world.users["founder_a"],
        reason="We joined another programme.",
    )
    withdraw = TransitionLog.objects.get(application=world.application_a, transition="withdraw")

    row = world.client("founder_a").get(f"{V1}/transition-logs/{withdraw.pk}/").json()

    assert row["reason"] == "We joined another programme."


def test_a_held_decision_sends_founders_no_notification(world: World):
    before = Notification.objects.filter(recipient=world.users["founder_a"]).count()

    _decide(world)

    response = world.client("founder_a").get(f"{V1}/notifications/")
    assert response.json()["count"] == before


def test_a_released_decision_shows_founders_the_status_and_dates(world: World):
    _decide(world)
    decisions_release(call=world.call, actor=world.users["manager"])

    data = world.client("founder_a").get(f"{V1}/applications/{world.application_a.pk}/").json()

    assert data["status"] == "accepted"
    assert data["decided_at"] is not None
    assert data["decision_released_at"] is not None


def test_a_held_decision_shows_mentors_the_founders_view(world: World):
    mentor = factories.MentorFactory()
    factories.MentorAssignmentFactory(startup=world.startup_a, mentor=mentor)
    _token, key = api_token_create(user=mentor, name="mentor")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    _decide(world)

    response = client.get(f"{V1}/startups/{world.startup_a.pk}/")

    assert response.json()["stage"] == "application"


# Due dates, as the reviewer's queue marks them


def test_an_assignment_says_whether_it_is_due_soon_or_overdue(world: World):
    now = timezone.now()
    marks = {}
    for label, due in [
        ("later", now + timedelta(days=10)),
        ("soon", now + timedelta(days=2)),
        ("late", now - timedelta(hours=1)),
    ]:
        ReviewAssignment.objects.filter(pk=world.assignment.pk).update(due_at=due)
        body = _assignment(world)
        marks[label] = (body["is_due_soon"], body["is_overdue"])

    assert marks == {"later": (False, False), "soon": (True, False), "late": (False, True)}


def test_a_review_saved_from_a_stale_version_answers_409_and_changes_nothing(world: World):
    client = world.client("assigned_reviewer")
    seen = client.get(f"{V1}/reviews/{world.review.pk}/").json()["version"]
    path = f"{V1}/review-assignments/{world.assignment.pk}/review/"

    saved = client.put(path, {"comment_for_founders": "First tab.", "expected_version": seen})
    assert saved.status_code == 200, saved.content
    assert saved.json()["version"] != seen

    stale = client.put(path, {"comment_for_founders": "Second tab.", "expected_version": seen})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale"
    assert Review.objects.get(pk=world.review.pk).comment_for_founders == "First tab."


def test_files_reach_reviewers_without_their_author_when_the_call_hides_the_founders(names_hidden: World):
    """A PDF's own properties (author, title, XMP) named the founders the call hides."""
    import io

    from django.core.files.base import ContentFile
    from pypdf import PdfReader, PdfWriter
    from pypdf.annotations import Text
    from pypdf.generic import NameObject, StreamObject, TextStringObject

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Author": "Anna Founder", "/Title": "Alpha Bio by Anna Founder"})
    xmp = StreamObject()
    xmp.set_data(
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq>'
        b"<rdf:li>Anna Founder</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    xmp[NameObject("/Type")] = NameObject("/Metadata")
    writer.root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    comment = Text(rect=(50, 550, 200, 650), text="See the appendix.")
    comment[NameObject("/T")] = TextStringObject("Anna Founder")
    writer.add_annotation(page_number=0, annotation=comment)
    buffer = io.BytesIO()
    writer.write(buffer)
    application = names_hidden.application_a
    application.pitch_deck.save("deck.pdf", ContentFile(buffer.getvalue()))
    names_hidden.document.file = application.pitch_deck.name
    names_hidden.document.save(update_fields=["file"])

    def downloads(name: str) -> list[bytes]:
        client = names_hidden.client(name)
        api = [
            client.get(f"{V1}/applications/{application.pk}/pitch-deck/"),
            client.get(f"{V1}/applications/{application.pk}/documents/{names_hidden.document.pk}/"),
        ]
        client.force_login(names_hidden.users[name])
        pages = [
            client.get(f"/applications/{application.pk}/pitch-deck/"),
            client.get(f"/documents/{names_hidden.document.pk}/"),
        ]
        assert [response.status_code for response in [*api, *pages]] == [200] * 4, name
        return [b"".join(response.streaming_content) for response in [*api, *pages]]

    for content in downloads("assigned_reviewer"):
        reader = PdfReader(io.BytesIO(content))
        assert len(reader.pages) == 1
        assert not reader.metadata
        assert reader.xmp_metadata is None
        [annotation] = reader.pages[0]["/Annots"]
        assert annotation.get_object()["/Contents"] == "See the appendix."
        assert b"Anna Founder" not in content
    for name in ("founder_a", "manager"):
        for content in downloads(name):
            reader = PdfReader(io.BytesIO(content))
            assert reader.metadata["/Author"] == "Anna Founder", name
            assert reader.xmp_metadata is not None, name


def test_a_file_that_cannot_be_rewritten_is_not_served_to_a_blind_reviewer(names_hidden: World):
    from django.core.files.base import ContentFile

    application = names_hidden.application_a
    application.pitch_deck.save("deck.pdf", ContentFile(b"%PDF-1.4 Anna Founder, not a readable PDF"))
    client = names_hidden.client("assigned_reviewer")

    api = client.get(f"{V1}/applications/{application.pk}/pitch-deck/")
    names_hidden.document.file = application.pitch_deck.name
    names_hidden.document.save(update_fields=["file"])
    api_document = client.get(f"{V1}/applications/{application.pk}/documents/{names_hidden.document.pk}/")
    client.force_login(names_hidden.users["assigned_reviewer"])
    page = client.get(f"/applications/{application.pk}/pitch-deck/")

    assert api.status_code == 409
    assert api.json()["error"]["code"] == "metadata_not_removed"
    assert api_document.status_code == 409
    assert api_document.json()["error"]["code"] == "metadata_not_removed"
    assert page.status_code == 409
    assert page.content.decode() == api.json()["error"]["message"]
    assert b"Anna Founder" not in api.content + page.content
