"""Building blocks of the API's output serializers.

Output serializers list every field a client may receive. A field that some people may not see
is declared ``required=False`` (so the schema says it may be missing) and is left out of the
representation entirely for them: absent, never blank or null.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.fields import SkipField
from rest_framework.relations import MANY_RELATION_KWARGS, PKOnlyObject

from incubator.forms_base import one_line_break


class OmittingSerializer(serializers.Serializer):
    """A serializer that leaves out the fields ``omitted_fields`` names for an instance, without
    reading them (a withheld field may be costly, or not even loaded)."""

    def omitted_fields(self, instance: Any) -> set[str]:
        return set()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        omitted = self.omitted_fields(instance)
        data: dict[str, Any] = {}
        for field in self._readable_fields:
            if field.field_name in omitted:
                continue
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            value = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            data[field.field_name] = None if value is None else field.to_representation(attribute)
        return data


class OmittingModelSerializer(OmittingSerializer, serializers.ModelSerializer):
    """``OmittingSerializer`` for model instances."""


def viewer(serializer: serializers.BaseSerializer) -> Any:
    """The person the representation is for."""
    request = serializer.context.get("request")
    return getattr(request, "user", None)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class NamedRefSerializer(serializers.Serializer):
    """A reference to an object by id, with its name for display."""

    id = serializers.IntegerField()
    name = serializers.CharField()


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class IdListField(serializers.Field):
    """The ids of a many-to-many relation (prefetched by the selector)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", False)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> list[int]:
        return [item.pk for item in value.all()]


class StrictManyRelatedField(serializers.ManyRelatedField):
    def to_internal_value(self, data: Any) -> list[Any]:
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class RelatedIdField(serializers.PrimaryKeyRelatedField):
    """A reference by id in a request body. An id that names nothing the user may use answers
    404, as the object's own address would, so ids reveal nothing either way."""

    @classmethod
    def many_init(cls, *args: Any, **kwargs: Any) -> StrictManyRelatedField:
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        for key in kwargs:
            if key in MANY_RELATION_KWARGS:
                list_kwargs[key] = kwargs[key]
        return StrictManyRelatedField(**list_kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            return self.get_queryset().get(pk=data)
        except ObjectDoesNotExist as error:
            # In a list the field is the list's child: the name is the list's.
            name = self.field_name or getattr(self.parent, "field_name", "")
            raise NotFound(
                _("%(field)s %(id)s: no such object.") % {"field": name, "id": data},
                code="related_not_found",
            ) from error


# A text that is not only blanks (the schema says so with this pattern).
NOT_BLANK = RegexValidator(r"\S", message=_("Write something here."))


# Input fields as strict as the schema: DRF would also take "5" for a number, 1 for true or 5 for
# a text, and a client that sends those has a bug it should hear about.


UNKNOWN_FIELD = _("This request takes no such field; nothing was saved.")
NO_BODY = _("This operation takes no body; nothing was done.")


def refuse_body(request: Any) -> None:
    """For an operation that takes no body: one sent is refused (400 naming its fields) rather
    than ignored, so nobody believes a field narrowed what the operation does."""
    data = request.data
    if data:
        names = list(data) if isinstance(data, Mapping) else ["non_field_errors"]
        raise serializers.ValidationError({name: [NO_BODY] for name in names})


class InputSerializer(serializers.Serializer):
    """A request body. A field it does not take (misspelt, or one only the server sets, such as
    a status that changes through a transition) is refused with 400 naming it, never silently
    dropped; the schema says so with ``additionalProperties: false``."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = [name for name in data if name not in self.fields]
            if unknown:
                raise serializers.ValidationError({name: [UNKNOWN_FIELD] for name in unknown})
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class TextBoxField(StrictCharField):
    """Text as a page's box takes it: a line break (CR LF or CR) is one character, for the
    length limit and as stored, so what the page's box accepts the API accepts too. Every
    multi-line text of the API (answers, comments, notes, reasons) is one."""

    def to_internal_value(self, data: Any) -> str:
        return super().to_internal_value(one_line_break(data))


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictChoiceField(serializers.ChoiceField):
    def to_internal_value(self, data: Any) -> Any:
        if data == "" and self.allow_blank:
            return ""
        if not any(type(data) is type(key) and data == key for key in self.choices):
            self.fail("invalid_choice", input=data)
        return data


class StrictDateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value: Any) -> Any:
        if not isinstance(value, str):
            self.fail("invalid", format="ISO 8601")
        try:
            return super().to_internal_value(value)
        except (OverflowError, ValueError):
            # An offset that pushes the moment out of the representable range.
            self.fail("invalid", format="ISO 8601")
