"""Routes of the incubator's resources (included under ``/api/v1/`` by ``config.api_urls``)."""

from django.urls import path

from . import calls, me, organisations, startups

urlpatterns = [
    path("me/", me.MeView.as_view(), name="me"),
    path("organisations/", organisations.OrganisationListView.as_view(), name="organisation-list"),
    path(
        "organisations/<int:pk>/",
        organisations.OrganisationDetailView.as_view(),
        name="organisation-detail",
    ),
    path(
        "therapeutic-areas/",
        organisations.TherapeuticAreaListView.as_view(),
        name="therapeutic-area-list",
    ),
    path(
        "therapeutic-areas/<int:pk>/",
        organisations.TherapeuticAreaDetailView.as_view(),
        name="therapeutic-area-detail",
    ),
    path("calls/", calls.CallListView.as_view(), name="call-list"),
    path("calls/<int:pk>/", calls.CallDetailView.as_view(), name="call-detail"),
    path("startups/", startups.StartupListView.as_view(), name="startup-list"),
    path("startups/<int:pk>/", startups.StartupDetailView.as_view(), name="startup-detail"),
    path(
        "startups/<int:pk>/transitions/<str:name>/",
        startups.StartupTransitionView.as_view(),
        name="startup-transition",
    ),
]
