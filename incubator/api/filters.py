"""Filters every list shares. They are strict: a value that is not what the schema promises is a
400, never silently ignored; an id that matches nothing gives an empty list, never an error."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend, FilterSet
from rest_framework import filters
from rest_framework.exceptions import ValidationError

TRUE_VALUES = {"true", "1"}
FALSE_VALUES = {"false", "0"}


class StrictBooleanField(forms.NullBooleanField):
    # A plain text input: the default select widget maps unknown words to "no filter".
    widget = forms.TextInput

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise forms.ValidationError(_("Write true or false."), code="invalid")

    def validate(self, value: Any) -> None:
        pass


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class UtcDateTimeField(forms.DateTimeField):
    """An ISO 8601 moment, turned into UTC: the database accepts every moment in UTC, but not
    every offset that ISO 8601 allows."""

    def to_python(self, value: Any) -> datetime | None:
        if value in self.empty_values:
            return None
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError as error:
            raise forms.ValidationError(_("Give an ISO 8601 date and time."), code="invalid") from error
        if moment.tzinfo is None:
            raise forms.ValidationError(_("Give the time zone too, such as Z or +03:00."), code="invalid")
        try:
            return moment.astimezone(UTC)
        except OverflowError as error:
            raise forms.ValidationError(_("The date is out of range."), code="invalid") from error


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


# What a database integer column can hold (64 bits); SQLite refuses to compare with more.
INTEGER_RANGE = range(-(2**63), 2**63)


class IntegerFilter(django_filters.NumberFilter):
    """A whole number. One that no column can hold is compared without the database: nothing
    equals it, everything is below a huge bound and above a hugely negative one."""

    field_class = forms.IntegerField

    def filter(self, qs: models.QuerySet, value: Any) -> models.QuerySet:
        if value is None or value in INTEGER_RANGE:
            return super().filter(qs, value)
        above_every_value = value >= INTEGER_RANGE.stop
        if self.lookup_expr in ("lt", "lte"):
            return qs if above_every_value else qs.none()
        if self.lookup_expr in ("gt", "gte"):
            return qs.none() if above_every_value else qs
        return qs.none()


class IdFilter(IntegerFilter):
    """An object by id (a foreign key, or a reverse relation)."""


class TextField(forms.CharField):
    """Text as given: a NUL character is not refused here (the schema allows any string); no
    stored text holds one, so the filter then matches nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.validators = [
            validator
            for validator in self.validators
            if not isinstance(validator, ProhibitNullCharactersValidator)
        ]


class TextFilter(django_filters.CharFilter):
    field_class = TextField

    def filter(self, qs: models.QuerySet, value: Any) -> models.QuerySet:
        if isinstance(value, str) and "\x00" in value:
            return qs.none()
        return super().filter(qs, value)


# What a filter without a label of its own keeps, by its kind and lookup (None: any other).
_DESCRIPTIONS = {
    "moment": {
        "gte": _("Only those on or after this moment (ISO 8601, with its time zone)."),
        "lte": _("Only those on or before this moment (ISO 8601, with its time zone)."),
        None: _("Only those at this moment (ISO 8601, with its time zone)."),
    },
    "day": {
        "gte": _("Only those on or after this day (YYYY-MM-DD)."),
        "lte": _("Only those on or before this day (YYYY-MM-DD)."),
        None: _("Only those on this day (YYYY-MM-DD)."),
    },
    "number": {
        "gte": _("Only those with at least this number."),
        "lte": _("Only those with at most this number."),
        None: _("Only those with exactly this number."),
    },
    "text": {
        "icontains": _("Only those containing this text, in any case."),
        None: _("Only those with exactly this value."),
    },
}


