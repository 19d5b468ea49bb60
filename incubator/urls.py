from django.contrib.auth import views as auth_views
from django.urls import path

from .views import accounts, calls, home, portfolio, signup, startups

urlpatterns = [
    path("", home.home, name="home"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password-reset/",
        accounts.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("account/", accounts.account, name="account"),
    path("account/password/", accounts.PasswordChangeView.as_view(), name="account-password"),
    path("accounts/signup/", signup.signup, name="signup"),
    path("accounts/signup/sent/", signup.signup_done, name="signup-done"),
    path("accounts/signup/resend/", signup.signup_resend, name="signup-resend"),
    path("accounts/confirm/<str:token>/", signup.signup_confirm, name="signup-confirm"),
    path("startups/new/", startups.startup_new, name="startup-new"),
    path("startups/<id:pk>/edit/", startups.startup_edit, name="startup-edit"),
    path("startups/<id:pk>/team/", startups.startup_team, name="startup-team"),
    path(
        "startups/<id:pk>/invitations/<id:invitation_pk>/revoke/",
        startups.invitation_revoke_view,
        name="invitation-revoke",
    ),
    path("invitations/<str:token>/", startups.invitation_accept_view, name="invitation-accept"),
    path("startups/<id:pk>/mentors/", startups.mentor_add, name="mentor-add"),
    path("mentorships/<id:pk>/remove/", startups.mentor_remove, name="mentor-remove"),
    path("startups/<id:pk>/milestones/new/", portfolio.milestone_new, name="milestone-new"),
    path("milestones/<id:pk>/", portfolio.milestone_detail, name="milestone-detail"),
    path("milestones/<id:pk>/transition/", portfolio.milestone_transition_view, name="milestone-transition"),
    path("milestones/<id:pk>/edit/", portfolio.milestone_edit, name="milestone-edit"),
    path("milestones/<id:pk>/remove/", portfolio.milestone_remove_view, name="milestone-remove"),
    path("milestones/evidence/<id:pk>/", portfolio.evidence_download, name="evidence-download"),
    path("milestones/evidence/<id:pk>/remove/", portfolio.evidence_remove, name="evidence-remove"),
    path("startups/<id:pk>/readiness/", portfolio.readiness_new, name="readiness-new"),
    path("readiness/<id:pk>/confirm/", portfolio.readiness_confirm, name="readiness-confirm"),
    path("readiness/<id:pk>/withdraw/", portfolio.readiness_withdraw, name="readiness-withdraw"),
    path("readiness/<id:pk>/file/", portfolio.readiness_file, name="readiness-file"),
    path(
        "startups/<id:pk>/investment-review/", portfolio.investment_review_new, name="investment-review-new"
    ),
    path("startups/<id:pk>/reports/<int:year>-<int:month>/", portfolio.kpi_report, name="kpi-report"),
    path("startups/<id:pk>/funding/new/", portfolio.funding_new, name="funding-new"),
    path("funding/<id:pk>/void/", portfolio.funding_void, name="funding-void"),
    path("funding/tranches/<id:pk>/paid/", portfolio.tranche_paid, name="tranche-paid"),
    path("funding/tranches/<id:pk>/cancel/", portfolio.tranche_cancel, name="tranche-cancel"),
    path("manage/portfolio/", portfolio.portfolio_overview, name="portfolio-overview"),
    path("manage/portfolio/funding.csv", portfolio.funding_export, name="funding-export"),
    path("manage/portfolio/monthly-reports.csv", portfolio.kpi_reports_export, name="kpi-reports-export"),
    path("calls/", calls.call_list, name="call-list"),
    path("calls/<slug:slug>/", calls.call_detail, name="call-detail"),
    path("mentor/", home.mentor_home, name="mentor-home"),
    path("founder/", home.founder_home, name="founder-home"),
]
