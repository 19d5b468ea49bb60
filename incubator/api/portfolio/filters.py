"""Filters of the portfolio lists beyond the shared ones."""

from __future__ import annotations

from datetime import date
from typing import Any

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .fields import ISO_DATE


class IsoDateField(forms.DateField):
    """A day written as YYYY-MM-DD, the schema's date format, and nothing else."""

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        try:
            if not ISO_DATE.fullmatch(text):
                raise ValueError(text)
            return date.fromisoformat(text)
        except ValueError as error:
            raise forms.ValidationError(_("Give a date as YYYY-MM-DD."), code="invalid") from error


class DateFilter(django_filters.DateFilter):
    field_class = IsoDateField
