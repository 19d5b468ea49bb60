"""Routes of the pipeline's resources (included under ``/api/v1/`` by ``config.api_urls``)."""

from django.urls import path

from . import applications, audit, calls, reviews

urlpatterns = [
    path("calls/<id:pk>/auto-assign/", calls.CallAutoAssignView.as_view(), name="call-auto-assign"),
    path(
        "calls/<id:pk>/release-decisions/",
        calls.CallReleaseDecisionsView.as_view(),
        name="call-release-decisions",
    ),
    path("applications/", applications.ApplicationListView.as_view(), name="application-list"),
    path("applications/<id:pk>/", applications.ApplicationDetailView.as_view(), name="application-detail"),
    path(
        "applications/<id:pk>/pitch-deck/",
        applications.PitchDeckView.as_view(),
        name="application-pitch-deck",
    ),
    path(
        "applications/<id:pk>/documents/",
        applications.DocumentListView.as_view(),
        name="application-document-list",
    ),
    path(
        "applications/<id:pk>/documents/<id:document_id>/",
        applications.DocumentView.as_view(),
        name="application-document",
    ),
    path(
        "applications/<id:pk>/transitions/<str:name>/",
        applications.ApplicationTransitionView.as_view(),
        name="application-transition",
    ),
    path("review-assignments/", reviews.AssignmentListView.as_view(), name="assignment-list"),
    path("review-assignments/<id:pk>/", reviews.AssignmentDetailView.as_view(), name="assignment-detail"),
    path(
        "review-assignments/<id:pk>/decline/",
        reviews.AssignmentDeclineView.as_view(),
        name="assignment-decline",
    ),
    path(
        "review-assignments/<id:pk>/review/",
        reviews.AssignmentReviewView.as_view(),
        name="assignment-review",
    ),
    path("reviews/", reviews.ReviewListView.as_view(), name="review-list"),
    path("reviews/<id:pk>/", reviews.ReviewDetailView.as_view(), name="review-detail"),
    path("transition-logs/", audit.TransitionLogListView.as_view(), name="transition-log-list"),
    path("transition-logs/<id:pk>/", audit.TransitionLogDetailView.as_view(), name="transition-log-detail"),
]
