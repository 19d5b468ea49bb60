from django.urls import path

from .views import applications, startups

urlpatterns = [
    path("startups/<int:pk>/", startups.startup_detail, name="startup-detail"),
    path("startups/<int:pk>/transition/", startups.startup_transition_view, name="startup-transition"),
    path("calls/<slug:slug>/apply/", applications.apply, name="call-apply"),
    path("applications/<int:pk>/", applications.application_detail, name="application-detail"),
    path("applications/<int:pk>/edit/", applications.application_edit, name="application-edit"),
    path("applications/<int:pk>/withdraw/", applications.application_withdraw, name="application-withdraw"),
    path("applications/<int:pk>/pitch-deck/", applications.pitch_deck_download, name="application-deck"),
    path(
        "applications/<int:pk>/documents/", applications.document_upload, name="application-document-upload"
    ),
    path("documents/<int:pk>/", applications.document_download, name="document-download"),
    path("documents/<int:pk>/delete/", applications.document_remove, name="document-delete"),
]
