"""A month and year inside a sentence ("the report for September 2026").

Django's month names are the ones that stand alone: capitalised in Russian ("Сентябрь"), right at
the head of a list or a table cell but wrong inside a sentence ("отчёт за сентябрь 2026"). These
are translated with their own context, so each language writes them as its running text needs."""

from __future__ import annotations

from datetime import date

from django.utils.translation import pgettext_lazy

MONTHS_IN_TEXT = {
    1: pgettext_lazy("month in running text", "January"),
    2: pgettext_lazy("month in running text", "February"),
    3: pgettext_lazy("month in running text", "March"),
    4: pgettext_lazy("month in running text", "April"),
    5: pgettext_lazy("month in running text", "May"),
    6: pgettext_lazy("month in running text", "June"),
    7: pgettext_lazy("month in running text", "July"),
    8: pgettext_lazy("month in running text", "August"),
    9: pgettext_lazy("month in running text", "September"),
    10: pgettext_lazy("month in running text", "October"),
    11: pgettext_lazy("month in running text", "November"),
    12: pgettext_lazy("month in running text", "December"),
}


def month_in_text(day: date | str | None) -> str:
    """``day``'s month and year for use inside a sentence; an ISO date string works too (as in
    a notice's context). Empty for ``None`` or anything that is not a date."""
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            return ""
    if not isinstance(day, date):
        return ""
    return f"{MONTHS_IN_TEXT[day.month]} {day.year}"
