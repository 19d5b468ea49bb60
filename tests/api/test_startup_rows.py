"""The startup list reads plain values for speed; its rows must be exactly what
``StartupSerializer`` (the schema's definition of a startup) gives for the same startups, for
managers and for founders, whose stage hides a held decision."""

from __future__ import annotations

from datetime import date

import pytest
from rest_framework.test import APIClient, APIRequestFactory

from incubator.api.startups import StartupSerializer, _states_for
from incubator.models import TeamMembership
from pipeline.api.selectors import startups_for_api
from pipeline.services import application_transition
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def startups(founder, manager):
    """Startups of every shape: a team of three, no area, affiliations, a founding date, a
    website, and one whose acceptance is held (founders still see it applying)."""
    organisations = [factories.OrganisationFactory(name=name) for name in ("Zeta Univ", "Alpha Pharma")]
    full = factories.StartupFactory(
        name="Full Bio", founders=[founder], website="https://full.example", founded_on=date(2024, 5, 1)
    )
    for role in ("cofounder", "cofounder"):
        TeamMembership.objects.create(startup=full, user=factories.FounderFactory(), role=role, title="CSO")
    full.affiliations.add(*organisations)
    bare = factories.StartupFactory(name="Bare Bio", founders=[founder], therapeutic_area=None)
    held = factories.StartupFactory(name="Held Bio", founders=[founder])
    application = factories.ApplicationFactory(startup=held, status="in_review")
    for _ in range(2):
        factories.ReviewFactory(assignment__application=application)
    application_transition(application=application, name="accept", actor=manager)
    factories.StartupFactory(name="Moving Bio", stage="incubation")
    return [full, bare, held]


def _serialized(user):
    request = APIRequestFactory().get("/api/v1/startups/")
    request.user = user
    startups = list(startups_for_api(user).order_by("name", "id"))
    context = {"request": request, "founder_states": _states_for(user, startups)}
    return StartupSerializer(startups, many=True, context=context).data


@pytest.mark.parametrize("role", ["manager", "founder"])
def test_list_rows_equal_the_serializer(role, startups, request):
    user = request.getfixturevalue(role)
    client = APIClient()
    client.force_authenticate(user)

    rows = client.get("/api/v1/startups/", {"page_size": 50}).json()["results"]

    assert rows == [dict(row) for row in _serialized(user)]
    assert len(rows) == (4 if role == "manager" else 3)


def test_founders_see_the_held_admission_as_applying(founder, startups):
    client = APIClient()
    client.force_authenticate(founder)
    rows = {row["name"]: row for row in client.get("/api/v1/startups/").json()["results"]}
    assert rows["Held Bio"]["stage"] == "application"
    assert rows["Held Bio"]["transitions"] == []


def test_managers_get_the_transitions_of_each_stage(manager, startups):
    client = APIClient()
    client.force_authenticate(manager)
    rows = {row["name"]: row for row in client.get("/api/v1/startups/").json()["results"]}
    assert rows["Held Bio"]["stage"] == "incubation"
    assert "accelerate" in [option["name"] for option in rows["Moving Bio"]["transitions"]]
