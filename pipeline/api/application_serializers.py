"""How an application is shown to each person who may see it.

* Managers see everything as stored.
* The startup's team sees the status as ``founder_view`` shows it: a decision stays hidden until
  the managers release it, and so do its date and the reviewers' feedback.
* Assigned reviewers see the application as stored, without the founders' names when the call
  hides them; a decision not yet released shows to them as to the founders.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from incubator.api.portfolio.fields import RoubleAmountField
from incubator.api.serializers import (
    NOT_BLANK,
    InputSerializer,
    NamedRefSerializer,
    OmittingModelSerializer,
    RelatedIdField,
    StrictCharField,
    TextBoxField,
    viewer,
)
from incubator.api.startups import TeamMemberSerializer
from incubator.api.transitions import (
    TransitionOptionDetailSerializer,
    TransitionOptionSerializer,
    options_data,
)
from incubator.models import Call, Startup

from ..models import Application, ApplicationDocument, ApplicationStatus
from ..selectors import feedback_for_founders
from ..services import application_version, permitted_transitions, transition_options
from ..services.applications import ANSWER_FIELDS
from .selectors import FounderState


def is_team(application: Application, user: Any) -> bool:
    return application.startup.has_member(user)


def sees_as_founder(application: Application, user: Any) -> bool:
    """Whether ``user`` sees ``application`` through the founders' view (not as a manager)."""
    return not user.is_manager and is_team(application, user)


class CallRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Call
        fields = ["id", "title", "slug"]
        read_only_fields = fields


class DocumentSerializer(serializers.ModelSerializer):
    original_name = serializers.CharField(
        required=False,
        help_text=_(
            "Absent for reviewers when the call hides the founders' names (a file's name may carry them)."
        ),
    )

    class Meta:
        model = ApplicationDocument
        fields = ["id", "title", "original_name", "size", "uploaded_at"]
        read_only_fields = ["id", "title", "size", "uploaded_at"]


