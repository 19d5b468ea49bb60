"""The signed-in person: who they are and which roles they hold."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from incubator.models import User

from .serializers import NamedRefSerializer


class MeSerializer(serializers.ModelSerializer):
    organisation = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "organisation",
            "position",
            "is_founder",
            "is_mentor",
            "is_manager",
            "language",
        ]
        read_only_fields = fields

    @extend_schema_field(NamedRefSerializer(allow_null=True))
    def get_organisation(self, user: User) -> dict | None:
        organisation = user.organisation
        return None if organisation is None else {"id": organisation.pk, "name": str(organisation)}


class MeView(generics.GenericAPIView):
    """The user the request is authenticated as."""

    serializer_class = MeSerializer

    def get(self, request: Request) -> Response:
        user = User.objects.select_related("organisation").get(pk=request.user.pk)
        return Response(MeSerializer(user).data)
