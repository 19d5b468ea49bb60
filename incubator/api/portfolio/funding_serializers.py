"""Representations and request bodies of the funding ledger and the cluster's totals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from incubator.models import FundingRecord, FundingTranche, Milestone, Organisation
from incubator.models.portfolio import (
    POSITIVE_AMOUNT,
    POSITIVE_TRANCHE,
    TRANCHE_OF_ANOTHER_STARTUP,
    TRANCHES_OVER_AMOUNT,
    Currency,
    funding_date_problem,
    not_in_the_future,
)

from ..serializers import (
    NOT_BLANK,
    InputSerializer,
    NamedRefSerializer,
    PersonSerializer,
    RelatedIdField,
    StrictBooleanField,
    StrictCharField,
    StrictChoiceField,
    TextBoxField,
)
from .fields import LedgerAmountField, PortfolioStartupField, StrictDateField, TotalField


class FundingTrancheSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=FundingTranche.Status.choices, read_only=True)

    class Meta:
        model = FundingTranche
        fields = ["id", "amount", "milestone", "status", "paid_on", "cancelled_at", "cancellation_reason"]
        read_only_fields = fields
        extra_kwargs = {
            "milestone": {"help_text": _("The milestone whose acceptance releases it, if any.")},
            "cancellation_reason": {
                "help_text": _("Why a cancelled tranche will not be paid; empty otherwise.")
            },
        }


class FundingRecordSerializer(serializers.ModelSerializer):
    """A grant, equity round or loan, in its own currency, with its tranches."""

    startup = NamedRefSerializer(read_only=True)
    currency = serializers.ChoiceField(choices=Currency.choices, read_only=True)
    investor = NamedRefSerializer(read_only=True, allow_null=True, help_text=_("A member organisation."))
    source = serializers.CharField(read_only=True, help_text=_("The investor or grantor, for display."))
    recorded_by = PersonSerializer(read_only=True, allow_null=True)
    tranches = FundingTrancheSerializer(many=True, read_only=True)
    funded = TotalField(
        read_only=True,
        help_text=_(
            "The amount less the tranches cancelled, or zero once the record is void: what the "
            "funding totals count."
        ),
    )

    class Meta:
        model = FundingRecord
        fields = [
            "id",
            "startup",
            "kind",
            "title",
            "date",
            "amount",
            "currency",
            "investor",
            "investor_name",
            "source",
            "from_programme",
            "note",
            "recorded_by",
            "recorded_at",
            "tranches",
            "funded",
            "voided_at",
            "void_reason",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "voided_at": {
                "help_text": _("When the record was voided (entered by mistake); null while it counts.")
            },
            "void_reason": {"help_text": _("Why the record was voided; empty otherwise.")},
        }


class TrancheInputSerializer(InputSerializer):
    amount = LedgerAmountField(help_text=_("More than zero."))
    milestone = RelatedIdField(
        queryset=Milestone.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("A milestone of the same startup whose acceptance releases the tranche."),
    )


class FundingRecordInputSerializer(InputSerializer):
    startup = PortfolioStartupField()
    kind = StrictChoiceField(choices=FundingRecord.Kind.choices)
    date = StrictDateField(
        validators=[not_in_the_future], help_text=_("When it was secured: not in the future.")
    )
    amount = LedgerAmountField(help_text=_("More than zero."))
    currency = StrictChoiceField(choices=Currency.choices)
    investor = RelatedIdField(
        queryset=Organisation.objects.filter(is_member=True),
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "A member organisation; or name the source in investor_name. Neither is needed for the "
            "programme's own funding (from_programme)."
        ),
    )
    investor_name = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    title = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    note = TextBoxField(max_length=2000, required=False, allow_blank=True, default="")
    from_programme = StrictBooleanField(
        required=False,
        default=False,
        help_text=_("The programme's own grant or investment; not counted as follow-on funding."),
    )
    tranches = TrancheInputSerializer(
        many=True,
        required=False,
        default=list,
        max_length=20,
        help_text=_("Parts paid out as milestones are reached; together at most the amount."),
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        errors: dict[str, Any] = {}
        if any(tranche["amount"] <= 0 for tranche in data["tranches"]):
            raise serializers.ValidationError({"tranches": [POSITIVE_TRANCHE]})
        if data["investor"] is None and not data["investor_name"].strip() and not data["from_programme"]:
            errors["investor_name"] = [
                _("Name the investor or grantor: a member organisation or another name.")
            ]
        elif data["investor"] is not None and data["investor_name"].strip():
            errors["investor_name"] = [
                _("Choose a member organisation or type another name, not both: the record has one source.")
            ]
        if data["amount"] <= 0:
            errors["amount"] = [POSITIVE_AMOUNT]
        problem = funding_date_problem(data["startup"], data["date"])
        if problem:
            errors["date"] = [problem]
        tranches = data["tranches"]
        if sum((tranche["amount"] for tranche in tranches), Decimal("0")) > data["amount"]:
            errors["tranches"] = [TRANCHES_OVER_AMOUNT]
        elif any(
            tranche["milestone"] is not None and tranche["milestone"].startup_id != data["startup"].pk
            for tranche in tranches
        ):
            errors["tranches"] = [TRANCHE_OF_ANOTHER_STARTUP]
        if errors:
            raise serializers.ValidationError(errors)
        return data


class TranchePaidInputSerializer(InputSerializer):
    paid_on = StrictDateField(
        required=False, help_text=_("The day it was paid, not in the future; today when left out.")
    )

    def validate_paid_on(self, paid_on: date) -> date:
        if paid_on > timezone.localdate():
            raise serializers.ValidationError(_("The payment date cannot be in the future."))
        return paid_on


class TrancheCancelInputSerializer(InputSerializer):
    reason = TextBoxField(
        max_length=2000,
        validators=[NOT_BLANK],
        help_text=_("Why the tranche will not be paid; the founders are told."),
    )


class FundingVoidInputSerializer(InputSerializer):
    reason = TextBoxField(
        max_length=2000,
        validators=[NOT_BLANK],
        help_text=_("Why the record is void (a wrong amount, a duplicate); the founders are told."),
    )


class FundingTotalSerializer(serializers.Serializer):
    currency = serializers.ChoiceField(choices=Currency.choices)
    total = TotalField()


class FundingRowSerializer(serializers.Serializer):
    group = serializers.CharField(help_text=_("The call, field or year; “—” when unknown."))
    currency = serializers.ChoiceField(choices=Currency.choices)
    total = TotalField()
    follow_on = TotalField(
        help_text=_("Raised after admission to the programme, from others than the programme itself.")
    )
    records = serializers.IntegerField(help_text=_("How many ledger records make up the total."))


class FundingSummarySerializer(serializers.Serializer):
    """The cluster's funding totals, per currency as recorded: amounts in different currencies
    are never added up or converted."""

    totals = FundingTotalSerializer(many=True)
    by_call = FundingRowSerializer(many=True, help_text=_("By the call each startup was admitted through."))
    by_field = FundingRowSerializer(many=True, help_text=_("By therapeutic area."))
    by_year = FundingRowSerializer(many=True, help_text=_("By the year of the funding."))
