"""Transitions as API actions, ``POST /api/v1/<resource>/{id}/transitions/{name}/``: they fire the
same transition service as the pages (one audit record with the actor and the reason, the same
follow-ups, the guards' refusals in words), refuse by the same rules (404 for an object the person
may not see, 403 for a transition they may never fire, 409 for the state), and each object's
``transitions`` lists exactly what the service lets the person fire."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from incubator.api.transitions import firable_transition_names
from incubator.models import Startup
from incubator.services.tokens import api_token_create
from pipeline.exceptions import GuardFailed, TransitionForbidden, TransitionNotAvailable
from pipeline.models import Application, Review, TransitionLog
from pipeline.services import application_transition, startup_transition
from pipeline.services.reviews import decisions_release
from tests import factories
from tests.api.conftest import ROLES, World
from tests.concurrency import race

V1 = "/api/v1"
PEOPLE = [role for role in ROLES if role != "anonymous"]


def _fire(client: APIClient, resource: str, pk: int, name: str, body: dict | None = None):
    return client.post(f"{V1}/{resource}/{pk}/transitions/{name}/", body or {}, format="json")


def _submit_review(review: Review) -> None:
    Review.objects.filter(pk=review.pk).update(
        status=Review.Status.SUBMITTED,
        submitted_at=timezone.now(),
        recommendation=Review.Recommendation.ACCEPT,
        confidence=Review.Confidence.MEDIUM,
    )


def _status(application: Application) -> str:
    return Application.objects.values_list("status", flat=True).get(pk=application.pk)


@pytest.fixture
def incubating(world: World) -> Startup:
    """A startup of founder A's in incubation, without milestones (so its gate is closed)."""
    return factories.StartupFactory(
        name="Delta Cell", founders=[world.users["founder_a"]], stage="incubation"
    )


# What firing does


@pytest.mark.django_db
def test_firing_answers_the_object_as_it_is_now(world: World):
    response = _fire(world.client("founder_b"), "applications", world.application_b.pk, "submit")

    assert response.status_code == 200
    assert response.json()["status"] == "submitted"


@pytest.mark.django_db
def test_firing_writes_exactly_one_audit_record_with_the_reason_and_the_actor(world: World):
    _fire(
        world.client("founder_b"),
        "applications",
        world.application_b.pk,
        "submit",
        {"reason": "  Ready for the jury.  "},
    )

    logs = TransitionLog.objects.filter(startup=world.startup_b)
    assert [(log.transition, log.source, log.target) for log in logs] == [("submit", "draft", "submitted")]
    assert logs.get().actor == world.users["founder_b"]
    assert logs.get().reason == "Ready for the jury."


@pytest.mark.django_db
def test_firing_changes_the_stored_state(world: World):
    _fire(world.client("founder_b"), "applications", world.application_b.pk, "submit")

    assert _status(world.application_b) == "submitted"


@pytest.mark.django_db
def test_firing_runs_the_services_follow_ups(world: World):
    # Accepting admits the startup, in the same transaction, with its own record.
    _submit_review(world.review)

    _fire(world.client("manager"), "applications", world.application_a.pk, "accept")

    accept = TransitionLog.objects.get(application=world.application_a, transition="accept")
    admit = TransitionLog.objects.get(startup=world.startup_a, transition="admit")
    assert admit.caused_by == accept
    assert Startup.objects.get(pk=world.startup_a.pk).stage == "incubation"


@pytest.mark.django_db
def test_a_startup_transition_writes_one_audit_record(world: World, incubating: Startup):
    body = {"reason": "The founders stopped.", "expected_state": "incubation"}

    response = _fire(world.client("manager"), "startups", incubating.pk, "exit", body)

    assert response.status_code == 200
    assert response.json()["stage"] == "exited"
    log = TransitionLog.objects.get(startup=incubating)
    assert (log.transition, log.actor, log.reason) == (
        "exit",
        world.users["manager"],
        "The founders stopped.",
    )


# Guards: 409 with their explanations


@pytest.mark.django_db
def test_a_guard_refusal_answers_409_with_the_guards_message(world: World):
    response = _fire(world.client("manager"), "applications", world.application_a.pk, "accept")

    assert response.status_code == 409
    assert response.json()["error"] == {
        "status": 409,
        "code": "guard_failed",
        "message": "The call asks for 1 completed reviews before a decision; this application has 0.",
        "details": {
            "messages": ["The call asks for 1 completed reviews before a decision; this application has 0."],
            "guards": ["enough_reviews"],
        },
    }


