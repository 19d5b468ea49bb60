"""The rows of the startup list, read as plain values.

The list is the API's busiest and widest read: each row carries the team, the affiliations and
the transitions the user may fire. Building it from model instances and nested serializers
costs tens of milliseconds for a page of fifty; reading the same columns with ``values()`` and
assembling the dictionaries here costs a few. ``StartupSerializer`` stays the definition of a
row (the schema and the detail use it), and a test holds both to the same output.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import serializers

from incubator.models import Startup, TeamMembership
from pipeline.api.selectors import founder_states
from pipeline.services import permitted_transitions

from .transitions import options_data

COLUMNS = [
    "id",
    "name",
    "slug",
    "summary",
    "therapeutic_area_id",
    "therapeutic_area__name",
    "product_type",
    "development_phase",
    "trl",
    "website",
    "founded_on",
    "stage",
    "stage_entered_at",
    "created_at",
]
# Team members in the order the serializer shows them (see ``startups_visible_to``).
TEAM_ORDER = ["joined_at", "pk"]

_date = serializers.DateField()


class _Moments:
    """``DateTimeField.to_representation`` for many values: the current time zone looked up
    once, not for every value."""

    def __init__(self) -> None:
        self.zone = timezone.get_current_timezone()

    def __call__(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        text = value.astimezone(self.zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text


def startup_values(queryset: QuerySet[Startup]) -> QuerySet:
    """The list's query, filtered and ordered as given, reading only the row's own columns."""
    return queryset.prefetch_related(None).values(*COLUMNS)


def _probe(pk: int, stage: str, members: list[int]) -> Startup:
    """A startup as far as a transition's permission reads it: its stage and its team."""
    startup = Startup.from_db(None, ["id", "stage"], [pk, stage])
    startup._prefetched_objects_cache = {
        "memberships": [TeamMembership(startup_id=pk, user_id=user_id) for user_id in members]
    }
    return startup


class _Transitions:
    """The transitions ``user`` may fire, per stage and membership (permissions read nothing
    else without guards), worked out once per combination of a page."""

    def __init__(self, user: Any):
        self.user = user
        self.known: dict[tuple[str, bool], list[dict[str, Any]]] = {}

    def of(self, pk: int, stage: str, members: list[int]) -> list[dict[str, Any]]:
        key = (stage, self.user.pk in members)
        if key not in self.known:
            options = options_data(permitted_transitions(_probe(pk, stage, members), self.user))
            self.known[key] = [
                {name: value for name, value in option.items() if name != "blocked_by"} for option in options
            ]
        return self.known[key]


def startup_rows(rows: list[dict[str, Any]], user: Any) -> list[dict[str, Any]]:
    """The representation of each row of ``startup_values``, as ``StartupSerializer`` gives it,
    in two queries (three for founders and mentors, whose stage is the one ``founder_view``
    shows) whatever the number of rows."""
    ids = [row["id"] for row in rows]
    moment = _Moments()
    affiliations: dict[int, list[int]] = defaultdict(list)
    team: dict[int, list[dict[str, Any]]] = defaultdict(list)
    members: dict[int, list[int]] = defaultdict(list)
    if ids:
        through = Startup.affiliations.through.objects
        for startup_id, organisation_id in (
            through.filter(startup_id__in=ids)
            .order_by("organisation__name", "organisation_id")
            .values_list("startup_id", "organisation_id")
        ):
            affiliations[startup_id].append(organisation_id)
        for startup_id, user_id, full_name, role, title, joined_at in (
            TeamMembership.objects.filter(startup_id__in=ids)
            .order_by(*TEAM_ORDER)
            .values_list("startup_id", "user_id", "user__full_name", "role", "title", "joined_at")
        ):
            members[startup_id].append(user_id)
            team[startup_id].append(
                {
                    "user": {"id": user_id, "full_name": full_name},
                    "role": role,
                    "title": title,
                    "joined_at": moment(joined_at),
                }
            )
    states = {}
    if not user.is_manager and ids:
        states = founder_states(
            Startup.objects.filter(pk__in=ids).only("pk", "stage", "stage_entered_at", "created_at")
        )
    transitions = _Transitions(user)
    result = []
    for row in rows:
        pk = row["id"]
        state = states.get(pk)
        stage = state.stage if state else row["stage"]
        entered = state.stage_entered_at if state else row["stage_entered_at"]
        area = row["therapeutic_area_id"]
        area_ref = None if area is None else {"id": area, "name": row["therapeutic_area__name"]}
        result.append(
            {
                "id": pk,
                "name": row["name"],
                "slug": row["slug"],
                "summary": row["summary"],
                "therapeutic_area": area_ref,
                "product_type": row["product_type"],
                "development_phase": row["development_phase"],
                "trl": row["trl"],
                "website": row["website"],
                "founded_on": _date.to_representation(row["founded_on"]) if row["founded_on"] else None,
                "affiliations": affiliations[pk],
                "team": team[pk],
                "stage": stage,
                "stage_entered_at": moment(entered),
                "created_at": moment(row["created_at"]),
                "transitions": []
                if state is not None and state.hidden_log_ids
                else transitions.of(pk, row["stage"], members[pk]),
            }
        )
    return result