class ApplicationSerializer(OmittingModelSerializer):
    """An application as the user may see it; fields they may not see are absent."""

    startup = NamedRefSerializer(read_only=True)
    call = CallRefSerializer(read_only=True)
    status = serializers.SerializerMethodField()
    decided_at = serializers.DateTimeField(required=False, allow_null=True)
    decision_released_at = serializers.DateTimeField(required=False, allow_null=True)
    team = TeamMemberSerializer(
        source="startup.memberships",
        many=True,
        required=False,
        help_text=_("Absent for reviewers when the call hides the founders' names."),
    )
    updated_at = serializers.SerializerMethodField(
        help_text=_("For the startup's team, a decision not yet released does not move it.")
    )
    pitch_deck_name = serializers.CharField(
        required=False,
        help_text=_(
            "Absent for reviewers when the call hides the founders' names (a file's name may carry them)."
        ),
    )
    has_pitch_deck = serializers.SerializerMethodField()
    documents = DocumentSerializer(many=True, read_only=True)
    version = serializers.SerializerMethodField(
        help_text=_("Changes with every save; send it back as expected_version to catch stale edits.")
    )
    transitions = serializers.SerializerMethodField(
        help_text=_("The status transitions the user may fire now (guards not evaluated).")
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "startup",
            "call",
            "status",
            "created_at",
            "updated_at",
            "submitted_at",
            "decided_at",
            "decision_released_at",
            "team",
            *ANSWER_FIELDS,
            "pitch_deck_name",
            "has_pitch_deck",
            "documents",
            "version",
            "transitions",
        ]
        read_only_fields = [
            name for name in fields if name not in {"decided_at", "decision_released_at", "pitch_deck_name"}
        ]

    def _founder_state(self, application: Application) -> FounderState | None:
        return self.context.get("founder_states", {}).get(application.startup_id)

    def omitted_fields(self, application: Application) -> set[str]:
        user = viewer(self)
        omitted: set[str] = set()
        if not user.is_manager and not application.decision_visible_to_founders:
            omitted |= {"decided_at", "decision_released_at"}
        if not sees_as_founder(application, user) and application.names_hidden_from(user):
            omitted |= {"team", "pitch_deck_name"}
        return omitted

    def to_representation(self, application: Application) -> dict[str, Any]:
        data = super().to_representation(application)
        if "team" in self.omitted_fields(application):  # the founders' names are hidden
            for document in data.get("documents") or []:
                document.pop("original_name", None)
        return data

    @extend_schema_field(serializers.ChoiceField(choices=ApplicationStatus.choices))
    def get_status(self, application: Application) -> str:
        state = self._founder_state(application)
        user = viewer(self)
        if state is not None and sees_as_founder(application, user):
            return state.status_of(application)
        return application.status_shown_to(user)  # reviewers learn a decision when the founders do

    def _updated_at(self, application: Application):
        if not viewer(self).is_manager:
            return application.updated_at_for_founders
        return application.updated_at

    @extend_schema_field(serializers.DateTimeField())
    def get_updated_at(self, application: Application) -> str:
        return serializers.DateTimeField().to_representation(self._updated_at(application))

    def get_has_pitch_deck(self, application: Application) -> bool:
        return bool(application.pitch_deck)

    def get_version(self, application: Application) -> str:
        moment = self._updated_at(application)
        if moment != application.updated_at:
            # While a decision is held, the team's version stays what it was before it (the
            # application takes no edits meanwhile).
            return moment.isoformat()
        return application_version(application)

    def _may_list_transitions(self, application: Application) -> bool:
        # While a decision is held, founders can do nothing with the application (as on the page).
        return not (sees_as_founder(application, viewer(self)) and application.decision_held)

    @extend_schema_field(TransitionOptionSerializer(many=True))
    def get_transitions(self, application: Application) -> list[dict[str, Any]]:
        if not self._may_list_transitions(application):
            return []
        return [
            {key: value for key, value in option.items() if key != "blocked_by"}
            for option in options_data(permitted_transitions(application, viewer(self)))
        ]


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class FeedbackField(serializers.Field):
    """The reviewers' comments meant for the founders, read only when shown."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", False)
        super().__init__(**kwargs)

    def to_representation(self, application: Application) -> list[str]:
        return feedback_for_founders(application)


class ApplicationDetailSerializer(ApplicationSerializer):
    """One application, with what stands in the way of each transition and, for its team once
    the decision is released, the reviewers' comments (without their names)."""

    feedback = FeedbackField(
        required=False,
        source="*",
        help_text=_("The reviewers' comments for the founders: the team only, once the decision is out."),
    )

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "feedback"]
        read_only_fields = ApplicationSerializer.Meta.read_only_fields

    def omitted_fields(self, application: Application) -> set[str]:
        omitted = super().omitted_fields(application)
        if not (is_team(application, viewer(self)) and application.decision_visible_to_founders):
            omitted.add("feedback")
        return omitted

    @extend_schema_field(TransitionOptionDetailSerializer(many=True))
    def get_transitions(self, application: Application) -> list[dict[str, Any]]:
        if not self._may_list_transitions(application):
            return []
        return options_data(transition_options(application, viewer(self)))


class ApplicationCreateInputSerializer(InputSerializer):
    startup = RelatedIdField(queryset=Startup.objects.none(), help_text=_("One of the user's startups."))
    call = RelatedIdField(queryset=Call.objects.all())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = self.context.get("user")
        if user is not None:
            self.fields["startup"].queryset = Startup.objects.filter(memberships__user=user)


class ApplicationUpdateInputSerializer(InputSerializer):
    """The founder's answers; any subset. Every answer may stay empty in a draft: the submit
    transition lists what is still missing."""

    problem = TextBoxField(max_length=4000, required=False, allow_blank=True)
    solution = TextBoxField(max_length=4000, required=False, allow_blank=True)
    science_ip = TextBoxField(max_length=4000, required=False, allow_blank=True)
    regulatory_path = TextBoxField(max_length=4000, required=False, allow_blank=True)
    market = TextBoxField(max_length=4000, required=False, allow_blank=True)
    team_description = TextBoxField(max_length=4000, required=False, allow_blank=True)
    funding_needed = RoubleAmountField(required=False, allow_null=True, help_text=_("In roubles."))
    use_of_funds = TextBoxField(max_length=4000, required=False, allow_blank=True)
    expected_version = StrictCharField(
        required=False,
        max_length=64,
        help_text=_("The version the client saw; a later change by someone else makes this a 409."),
    )


class PitchDeckInputSerializer(InputSerializer):
    file = serializers.FileField(help_text=_("A PDF, within the upload limit."))


class DocumentInputSerializer(InputSerializer):
    title = StrictCharField(
        max_length=200,
        validators=[NOT_BLANK],
        help_text=_(
            "What the document is. Reviewers read it even when the call hides the founders' names "
            "(the file's own name is withheld from them then)."
        ),
    )
    file = serializers.FileField(help_text=_("A PDF, within the upload limit."))
