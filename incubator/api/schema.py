"""OpenAPI generation: every operation documents the error responses it can give, in the shape
``incubator.api.errors`` produces, so clients (and schema-driven tests) can rely on them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
BODY_METHODS = {"POST", "PUT", "PATCH"}


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text=_("The HTTP status, repeated."))
    code = serializers.CharField(help_text=_("A stable code for programs, such as “guard_failed”."))
    message = serializers.CharField(help_text=_("What went wrong, in words for a person."))
    details = serializers.DictField(
        help_text=_(
            "What belongs to the error: “fields” for invalid input, “messages” and “guards” for a "
            "refused transition, “retry_after” (seconds) when throttled."
        )
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    "400": _("Invalid input or filter; the errors of each field are in details.fields."),
    "401": _("No credentials, or a token that is unknown or revoked."),
    "403": _("Signed in, but not allowed to do this."),
    "404": _("No such object, or not one the user may see."),
    "409": _("Refused by the object's state: a guard, a concurrent change, a closed call."),
    "415": _("The request body's media type is not accepted."),
    "429": _("Too many requests; retry after details.retry_after seconds."),
}


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's schema with the error responses added to every operation, and request
    bodies that say they take no other fields (``InputSerializer`` refuses them)."""

    def _map_serializer(self, serializer, direction, bypass_extensions=False) -> dict:
        from .serializers import InputSerializer

        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        if isinstance(serializer, InputSerializer) and schema.get("type") == "object":
            schema["additionalProperties"] = False
        return schema

    def _error_codes(self) -> list[str]:
        codes = ["400", "401", "403", "404", "429"]
        if self.method in WRITE_METHODS:
            codes.append("409")
        if self.method in BODY_METHODS:
            codes.append("415")
        return sorted(codes)

    def _get_response_bodies(self, direction="response") -> dict:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(response=ErrorSerializer, description=str(ERROR_DESCRIPTIONS[code])),
                    code,
                    media_types=["application/json"],
                )
        return responses


def describe_path_ids(result: dict, generator, request, public) -> dict:
    """A postprocessing hook: every id in a path says whose id it is."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "path" or parameter.get("description"):
                    continue
                name = parameter["name"]
                if name == "id":
                    parameter["description"] = str(_("The id of the object that the path names."))
                elif name.endswith("_id"):
                    parameter["description"] = str(
                        _("The id of the %(name)s, within the object before it in the path.")
                        % {"name": name.removesuffix("_id")}
                    )
    return result
