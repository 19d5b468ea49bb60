"""Startups: their profile, team, stage, readiness level and phase.

Managers see every startup and its real stage; founders see their own and mentors their
mentees, each with the stage as ``founder_view`` shows it (a decision not yet released, and the
admission that followed it, stay hidden). Founders create startups and edit their profile;
managers move them between stages through the transition action.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from incubator.models import Organisation, Startup, TeamMembership, TherapeuticArea
from incubator.models.startups import (
    PHASES_BY_PRODUCT_TYPE,
    DevelopmentPhase,
    ProductType,
    founded_in_the_past,
)
from incubator.services import startup_create, startup_update
from pipeline.api.selectors import FounderState, founder_states, startups_for_api
from pipeline.machines import Stage
from pipeline.services import permitted_transitions, startup_transition, transition_options

from .errors import Forbidden
from .filters import ApiFilterSet, IdFilter, IntegerFilter, TextFilter
from .serializers import (
    NOT_BLANK,
    IdListField,
    InputSerializer,
    NamedRefSerializer,
    PersonSerializer,
    RelatedIdField,
    StrictCharField,
    StrictChoiceField,
    StrictIntegerField,
    TextBoxField,
    viewer,
)
from .startup_rows import startup_rows, startup_values
from .transitions import (
    TransitionActionView,
    TransitionOptionDetailSerializer,
    TransitionOptionSerializer,
    options_data,
    transition_input_serializer,
    transition_name_parameter,
)


class StartupFilter(ApiFilterSet):
    stage = django_filters.ChoiceFilter(
        choices=Stage.choices, method="filter_stage", label=_("Stage (as the user sees it)")
    )
    name = TextFilter(lookup_expr="icontains")
    trl_min = IntegerFilter(field_name="trl", lookup_expr="gte")
    trl_max = IntegerFilter(field_name="trl", lookup_expr="lte")
    affiliation = IdFilter(field_name="affiliations")

    class Meta:
        model = Startup
        fields = ["stage", "name", "therapeutic_area", "product_type", "development_phase", "trl"]

    def filter_stage(self, queryset: QuerySet[Startup], name: str, value: str) -> QuerySet[Startup]:
        user = self.request.user
        if user.is_manager:
            return queryset.filter(stage=value)
        # Filtering founders' startups by the stored stage would reveal a held decision; the
        # stage they see is computed, over their (few) startups.
        startups = Startup.objects.filter(pk__in=queryset.values("pk")).only(
            "pk", "stage", "stage_entered_at", "created_at"
        )
        states = founder_states(startups)
        return queryset.filter(pk__in=[pk for pk, state in states.items() if state.stage == value])


class TeamMemberSerializer(serializers.ModelSerializer):
    user = PersonSerializer(read_only=True)

    class Meta:
        model = TeamMembership
        fields = ["user", "role", "title", "joined_at"]
        read_only_fields = fields


class StartupSerializer(serializers.ModelSerializer):
    """A startup as the user may see it."""

    therapeutic_area = NamedRefSerializer(read_only=True, allow_null=True)
    affiliations = IdListField(help_text=_("Ids of the organisations the startup is affiliated with."))
    team = TeamMemberSerializer(source="memberships", many=True, read_only=True)
    website = serializers.CharField(read_only=True, help_text=_("An address, or empty."))
    stage = serializers.SerializerMethodField()
    stage_entered_at = serializers.SerializerMethodField()
    transitions = serializers.SerializerMethodField(
        help_text=_("The stage transitions the user may fire now (guards not evaluated).")
    )

    class Meta:
        model = Startup
        fields = [
            "id",
            "name",
            "slug",
            "summary",
            "therapeutic_area",
            "product_type",
            "development_phase",
            "trl",
            "website",
            "founded_on",
            "affiliations",
            "team",
            "stage",
            "stage_entered_at",
            "created_at",
            "transitions",
        ]
        read_only_fields = [name for name in fields if name != "affiliations"]

    def _state(self, startup: Startup) -> FounderState | None:
        return self.context.get("founder_states", {}).get(startup.pk)

    @extend_schema_field(serializers.ChoiceField(choices=Stage.choices))
    def get_stage(self, startup: Startup) -> str:
        state = self._state(startup)
        return state.stage if state else startup.stage

    @extend_schema_field(serializers.DateTimeField())
    def get_stage_entered_at(self, startup: Startup) -> str:
        state = self._state(startup)
        moment = state.stage_entered_at if state else startup.stage_entered_at
        return serializers.DateTimeField().to_representation(moment)

    @extend_schema_field(TransitionOptionSerializer(many=True))
    def get_transitions(self, startup: Startup) -> list[dict[str, Any]]:
        state = self._state(startup)
        if state is not None and state.hidden_log_ids:
            return []
        return [
            {key: value for key, value in option.items() if key != "blocked_by"}
            for option in options_data(permitted_transitions(startup, viewer(self)))
        ]


class StartupDetailSerializer(StartupSerializer):
    """A startup, with what stands in the way of each transition the user may fire."""

    @extend_schema_field(TransitionOptionDetailSerializer(many=True))
    def get_transitions(self, startup: Startup) -> list[dict[str, Any]]:
        user = viewer(self)
        if not user.is_manager:
            return []
        return options_data(transition_options(startup, user))


def _states_for(user: Any, startups: list[Startup]) -> dict[int, FounderState]:
    """Founders and mentors see the founder view; managers the stored state."""
    return {} if user.is_manager else founder_states(startups)


class StartupProfileInputSerializer(InputSerializer):
    """The profile fields founders edit; readiness level and phase change through a recorded
    readiness change once the startup exists."""

    name = StrictCharField(max_length=200, validators=[NOT_BLANK])
    summary = TextBoxField(max_length=2000, required=False, allow_blank=True)
    therapeutic_area = RelatedIdField(queryset=TherapeuticArea.objects.all())
    product_type = StrictChoiceField(choices=ProductType.choices, required=False)
    website = serializers.URLField(max_length=200, required=False, allow_blank=True)
    founded_on = serializers.DateField(required=False, allow_null=True, validators=[founded_in_the_past])
    affiliations = RelatedIdField(
        many=True,
        required=False,
        queryset=Organisation.objects.filter(is_member=True),
        help_text=_("Member organisations only."),
    )


class StartupCreateInputSerializer(StartupProfileInputSerializer):
    development_phase = StrictChoiceField(choices=DevelopmentPhase.choices, required=False)
    trl = StrictIntegerField(min_value=1, max_value=9, required=False)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        product = data.get("product_type", ProductType.DRUG)
        phase = data.get("development_phase", PHASES_BY_PRODUCT_TYPE[product][0])
        if phase not in PHASES_BY_PRODUCT_TYPE[product]:
            allowed = ", ".join(PHASES_BY_PRODUCT_TYPE[product])
            raise serializers.ValidationError(
                {"development_phase": _("For this product type the phase is one of: %s.") % allowed}
            )
        return {**data, "product_type": product, "development_phase": phase}


class StartupUpdateInputSerializer(StartupProfileInputSerializer):
    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        product = data.get("product_type")
        if product and self.context["startup"].development_phase not in PHASES_BY_PRODUCT_TYPE[product]:
            raise serializers.ValidationError(
                {
                    "product_type": _(
                        "The current development phase does not fit this product type; record a "
                        "readiness change first."
                    )
                }
            )
        return data


def _profile(data: dict[str, Any]) -> tuple[dict[str, Any], list[Organisation] | None]:
    profile = dict(data)
    affiliations = profile.pop("affiliations", None)
    return profile, affiliations


class StartupListView(generics.ListAPIView):
    """The startups the user may see; founders create theirs here."""

    serializer_class = StartupSerializer
    filterset_class = StartupFilter
    ordering_fields = ["name", "created_at", "trl", "id"]
    ordering = ["name", "id"]

    def get_queryset(self) -> QuerySet[Startup]:
        return startups_for_api(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Rows as StartupSerializer gives them, read as plain values (see startup_rows).
        page = self.paginate_queryset(startup_values(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(startup_rows(page, request.user))

    @extend_schema(
        request=StartupCreateInputSerializer,
        responses={201: StartupDetailSerializer},
        examples=[
            OpenApiExample(
                "A preclinical drug startup",
                request_only=True,
                value={
                    "name": "Delta Therapeutics",
                    "summary": "A small molecule against drug-resistant tuberculosis.",
                    "therapeutic_area": 1,
                    "product_type": "drug",
                    "development_phase": "preclinical",
                    "trl": 3,
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        """Create a startup; the user becomes its founder."""
        serializer = StartupCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile, affiliations = _profile(serializer.validated_data)
        startup = startup_create(founder=request.user, affiliations=affiliations, **profile)
        return startup_response(request, startup.pk, status.HTTP_201_CREATED)


def startup_response(request: Request, pk: int, status_code: int = status.HTTP_200_OK) -> Response:
    startup = get_object_or_404(startups_for_api(request.user), pk=pk)
    context = {"request": request, "founder_states": _states_for(request.user, [startup])}
    return Response(StartupDetailSerializer(startup, context=context).data, status=status_code)


class StartupDetailView(generics.GenericAPIView):
    """One startup. Its team edits the profile."""

    serializer_class = StartupDetailSerializer

    def get_queryset(self) -> QuerySet[Startup]:
        return startups_for_api(self.request.user)

    def get(self, request: Request, pk: int) -> Response:
        return startup_response(request, pk)

    @extend_schema(request=StartupUpdateInputSerializer, responses={200: StartupDetailSerializer})
    def patch(self, request: Request, pk: int) -> Response:
        """Change the profile (the team only, as on the profile page)."""
        startup = self.get_object()
        if not startup.has_member(request.user):
            raise Forbidden(_("Only the startup's team edits its profile."))
        serializer = StartupUpdateInputSerializer(
            data=request.data, partial=True, context={"startup": startup}
        )
        serializer.is_valid(raise_exception=True)
        profile, affiliations = _profile(serializer.validated_data)
        startup_update(startup=startup, actor=request.user, affiliations=affiliations, **profile)
        return startup_response(request, startup.pk)


@extend_schema(
    request=transition_input_serializer(Startup),
    responses={200: StartupDetailSerializer},
    parameters=[transition_name_parameter(Startup)],
)
class StartupTransitionView(TransitionActionView):
    """Fire a stage transition (managers): accelerate, fund, graduate, exit."""

    model = Startup
    input_serializer_class = transition_input_serializer(Startup)
    serializer_class = StartupDetailSerializer

    def get_queryset(self) -> QuerySet[Startup]:
        return startups_for_api(self.request.user)

    def visible_object(self, pk: int) -> Startup:
        return get_object_or_404(self.get_queryset(), pk=pk)

    def fire(self, *, instance: Startup, name: str, data: dict[str, Any]) -> None:
        startup_transition(
            startup=instance,
            name=name,
            actor=self.request.user,
            reason=data["reason"],
            override=data["override"],
            expected_stage=data.get("expected_state"),
        )

    def respond(self, instance: Startup) -> Response:
        return startup_response(self.request, instance.pk)