@pytest.mark.django_db
def test_a_guard_refusal_changes_nothing(world: World):
    _fire(world.client("manager"), "applications", world.application_a.pk, "accept")

    assert _status(world.application_a) == "in_review"
    assert not TransitionLog.objects.filter(application=world.application_a, transition="accept").exists()


@pytest.mark.django_db
def test_every_failed_guard_is_explained(world: World):
    Application.objects.filter(pk=world.application_b.pk).update(problem="", pitch_deck="")

    response = _fire(world.client("founder_b"), "applications", world.application_b.pk, "submit")

    details = response.json()["error"]["details"]
    assert details["guards"] == ["answers_complete", "pitch_deck_uploaded"]
    assert details["messages"] == [
        "Fill in the required fields: problem.",
        "Upload a pitch deck (PDF) before submitting.",
    ]


@pytest.mark.django_db
def test_the_guards_refusal_is_what_the_object_said_stood_in_the_way(world: World, incubating: Startup):
    client = world.client("manager")
    options = client.get(f"{V1}/startups/{incubating.pk}/").json()["transitions"]
    blocked_by = next(option["blocked_by"] for option in options if option["name"] == "accelerate")

    response = _fire(client, "startups", incubating.pk, "accelerate")

    assert blocked_by
    assert response.json()["error"]["details"]["messages"] == blocked_by


@pytest.mark.django_db
def test_a_transition_that_needs_a_reason_is_refused_without_one(world: World, incubating: Startup):
    response = _fire(world.client("manager"), "startups", incubating.pk, "exit")

    assert response.status_code == 409
    assert response.json()["error"]["details"]["guards"] == ["reason_given"]


@pytest.mark.django_db
def test_a_manager_overrides_a_gate_with_a_reason(world: World, incubating: Startup):
    body = {"override": True, "reason": "Milestones agreed on paper."}

    response = _fire(world.client("manager"), "startups", incubating.pk, "accelerate", body)

    assert response.status_code == 200
    assert TransitionLog.objects.get(startup=incubating, transition="accelerate").is_override


@pytest.mark.django_db
def test_an_override_without_a_reason_is_refused(world: World, incubating: Startup):
    response = _fire(world.client("manager"), "startups", incubating.pk, "accelerate", {"override": True})

    assert response.status_code == 409
    assert response.json()["error"]["message"] == "An override needs a written reason."


@pytest.mark.django_db
def test_only_managers_override(world: World):
    body = {"override": True, "reason": "Let me in."}
    Application.objects.filter(pk=world.application_b.pk).update(problem="")

    response = _fire(world.client("founder_b"), "applications", world.application_b.pk, "submit", body)

    assert response.status_code == 403
    assert _status(world.application_b) == "draft"


# The state: 409


@pytest.mark.django_db
def test_a_transition_that_does_not_leave_from_the_state_answers_409(world: World):
    response = _fire(world.client("manager"), "applications", world.application_a.pk, "start_review")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "transition_not_available"


@pytest.mark.django_db
def test_a_state_the_client_saw_that_is_no_longer_true_answers_409(world: World):
    body = {"reason": "Not for us.", "expected_state": "submitted"}

    response = _fire(world.client("manager"), "applications", world.application_a.pk, "reject", body)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "concurrent_change"
    assert _status(world.application_a) == "in_review"


@pytest.mark.django_db
def test_founders_cannot_withdraw_while_a_decision_is_held(world: World):
    _submit_review(world.review)
    application_transition(application=world.application_a, name="waitlist", actor=world.users["manager"])

    response = _fire(world.client("founder_a"), "applications", world.application_a.pk, "withdraw")
    submit = _fire(world.client("founder_a"), "applications", world.application_a.pk, "submit")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "decision_pending"
    assert "it can no longer be withdrawn" in response.json()["error"]["message"]
    # Any other move is told the same without speaking of withdrawing.
    assert submit.status_code == 409
    assert submit.json()["error"]["message"].startswith(
        "A decision on this application is being finalised; it can no longer change."
    )
    assert _status(world.application_a) == "waitlisted"


# Names and people: 404 and 403


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["fly", "admit", "__init__", "save"])
def test_a_name_that_is_not_a_transition_people_fire_answers_404(world: World, incubating: Startup, name):
    response = _fire(world.client("manager"), "startups", incubating.pk, name)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_transition"


