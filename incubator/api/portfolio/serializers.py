"""Representations and request bodies of milestones, readiness changes, investment-readiness
reviews and monthly reports.

Output serializers list what the portfolio pages show a person who may see the startup's
portfolio. Input serializers are as strict as the schema (no "5" for a number, no "1e5" for an
amount) and check what can be checked without the database's state; the services check the rest.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from incubator.models import (
    InvestmentReadinessReview,
    KpiReport,
    KpiReportRevision,
    Milestone,
    MilestoneEvidence,
    ReadinessChange,
)
from incubator.models.startups import PHASES_BY_PRODUCT_TYPE, DevelopmentPhase
from incubator.services.portfolio import kpi_report_version, milestone_problems
from pipeline.machines import MilestoneStatus
from pipeline.services import permitted_transitions, transition_options

from ..serializers import (
    NOT_BLANK,
    InputSerializer,
    NamedRefSerializer,
    PersonSerializer,
    StrictCharField,
    StrictChoiceField,
    StrictIntegerField,
    TextBoxField,
    viewer,
)
from ..transitions import (
    TransitionInputSerializer,
    TransitionOptionDetailSerializer,
    TransitionOptionSerializer,
    options_data,
)
from .fields import MAX_COUNT, PortfolioStartupField, RoubleAmountField, StrictDateField

# The stages a milestone belongs to (the schema names this enum in ENUM_NAME_OVERRIDES).
MILESTONE_STAGES = Milestone._meta.get_field("stage").choices


# Milestones


class MilestoneSerializer(serializers.ModelSerializer):
    """A milestone with the transitions the user may fire now."""

    startup = NamedRefSerializer(read_only=True)
    stage = serializers.ChoiceField(choices=MILESTONE_STAGES, read_only=True)
    status = serializers.ChoiceField(choices=MilestoneStatus.choices, read_only=True)
    evidence_count = serializers.IntegerField(read_only=True, help_text=_("Notes and files added so far."))
    transitions = serializers.SerializerMethodField(
        help_text=_("The status transitions the user may fire now (guards not evaluated).")
    )

    class Meta:
        model = Milestone
        fields = [
            "id",
            "startup",
            "stage",
            "title",
            "description",
            "required_evidence",
            "due_on",
            "status",
            "created_at",
            "submitted_at",
            "decided_at",
            "evidence_count",
            "transitions",
        ]
        read_only_fields = fields

    @extend_schema_field(TransitionOptionSerializer(many=True))
    def get_transitions(self, milestone: Milestone) -> list[dict[str, Any]]:
        return [
            {key: value for key, value in option.items() if key != "blocked_by"}
            for option in options_data(permitted_transitions(milestone, viewer(self)))
        ]


class MilestoneDetailSerializer(MilestoneSerializer):
    """A milestone, with what stands in the way of each transition the user may fire."""

    @extend_schema_field(TransitionOptionDetailSerializer(many=True))
    def get_transitions(self, milestone: Milestone) -> list[dict[str, Any]]:
        return options_data(transition_options(milestone, viewer(self)))


class MilestoneCreateInputSerializer(InputSerializer):
    startup = PortfolioStartupField()
    stage = StrictChoiceField(choices=MILESTONE_STAGES)
    title = StrictCharField(max_length=200, validators=[NOT_BLANK])
    due_on = StrictDateField()
    description = TextBoxField(max_length=4000, required=False, allow_blank=True, default="")
    required_evidence = TextBoxField(
        max_length=4000,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("What the founders must show to have the milestone accepted."),
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        problems = milestone_problems(startup=data["startup"], stage=data["stage"], due_on=data["due_on"])
        if problems:
            raise serializers.ValidationError(problems)
        return data


class MilestoneUpdateInputSerializer(InputSerializer):
    """A correction of a milestone: any of these; its stage stays (the stage gate counts it)."""

    title = StrictCharField(max_length=200, validators=[NOT_BLANK], required=False)
    due_on = StrictDateField(required=False, help_text=_("A new due date is today or later."))
    description = TextBoxField(max_length=4000, required=False, allow_blank=True)
    required_evidence = TextBoxField(max_length=4000, required=False, allow_blank=True)


class MilestoneTransitionInputSerializer(TransitionInputSerializer):
    """The body of a milestone's transition action. Milestones have no gate to override."""

    override = None
    reason = TextBoxField(
        required=False,
        allow_blank=True,
        max_length=2000,
        default="",
        help_text=_("A comment; required to send a milestone back to the founders."),
    )
    expected_state = StrictChoiceField(
        choices=MilestoneStatus.choices,
        required=False,
        help_text=_(
            "The status the client saw. When the milestone has moved on meanwhile, nothing happens "
            "and the answer is 409."
        ),
    )


