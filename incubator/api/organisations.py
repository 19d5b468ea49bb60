"""Reference data for signed-in people: member organisations and fields / therapeutic areas."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import generics, serializers

from incubator.models import Organisation, TherapeuticArea

from .filters import ApiFilterSet, TextFilter


class OrganisationFilter(ApiFilterSet):
    name = TextFilter(lookup_expr="icontains")

    class Meta:
        model = Organisation
        fields = ["name", "kind", "is_member", "city"]


class OrganisationSerializer(serializers.ModelSerializer):
    website = serializers.CharField(read_only=True, help_text=_("An address, or empty."))

    class Meta:
        model = Organisation
        fields = ["id", "name", "short_name", "kind", "is_member", "city", "website"]
        read_only_fields = fields


class OrganisationListView(generics.ListAPIView):
    """Member organisations of the cluster and the outside ones startups are affiliated with."""

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    ordering_fields = ["name", "id"]
    ordering = ["name", "id"]

    def get_queryset(self) -> QuerySet[Organisation]:
        return Organisation.objects.all()


class OrganisationDetailView(generics.RetrieveAPIView):
    """One organisation."""

    serializer_class = OrganisationSerializer

    def get_queryset(self) -> QuerySet[Organisation]:
        return Organisation.objects.all()


class TherapeuticAreaFilter(ApiFilterSet):
    name = TextFilter(lookup_expr="icontains")

    class Meta:
        model = TherapeuticArea
        fields = ["name", "slug"]


class TherapeuticAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = TherapeuticArea
        fields = ["id", "name", "name_ru", "slug"]
        read_only_fields = fields


class TherapeuticAreaListView(generics.ListAPIView):
    """Fields and therapeutic areas, for startups and reviewers' expertise."""

    serializer_class = TherapeuticAreaSerializer
    filterset_class = TherapeuticAreaFilter
    ordering_fields = ["name", "id"]
    ordering = ["name", "id"]

    def get_queryset(self) -> QuerySet[TherapeuticArea]:
        return TherapeuticArea.objects.all()


class TherapeuticAreaDetailView(generics.RetrieveAPIView):
    """One field or therapeutic area."""

    serializer_class = TherapeuticAreaSerializer

    def get_queryset(self) -> QuerySet[TherapeuticArea]:
        return TherapeuticArea.objects.all()
