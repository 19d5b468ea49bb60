"""Input and output fields of the portfolio API, as strict as the schema: a date is YYYY-MM-DD, an
amount a string of digits with at most two decimals, a startup one whose portfolio the user may
see."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from incubator.models import Startup
from incubator.models.portfolio import LEDGER_DIGITS

from ..serializers import RelatedIdField
from .selectors import portfolio_startups

# The largest number a PositiveIntegerField holds on every database.
MAX_COUNT = 2_147_483_647

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class StrictDateField(serializers.DateField):
    """A date written as YYYY-MM-DD, as the schema shows dates."""

    def to_internal_value(self, value: Any) -> date:
        if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
            self.fail("invalid", format="YYYY-MM-DD")
        return super().to_internal_value(value)


def amount_pattern(whole_digits: int) -> str:
    return rf"^[0-9]{{1,{whole_digits}}}(?:\.[0-9]{{1,2}})?$"


class AmountField(serializers.DecimalField):
    """A non-negative amount written as a string of digits with at most two decimals, the
    pattern the schema gives (DRF alone would also take "-0", "1e5" or " 5")."""

    default_error_messages = {
        "negative": _("An amount cannot be negative."),
        "decimals": _("At most two digits after the decimal point."),
        "digits": _("At most {digits} digits before the decimal point."),
        "format": _('Write the amount as a string of digits, with a point before the kopecks: "1500.50".'),
    }

    def __init__(self, *, max_digits: int, **kwargs: Any) -> None:
        super().__init__(max_digits=max_digits, decimal_places=2, min_value=Decimal("0"), **kwargs)
        self.whole_digits = max_digits - 2
        self.pattern = re.compile(amount_pattern(self.whole_digits))

    def to_internal_value(self, data: Any) -> Decimal:
        if not isinstance(data, str):
            self.fail("format")
        if not self.pattern.fullmatch(data):
            # Say what is wrong with a number that is almost right.
            if re.fullmatch(r"-[0-9]+(?:\.[0-9]+)?", data):
                self.fail("negative")
            whole, _point, fraction = data.partition(".")
            if whole.isdigit() and (fraction.isdigit() or not fraction):
                if len(fraction) > 2:
                    self.fail("decimals")
                if len(whole) > self.whole_digits:
                    self.fail("digits", digits=self.whole_digits)
            self.fail("format")
        return super().to_internal_value(data)


@extend_schema_field(
    {"type": "string", "format": "decimal", "pattern": amount_pattern(12), "example": "1500.00"}
)
class RoubleAmountField(AmountField):
    """An amount in roubles of a monthly report or an application's funding needed (their
    models keep 14 digits)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=14, **kwargs)


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": amount_pattern(LEDGER_DIGITS - 2),
        "example": "2500000.00",
    }
)
class LedgerAmountField(AmountField):
    """An amount of the funding ledger (the model keeps ``LEDGER_DIGITS`` digits)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=LEDGER_DIGITS, **kwargs)


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^[0-9]+\.[0-9]{2}$"})
class TotalField(serializers.DecimalField):
    """A sum of amounts in one currency (any number of digits)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=None, decimal_places=2, **kwargs)


class PortfolioStartupField(RelatedIdField):
    """A startup whose portfolio the user may see, by id; any other id answers 404."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _("The startup's id."))
        super().__init__(queryset=Startup.objects.none(), **kwargs)

    def get_queryset(self):
        return portfolio_startups(self.context["user"])