@pytest.mark.django_db
def test_an_unknown_name_changes_nothing(world: World, incubating: Startup):
    _fire(world.client("manager"), "startups", incubating.pk, "admit")

    assert not TransitionLog.objects.filter(startup=incubating).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "name"),
    [("founder_a", "accept"), ("founder_a", "start_review"), ("assigned_reviewer", "withdraw")],
)
def test_a_transition_the_person_may_never_fire_answers_403(world: World, role: str, name: str):
    response = _fire(world.client(role), "applications", world.application_a.pk, name)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "transition_forbidden"
    assert _status(world.application_a) == "in_review"


@pytest.mark.django_db
def test_403_does_not_depend_on_the_state(world: World):
    # Accepting never leaves from a draft; founders still hear that they may not accept at all.
    response = _fire(world.client("founder_b"), "applications", world.application_b.pk, "accept")

    assert response.status_code == 403


@pytest.mark.django_db
def test_founders_may_not_move_their_own_startup(world: World, incubating: Startup):
    response = _fire(world.client("founder_a"), "startups", incubating.pk, "accelerate")

    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["founder_b", "unassigned_reviewer", "conflicted_reviewer"])
@pytest.mark.parametrize("name", ["withdraw", "accept"])
def test_someone_elses_object_answers_404(world: World, role: str, name: str):
    response = _fire(world.client(role), "applications", world.application_a.pk, name)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert _status(world.application_a) == "in_review"


@pytest.mark.django_db
def test_an_unknown_object_answers_404(world: World):
    response = _fire(world.client("manager"), "applications", 987654, "accept")

    assert response.status_code == 404


@pytest.mark.django_db
def test_anonymous_clients_are_asked_to_authenticate(world: World):
    response = _fire(world.client("anonymous"), "applications", world.application_a.pk, "withdraw")

    assert response.status_code == 401


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [{"reason": 5}, {"override": "yes"}, {"expected_state": "somewhere"}, {"expected_state": "incubation"}],
)
def test_an_invalid_body_answers_400(world: World, body: dict):
    # An application has no "incubation" status: that is a startup's stage.
    response = _fire(world.client("manager"), "applications", world.application_a.pk, "reject", body)

    assert response.status_code == 400
    assert list(response.json()["error"]["details"]["fields"]) == list(body)


# The transitions each representation lists


class _Rollback(Exception):
    pass


SERVICES: dict[str, Callable[..., Any]] = {
    "applications": lambda pk, **kwargs: application_transition(application=pk, **kwargs),
    "startups": lambda pk, **kwargs: startup_transition(startup=pk, **kwargs),
}
MODELS = {"applications": Application, "startups": Startup}


def _service_allows(resource: str, pk: int, name: str, user) -> bool:
    """Whether the transition service lets ``user`` fire ``name`` on the object now, guards
    aside (representations do not evaluate them): tried, then rolled back."""
    try:
        with transaction.atomic():
            SERVICES[resource](pk, name=name, actor=user, reason="Trying.")
            raise _Rollback
    except (_Rollback, GuardFailed):
        return True
    except (TransitionNotAvailable, TransitionForbidden):
        return False


def _allowed_names(resource: str, pk: int, user) -> list[str]:
    names = firable_transition_names(MODELS[resource])
    return sorted(name for name in names if _service_allows(resource, pk, name, user))


@pytest.fixture
def varied_world(world: World, incubating: Startup) -> World:
    """The world, with more states to offer transitions from: a startup in each active stage,
    and applications submitted and waitlisted (released)."""
    manager = world.users["manager"]
    factories.StartupFactory(founders=[world.users["founder_b"]], stage="acceleration")
    factories.StartupFactory(founders=[world.users["founder_b"]], stage="funding")
    factories.ApplicationFactory(startup=world.startup_b, status="submitted")
    waitlisted = factories.ApplicationFactory(startup=world.startup_a, status="in_review")
    factories.ReviewFactory(assignment__application=waitlisted)
    waitlisted.call.min_reviews = 1
    waitlisted.call.save(update_fields=["min_reviews"])
    application_transition(application=waitlisted, name="waitlist", actor=manager)
    decisions_release(call=waitlisted.call, actor=manager)
    return world


@pytest.mark.django_db
@pytest.mark.parametrize("resource", ["applications", "startups"])
@pytest.mark.parametrize("role", PEOPLE)
def test_listed_transitions_are_what_the_service_allows(varied_world: World, role: str, resource: str):
    user = varied_world.users[role]
    rows = varied_world.client(role).get(f"{V1}/{resource}/", {"page_size": 100}).json()["results"]

    listed = {row["id"]: sorted(option["name"] for option in row["transitions"]) for row in rows}

    assert listed == {pk: _allowed_names(resource, pk, user) for pk in listed}


