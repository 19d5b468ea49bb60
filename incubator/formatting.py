"""Numbers as the pages show them."""

from __future__ import annotations

from decimal import Decimal

from django.template.defaultfilters import floatformat


def weight_text(value: Decimal | float | int | None) -> str:
    """A rubric weight as short as it is exact, in the page's language: 3, 1.5, 1.25 (1,5 in
    Russian). Not "1.50" next to "3"."""
    if value is None:
        return ""
    places = max(0, -Decimal(str(value)).normalize().as_tuple().exponent)
    return floatformat(value, places)
