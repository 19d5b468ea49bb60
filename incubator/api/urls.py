"""Routes of the incubator's resources (included under ``/api/v1/`` by ``config.api_urls``)."""

from django.urls import path

from . import calls, me, mentors, notes, organisations, startups
from .portfolio import funding, milestones, records

urlpatterns = [
    path("me/", me.MeView.as_view(), name="me"),
    path("organisations/", organisations.OrganisationListView.as_view(), name="organisation-list"),
    path(
        "organisations/<id:pk>/",
        organisations.OrganisationDetailView.as_view(),
        name="organisation-detail",
    ),
    path(
        "therapeutic-areas/",
        organisations.TherapeuticAreaListView.as_view(),
        name="therapeutic-area-list",
    ),
    path(
        "therapeutic-areas/<id:pk>/",
        organisations.TherapeuticAreaDetailView.as_view(),
        name="therapeutic-area-detail",
    ),
    path("calls/", calls.CallListView.as_view(), name="call-list"),
    path("calls/<id:pk>/", calls.CallDetailView.as_view(), name="call-detail"),
    path("startups/", startups.StartupListView.as_view(), name="startup-list"),
    path("startups/<id:pk>/", startups.StartupDetailView.as_view(), name="startup-detail"),
    path("startups/<id:pk>/mentors/", mentors.StartupMentorListView.as_view(), name="startup-mentor-list"),
    path("startups/<id:pk>/notes/", notes.StartupNoteListView.as_view(), name="startup-note-list"),
    path(
        "startups/<id:pk>/notes/<id:note_id>/",
        notes.StartupNoteDetailView.as_view(),
        name="startup-note-detail",
    ),
    path(
        "startups/<id:pk>/mentors/<id:mentor_id>/",
        mentors.StartupMentorDetailView.as_view(),
        name="startup-mentor-detail",
    ),
    path(
        "startups/<id:pk>/transitions/<str:name>/",
        startups.StartupTransitionView.as_view(),
        name="startup-transition",
    ),
    path("milestones/", milestones.MilestoneListView.as_view(), name="milestone-list"),
    path("milestones/<id:pk>/", milestones.MilestoneDetailView.as_view(), name="milestone-detail"),
    path(
        "milestones/<id:pk>/transitions/<str:name>/",
        milestones.MilestoneTransitionView.as_view(),
        name="milestone-transition",
    ),
    path(
        "milestones/<id:pk>/evidence/",
        milestones.MilestoneEvidenceListView.as_view(),
        name="milestone-evidence-list",
    ),
    path(
        "milestones/<id:pk>/evidence/<id:evidence_id>/",
        milestones.MilestoneEvidenceDetailView.as_view(),
        name="milestone-evidence-detail",
    ),
    path(
        "milestones/<id:pk>/evidence/<id:evidence_id>/file/",
        milestones.MilestoneEvidenceFileView.as_view(),
        name="milestone-evidence-file",
    ),
    path("readiness-changes/", records.ReadinessChangeListView.as_view(), name="readiness-change-list"),
    path(
        "readiness-changes/<id:pk>/decision/",
        records.ReadinessDecisionView.as_view(),
        name="readiness-change-decision",
    ),
    path(
        "readiness-changes/<id:pk>/withdraw/",
        records.ReadinessWithdrawView.as_view(),
        name="readiness-change-withdraw",
    ),
    path(
        "readiness-changes/<id:pk>/file/",
        records.ReadinessFileView.as_view(),
        name="readiness-change-file",
    ),
    path(
        "investment-reviews/",
        records.InvestmentReviewListView.as_view(),
        name="investment-review-list",
    ),
    path("kpi-reports/", records.KpiReportListView.as_view(), name="kpi-report-list"),
    path("funding-records/", funding.FundingRecordListView.as_view(), name="funding-record-list"),
    path("funding-records/<id:pk>/void/", funding.FundingVoidView.as_view(), name="funding-record-void"),
    path(
        "funding-tranches/<id:pk>/mark-paid/",
        funding.TranchePaidView.as_view(),
        name="funding-tranche-mark-paid",
    ),
    path(
        "funding-tranches/<id:pk>/cancel/",
        funding.TrancheCancelView.as_view(),
        name="funding-tranche-cancel",
    ),
    path("funding/summary/", funding.FundingSummaryView.as_view(), name="funding-summary"),
]