@pytest.mark.django_db
@pytest.mark.parametrize("role", PEOPLE)
def test_an_applications_transitions_are_what_the_service_allows(varied_world: World, role: str):
    user = varied_world.users[role]
    client = varied_world.client(role)
    ids = [row["id"] for row in client.get(f"{V1}/applications/", {"page_size": 100}).json()["results"]]

    listed = {
        pk: sorted(option["name"] for option in client.get(f"{V1}/applications/{pk}/").json()["transitions"])
        for pk in ids
    }

    assert listed == {pk: _allowed_names("applications", pk, user) for pk in ids}


@pytest.mark.django_db
def test_a_managers_startup_transitions_are_what_the_service_allows(varied_world: World):
    user = varied_world.users["manager"]
    client = varied_world.client("manager")
    ids = [row["id"] for row in client.get(f"{V1}/startups/", {"page_size": 100}).json()["results"]]

    listed = {
        pk: sorted(option["name"] for option in client.get(f"{V1}/startups/{pk}/").json()["transitions"])
        for pk in ids
    }

    assert listed == {pk: _allowed_names("startups", pk, user) for pk in ids}


@pytest.mark.django_db
def test_the_lists_offer_something_to_check(varied_world: World):
    # The comparisons above are only as good as the states they meet.
    client = varied_world.client("manager")
    offered = {
        option["name"]
        for resource in ("applications", "startups")
        for row in client.get(f"{V1}/{resource}/", {"page_size": 100}).json()["results"]
        for option in row["transitions"]
    }

    assert offered >= {
        "start_review",
        "accept",
        "reject",
        "waitlist",
        "accelerate",
        "fund",
        "graduate",
        "exit",
    }


@pytest.mark.django_db
def test_founders_are_offered_nothing_while_a_decision_is_held(world: World):
    _submit_review(world.review)
    application_transition(application=world.application_a, name="waitlist", actor=world.users["manager"])

    response = world.client("founder_a").get(f"{V1}/applications/{world.application_a.pk}/")

    assert response.json()["transitions"] == []


# Two requests at once, on PostgreSQL


@dataclass
class _Racer:
    client: APIClient
    name: str
    body: dict


def _race(resource: str, pk: int, racers: list[_Racer]) -> list[Any]:
    """Send each racer's request from its own thread and connection, all released together."""
    return race(
        *(lambda racer=racer: _fire(racer.client, resource, pk, racer.name, racer.body) for racer in racers)
    )


def _manager_client() -> APIClient:
    _token, key = api_token_create(user=factories.ManagerFactory(), name="racing")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def _decidable_application() -> Application:
    application = factories.ApplicationFactory(status="in_review", call__min_reviews=1)
    factories.ReviewFactory(assignment__application=application)
    return application


def _statuses(responses: list[Any]) -> list[int]:
    return sorted(getattr(response, "status_code", response) for response in responses)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_race_runs_on_postgresql():
    assert connection.vendor == "postgresql"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_requests_firing_the_same_transition_at_once_one_wins():
    application = _decidable_application()
    body = {"expected_state": "in_review"}

    responses = _race(
        "applications",
        application.pk,
        [_Racer(_manager_client(), "waitlist", body), _Racer(_manager_client(), "waitlist", body)],
    )

    assert _statuses(responses) == [200, 409]
    assert TransitionLog.objects.filter(application=application).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_requests_firing_conflicting_transitions_at_once_one_wins():
    application = _decidable_application()
    body = {"reason": "Decided.", "expected_state": "in_review"}

    responses = _race(
        "applications",
        application.pk,
        [_Racer(_manager_client(), "accept", body), _Racer(_manager_client(), "reject", body)],
    )

    assert _statuses(responses) == [200, 409]
    loser = next(response for response in responses if response.status_code == 409)
    assert loser.json()["error"]["code"] == "concurrent_change"
    log = TransitionLog.objects.get(machine="application", application=application)
    assert _status(application) == log.target


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_requests_moving_one_startup_at_once_one_wins():
    startup = factories.StartupFactory(stage="funding")

    responses = _race(
        "startups",
        startup.pk,
        [
            _Racer(_manager_client(), "graduate", {"expected_state": "funding"}),
            _Racer(_manager_client(), "exit", {"reason": "Closed.", "expected_state": "funding"}),
        ],
    )

    assert _statuses(responses) == [200, 409]
    log = TransitionLog.objects.get(startup=startup)
    assert Startup.objects.get(pk=startup.pk).stage == log.target