class MilestoneEvidenceSerializer(serializers.ModelSerializer):
    uploaded_by = PersonSerializer(read_only=True, allow_null=True)
    has_file = serializers.SerializerMethodField(
        help_text=_("Whether a PDF is attached; download it from …/evidence/{evidence_id}/file/.")
    )

    class Meta:
        model = MilestoneEvidence
        fields = ["id", "milestone", "note", "original_name", "has_file", "uploaded_by", "uploaded_at"]
        read_only_fields = fields

    def get_has_file(self, evidence: MilestoneEvidence) -> bool:
        return bool(evidence.file)


class EvidenceInputSerializer(InputSerializer):
    note = TextBoxField(max_length=4000, required=False, allow_blank=True, default="")
    file = serializers.FileField(required=False, help_text=_("A PDF, within the upload limit."))

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if not data["note"].strip() and data.get("file") is None:
            raise serializers.ValidationError(_("Add a file or write a note."))
        return data


# Readiness changes

READINESS_STATES = [
    ("pending", _("Waiting for confirmation")),
    ("confirmed", _("Confirmed")),
    ("rejected", _("Rejected")),
]


class ReadinessChangeSerializer(serializers.ModelSerializer):
    """A step of the startup's readiness level and development phase."""

    startup = NamedRefSerializer(read_only=True)
    state = serializers.SerializerMethodField(
        help_text=_("A founder's proposal waits for a manager or the startup's mentor.")
    )
    phase_from = serializers.ChoiceField(choices=DevelopmentPhase.choices, allow_blank=True, read_only=True)
    phase_to = serializers.ChoiceField(choices=DevelopmentPhase.choices, read_only=True)
    has_evidence_file = serializers.SerializerMethodField()
    recorded_by = PersonSerializer(read_only=True, allow_null=True)
    decided_by = PersonSerializer(
        source="confirmed_by",
        read_only=True,
        allow_null=True,
        help_text=_("Who confirmed or rejected it."),
    )

    class Meta:
        model = ReadinessChange
        fields = [
            "id",
            "startup",
            "state",
            "trl_from",
            "trl_to",
            "phase_from",
            "phase_to",
            "evidence_note",
            "evidence_file_name",
            "has_evidence_file",
            "recorded_by",
            "recorded_at",
            "decided_by",
            "confirmed_at",
            "rejected_at",
            "rejection_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=READINESS_STATES))
    def get_state(self, change: ReadinessChange) -> str:
        if change.confirmed_at is not None:
            return "confirmed"
        if change.rejected_at is not None:
            return "rejected"
        return "pending"

    def get_has_evidence_file(self, change: ReadinessChange) -> bool:
        return bool(change.evidence_file)


class ReadinessChangeInputSerializer(InputSerializer):
    startup = PortfolioStartupField()
    trl = StrictIntegerField(min_value=1, max_value=9, help_text=_("The new technology readiness level."))
    development_phase = StrictChoiceField(
        choices=DevelopmentPhase.choices, help_text=_("One of the phases of the startup's product type.")
    )
    evidence_note = TextBoxField(
        max_length=4000, validators=[NOT_BLANK], help_text=_("What shows the progress.")
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data["development_phase"] not in PHASES_BY_PRODUCT_TYPE[data["startup"].product_type]:
            raise serializers.ValidationError(
                {"development_phase": _("This phase does not apply to the startup's product type.")}
            )
        return data


class ReadinessFileInputSerializer(InputSerializer):
    file = serializers.FileField(help_text=_("A PDF, within the upload limit."))


READINESS_DECISIONS = [("confirm", _("Confirm and apply")), ("reject", _("Reject"))]


class ReadinessDecisionInputSerializer(InputSerializer):
    decision = StrictChoiceField(choices=READINESS_DECISIONS)
    reason = TextBoxField(
        max_length=2000,
        required=False,
        default="",
        allow_blank=True,
        help_text=_("Why it is rejected, for the team: required to reject."),
    )

    def validate(self, attrs: dict) -> dict:
        if attrs["decision"] == "reject" and not attrs["reason"].strip():
            raise serializers.ValidationError(
                {"reason": [_("Say why the change is not confirmed: the team reads it with the decision.")]}
            )
        return attrs


# Investment-readiness reviews


class InvestmentReviewSerializer(serializers.ModelSerializer):
    startup = NamedRefSerializer(read_only=True)
    reviewer = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = InvestmentReadinessReview
        fields = ["id", "startup", "verdict", "summary", "reviewer", "created_at"]
        read_only_fields = fields


class InvestmentReviewInputSerializer(InputSerializer):
    startup = PortfolioStartupField()
    verdict = StrictChoiceField(choices=InvestmentReadinessReview.Verdict.choices)
    summary = TextBoxField(max_length=4000, validators=[NOT_BLANK])


# Monthly reports


class KpiReportRevisionSerializer(serializers.ModelSerializer):
    """The figures a report had before a correction replaced them."""

    figures = serializers.DictField(
        child=serializers.CharField(), help_text=_("The figures as they were, numbers as text.")
    )
    submitted_by = PersonSerializer(read_only=True, allow_null=True)
    corrected_by = PersonSerializer(source="replaced_by", read_only=True, allow_null=True)
    corrected_at = serializers.DateTimeField(source="replaced_at", read_only=True)

    class Meta:
        model = KpiReportRevision
        fields = ["figures", "submitted_by", "submitted_at", "corrected_by", "corrected_at"]
        read_only_fields = fields


class KpiReportSerializer(serializers.ModelSerializer):
    startup = NamedRefSerializer(read_only=True)
    period = serializers.DateField(read_only=True, help_text=_("The first day of the month reported on."))
    submitted_by = PersonSerializer(read_only=True, allow_null=True)
    version = serializers.SerializerMethodField(
        help_text=_(
            "Changes with every submission; send it back as expected_version to catch a stale correction."
        )
    )
    earlier_versions = KpiReportRevisionSerializer(
        source="revisions",
        many=True,
        read_only=True,
        help_text=_("What the report said before each correction, oldest first."),
    )

    class Meta:
        model = KpiReport
        fields = [
            "id",
            "startup",
            "period",
            *KpiReport.FIGURES,
            "submitted_by",
            "submitted_at",
            "version",
            "earlier_versions",
        ]
        read_only_fields = fields

    def get_version(self, report: KpiReport) -> str:
        return kpi_report_version(report)


class KpiReportInputSerializer(InputSerializer):
    """A month's report: every figure, as the report page asks for them. Submitting a month
    again replaces its report."""

    startup = PortfolioStartupField()
    period = StrictDateField(
        help_text=_("Any day of the month reported on; a month can be reported on once it has begun.")
    )
    team_size = StrictIntegerField(min_value=0, max_value=MAX_COUNT)
    revenue = RoubleAmountField(required=False, default=Decimal("0"), help_text=_("In roubles."))
    grants_received = RoubleAmountField(required=False, default=Decimal("0"), help_text=_("In roubles."))
    patents_filed = StrictIntegerField(min_value=0, max_value=MAX_COUNT, required=False, default=0)
    publications = StrictIntegerField(min_value=0, max_value=MAX_COUNT, required=False, default=0)
    clinical_regulatory_progress = TextBoxField(max_length=4000, required=False, allow_blank=True, default="")
    notes = TextBoxField(max_length=4000, required=False, allow_blank=True, default="")
    expected_version = StrictCharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text=_(
            "The version of the month's report being corrected (empty: no report yet). A report "
            "submitted since is then refused with 409 stale rather than replaced."
        ),
    )

    def validate_period(self, period: date) -> date:
        if period.replace(day=1) > timezone.localdate().replace(day=1):
            raise serializers.ValidationError(_("A month can be reported on once it has begun."))
        return period
