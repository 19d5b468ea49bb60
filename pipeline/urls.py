from django.urls import path

from .views import applications, board, dashboard, manage, reviews, startups

urlpatterns = [
    path("startups/<id:pk>/", startups.startup_detail, name="startup-detail"),
    path("startups/<id:pk>/transition/", startups.startup_transition_view, name="startup-transition"),
    path("calls/<slug:slug>/apply/", applications.apply, name="call-apply"),
    path("applications/<id:pk>/", applications.application_detail, name="application-detail"),
    path("applications/<id:pk>/edit/", applications.application_edit, name="application-edit"),
    path("applications/<id:pk>/withdraw/", applications.application_withdraw, name="application-withdraw"),
    path("applications/<id:pk>/pitch-deck/", applications.pitch_deck_download, name="application-deck"),
    path("applications/<id:pk>/documents/", applications.document_upload, name="application-document-upload"),
    path("documents/<id:pk>/", applications.document_download, name="document-download"),
    path("documents/<id:pk>/delete/", applications.document_remove, name="document-delete"),
    path("reviews/<id:application_id>/", reviews.review_form, name="review-form"),
    path("reviews/<id:application_id>/decline/", reviews.review_decline, name="review-decline"),
    path("reviewer/profile/", reviews.reviewer_profile, name="reviewer-profile"),
    path("reviewer/conflicts/<id:pk>/remove/", reviews.conflict_remove, name="reviewer-conflict-remove"),
    path("manage/", dashboard.dashboard, name="manager-home"),
    path("manage/dashboard.csv", dashboard.dashboard_export, name="dashboard-export"),
    path("manage/board/", board.board, name="manager-board"),
    path("manage/board/move/", board.board_move, name="manager-board-move"),
    path("manage/calls/<slug:slug>/applications.csv", dashboard.call_export, name="manage-call-export"),
    path("manage/calls/", manage.call_list, name="manage-calls"),
    path("manage/calls/<slug:slug>/", manage.call_overview, name="manage-call"),
    path("manage/calls/<slug:slug>/auto-assign/", manage.call_auto_assign, name="manage-auto-assign"),
    path("manage/calls/<slug:slug>/assign/", manage.call_assign, name="manage-assign"),
    path("manage/calls/<slug:slug>/rubric/", manage.call_rubric, name="manage-rubric"),
    path("manage/calls/<slug:slug>/ranking/", manage.call_ranking, name="manage-ranking"),
    path("manage/calls/<slug:slug>/release/", manage.call_release, name="manage-release"),
    path("manage/assignments/<id:pk>/remove/", manage.assignment_unassign, name="manage-unassign"),
    path("manage/applications/<id:pk>/", manage.application_review_summary, name="manage-application"),
]