def _describe(filter_: django_filters.Filter) -> str:
    """The schema's description of a filter that has no label of its own."""
    if isinstance(filter_, IdFilter):
        name = filter_.field_name.replace("__", " ").replace("_", " ")
        return str(_("Only those linked to the %(name)s with this id.") % {"name": name})
    if isinstance(filter_, BooleanFilter):
        return str(_("Only those for which this is true (true) or false (false)."))
    if isinstance(filter_, DateTimeFilter):
        kind = "moment"
    elif isinstance(filter_, django_filters.DateFilter):
        kind = "day"
    elif isinstance(filter_, IntegerFilter):
        kind = "number"
    elif isinstance(filter_, TextFilter):
        kind = "text"
    else:
        return ""
    texts = _DESCRIPTIONS[kind]
    return str(texts.get(filter_.lookup_expr, texts[None]))


class ApiFilterSet(FilterSet):
    """The base of every API filter set: the strict filters above for the fields ``Meta.fields``
    names, and an empty value for a typed filter (``?call=``) is an error, not "no filter"."""

    FILTER_DEFAULTS = {
        **FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": BooleanFilter},
        models.CharField: {"filter_class": TextFilter},
        models.TextField: {"filter_class": TextFilter},
        models.SlugField: {"filter_class": TextFilter},
        models.EmailField: {"filter_class": TextFilter},
        models.ForeignKey: {"filter_class": IdFilter},
        models.OneToOneField: {"filter_class": IdFilter},
        models.DateTimeField: {"filter_class": DateTimeFilter},
        **{
            field_class: {"filter_class": IntegerFilter}
            for field_class in (
                models.AutoField,
                models.BigAutoField,
                models.SmallAutoField,
                models.IntegerField,
                models.BigIntegerField,
                models.SmallIntegerField,
                models.PositiveIntegerField,
                models.PositiveBigIntegerField,
                models.PositiveSmallIntegerField,
            )
        },
    }

    @classmethod
    def get_filters(cls) -> dict:
        """The filters, each with a description for the schema unless it has its own."""
        filters = super().get_filters()
        for filter_ in filters.values():
            if not filter_.extra.get("help_text") and filter_._label is None:
                description = _describe(filter_)
                if description:
                    filter_.extra["help_text"] = description
        return filters

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name, filter_ in self.filters.items():
            if isinstance(filter_, django_filters.CharFilter) and not isinstance(
                filter_, django_filters.ChoiceFilter
            ):
                continue
            if name in self.data and not any(str(value).strip() for value in self.data.getlist(name)):
                self.form.add_error(name, _("Give a value, or leave the parameter out."))
                valid = False
        return valid


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, which builds and validates a form of every filter on each request;
    when the request names none of the view's filters there is nothing to validate or apply,
    and the list is served without it."""

    def filter_queryset(self, request: Any, queryset: models.QuerySet, view: Any) -> models.QuerySet:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not any(
            name in request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


class OrderingFilter(filters.OrderingFilter):
    """DRF's ordering, strict like the filters: an unknown field is a 400 that names the fields
    a list may be ordered by, not silently the default order. The schema says the same: its
    ``ordering`` parameter lists the fields and takes only them. An empty value (``?ordering=``)
    is the default order, as in DRF."""

    def get_ordering(self, request: Any, queryset: models.QuerySet, view: Any) -> Any:
        raw = request.query_params.get(self.ordering_param)
        if raw:
            allowed = {name for name, _label in self.get_valid_fields(queryset, view, {"request": request})}
            asked = [term.strip() for term in raw.split(",") if term.strip()]
            if not all(term.removeprefix("-") in allowed for term in asked):
                names = ", ".join(sorted(allowed))
                message = _("Order by one of: %(fields)s (with “-” for descending).") % {"fields": names}
                raise ValidationError({self.ordering_param: [message]})
        return super().get_ordering(request, queryset, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        fields = getattr(view, "ordering_fields", None)
        if not isinstance(fields, list | tuple):
            return parameters
        names = "|".join(re.escape(name) for name in fields)
        for parameter in parameters:
            parameter["description"] = _(
                "Comma-separated fields to order by, each with “-” first for descending: %(fields)s."
            ) % {"fields": ", ".join(fields)}
            parameter["schema"] = {"type": "string", "pattern": rf"^(-?({names})(,-?({names}))*)?$"}
        return parameters
