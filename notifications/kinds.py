"""The kinds of notice the project sends: who they are for, whether a person may turn them off,
and whether they also appear in the notification centre.

Each kind has three e-mail templates under ``notifications/email/``: ``<kind>_subject.txt``,
``<kind>_body.txt`` and ``<kind>_body.html``. The in-app title is the rendered subject.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    REVIEW_ASSIGNED = "review_assigned", _("New review assignment")
    REVIEW_DUE_SOON = "review_due_soon", _("Review due soon")
    REVIEW_OVERDUE = "review_overdue", _("Review overdue")
    REVIEW_OVERDUE_ESCALATION = "review_overdue_escalation", _("Overdue review in a call you manage")
    REVIEW_DECLINED = "review_declined", _("Review declined in a call you manage")
    REVIEWS_CLOSED = "reviews_closed", _("A review you had not finished is no longer needed")
    DRAFT_CLOSING = "draft_closing", _("Unsubmitted draft as the call closes")
    CALL_CLOSED = "call_closed", _("A call you manage closed")
    STAGE_CHANGED = "stage_changed", _("Your startup changed stage")
    STARTUP_DROPPED = "startup_dropped", _("Your startup was dropped from the pipeline")
    APPLICATION_STATUS = "application_status", _("Your application changed status")
    DECISION_RELEASED = "decision_released", _("Decision on your application")
    STARTUP_STALLED = "startup_stalled", _("Startup stalled in a stage")
    WEEKLY_DIGEST = "weekly_digest", _("Weekly digest")
    MILESTONE_SUBMITTED = "milestone_submitted", _("Milestone evidence to review")
    MILESTONE_DECIDED = "milestone_decided", _("Your milestone was accepted or sent back")
    MILESTONE_DUE_SOON = "milestone_due_soon", _("Milestone due soon")
    TRANCHE_PAYABLE = "tranche_payable", _("Funding tranches can be paid")
    INVESTMENT_REVIEWED = "investment_reviewed", _("An investment-readiness review of your startup")
    FUNDING_RECORDED = "funding_recorded", _("Funding of your startup recorded, paid, cancelled or voided")
    READINESS_PROPOSED = "readiness_proposed", _("Readiness change to confirm")
    READINESS_DECIDED = "readiness_decided", _("Your readiness change was confirmed or rejected")
    KPI_REPORT_DUE = "kpi_report_due", _("Monthly report due")
    KPI_REPORT_OVERDUE = "kpi_report_overdue", _("Monthly report overdue")
    MENTEE_ASSIGNED = "mentee_assigned", _("A startup for you to mentor")
    MENTOR_ASSIGNED = "mentor_assigned", _("A mentor for your startup")
    MENTORSHIP_ENDED = "mentorship_ended", _("A mentorship of yours ended")
    MENTEE_STAGE_CHANGED = "mentee_stage_changed", _("A startup you mentor changed stage")
    MENTOR_LEFT = "mentor_left", _("A mentor left your startup")
    TEAM_JOINED = "team_joined", _("Someone joined your startup's team")


class Audience(models.TextChoices):
    REVIEWER = "reviewer", _("As a reviewer")
    FOUNDER = "founder", _("As a founder")
    MANAGER = "manager", _("As a cluster manager")
    MENTOR = "mentor", _("As a mentor")


@dataclass(frozen=True)
class KindSpec:
    kind: Kind
    audience: Audience
    # Mandatory kinds cannot be turned off: a person must learn a decision about their startup.
    optional: bool
    in_app: bool
    description: Promise

    @property
    def label(self) -> str:
        return str(self.kind.label)


SPECS: dict[str, KindSpec] = {
    spec.kind.value: spec
    for spec in [
        KindSpec(
            Kind.REVIEW_ASSIGNED,
            Audience.REVIEWER,
            optional=True,
            in_app=True,
            description=_("When a manager asks you to review an application."),
        ),
        KindSpec(
            Kind.REVIEW_DUE_SOON,
            Audience.REVIEWER,
            optional=True,
            in_app=True,
            description=_("A few days before a review of yours is due."),
        ),
        KindSpec(
            Kind.REVIEW_OVERDUE,
            Audience.REVIEWER,
            optional=True,
            in_app=True,
            description=_("When a review of yours is past its due date."),
        ),
        KindSpec(
            Kind.DRAFT_CLOSING,
            Audience.FOUNDER,
            optional=True,
            in_app=True,
            description=_("When a call closes soon and your application is still a draft."),
        ),
        KindSpec(
            Kind.STAGE_CHANGED,
            Audience.FOUNDER,
            optional=True,
            in_app=True,
            description=_("When your startup moves to another stage of the pipeline."),
        ),
        KindSpec(
            Kind.STARTUP_DROPPED,
            Audience.FOUNDER,
            optional=False,
            in_app=True,
            description=_("When the cluster managers drop your startup from the pipeline."),
        ),
        KindSpec(
            Kind.APPLICATION_STATUS,
            Audience.FOUNDER,
            optional=True,
            in_app=True,
            description=_("When your application is submitted, taken into review or withdrawn."),
        ),
        KindSpec(
            Kind.DECISION_RELEASED,
            Audience.FOUNDER,
            optional=False,
            in_app=True,
            description=_("The decision on your application, once the managers release it."),
        ),
        KindSpec(
            Kind.REVIEW_OVERDUE_ESCALATION,
            Audience.MANAGER,
            optional=True,
            in_app=True,
            description=_("When a review in a call you manage is overdue."),
        ),
        KindSpec(
            Kind.REVIEWS_CLOSED,
            Audience.REVIEWER,
            optional=True,
            in_app=True,
            description=_(
                "When reviews of an application you were assigned close (it was decided or withdrawn) "
                "before you submitted yours."
            ),
        ),
        KindSpec(
            Kind.REVIEW_DECLINED,
            Audience.MANAGER,
            optional=True,
            in_app=True,
            description=_("When a reviewer gives an application back, so that it needs another reviewer."),
        ),
        KindSpec(
            Kind.CALL_CLOSED,
            Audience.MANAGER,
            optional=True,
            in_app=True,
            description=_(
                "When a call you manage closes: how many applications came in and how many still "
                "have no reviewers."
            ),
        ),
        KindSpec(
            Kind.TRANCHE_PAYABLE,
            Audience.MANAGER,
            optional=True,
            in_app=True,
            description=_(
                "When a milestone is accepted and the funding tranches tied to it can be paid out."
            ),
        ),
        KindSpec(
            Kind.STARTUP_STALLED,
            Audience.MANAGER,
            optional=True,
            in_app=True,
            description=_("When a startup stays in one stage longer than its limit."),
        ),
        KindSpec(
            Kind.MILESTONE_SUBMITTED,
            Audience.MENTOR,
            optional=True,
            in_app=True,
            description=_("When a startup you mentor submits the evidence of a milestone."),
        ),
        KindSpec(
            Kind.READINESS_PROPOSED,
            Audience.MENTOR,
            optional=True,
            in_app=True,
            description=_(
                "When a startup you mentor reports a new readiness level for you to confirm (the "
                "managers, for a startup without a mentor)."
            ),
        ),
        KindSpec(
            Kind.READINESS_DECIDED,
            Audience.FOUNDER,
            optional=True,
            in_app=True,
            description=_(
                "When a mentor or manager confirms or rejects the readiness change your team proposed."
            ),
        ),
        KindSpec(
            Kind.INVESTMENT_REVIEWED,
            Audience.FOUNDER,
            optional=True,
            in_app=True,
            description=_("When a manager or mentor records whether your startup is ready for investors."),
        ),
        KindSpec(
            Kind.FUNDING_RECORDED,
            Audience.FOUNDER,
            optional=True,
            in_app=True,
            description=_(
                "When a manager records funding for your startup in the ledger, or marks a tranche of it "
                "as paid or cancels it."
            ),
        ),
        KindSpec(
            Kind.MILESTONE_DECIDED,
            Audience.FOUNDER,
            optional=True,
            in_app=True,
            description=_(
                "When a milestone of your startup is accepted, sent back, marked as missed or reopened."
            ),
        ),
        KindSpec(
            Kind.MILESTONE_DUE_SOON,
            Audience.FOUNDER,
            optional=True,
            in_app=True,
            description=_("A week and a day before a milestone of your startup is due."),
        ),
        KindSpec(
            Kind.KPI_REPORT_DUE,
            Audience.FOUNDER,
            optional=True,
            in_app=True,
            description=_("A few days before your startup's monthly report is due."),
        ),
        KindSpec(
            Kind.KPI_REPORT_OVERDUE,
            Audience.FOUNDER,
            optional=True,
            in_app=True,
            description=_("When your startup's monthly report is past its due date."),
        ),
        KindSpec(
            Kind.MENTEE_ASSIGNED,
            Audience.MENTOR,
            optional=False,
            in_app=True,
            description=_("When a manager asks you to mentor a startup."),
        ),
        KindSpec(
            Kind.MENTORSHIP_ENDED,
            Audience.MENTOR,
            optional=False,
            in_app=True,
            description=_("When a manager ends your mentorship of a startup."),
        ),
        KindSpec(
            Kind.MENTEE_STAGE_CHANGED,
            Audience.MENTOR,
            optional=True,
            in_app=True,
            description=_(
                "When a startup you mentor moves to another stage, graduates or is dropped from the pipeline."
            ),
        ),
        KindSpec(
            Kind.MENTOR_LEFT,
            Audience.FOUNDER,
            optional=True,
            in_app=True,
            description=_("When a manager ends a mentorship of your startup."),
        ),
        KindSpec(
            Kind.MENTOR_ASSIGNED,
            Audience.FOUNDER,
            optional=True,
            in_app=True,
            description=_("When a manager gives your startup a mentor."),
        ),
        KindSpec(
            Kind.TEAM_JOINED,
            Audience.FOUNDER,
            optional=True,
            in_app=True,
            description=_("When someone you invited joins your startup's team."),
        ),
        KindSpec(
            Kind.WEEKLY_DIGEST,
            Audience.MANAGER,
            optional=True,
            in_app=False,
            description=_("A summary of the pipeline every Monday morning."),
        ),
    ]
}

OPTIONAL_KINDS = frozenset(key for key, spec in SPECS.items() if spec.optional)
MANDATORY_KINDS = frozenset(key for key, spec in SPECS.items() if not spec.optional)


def spec_for(kind: str) -> KindSpec:
    return SPECS[kind]


def is_optional(kind: str) -> bool:
    return kind in OPTIONAL_KINDS
