"""Building blocks of the API's output serializers.

Output serializers list every field a client may receive. A field that some people may not see
is declared ``required=False`` (so the schema says it may be missing) and is left out of the
representation entirely for them: absent, never blank or null.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject


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
